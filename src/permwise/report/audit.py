"""Render an audit result: terminal (rich), HTML (:mod:`permwise.report.html`), JSON, SARIF 2.1.0
(rule metadata from the registry). Every output is sorted (severity, rule, subject) so it diffs
cleanly.

People read the terminal and HTML forms as a story (:func:`audit_view`): headline counts, then
privilege escalation, trust policies, guardrails grouped by principal (an administrator's
guardrail findings folded into one line: they all follow from "can do everything"), the SCP
guardrail matrix, suppressions. JSON and SARIF stay flat lists of the same findings."""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from permwise import diagnostics
from permwise.audit.model import SEVERITIES, SEVERITY_RANK, Finding, Rule
from permwise.report.console import columns_fit
from permwise.wording import noun, plural
from permwise.report.escape import terminal

STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def to_json(result: Any, *, env_path: str = "") -> str:
    data = {
        "format": "permwise-audit/1",
        "environment": env_path,
        # first: findings about what these touch are missing or uncertain
        "problems": [{"code": p.code, "file": p.file, "pointer": p.pointer, "message": p.message,
                      "subject": p.subject} for p in getattr(result, "problems", [])],
        "summary": result.counts() | {"suppressed": sum(1 for f in result.findings if f.suppressed_by is not None)},
        "findings": [f.to_dict() for f in result.findings],
        "scp_coverage": [r.to_dict() for r in sorted(result.scp, key=lambda r: (r.rule_id, r.account))],
        "not_checked": [{"rule": r.id, "kind": r.kind, "title": r.title}
                        for r in sorted(result.rules, key=lambda r: r.id)
                        if r.family == "guardrail" and r.kind == "advisory"],
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


#: GitHub code scanning reads ``properties.security-severity`` (a CVSS-like score as a string) of
#: each rule to show critical/high/medium/low
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}


class _Locator:
    """Line and column of a finding's JSON pointer in its snapshot file, so that SARIF viewers
    place it. A pointer into a policy stored as a JSON string (``/Policy/Content/Statement/0`` of
    an SCP, ``describe-policy`` output) lands on the string's line, at the statement's column
    inside it."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.sources: dict[str, Any] = {}

    def __call__(self, file: str, pointer: str) -> tuple[int | None, int | None]:
        import os

        from permwise.errors import InputError
        from permwise.sources import load_source

        path = os.path.join(self.root, file) if self.root else file
        if path not in self.sources:
            try:
                self.sources[path] = load_source(path) if os.path.isfile(path) else None
            except (InputError, OSError, ValueError):
                self.sources[path] = None
        src = self.sources[path]
        if src is None:
            return None, None
        pos = src.locate(pointer or "")
        if pos is None:
            return 1, 1
        line, col = pos
        inner = _embedded_statement(src, pointer or "")
        if inner is not None:
            text_line = src.text.splitlines()[line - 1] if line - 1 < len(src.text.splitlines()) else ""
            at = text_line.find(inner, col - 1)
            if at >= 0:
                col = at + 1
        return line, col


def _embedded_statement(src: Any, pointer: str) -> str | None:
    """For ``.../Content/Statement/N`` where ``Content`` is a JSON string: the escaped text of the
    statement's first key as it appears in the file (``\\"Sid\\":\\"X\\"``), to find its column."""
    import json

    head, sep, tail = pointer.partition("/Statement/")
    if not sep:
        return None
    node: Any = src.data
    for tok in [t for t in head.split("/") if t]:
        node = node.get(tok) if isinstance(node, dict) else None
    if not isinstance(node, str):
        return None
    try:
        doc = json.loads(node)
    except ValueError:
        return None
    sts = doc.get("Statement") if isinstance(doc, dict) else None
    sts = sts if isinstance(sts, list) else [sts]
    idx = tail.split("/", 1)[0]
    if not idx.isdigit() or int(idx) >= len(sts) or not isinstance(sts[int(idx)], dict):
        return None
    st = sts[int(idx)]
    key = next(iter(st), None)
    if key is None:
        return None
    piece = json.dumps({key: st[key]}, separators=(",", ":"))[1:-1]
    compact = json.dumps(piece)[1:-1]  # as it appears inside the outer JSON string
    return compact if compact in src.text else json.dumps(json.dumps({key: st[key]})[1:-1])[1:-1]


