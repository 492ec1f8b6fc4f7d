"""Renderers of a ``check`` report: terminal (rich), Markdown, JSON and HTML (:mod:`permwise.report.html`).

They read a :class:`~permwise.requirements.check.CheckReport` and decide nothing. The JSON form
is ``report.to_dict()`` (format ``permwise-check/1``), printed with sorted keys.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from permwise.catalog.arn import Arn
from permwise.report.console import columns_fit
from permwise.report.escape import md_code, md_fence, md_message, md_text, terminal
from permwise.requirements.check import (
    BLOCKED,
    CONDITIONAL,
    PARTIAL,
    READY,
    UNRESOLVED,
    Blocker,
    CheckReport,
    CommandResult,
)
from permwise.engine import Rule
from permwise.report.reasons import dependency_words, render_reason, unknown_words
from permwise.wording import noun, plural

STATUS_STYLE = {READY: "green", PARTIAL: "yellow", BLOCKED: "bold red", UNRESOLVED: "magenta", CONDITIONAL: "cyan"}
STATUS_MARK = {READY: "ready", PARTIAL: "partial", BLOCKED: "blocked", UNRESOLVED: "unresolved",
               CONDITIONAL: "conditional"}
LEVEL_SHORT = {"Permissions management": "Perm. mgmt", "Write": "Write", "Tagging": "Tag", "Read": "Read",
               "List": "List"}
LEVELS = ("Permissions management", "Write", "Tagging", "Read", "List")


def blocker_message(b: Blocker) -> str:
    """The deciding reason of a blocker, in words."""
    return render_reason(b.reason) if b.reason is not None else "denied"


def check_dict(report: CheckReport) -> dict[str, Any]:
    """``report.to_dict()`` with each blocker's ``message`` and each dependency's and condition's
    ``what``, the words for its unknown key (the words live here, not in the analysis)."""
    d = report.to_dict()
    for c, cd in zip(report.commands, d["commands"], strict=True):
        for b, bd in zip(c.blockers, cd["blockers"], strict=True):
            bd["message"] = blocker_message(b)
        for rd in (*cd["denied"], *cd["request_results"]):
            rd["depends_on"] = [dependency_words(x) for x in rd["depends_on"]]
        cd["conditions"] = [{**g, "what": unknown_words(g["key"])} for g in cd["conditions"]]
    return d


def render_json(report: CheckReport) -> str:
    # orjson, then json's ensure_ascii escapes: byte for byte json.dumps(indent=2, sort_keys=True)
    # at a tenth of the cost (0.4 s for a 100-account organization); a name from a file stays
    # \u-escaped, so a bidi override or C1 control cannot act in a terminal that shows the file
    text = orjson.dumps(check_dict(report), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    return _NON_ASCII.sub(_ascii_escape, text) + "\n"


_NON_ASCII = re.compile(r"[^\x00-\x7e]")  # json escapes DEL too


def _ascii_escape(m: re.Match[str]) -> str:
    return json.dumps(m.group())[1:-1]  # \uXXXX, or a surrogate pair beyond the BMP


def summary_line(report: CheckReport) -> str:
    c = report.counts()
    parts = [f"{c[s]} {s}" for s in (READY, CONDITIONAL, PARTIAL, BLOCKED, UNRESOLVED) if c[s] or s == READY]
    return f"{plural(len(report.commands), 'command')}: " + ", ".join(parts)


def _account(c: CommandResult) -> str:
    if not c.account:
        return "-"
    return f"{c.account} ({c.account_name})" if c.account_name else c.account



def short_layer(c: CommandResult) -> str:
    if c.status == CONDITIONAL and c.conditions:
        return "; ".join(dict.fromkeys(g["summary"] for g in c.conditions))
    if not c.blockers:
        if c.status == UNRESOLVED and c.notes:
            return c.notes[0]
        if c.scp_exemption is not None:
            return "no SCPs (" + ("management" if c.scp_exemption is Rule.SCP_MANAGEMENT_ACCOUNT
                                  else "service-linked") + ")"
        return "see note" if c.notes else ""
    titles = []
    for b in c.blockers:
        if b.layer in ("scp", "rcp") and b.decision == "explicitDeny":
            titles.append(f"{b.layer.upper()} {b.policy}")
        elif b.layer == "identity" and b.decision != "explicitDeny":
            titles.append("missing identity allow")
        elif b.layer == "boundary":
            titles.append("permissions boundary")
        else:
            titles.append(b.layer)
    return ", ".join(dict.fromkeys(titles))


def _actions_text(actions: list[str], limit: int = 8) -> str:
    if len(actions) <= limit:
        return ", ".join(actions)
    return ", ".join(actions[:limit]) + f" and {len(actions) - limit} more"


# ---------------------------------------------------------------------------------------------
# terminal


def render_terminal(report: CheckReport, console: Console, *, verbose: bool = False, excess_limit: int = 20) -> None:
    head = Text()
    head.append("permwise check ", style="bold")
    head.append(f"{report.tool} {report.tool_version}")
    head.append(f"  snapshot: {report.snapshot}", style="dim")
    if report.config:
        head.append(f"  config: {report.config}", style="dim")
    console.print(head)
    for p in report.problems:  # first: what they touch is unknown (also printed on stderr)
        console.print(Text(terminal(f"snapshot problem: {p.one_line()}"), style="yellow"))

    rows = [tuple(terminal(x) for x in (
                c.id, c.profile, c.account or "-", STATUS_MARK[c.status],
                f"{len(c.blocked_actions)}/{len(c.required_actions)}" if c.status != UNRESOLVED else "-", short_layer(c)))
            for c in report.commands]
    # Numbers, account ids and statuses are never split (a cut "0/357" would read "0/35"); the
    # free-text "deciding layer" column wraps between words, and only when even that cannot make
    # the table fit does the command id fold onto a second line.
    widths = [max(len(r[i]) for r in [("command", "profile", "account", "status", "denied"), *rows])
              for i in range(5)]
    longest_word = max((len(w) for r in rows for w in str(r[5]).split()), default=8)
    keep = sum(widths) + 6 + longest_word + 2 <= console.width
    t = Table(show_lines=False, header_style="bold", pad_edge=False, box=box.SIMPLE_HEAD, collapse_padding=True)
    t.add_column("command", no_wrap=keep, overflow="fold", min_width=12)
    t.add_column("profile", no_wrap=True)
    t.add_column("account", no_wrap=True)
    t.add_column("status", no_wrap=True)
    t.add_column("denied", justify="right", no_wrap=True)
    t.add_column("deciding layer", overflow="fold", min_width=longest_word)
    for c, row in zip(report.commands, rows, strict=True):
        t.add_row(Text(row[0]), Text(row[1]), Text(row[2]), Text(row[3], style=STATUS_STYLE[c.status]), Text(row[4]),
                  Text(row[5]))
    console.print(t)

    ready_notes = [(c, n) for c in report.commands if c.status == READY for n in c.notes]
    if ready_notes:
        console.print(Text("notes on ready commands", style="bold"))
        for c, n in ready_notes:
            line = Text("  ")
            line.append(terminal(c.id), style="bold")
            line.append(f": {terminal(n)}", style="yellow")
            console.print(line)
        console.print()

    for c in report.commands:
        if c.status == READY:
            continue
        title = Text()
        title.append(terminal(c.id), style="bold")
        title.append(f"  {STATUS_MARK[c.status]}", style=STATUS_STYLE[c.status])
        title.append(terminal(f"  {c.profile} -> {c.principal}"), style="dim")
        body: list[Any] = []
        if c.status != UNRESOLVED:
            body.append(Text(f"{len(c.blocked_actions)} of {len(c.required_actions)} required actions denied "
                             f"({len(c.denied)} of {c.total_requests} requests)"))
        for n in c.notes:
            body.append(Text(terminal(f"note: {n}"), style="yellow"))
        for g in c.conditions:
            body.append(Text(""))
            body.append(Text(terminal(f"{g['summary']}: {_actions_text(g['actions'], 50 if verbose else 8)}"), style="bold cyan"))
            st = g["statement"]
            where = f"{st['kind'] or ''} `{st['policy']}`" + (f" statement `{st['sid']}`" if st["sid"] else "")
            body.append(Text(terminal(f"  {g['message']} (`{g['key']}` is {_val(g['base_value'])} unless stated; "
                                      f"decided by {where.strip()})")))
        for b in c.blockers:
            body.append(Text(""))
            body.append(Text(terminal(b.title), style="bold red" if b.decision == "explicitDeny" else "bold yellow"))
            body.append(Text(terminal(f"  actions: {_actions_text(b.actions, 50 if verbose else 8)}")))
            if len(b.resources) > 1 or b.resources[:1] != ["*"]:
                body.append(Text(terminal(f"  resources: {_actions_text(b.resources, 50 if verbose else 4)}")))
            if b.fix is not None:
                body.append(Text(terminal(f"  fix ({b.fix.audience}): {b.fix.summary}"), style="cyan"))
                body.append(Text(_indent(json.dumps(b.fix.statement, indent=2), 4), style="cyan"))
        console.print(Panel(Group(*body), title=title, title_align="left", border_style=STATUS_STYLE[c.status]))

    if report.excess:
        et = Table(title="excess: allowed beyond the commands' needs (Permissions management and Write first)",
                   title_justify="left", header_style="bold", pad_edge=False, box=box.SIMPLE_HEAD)
        keep = columns_fit(console, [(_short_principal(e.principal), ", ".join(e.profiles)) for e in report.excess],
                     slack=8 * (2 + len(LEVELS)))
        et.add_column("principal", no_wrap=keep, overflow="fold")
        et.add_column("profiles", no_wrap=keep, overflow="fold")
        et.add_column("needed", justify="right", overflow="fold")
        et.add_column("excess", justify="right", overflow="fold")
        for lvl in LEVELS:
            et.add_column(LEVEL_SHORT[lvl], justify="right", overflow="fold")
        for e in report.excess:
            bl = e.by_level()
            et.add_row(Text(terminal(_short_principal(e.principal))), Text(terminal(", ".join(e.profiles))), str(e.needed),
                       Text(str(e.total), style="bold red" if bl.get("Permissions management") or bl.get("Write") else ""),
                       *[str(bl.get(lvl, 0)) for lvl in LEVELS])
        console.print(et)
        for e in report.excess:
            risky = [g for g in e.groups if g.access_level in ("Permissions management", "Write")]
            if not risky:
                continue
            console.print(Text(terminal(e.principal), style="bold"))
            shown = risky if verbose else risky[:excess_limit]
            for g in shown:
                console.print(terminal(f"  {g.service} {g.access_level}: {len(g.actions)} "
                                       f"({_actions_text(g.actions, 50 if verbose else 4)})"), markup=False, highlight=False)
            if len(risky) > len(shown):
                rest = sum(len(g.actions) for g in risky[len(shown):])
                console.print(f"  ... {len(risky) - len(shown)} more service {noun(len(risky) - len(shown), 'group')} ({plural(rest, 'action')}); "
                              "--format json lists all", markup=False, highlight=False)

    if report.problems:
        console.print(Text(f"{plural(len(report.problems), 'snapshot problem')}, printed as warnings on stderr", style="yellow"))
    counts = report.counts()
    style = "bold red" if counts[BLOCKED] or counts[UNRESOLVED] else (
        "bold yellow" if counts[PARTIAL] or counts[CONDITIONAL] else "bold green")
    console.print(Text(summary_line(report), style=style))


def _val(v: object) -> str:
    return "absent" if v is None else f"`{v}`"


def _short_principal(arn: str) -> str:
    """``arn:aws:iam::111111111111:role/X`` -> ``111111111111 role/X``."""
    parsed = Arn.parse(arn)
    return f"{parsed.account} {parsed.resource}" if parsed is not None else arn


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for line in text.splitlines())


# ---------------------------------------------------------------------------------------------
# markdown


def _cell(text: object) -> str:
    return md_message(text)


def render_markdown(report: CheckReport, *, excess_limit: int = 20, gaps: list[Any] | None = None) -> str:
    out: list[str] = [
        f"# permwise check: {md_text(report.tool)} {md_text(report.tool_version)}",
        "",
    ]
    if gaps:  # first of all: units whose results are unknown (docs/scale.md)
        accounts = sorted({a for g in gaps for a in g.accounts})
        out += [f"> **UNKNOWN results for {len(accounts)} account{'' if len(accounts) == 1 else 's'}**: "
                f"{len(gaps)} unit{'' if len(gaps) == 1 else 's'} failed twice; nothing below covers them", ">"]
        out += [f"> - unit {md_code(g.unit)}, accounts {', '.join(g.accounts) or '-'}: {md_message(g.error)}"
                for g in gaps]
        out.append("")
    out += [
        f"Snapshot {md_code(report.snapshot)}" + (f", config {md_code(report.config)}" if report.config else "") + ".",
        "",
        f"**{summary_line(report)}**",
        "",
    ]
    if report.problems:  # first: they make the results below uncertain
        out += ["## Snapshot problems", ""]
        out += [f"- {md_message(p.one_line())}" for p in report.problems]
        out.append("")
    out += [
        "| command | profile | account | status | denied | deciding layer |",
        "|---|---|---|---|---|---|",
    ]
    for c in report.commands:
        denied = f"{len(c.blocked_actions)}/{len(c.required_actions)}" if c.status != UNRESOLVED else "-"
        out.append(f"| {md_code(c.id)} | {md_text(c.profile)} | {_cell(_account(c))} | {c.status} | {denied} | "
                   f"{_cell(short_layer(c))} |")
    out.append("")
    ready_notes = [(c, n) for c in report.commands if c.status == READY for n in c.notes]
    if ready_notes:
        out += ["Notes on ready commands:", ""]
        out += [f"- {md_code(c.id)}: {md_message(n)}" for c, n in ready_notes]
        out.append("")
    for c in report.commands:
        if c.status == READY:
            continue
        out += [f"## {md_code(c.id)}: {c.status}", "",
                f"Profile {md_code(c.profile)} as {md_code(c.principal)}."]
        if c.status != UNRESOLVED:
            out[-1] += (f" {len(c.blocked_actions)} of {len(c.required_actions)} required actions denied "
                        f"({len(c.denied)} of {c.total_requests} requests).")
        out.append("")
        for n in c.notes:
            out += [f"> note: {md_message(n)}", ""]
        for g in c.conditions:
            st = g["statement"]
            out += [f"- **{_cell(g['summary'])}** ({', '.join(md_code(a) for a in g['actions'][:8])}): {md_message(g['message'])}; "
                    f"{md_code(g['key'])} is {_val(g['base_value'])} unless the config states it; decided by "
                    f"{md_text(st['kind'] or '')} {md_code(st['policy'])}" + (f" statement {md_code(st['sid'])}" if st["sid"] else ""), ""]
        for b in c.blockers:
            out += [f"### {md_message(b.title)}", "", f"Actions: {', '.join(md_code(a) for a in b.actions)}", ""]
            if len(b.resources) > 1 or b.resources[:1] != ["*"]:
                out += [f"Resources: {', '.join(md_code(r) for r in b.resources[:20])}"
                        + (f" and {len(b.resources) - 20} more" if len(b.resources) > 20 else ""), ""]
            if b.fix is not None:
                out += [f"Fix ({md_text(b.fix.audience)}): {md_message(b.fix.summary)}.", "",
                        *md_fence(json.dumps(b.fix.statement, indent=2), "json"), ""]
    if report.excess:
        out += ["## Excess permissions", "",
                "Allowed beyond the union of the commands' needs, on generic resources (see docs/check.md).", "",
                "| principal | profiles | needed | excess | " + " | ".join(LEVEL_SHORT[lvl] for lvl in LEVELS) + " |",
                "|---|---|---|---|" + "---|" * len(LEVELS)]
        for e in report.excess:
            bl = e.by_level()
            out.append(f"| {md_code(e.principal)} | {md_text(', '.join(e.profiles))} | {e.needed} | {e.total} | "
                       + " | ".join(str(bl.get(lvl, 0)) for lvl in LEVELS) + " |")
        out.append("")
        for e in report.excess:
            risky = [g for g in e.groups if g.access_level in ("Permissions management", "Write")]
            if not risky:
                continue
            out += [f"{md_code(e.principal)}:", ""]
            for g in risky[:excess_limit]:
                out.append(f"- {md_text(g.service)} {g.access_level}: {len(g.actions)} ({md_text(_actions_text(g.actions, 4))})")
            if len(risky) > excess_limit:
                rest = sum(len(g.actions) for g in risky[excess_limit:])
                out.append(f"- ... {len(risky) - excess_limit} more service {noun(len(risky) - excess_limit, 'group')} ({plural(rest, 'action')})")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
