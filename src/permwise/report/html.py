"""HTML reports of ``check`` and ``audit``: one self-contained file each (inline CSS, no script,
no external asset), rendered with the Jinja2 templates in ``report/templates/``.

Autoescaping is on for every template: principal names, policy names, messages and fixes come
from user data (snapshots, manifests, configs) and are never trusted as markup. The only markup
added to user text is :func:`ticks`, which escapes first and then turns `` `x` `` into
``<code>x</code>``.

Each page states when it was generated and when its snapshot was taken, and carries one inline
script (no network: a Content-Security-Policy forbids every external load) for a search box,
filters by status, severity and layer, sortable tables and keyboard navigation (``/`` search,
``j``/``k`` next and previous item, Enter to open, Esc to clear). The report date is the only
thing that varies between runs; it is taken from ``SOURCE_DATE_EPOCH`` when set (the
reproducible-builds convention), so two runs with it give byte-identical files.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).resolve().parent / "templates"

_TICK = re.compile(r"`([^`]+)`")


def ticks(text: object) -> Markup:
    """Escape ``text``, then render its `` `code` `` spans as ``<code>``."""
    escaped = str(escape(str(text)))
    return Markup(_TICK.sub(lambda m: f"<code>{m.group(1)}</code>", escaped))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["ticks"] = ticks
    env.filters["short"] = _short
    return env


def _short(arn: str) -> str:
    return arn.split(":", 4)[-1] if isinstance(arn, str) and arn.startswith("arn:") else arn


def report_dates(snapshot_created: str | None = None, now: Any = None) -> dict[str, str]:
    """The report's generation time (``SOURCE_DATE_EPOCH`` when set) and the snapshot's date."""
    import datetime as dt
    import os

    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        now = (dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit()
               else dt.datetime.now(dt.timezone.utc))
    now = now.replace(second=0, microsecond=0)
    out = {"report": now.strftime("%Y-%m-%dT%H:%MZ"), "report_text": now.strftime("%Y-%m-%d %H:%M UTC"),
           "snapshot": "", "snapshot_text": ""}
    if snapshot_created:
        text = str(snapshot_created)
        try:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            out["snapshot"] = when.strftime("%Y-%m-%dT%H:%MZ") if when.tzinfo else text
            out["snapshot_text"] = when.strftime("%Y-%m-%d %H:%M UTC") if when.tzinfo else text
        except ValueError:
            out["snapshot"] = out["snapshot_text"] = text
    return out


def permwise_version() -> str:
    from permwise import __version__

    return __version__


# ---------------------------------------------------------------------------------------------
# audit


def audit_html(result: Any, *, environment: str = "", verbose: bool = False, snapshot_created: str | None = None,
               now: Any = None, gaps: list[Any] | None = None) -> str:
    """The audit as one HTML page, in the sections of the terminal report
    (:func:`permwise.report.audit.audit_view`). Administrators' guardrail findings sit in a
    closed ``<details>`` (open with ``verbose``)."""
    from permwise.report.audit import CATEGORY_TITLE, SCP_LEGEND, admin_line, audit_view, counts_text, strip_subject

    v = audit_view(result)
    return render_template("audit.html.j2", {
        "title": "permwise audit",
        "subtitle": environment,
        "version": permwise_version(),
        "v": v,
        "category_title": CATEGORY_TITLE,
        "severities": list(v.by_severity),
        "admin_line": admin_line(v),
        "counts_text": counts_text,
        "strip_subject": strip_subject,
        "scp_legend": SCP_LEGEND,
        "scp_label": {"enforced": "ok", "not-enforced": "MISSING", "partial": "PARTIAL", "blocks-exempt": "blocks exempt",
                      "not-configured": "-", "management": "n/a"},
        "scp_severity": {r.id: r.severity for r in result.rules},
        "verbose": verbose,
        "dates": report_dates(snapshot_created, now),
        "problems": list(getattr(result, "problems", [])),
        "gaps": list(gaps or []),  # units whose results are unknown: a banner before everything
        "gap_accounts": sorted({a for g in gaps or [] for a in g.accounts}),
        "filters": [("severity", [s for s in ("critical", "high", "medium", "low", "info") if s in v.by_severity]),
                    ("layer", [name for name, present in (("escalation", v.escalation), ("trust", v.trust),
                                                          ("guardrails", v.principals), ("scp", v.scp)) if present])],
    })


# ---------------------------------------------------------------------------------------------
# check

_LEVELS = ("Permissions management", "Write", "Tagging", "Read", "List")


def check_html(report: Any, *, verbose: bool = False, excess_limit: int = 20, snapshot_created: str | None = None,
               now: Any = None, gaps: list[Any] | None = None) -> str:
    """The check report as one HTML page: summary counts, the command table with status badges,
    each non-ready command's deciding layers and fixes (the fix statement as JSON in ``<pre>``),
    and the excess of each principal."""
    from permwise.report.check import short_layer, summary_line
    from permwise.requirements.check import READY, UNRESOLVED

    commands = []
    for c in report.commands:
        commands.append({
            "c": c,
            "anchor": "cmd-" + re.sub(r"[^A-Za-z0-9_.-]", "-", c.id),
            "denied": f"{len(c.blocked_actions)}/{len(c.required_actions)}" if c.status != UNRESOLVED else "-",
            "layer": short_layer(c),
            "ready": c.status == READY,
            "layers": sorted({b.layer for b in c.blockers}) or ["none"],
            "blockers": [{
                "b": b,
                "explicit": b.decision == "explicitDeny",
                "fix_json": json.dumps(b.fix.statement, indent=2) if b.fix is not None else "",
                "show_resources": len(b.resources) > 1 or b.resources[:1] != ["*"],
            } for b in c.blockers],
        })
    excess = []
    for e in report.excess:
        bl = e.by_level()
        risky = [g for g in e.groups if g.access_level in ("Permissions management", "Write")]
        shown = risky if verbose else risky[:excess_limit]
        excess.append({
            "e": e, "levels": [bl.get(lvl, 0) for lvl in _LEVELS], "risky": shown,
            "hidden": len(risky) - len(shown), "hidden_actions": sum(len(g.actions) for g in risky[len(shown):]),
            "alarm": bool(bl.get("Permissions management") or bl.get("Write")),
            "read": _read_by_service(e),
        })
    counts = report.counts()
    return render_template("check.html.j2", {
        "title": f"permwise check: {report.tool} {report.tool_version}",
        "subtitle": f"snapshot {report.snapshot}" + (f", config {report.config}" if report.config else ""),
        "version": permwise_version(),
        "report": report,
        "counts": counts,
        "summary_line": summary_line(report),
        "commands": commands,
        "not_ready": [x for x in commands if not x["ready"]],
        "excess": excess,
        "levels": _LEVELS,
        "verbose": verbose,
        "dates": report_dates(snapshot_created, now),
        "gaps": list(gaps or []),
        "gap_accounts": sorted({a for g in gaps or [] for a in g.accounts}),
        "filters": [("status", [st for st in ("blocked", "unresolved", "partial", "conditional", "ready") if counts.get(st)]),
                    ("layer", sorted({lyr for x in commands for lyr in x["layers"]}))],
    })


def _read_by_service(e: Any) -> list[dict[str, Any]]:
    """The principal's Read and List excess, one row per service (most actions first)."""
    rows: dict[str, dict[str, Any]] = {}
    for g in e.groups:
        if g.access_level not in ("Read", "List"):
            continue
        r = rows.setdefault(g.service, {"service": g.service, "read": 0, "list": 0, "actions": []})
        r["read" if g.access_level == "Read" else "list"] += len(g.actions)
        r["actions"].extend(g.actions)
    out = sorted(rows.values(), key=lambda r: (-(r["read"] + r["list"]), r["service"]))
    for r in out:
        acts = sorted(r.pop("actions"), key=str.lower)
        r["examples"], r["more"] = acts[:4], max(0, len(acts) - 4)
    return out


def render_template(name: str, ctx: dict[str, Any]) -> str:
    text = environment().get_template(name).render(**ctx)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