def to_sarif(result: Any, *, env_root: str = "", tool_version: str | None = None) -> str:
    """SARIF 2.1.0 through :mod:`permwise.report.sarif` (level: critical/high -> error, medium ->
    warning, low/info -> note); the audit's own severity is kept as ``properties.severity`` of
    rules and results, with ``security-severity`` and ``tags`` on rules for code-scanning UIs.
    Suppressed findings are left out."""
    from permwise.report.sarif import finding_order, sarif_log

    level = diagnostics.AUDIT_TO_VALIDATE
    rules = [
        diagnostics.Rule(r.id, level[r.severity], r.id, r.title, r.rationale or r.title,
             r.references[0] if r.references else "", category=f"{r.family}/{r.kind}")
        for r in result.rules
    ]
    prefix = env_root.rstrip("/") + "/" if env_root else ""
    where = _Locator(env_root)
    # each SARIF finding beside its audit severity, in the log's order (sarif_log keeps it)
    pairs = sorted((
        (diagnostics.Diagnostic(f.rule_id, level[f.severity], f"[{f.severity}] {f.message}", f.pointer, f.fix,
                                (prefix + f.file) if f.file else prefix + "snapshot.json",
                                *where(f.file or "snapshot.json", f.pointer)), f.severity)
        for f in result.findings if f.suppressed_by is None), key=lambda pair: finding_order(pair[0]))
    log = sarif_log([sf for sf, _sev in pairs], rules, tool_version=tool_version)
    by_id = {r.id: r for r in result.rules}
    for run in log.get("runs", []):
        for rd in run.get("tool", {}).get("driver", {}).get("rules", []):
            r = by_id.get(rd.get("id"))
            if r is not None:
                rd.setdefault("properties", {}).update({
                    "severity": r.severity, "security-severity": SECURITY_SEVERITY[r.severity],
                    "tags": ["security", r.family]})
        for res, (_sf, severity) in zip(run.get("results", []), pairs, strict=True):
            res.setdefault("properties", {})["severity"] = severity
        problems = getattr(result, "problems", [])
        if problems:  # snapshot problems: the run is incomplete (SARIF 2.1.0, 3.20.21 notifications)
            run.setdefault("invocations", [{"executionSuccessful": True}])[0]["toolExecutionNotifications"] = [
                {"level": "warning", "message": {"text": p.message},
                 "descriptor": {"id": p.code},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": prefix + p.file}}}]}
                for p in problems]
    return orjson.dumps(log, option=orjson.OPT_INDENT_2).decode() + "\n"


# ---------------------------------------------------------------------------------------------
# streamed: the same bytes as to_json / to_sarif, one finding at a time (organization-scale runs,
# whose findings stay on disk: permwise.scale.audit.SpilledFindings)

_STREAM = "@@permwise-stream-items@@"


def _splice(data: dict[str, Any], items: Any, more: list[tuple[str, Any]] | None = None) -> Any:
    """``orjson.dumps(data, OPT_INDENT_2)`` + newline, where the one-element list ``[_STREAM]``
    somewhere in ``data`` is replaced by ``items`` (dicts), each serialized as that list would
    have been: text chunks to write in order. ``more``: further ``(marker, items)`` replaced the
    same way, in the order they come after it in the text."""
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"
    pos = 0
    for name, its in [(_STREAM, items), *(more or [])]:
        marker = orjson.dumps(name).decode()
        at = text.index(marker, pos)
        line_start = text.rindex("\n", 0, at) + 1
        pad = " " * (at - line_start)
        yield text[pos:line_start - 1]  # ends with "["
        first = True
        batch: list[str] = []
        for d in its:
            batch.append(("\n" if first else ",\n") + pad
                         + orjson.dumps(d, option=orjson.OPT_INDENT_2).decode().replace("\n", "\n" + pad))
            first = False
            if len(batch) >= 500:
                yield "".join(batch)
                batch = []
        yield "".join(batch)
        pos = at + len(marker)
        if first:  # an empty list is "[]": drop the new line and indent before its "]"
            while text[pos] in "\n ":
                pos += 1
    yield text[pos:]


def iter_json(result: Any, *, env_path: str = "", gaps: list[Any] | None = None) -> Any:
    """:func:`to_json` as text chunks, reading ``result.findings`` once (with ``gaps``: the
    ``"gaps"`` key first, as ``permwise.cli.scale.json_with_gaps`` puts it)."""
    suppressed = getattr(result, "suppressed", None)
    if not isinstance(suppressed, int):
        suppressed = sum(1 for f in result.findings if f.suppressed_by is not None)
    data: dict[str, Any] = {"gaps": [g.to_dict() for g in gaps]} if gaps else {}
    data.update({
        "format": "permwise-audit/1",
        "environment": env_path,
        "problems": [{"code": p.code, "file": p.file, "pointer": p.pointer, "message": p.message,
                      "subject": p.subject} for p in getattr(result, "problems", [])],
        "summary": result.counts() | {"suppressed": suppressed},
        "findings": [_STREAM],
        "scp_coverage": _scp_coverage(result.scp),
        "not_checked": [{"rule": r.id, "kind": r.kind, "title": r.title}
                        for r in sorted(result.rules, key=lambda r: r.id)
                        if r.family == "guardrail" and r.kind == "advisory"],
    })
    more = [(_STREAM_SCP, (r.to_dict() for r in result.scp))] if getattr(result.scp, "presorted", False) else []
    return _splice(data, (f.to_dict() for f in result.findings), more)


_STREAM_SCP = "@@permwise-stream-scp@@"


def _scp_coverage(scp: Any) -> list[Any]:
    """The ``scp_coverage`` list, or its stream marker when the grid is on disk in report order
    (an organization-scale run: :class:`permwise.scale.audit.SpilledScp`)."""
    if getattr(scp, "presorted", False):
        return [_STREAM_SCP]
    return [r.to_dict() for r in sorted(scp, key=lambda r: (r.rule_id, r.account))]


def gap_notifications(gaps: list[Any]) -> list[dict[str, Any]]:
    """SARIF ``toolExecutionNotifications`` (SARIF 2.1.0, 3.58) for units whose results are
    unknown: level error, the unit and its accounts as properties."""
    return [{"level": "error",
             "message": {"text": f"unknown: unit `{g.unit}` (accounts {', '.join(g.accounts) or '-'}) failed "
                                 f"{g.attempts} times: {g.error}; its results are not in the report"},
             "descriptor": {"id": "unknown-results"},
             "properties": {"unit": g.unit, "accounts": list(g.accounts), "error": g.error, "attempts": g.attempts}}
            for g in gaps]


def add_gaps_to_sarif(log: dict[str, Any], gaps: list[Any]) -> None:
    """A run with gaps did not succeed: ``executionSuccessful: false``, one error notification per
    gap, before the snapshot's problems."""
    if not gaps:
        return
    for run in log.get("runs", []):
        inv = run.setdefault("invocations", [{"executionSuccessful": True}])[0]
        inv["executionSuccessful"] = False
        inv["toolExecutionNotifications"] = gap_notifications(gaps) + inv.get("toolExecutionNotifications", [])


def iter_sarif(result: Any, *, env_root: str = "", tool_version: str | None = None,
               gaps: list[Any] | None = None) -> Any:
    """:func:`to_sarif` as text chunks (plus ``gaps``), never holding every finding: the findings
    are sorted on disk by file (``permwise.scale.spill``), then each file's findings are placed
    (line and column, that one file read) and sorted as :func:`permwise.report.sarif.sarif_log`
    sorts them."""
    from permwise.report.sarif import sarif_result
    from permwise.scale.spill import Spill

    level = diagnostics.AUDIT_TO_VALIDATE
    prefix = env_root.rstrip("/") + "/" if env_root else ""
    spill = Spill(prefix="permwise-sarif-")
    used: set[str] = set()
    for seq, f in enumerate(result.findings):
        if f.suppressed_by is not None:
            continue
        used.add(f.rule_id)
        spill.add([(prefix + f.file) if f.file else prefix + "snapshot.json", seq],
                  [f.rule_id, f.severity, f.message, f.file, f.pointer, f.fix])
    text = to_sarif(type("_Rules", (), {"rules": result.rules, "problems": getattr(result, "problems", []),
                                        "findings": [Finding(c, "info", "", "") for c in sorted(used)]})(),
                    env_root=env_root, tool_version=tool_version)
    log = orjson.loads(text)
    add_gaps_to_sarif(log, gaps or [])
    run = log["runs"][0]
    index = {rd["id"]: i for i, rd in enumerate(run["tool"]["driver"]["rules"])}
    run["results"] = [_STREAM]

    def results() -> Any:
        group: list[tuple[diagnostics.Diagnostic, str]] = []
        current = None
        for (file, _), (code, severity, msg, rel, ptr, fix) in spill:
            if file != current:
                yield from _sarif_group(group, index, sarif_result)
                group, current, where = [], file, _Locator(env_root)
            group.append((diagnostics.Diagnostic(code, level[severity], f"[{severity}] {msg}", ptr, fix, file,
                                                 *where(rel or "snapshot.json", ptr)), severity))
        yield from _sarif_group(group, index, sarif_result)
        spill.close()

    return _splice(log, results())


def _sarif_group(group: list[tuple[diagnostics.Diagnostic, str]], index: dict[str, int], sarif_result: Any) -> Any:
    """One file's results in the log's order, each with its audit severity (as :func:`to_sarif`)."""
    from permwise.report.sarif import finding_order

    group.sort(key=lambda pair: finding_order(pair[0]))
    for f, severity in group:
        res = sarif_result(f, index)
        res["properties"]["severity"] = severity
        yield res


# ---------------------------------------------------------------------------------------------
# the story: one view, read by the terminal and the HTML renderers

#: the audit's sections, in the order they are told
CATEGORIES = ("escalation", "trust", "guardrails", "scp", "suppressions")
CATEGORY_TITLE = {"escalation": "Privilege escalation", "trust": "Trust policies", "guardrails": "Guardrails",
                  "scp": "SCP guardrails", "suppressions": "Suppressions"}


def category(rule_id: str) -> str:
    """The section a finding is told in (by its rule id; the registry's families, with the
    SCP-* guardrails and the audit's own rules placed where they belong)."""
    if rule_id.startswith("PRIVESC-"):
        return "escalation"
    if rule_id.startswith("TRUST-"):
        return "trust"
    if rule_id.startswith("SCP-") or rule_id == "AUDIT-SCP-OVERBROAD":
        return "scp"
    if rule_id.startswith("AUDIT-SUPPRESSION"):
        return "suppressions"
    return "guardrails"


@dataclass(frozen=True)
class Hop:
    """One line of an escalation path: ``node`` (a principal) reached by ``how``; ``how`` is empty
    for the start; ``rule`` is the primitive (or ``sts:AssumeRole``)."""

    node: str
    how: str = ""
    rule: str = ""


@dataclass(frozen=True)
class EscalationPath:
    finding: Finding
    hops: tuple[Hop, ...]
    self_step: Hop | None  # the last primitive when the path ends by the principal granting itself
    end: str  # what the path reaches, in words


@dataclass(frozen=True)
class PrincipalBlock:
    subject: str
    admin: bool
    findings: tuple[Finding, ...]

    @property
    def worst(self) -> str:
        return min((f.severity for f in self.findings), key=lambda s: -SEVERITY_RANK[s])

    def counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.findings)
        return {s: c[s] for s in SEVERITIES if c[s]}


