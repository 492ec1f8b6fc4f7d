"""Render an external-access result (:mod:`permwise.access`): terminal (rich), JSON, SARIF 2.1.0,
Markdown and HTML (grouped by resource and by external principal). Findings are already sorted
(severity, rule, resource, principal); every output is deterministic."""

from __future__ import annotations

from typing import Any

import orjson
from rich.console import Console
from rich.text import Text

from permwise.access.model import RULES, RULES_BY_ID, AccessFinding
from permwise.diagnostics import AUDIT_SCALE, AUDIT_TO_VALIDATE, Diagnostic, Rule
from permwise.wording import plural

STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
SEVERITIES = AUDIT_SCALE.names


def _short(arn: str) -> str:
    return arn.split(":", 4)[-1] if arn.startswith("arn:") and ":s3:::" not in arn else arn


def counts_line(result: Any) -> str:
    c = result.counts()
    total = sum(c.values())
    parts = ", ".join(f"{c[s]} {s}" for s in SEVERITIES if c[s])
    supp = sum(1 for f in result.findings if f.suppressed_by is not None)
    blocked = sum(1 for f in result.findings if f.status == "BLOCKED" and f.suppressed_by is None)
    extra = []
    if blocked:
        extra.append(f"{blocked} blocked by another layer")
    if supp:
        extra.append(f"{supp} suppressed")
    return (f"{plural(total, 'external access finding')}" + (f": {parts}" if parts else "")
            + (f" ({'; '.join(extra)})" if extra else "")
            + f" on {result.resources} resource and trust policies")


def zone_line(result: Any) -> str:
    return f"zone of trust: {result.zone.describe()}"


