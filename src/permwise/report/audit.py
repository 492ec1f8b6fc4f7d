"""Render an audit result: terminal (rich), JSON, SARIF 2.1.0 (rule metadata from the registry).
Every output is sorted (severity, rule, subject) so it diffs cleanly."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from permwise.audit.model import SEVERITIES, Finding, Rule

STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def to_json(result: Any, *, env_path: str = "") -> str:
    data = {
        "format": "permwise-audit/1",
        "environment": env_path,
        "summary": result.counts() | {"suppressed": sum(1 for f in result.findings if f.suppressed_by is not None)},
        "findings": [f.to_dict() for f in result.findings],
        "scp_coverage": [r.to_dict() for r in sorted(result.scp, key=lambda r: (r.rule_id, r.account))],
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


@dataclass(frozen=True)
class _SarifRule:
    id: str
    name: str
    title: str
    description: str
    severity: str
    category: str
    reference: str = ""


@dataclass(frozen=True)
class _SarifFinding:
    code: str
    severity: str
    message: str
    file: str
    pointer: str
    fix: str
    line: int | None = None
    column: int | None = None


def to_sarif(result: Any, *, env_root: str = "", tool_version: str | None = None) -> str:
    """SARIF through :mod:`permwise.report.sarif` (severity mapped to error/warning/note);
    suppressed findings are left out."""
    from permwise.report.sarif import to_sarif as generic

    level = {"critical": "error", "high": "error", "medium": "warning", "low": "suggestion", "info": "suggestion"}
    rules = [
        _SarifRule(r.id, r.id, r.title, r.rationale or r.title, level[r.severity], f"{r.family}/{r.kind}",
                   r.references[0] if r.references else "")
        for r in result.rules
    ]
    prefix = env_root.rstrip("/") + "/" if env_root else ""
    findings = [
        _SarifFinding(f.rule_id, level[f.severity], f"[{f.severity}] {f.message}",
                      (prefix + f.file) if f.file else prefix + "snapshot.json", f.pointer, f.fix)
        for f in result.findings if f.suppressed_by is None
    ]
    return generic(findings, rules, tool_version=tool_version)


def render_text(result: Any, console: Console, *, verbose: bool = False) -> None:
    """Findings one per block (severity, rule, subject, then the message), SCP-* guardrail
    findings as a matrix of rule x member account, then the totals."""
    scp_ids = {r.rule_id for r in result.scp}
    active = result.active
    listed = [f for f in active if f.rule_id not in scp_ids]
    for f in listed:
        head = Text()
        head.append(f"{f.severity.upper():<8}", style=STYLE[f.severity])
        head.append(f" {f.rule_id}  ", style="bold")
        head.append(_subject(f))
        console.print(head)
        console.print(Text("  " + f.message))
        for note in f.notes:
            console.print(Text(f"  {note}", style="dim"))
        if len(f.path) > 1:
            for st in f.path:
                hop = "itself" if st.source == st.target else _short(st.target)
                console.print(Text(f"  {_short(st.source)} -> {hop} via {st.via}" + (f" ({st.detail})" if st.detail else ""),
                                   style="dim"))
        if verbose and f.fix:
            console.print(Text(f"  fix: {f.fix}", style="green"))
    if result.scp:
        _scp_matrix(result, console)
    suppressed = [f for f in result.findings if f.suppressed_by is not None]
    if suppressed:
        console.print(f"{len(suppressed)} suppressed finding(s) not shown")
    by_sev = Counter(f.severity for f in active)
    parts = [f"{by_sev[s]} {s}" for s in SEVERITIES if by_sev[s]]
    console.print(f"{len(active)} finding(s)" + (": " + ", ".join(parts) if parts else ""))


_CELL = {"enforced": ("ok", "green"), "not-enforced": ("MISSING", "red"), "blocks-exempt": ("blocks exempt", "yellow"),
         "not-configured": ("-", "dim"), "management": ("n/a", "dim")}


def _scp_matrix(result: Any, console: Console) -> None:
    accounts = sorted({r.account for r in result.scp})
    rules = sorted({r.rule_id for r in result.scp})
    cells = {(r.rule_id, r.account): r.status for r in result.scp}
    configured = [rid for rid in rules if any(cells[(rid, a)] not in ("not-configured", "management") for a in accounts)]
    skipped = [rid for rid in rules if rid not in configured]
    table = Table(title="SCP guardrails per account (ok, MISSING, n/a = management account)", title_justify="left",
                  show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("guardrail")
    for a in accounts:
        table.add_column(a)
    for rid in configured:
        row = []
        for a in accounts:
            label, style = _CELL[cells[(rid, a)]]
            row.append(Text(label, style=style))
        table.add_row(rid, *row)
    console.print(table)
    if skipped:
        console.print(Text(f"not configured (placeholders missing from the config): {', '.join(skipped)}", style="dim"))


def _short(arn: str) -> str:
    return arn.split(":", 4)[-1] if arn.startswith("arn:") else arn


def _subject(f: Finding) -> str:
    return _short(f.subject)


def rules_table(rules: list[Rule], console: Console) -> None:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("id", "kind", "severity", "title"):
        table.add_column(col, overflow="fold")
    for r in rules:
        table.add_row(r.id, r.kind, Text(r.severity, style=STYLE[r.severity]), r.title)
    console.print(table)
    kinds = Counter(r.kind for r in rules)
    console.print(f"{len(rules)} rules: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))


def rules_json(rules: list[Rule]) -> str:
    return orjson.dumps([r.to_dict() for r in rules], option=orjson.OPT_INDENT_2).decode() + "\n"


def assumers_text(role: str, entries: list[Any], console: Console) -> None:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("principal", overflow="fold")
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
        table.add_row(_short(e.principal) if e.principal.startswith("arn:") else e.principal, f"{e.via}: {how}")
    console.print(f"who can assume {role}:")
    console.print(table)
    console.print(f"{len(entries)} principal(s)")