@dataclass(frozen=True)
class ScpGuardrail:
    """What a row of the SCP grid means and how to fix it (for the rows with a gap)."""

    rule_id: str
    title: str
    why: str
    gaps: tuple[tuple[str, str], ...]  # (account, status) of the accounts not enforcing it
    fix: str
    statement: str  # the guardrail as an SCP statement (compact JSON), placeholders kept


@dataclass(frozen=True)
class ScpMatrix:
    accounts: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (rule id, status per account)
    not_configured: tuple[str, ...]
    findings: tuple[Finding, ...]  # AUDIT-SCP-OVERBROAD and other SCP findings not shown as a cell
    titles: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    details: tuple[ScpGuardrail, ...] = ()


@dataclass(frozen=True)
class AuditView:
    total: int
    by_severity: dict[str, int]
    by_category: dict[str, dict[str, int]]  # category -> severity -> count (active findings)
    escalation: tuple[EscalationPath, ...]
    trust: tuple[Finding, ...]
    principals: tuple[PrincipalBlock, ...]
    scp: ScpMatrix | None
    suppressed: tuple[Finding, ...]
    expired: tuple[Finding, ...]
    admins: tuple[str, ...]
    #: guardrails that are listed, not checked: advisory ones (no actions to decide)
    advisory: tuple[str, ...] = ()

    @property
    def admin_guardrail_findings(self) -> int:
        return sum(len(b.findings) for b in self.principals if b.admin)