def to_json(result: Any, *, env_path: str = "") -> str:
    data = {
        "format": "permwise-access/1",
        "environment": env_path,
        "zone": result.zone.to_dict(),
        "summary": result.counts() | {"suppressed": sum(1 for f in result.findings if f.suppressed_by is not None),
                                      "blocked": sum(1 for f in result.findings if f.status == "BLOCKED"),
                                      "resources": result.resources},
        "notes": list(result.notes),
        "findings": [f.to_dict() for f in result.findings],
        "expired_suppressions": [f.to_dict() for f in result.expired],
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def _sarif_finding(f: Any, env_root: str) -> Diagnostic:
    """An access finding (or an expired suppression) on ``validate``'s scale, for SARIF."""
    return Diagnostic(f.rule_id, AUDIT_TO_VALIDATE[f.severity],
                      f"{f.resource}: {f.message}" if isinstance(f, AccessFinding) else f.message, f.pointer, f.fix,
                      f"{env_root}/{f.file}" if env_root and f.file else f.file)


def _sarif_rule(r: Rule) -> Rule:
    return Rule(r.id, AUDIT_TO_VALIDATE[r.severity], r.id, r.title, r.description, r.reference,
                category="external-access")


#: the audit's own rule for an expired suppression, as SARIF lists it beside the access rules
EXPIRED_SARIF_RULE = Rule("AUDIT-SUPPRESSION-EXPIRED", "warning", "AUDIT-SUPPRESSION-EXPIRED", "expired suppression",
                          "a suppression whose expiry date has passed; it no longer suppresses anything",
                          category="audit")


def to_sarif(result: Any, *, env_root: str = "", tool_version: str | None = None) -> str:
    """SARIF 2.1.0; active and blocked findings (suppressed ones are left out), each located at
    the granting statement of the snapshot file; Access Analyzer's fields in ``properties``."""
    from permwise.report.sarif import finding_order, sarif_log

    shown = [f for f in result.findings if f.suppressed_by is None]
    # each SARIF item beside its finding (None: an expired suppression), in the log's order
    pairs: list[tuple[Diagnostic, AccessFinding | None]] = sorted(
        [(_sarif_finding(f, env_root), f) for f in shown] + [(_sarif_finding(f, ""), None) for f in result.expired],
        key=lambda pair: finding_order(pair[0]))
    log = sarif_log([item for item, _f in pairs], [_sarif_rule(r) for r in RULES] + [EXPIRED_SARIF_RULE],
                    tool_name="permwise", tool_version=tool_version)
    for res, (_item, f) in zip(log["runs"][0]["results"], pairs, strict=True):
        if f is not None:
            res["properties"].update({
                "severity": f.severity, "status": f.status, "resourceType": f.resource_type, "resource": f.resource,
                "principal": f.principal, "action": f.actions, "condition": f.condition, "isPublic": f.is_public,
            })
    return orjson.dumps(log, option=orjson.OPT_INDENT_2).decode() + "\n"


def by_resource_order(findings: list[AccessFinding]) -> list[AccessFinding]:
    """Findings grouped by resource: resources by their worst finding, then by ARN."""
    from permwise.audit.model import SEVERITY_RANK

    worst: dict[str, int] = {}
    for f in findings:
        worst[f.resource] = max(worst.get(f.resource, -1), SEVERITY_RANK[f.severity])
    return sorted(findings, key=lambda f: (-worst[f.resource], f.resource, f.sort_key()))


def _levels_text(f: AccessFinding) -> str:
    return "; ".join(f"{lv}: " + ", ".join(f"`{a}`" for a in acts) for lv, acts in f.levels.items())


def render_text(result: Any, console: Console, *, verbose: bool = False) -> None:
    console.print(counts_line(result), markup=False, highlight=False, soft_wrap=True)
    console.print(zone_line(result), markup=False, highlight=False, soft_wrap=True)
    for n in result.notes:
        console.print(Text(f"note: {n}", style="dim"), soft_wrap=True)
    current = None
    for f in by_resource_order(result.findings):
        if f.suppressed_by is not None and not verbose:
            continue
        if f.resource != current:
            current = f.resource
            console.print()
            console.print(Text(f"{f.resource}  ", style="bold") + Text(f"{f.resource_type}, account {f.resource_account}",
                                                                     style="dim"), soft_wrap=True)
        head = Text("  ")
        head.append(f"{f.severity.upper():8}", style=STYLE[f.severity])
        head.append(f" {f.rule_id:26} ", style="bold")
        head.append(f.principal_label)
        if f.status != "ACTIVE" or f.suppressed_by is not None:
            head.append(f"  [{'SUPPRESSED' if f.suppressed_by is not None else f.status}]", style="dim")
        console.print(head, soft_wrap=True)
        console.print(Text("    " + f.message), highlight=False, soft_wrap=True)
        console.print(Text("    " + _levels_text(f)), highlight=False, soft_wrap=True)
        if f.condition:
            cond = ", ".join(f"{k} = {' | '.join(v)}" for k, v in f.condition.items())
            console.print(Text(f"    condition: {cond}", style="dim"), highlight=False, soft_wrap=True)
        if f.suppressed_by is not None:
            console.print(Text(f"    suppressed: {f.suppressed_by}", style="dim"), highlight=False, soft_wrap=True)
        if verbose:
            for n in f.notes:
                console.print(Text(f"    note: {n}", style="dim"), highlight=False, soft_wrap=True)
            console.print(Text(f"    at {f.file}#{f.pointer}", style="dim"), highlight=False, soft_wrap=True)
        if f.fix and f.status == "ACTIVE" and f.suppressed_by is None:
            console.print(Text(f"    fix: {f.fix}", style="dim"), highlight=False, soft_wrap=True)
    for e in result.expired:
        console.print()
        console.print(Text(f"{e.severity.upper():8} {e.rule_id} {e.message}", style=STYLE[e.severity]), highlight=False, soft_wrap=True)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(result: Any, *, env_path: str = "") -> str:
    lines = ["# External access", ""]
    if env_path:
        lines += [f"Snapshot: `{env_path}`", ""]
    lines += [counts_line(result), "", zone_line(result), ""]
    lines += [f"- {n}" for n in result.notes] + [""]
    lines += ["| severity | finding | resource | type | principal | actions | condition | public | status |",
              "|---|---|---|---|---|---|---|---|---|"]
    for f in result.findings:
        status = "SUPPRESSED" if f.suppressed_by is not None else f.status
        cond = "; ".join(f"`{k}` = {', '.join(f'`{x}`' for x in v)}" for k, v in f.condition.items()) or "-"
        lines.append("| " + " | ".join(_cell(x) for x in (
            f.severity, f.rule_id, f"`{f.resource}`", f.resource_type, f.principal_label,
            _levels_text(f), cond, "yes" if f.is_public else "no", status)) + " |")
    active = [f for f in result.findings if f.status == "ACTIVE" and f.suppressed_by is None and f.fix]
    if active:
        lines += ["", "## Fixes", ""]
        for f in active:
            lines.append(f"- **{f.rule_id}** `{f.resource}` ({_cell(f.principal_label)}): {f.fix}")
    if result.expired:
        lines += ["", "## Expired suppressions", ""]
        lines += [f"- {e.message}" for e in result.expired]
    lines += ["", "## Finding types", "", "| id | severity | what | Access Analyzer |", "|---|---|---|---|"]
    used = {f.rule_id for f in result.findings}
    for r in RULES:
        if r.id in used:
            lines.append(f"| {r.id} | {r.severity} | {_cell(r.description)} | {_cell(r.analyzer)} |")
    return "\n".join(lines) + "\n"


def to_html(result: Any, *, environment: str = "", snapshot_created: str | None = None) -> str:
    """One self-contained page: summary cards, findings grouped by resource, then by external
    principal (the same findings, the other way round)."""
    from permwise.report.html import render_template, permwise_version, report_dates

    by_resource: dict[str, list[AccessFinding]] = {}
    by_principal: dict[str, list[AccessFinding]] = {}
    for f in by_resource_order(result.findings):
        by_resource.setdefault(f.resource, []).append(f)
    for f in result.findings:
        by_principal.setdefault(f.principal_label, []).append(f)
    return render_template("access.html.j2", {
        "title": "permwise access",
        "subtitle": environment,
        "version": permwise_version(),
        "dates": report_dates(snapshot_created),
        "filters": [("severity", [sv for sv in SEVERITIES if any(f.severity == sv for f in result.findings)]),
                    ("status", sorted({f.status.lower() for f in result.findings}))],
        "result": result,
        "summary": counts_line(result) + "; " + zone_line(result),
        "counts": result.counts(),
        "severities": SEVERITIES,
        "by_resource": list(by_resource.items()),  # worst resource first, as in the terminal
        "by_principal": sorted(by_principal.items()),
        "levels_text": _levels_text,
        "rules": [r for r in RULES if any(f.rule_id == r.id for f in result.findings)],
        "rules_by_id": RULES_BY_ID,
    })


# --- the `audit --access` section ----------------------------------------------------------------


def merge_json(audit_text: str, result: Any, *, env_path: str = "") -> str:
    """The audit JSON with an ``access`` member holding the access report."""
    data = orjson.loads(audit_text)
    data["access"] = orjson.loads(to_json(result, env_path=env_path))
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def merge_sarif(audit_text: str, result: Any, *, env_root: str = "", tool_version: str | None = None) -> str:
    """The audit SARIF log with the access findings as a second run."""
    data = orjson.loads(audit_text)
    data["runs"].extend(orjson.loads(to_sarif(result, env_root=env_root, tool_version=tool_version))["runs"])
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n"


def access_section_html(result: Any) -> str:
    """The access findings as one ``<section>`` for the audit page."""
    from permwise.report.html import environment as jinja

    tpl = jinja().from_string(
        '<section id="access">\n<h2>External access<span class="count">{{ summary }}</span></h2>\n<table>\n'
        "<thead><tr><th>severity</th><th>finding</th><th>resource</th><th>principal</th><th>actions</th>"
        "<th>status</th></tr></thead>\n<tbody>\n{% for f in findings %}"
        '<tr><td><span class="badge {{ f.severity }}">{{ f.severity }}</span></td><td class="id">{{ f.rule_id }}</td>'
        '<td class="id">{{ f.resource }}</td><td class="id">{{ f.principal_label }}</td><td>{{ levels_text(f)|ticks }}</td>'
        "<td>{% if f.suppressed_by is not none %}SUPPRESSED{% else %}{{ f.status }}{% endif %}</td></tr>\n"
        "{% endfor %}</tbody>\n</table>\n</section>\n")
    return tpl.render(summary=counts_line(result), findings=by_resource_order(result.findings), levels_text=_levels_text)