def audit_view(result: Any) -> AuditView:
    """Arrange ``result`` into the sections of the report. Decides nothing: every finding of
    ``result.active`` lands in exactly one section."""
    active = list(result.active)
    admins = set(getattr(result, "admins", ()) or ())
    by_sev = Counter(f.severity for f in active)
    by_cat: dict[str, dict[str, int]] = {c: {s: 0 for s in SEVERITIES} for c in CATEGORIES}
    for f in active:
        by_cat[category(f.rule_id)][f.severity] += 1
    esc = tuple(_escalation_path(f) for f in active if category(f.rule_id) == "escalation")
    trust = tuple(f for f in active if category(f.rule_id) == "trust")
    groups: dict[str, list[Finding]] = {}
    for f in active:
        if category(f.rule_id) == "guardrails":
            groups.setdefault(f.subject, []).append(f)
    blocks = [PrincipalBlock(subj, subj in admins, tuple(fs)) for subj, fs in groups.items()]
    blocks.sort(key=lambda b: (-SEVERITY_RANK[b.worst], b.admin, -len(b.findings), b.subject))
    scp = _scp_view(result, [f for f in active if category(f.rule_id) == "scp"])
    return AuditView(
        total=len(active), by_severity={s: by_sev[s] for s in SEVERITIES},
        by_category={c: v for c, v in by_cat.items() if sum(v.values()) or c != "suppressions"},
        escalation=esc, trust=trust, principals=tuple(blocks), scp=scp,
        suppressed=tuple(f for f in result.findings if f.suppressed_by is not None),
        expired=tuple(f for f in active if category(f.rule_id) == "suppressions"),
        admins=tuple(sorted(admins)),
        advisory=tuple(advisory_ids(result.rules)),
    )


def advisory_ids(rules: list[Rule]) -> list[str]:
    """Ids of the advisory guardrails (design or resource-policy guidance, nothing a principal
    can be asked): the report lists them so none is silently dropped."""
    return sorted(r.id for r in rules if r.family == "guardrail" and r.kind == "advisory")


ADVISORY_TEXT = ("not checked: {n} advisory {guardrails}, guidance on resource-policy content or design, "
                 "not on what a principal can do (`permwise rules --family guardrail` shows them): {ids}")


def _escalation_path(f: Finding) -> EscalationPath:
    if not f.path:
        return EscalationPath(f, (Hop(f.subject),), None, "administrator power")
    hops = [Hop(f.path[0].source)]
    self_step = None
    for st in f.path:
        if st.source == st.target:
            self_step = Hop(st.target, st.detail or st.via, st.via)
        else:
            how = st.detail or ("its trust policy lets it assume the role" if st.via == "sts:AssumeRole" else st.via)
            hops.append(Hop(st.target, how, st.via))
    last = _short(hops[-1].node)
    end = (f"administrator power: `{last}` can grant itself any permission" if self_step is not None
           else f"administrator power: `{last}` is an administrator")
    return EscalationPath(f, tuple(hops), self_step, end)


def _scp_view(result: Any, findings: list[Finding]) -> ScpMatrix | None:
    if not result.scp:
        return None
    accounts = sorted({r.account for r in result.scp})
    rules = sorted({r.rule_id for r in result.scp})
    cells = {(r.rule_id, r.account): r.status for r in result.scp}
    configured = [rid for rid in rules
                  if any(cells.get((rid, a)) not in (None, "not-configured", "management") for a in accounts)]
    rows = tuple((rid, tuple(cells.get((rid, a), "not-configured") for a in accounts)) for rid in configured)
    shown = {rid for rid in configured}
    extra = tuple(f for f in findings if f.rule_id not in shown)
    by_id = {r.id: r for r in result.rules}
    titles = {rid: by_id[rid].title for rid in rules if rid in by_id}
    details = []
    for rid, statuses in rows:
        gaps = tuple((a, st) for a, st in zip(accounts, statuses) if st in ("not-enforced", "partial", "blocks-exempt"))
        if gaps and rid in by_id:
            details.append(_scp_guardrail(by_id[rid], gaps))
    return ScpMatrix(tuple(accounts), rows, tuple(r for r in rules if r not in configured), extra, titles, tuple(details))


def guardrail_statement(rule: Any) -> dict[str, Any]:
    """The SCP statement a guardrail stands for: Deny its actions on its resources under its
    conditions (placeholders such as ``[INFRASTRUCTURE_AUTOMATION_ROLE]`` left for the user)."""
    import re as _re

    scp = rule.data.get("scp", {}) if rule.data else {}
    st: dict[str, Any] = {"Sid": _re.sub(r"[^A-Za-z0-9]", "", rule.id.title()), "Effect": "Deny",
                          "Action": list(rule.actions) if len(rule.actions) != 1 else rule.actions[0],
                          "Resource": (scp.get("resources") or ["*"]) if len(scp.get("resources") or ["*"]) > 1
                          else (scp.get("resources") or ["*"])[0]}
    cond: dict[str, Any] = {}
    for block in scp.get("condition") or []:
        for op, kv in block.items():
            cond.setdefault(op, {}).update(kv)
    if cond:
        st["Condition"] = cond
    return st


def _scp_guardrail(rule: Any, gaps: tuple[tuple[str, str], ...]) -> ScpGuardrail:
    import json as _json

    statuses = {st for _, st in gaps}
    if statuses == {"blocks-exempt"}:
        fix = ("add the exempt role to the `ArnNotLike` `aws:PrincipalARN` condition of the SCP statement that "
               "denies it (see the AUDIT-SCP-OVERBROAD finding)")
    else:
        fix = ("attach an SCP with this statement to the root, or to an OU above "
               + noun(len(gaps), "that account", "those accounts")
               + (" (fill the placeholders in brackets)"
                  if re.search(r"\[[A-Z_]+\]", _json.dumps(guardrail_statement(rule))) else ""))
    stmt = _json.dumps(guardrail_statement(rule), separators=(", ", ": "))
    return ScpGuardrail(rule.id, rule.title, rule.rationale, gaps, fix, stmt)


SCP_LEGEND = ("ok: enforced; MISSING: a non-exempt role can still act; PARTIAL: some of the guardrail's actions "
              "are denied, others not; blocks exempt: the exempt role is "
              "denied too; n/a: the management account (SCPs never apply to it)")


def admin_line(v: AuditView) -> str:
    """One sentence on administrator power: who has it, whose guardrail findings it explains."""
    if not v.admins:
        return ""
    folded = [b for b in v.principals if b.admin]
    text = f"{plural(len(v.admins), 'principal')} {noun(len(v.admins), 'has')} administrator power (can do everything)"
    if folded:
        who = ", ".join(f"`{_short(b.subject)}`: {len(b.findings)}" for b in folded)
        text += (f"; {v.admin_guardrail_findings} guardrail findings follow from that alone ({who}) "
                 "and are folded into one line per administrator below")
    return text


def strip_subject(f: Finding) -> str:
    """The message without the words naming its subject (said by the block header): the
    finding's ``detail`` when its producer set one."""
    return f.detail or f.message


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {s}" for s, n in counts.items() if n)


# ---------------------------------------------------------------------------------------------
# terminal


def render_text(result: Any, console: Console, *, verbose: bool = False) -> None:
    """The audit as a story: headline counts (severity x section), then privilege escalation
    (each path hop by hop), trust policies, guardrails grouped by principal (an administrator's
    findings folded into one line unless ``verbose``), the SCP guardrail matrix, suppressions."""
    v = audit_view(result)
    problems = getattr(result, "problems", [])
    if problems:  # first: what they touch is unknown, so the findings below may be incomplete
        _section(console, f"Snapshot problems: {len(problems)} (results they touch are unknown)")
        for p in problems:
            _para(console, p.one_line(), 2, style="yellow")
        console.print()
    _headline(v, console)
    if v.escalation:
        _section(console, f"Privilege escalation: {plural(len(v.escalation), 'path')} to administrator power")
        for p in v.escalation:
            _escalation_text(p, console)
    if v.trust:
        _section(console, f"Trust policies: {plural(len(v.trust), 'finding')}")
        for f in v.trust:
            _head(console, f.severity, f.rule_id, _short(f.subject))
            _para(console, strip_subject(f), 2)
            for n in f.notes:
                _para(console, n, 2, style="dim")
            if f.fix:
                _para(console, f"fix: {f.fix}", 2, style="green")
    if v.principals:
        n = sum(len(b.findings) for b in v.principals)
        _section(console, f"Guardrails: {plural(n, 'finding')} on {plural(len(v.principals), 'principal')}")
        for b in v.principals:
            _principal_text(b, console, verbose)
    if v.advisory:
        if not v.principals:
            _section(console, "Guardrails: no finding")
        _para(console, ADVISORY_TEXT.format(n=len(v.advisory), guardrails=noun(len(v.advisory), "guardrail"), ids=", ".join(v.advisory)), 0, style="dim")
    if v.scp is not None:
        _section(console, "SCP guardrails per member account")
        _scp_matrix(v.scp, console)
    if v.suppressed or v.expired:
        _section(console, f"Suppressions: {len(v.suppressed)} suppressed, {len(v.expired)} expired")
        for f in v.suppressed:
            _head(console, f.severity, f.rule_id, _short(f.subject))
            _para(console, f"suppressed: {f.suppressed_by}", 2, style="dim")
        for f in v.expired:
            _head(console, f.severity, f.rule_id, f.subject)
            _para(console, f.message, 2)
    console.print()
    console.print(Text(f"{plural(v.total, 'finding')}" + (": " + counts_text(v.by_severity) if v.total else ""),
                       style=STYLE[_worst(v.by_severity)] if v.total else "green"))


def _worst(counts: dict[str, int]) -> str:
    return next((s for s in SEVERITIES if counts.get(s)), "info")


def _headline(v: AuditView, console: Console) -> None:
    line = Text()
    line.append(f"{plural(v.total, 'finding')}", style="bold")
    if v.total:
        line.append(": ")
        parts = [(f"{n} {s}", STYLE[s]) for s, n in v.by_severity.items() if n]
        for i, (t, st) in enumerate(parts):
            if i:
                line.append(", ")
            line.append(t, style=st)
    if v.suppressed:
        line.append(f" ({len(v.suppressed)} suppressed)", style="dim")
    console.print(line)
    t = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, show_edge=False)
    t.add_column("section", no_wrap=True)
    for s in SEVERITIES:
        t.add_column(s, justify="right", no_wrap=True)
    t.add_column("total", justify="right", no_wrap=True)
    for c, counts in v.by_category.items():
        t.add_row(CATEGORY_TITLE[c], *[Text(str(counts[s]), style=STYLE[s]) if counts[s] else Text("-", style="dim")
                                       for s in SEVERITIES], str(sum(counts.values())))
    console.print(t)
    line = admin_line(v)
    if line:
        _para(console, line, 0, style="dim")


def _section(console: Console, title: str) -> None:
    console.print()
    console.rule(Text(title, style="bold"), align="left", style="dim")


def _head(console: Console, severity: str, rule_id: str, subject: str, indent: int = 0) -> None:
    head = Text(" " * indent)
    head.append(f"{severity.upper():<8}", style=STYLE[severity])
    head.append(f" {rule_id}", style="bold")
    if subject:
        head.append(f"  {terminal(subject)}")
    console.print(head, overflow="fold")


def _hang(console: Console, prefix: Text, body: str, *, style: str = "", indent: int | None = None) -> None:
    """Print ``prefix`` then ``body`` wrapped to the console width, continuation lines indented
    under the body (a hanging indent), with no trailing blanks so pasted output stays clean."""
    pad = len(prefix.plain) if indent is None else indent
    room = max(20, console.width - pad)
    lines: list[str] = []
    for para in terminal(body, keep_newlines=True).split("\n"):
        lines.extend(textwrap.wrap(para, room, break_long_words=True, break_on_hyphens=False) or [""])
    first = prefix.copy()
    first.append(lines[0], style=style)
    console.print(first, overflow="fold", crop=False)
    for ln in lines[1:]:
        console.print(Text(" " * pad + ln, style=style), overflow="fold", crop=False)


def _para(console: Console, text: str, indent: int, *, style: str = "") -> None:
    _hang(console, Text(" " * indent), text, style=style)


def _escalation_text(p: EscalationPath, console: Console) -> None:
    f = p.finding
    _head(console, f.severity, f.rule_id, _short(f.subject))

    def step(hop: Hop) -> None:
        _hang(console, Text("     | ", style="dim"), f"{hop.how}  [{hop.rule}]", style="dim")
        console.print(Text("     v", style="dim"))

    for i, hop in enumerate(p.hops):
        if hop.how:
            step(hop)
        _hang(console, Text(f"  {i + 1:>2}. ", style="bold"), _short(hop.node), style="bold")
    if p.self_step is not None:
        step(p.self_step)
    _hang(console, Text("   => ", style=STYLE[f.severity]), p.end, style=STYLE[f.severity])
    if f.fix:
        _para(console, f"fix: {f.fix}", 2, style="green")


def _principal_text(b: PrincipalBlock, console: Console, verbose: bool) -> None:
    head = Text()
    head.append(terminal(_short(b.subject)), style="bold")
    head.append(f"  {plural(len(b.findings), 'finding')}: {counts_text(b.counts())}", style="dim")
    console.print(head, overflow="fold")
    if b.admin:
        line = (f"admin: can do everything; {len(b.findings)} guardrail findings follow from that"
                + ("" if verbose else " (--verbose lists them)"))
        _para(console, line, 2, style=STYLE[b.worst])
        if not verbose:
            return
    rw = max(len(f.rule_id) for f in b.findings)
    for f in b.findings:
        prefix = Text("  ")
        prefix.append(f"{f.severity.upper():<8}", style=STYLE[f.severity])
        prefix.append(f" {f.rule_id:<{rw}} ")
        _hang(console, prefix, strip_subject(f))
        pad = len(prefix.plain)
        for n in f.notes:
            _para(console, n, pad, style="dim")
        if verbose and f.fix:
            _para(console, f"fix: {f.fix}", pad, style="green")


_CELL = {"enforced": ("ok", "green"), "not-enforced": ("MISSING", "red"), "partial": ("PARTIAL", "red"), "blocks-exempt": ("blocks exempt", "yellow"),
         "not-configured": ("-", "dim"), "management": ("n/a", "dim")}


def _scp_matrix(m: ScpMatrix, console: Console) -> None:
    # laid out by hand (not a rich Table) so that no line carries trailing blanks
    rw = max([len("guardrail")] + [len(rid) for rid, _ in m.rows])
    cw = max([len(a) for a in m.accounts] + [len(v[0]) for v in _CELL.values()])
    head = Text("guardrail".ljust(rw), style="bold")
    for a in m.accounts:
        head.append("  " + a.ljust(cw), style="bold")
    head.rstrip()
    console.print(head, overflow="fold", crop=False)
    for rid, statuses in m.rows:
        line = Text(rid.ljust(rw))
        for st in statuses:
            label, style = _CELL[st]
            line.append("  ")
            line.append(label.ljust(cw), style=style)
        line.rstrip()
        console.print(line, overflow="fold", crop=False)
    _para(console, SCP_LEGEND, 0, style="dim")
    for d in m.details:
        labels = sorted({_CELL[st][0] for _, st in d.gaps})
        _para(console, f"{d.rule_id}  {d.title}  ({'/'.join(labels)} in {plural(len(d.gaps), 'account')}: "
                       f"{', '.join(a for a, _ in d.gaps)})", 0, style="bold")
        if d.why:
            _para(console, d.why, 2)
        _para(console, f"fix: {d.fix}: {d.statement}", 2, style="green")
    for f in m.findings:
        _head(console, f.severity, f.rule_id, f.subject)
        _para(console, f.message, 2)
    if m.not_configured:
        _para(console, f"not configured (placeholders missing from the config): {', '.join(m.not_configured)}", 0,
              style="dim")


def _short(arn: str) -> str:
    return arn.split(":", 4)[-1] if arn.startswith("arn:") else arn


def _subject(f: Finding) -> str:
    return _short(f.subject)


def rules_table(rules: list[Rule], console: Console) -> None:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    keep = columns_fit(console, [("id", "kind", "severity")] + [(r.id, r.kind, r.severity) for r in rules], slack=24)
    for col in ("id", "kind", "severity", "title"):
        table.add_column(col, overflow="fold", no_wrap=keep and col != "title")
    for r in rules:
        table.add_row(Text(r.id), Text(r.kind), Text(r.severity, style=STYLE[r.severity]), Text(terminal(r.title)))
    console.print(table)
    kinds = Counter(r.kind for r in rules)
    console.print(f"{plural(len(rules), 'rule')}: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def rules_json(rules: list[Rule]) -> str:
    return orjson.dumps([r.to_dict() for r in rules], option=orjson.OPT_INDENT_2).decode() + "\n"


def assumers_text(role: str, entries: list[Any], console: Console) -> None:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    keep = columns_fit(console, [(e.principal,) for e in entries], slack=30)
    table.add_column("principal", overflow="fold", no_wrap=keep)
    table.add_column("through", overflow="fold")
    for e in entries:
        how = {
            "principal": "trust policy names this principal",
            "account": "trust policy names its account; its identity policy allows sts:AssumeRole",
            "public": "trust policy allows `*`",
            "service": "AWS service principal",
            "federated": "federated identity provider",
            "external": "account or principal outside the snapshot",
        }.get(e.via, "")
        if e.via.startswith("multi-hop"):
            how = "assumes " + " -> ".join(_short(p) for p in e.path) + " first"
        if e.notes:
            how += "; " + "; ".join(e.notes)
        table.add_row(Text(terminal(_short(e.principal) if e.principal.startswith("arn:") else e.principal)),
                      Text(terminal(f"{e.via}: {how}")))
    console.print(Text(terminal(f"who can assume {role}:")))
    console.print(table)
    console.print(plural(len(entries), "principal"))
