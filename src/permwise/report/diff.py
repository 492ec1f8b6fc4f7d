"""Render a :class:`permwise.gates.diff.DiffResult`: text, JSON, SARIF and Markdown.

Text and Markdown group the changes by access level (most privileged first), and within a level
by what made them new (resource, principal, conditions, reason, NEW's statement), listing the
actions of each group; JSON lists every request; SARIF has one result per group of new access,
located at NEW's allowing statement (file, line, column).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

LEVEL_ORDER = ("Permissions management", "Tagging", "Write", "Read", "List", "Unknown")
SARIF_LEVEL = {"Permissions management": "error", "Write": "error", "Tagging": "warning", "Read": "warning",
               "List": "note", "Unknown": "warning"}
MAX_ACTIONS = 8


def _loc(loc: dict[str, Any] | None) -> str:
    if not loc:
        return ""
    s = str(loc.get("file") or "")
    if loc.get("line"):
        s += f":{loc['line']}"
        if loc.get("column"):
            s += f":{loc['column']}"
    return s


def groups(changes: Iterable[Any]) -> list[tuple[str, list[tuple[tuple, list[Any]]]]]:
    """``[(level, [(key, changes)])]``: levels in LEVEL_ORDER, groups sorted."""
    by_level: dict[str, dict[tuple, list[Any]]] = {}
    for c in changes:
        key = (c.principal, c.resource, c.conditions, c.reason, _loc(c.location), _loc(c.cause))
        by_level.setdefault(c.level, {}).setdefault(key, []).append(c)
    out = []
    for lvl in LEVEL_ORDER + tuple(sorted(set(by_level) - set(LEVEL_ORDER))):
        if lvl in by_level:
            out.append((lvl, sorted(by_level[lvl].items(), key=lambda kv: kv[0])))
    return out


def _actions(cs: list[Any], limit: int | None = MAX_ACTIONS) -> str:
    names = sorted({c.action for c in cs}, key=str.lower)
    if limit is None or len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _where(key: tuple) -> str:
    principal, resource, conditions, *_ = key
    s = f"on {resource}"
    if principal:
        s += f" for {principal}"
    if conditions:
        s += f" only when {conditions}"
    return s


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(res: Any) -> str:
    lines: list[str] = []
    for title, changes, sign in (("new access", res.added, "+"), ("removed access", res.removed, "-")):
        if not changes:
            continue
        lines.append(f"{title} ({_n(len(changes), 'request')}):")
        for lvl, gs in groups(changes):
            n = sum(len(cs) for _, cs in gs)
            lines.append(f"  {lvl} ({n}):")
            for key, cs in gs:
                lines.append(f"    {sign} {_actions(cs)} {_where(key)}")
                detail = key[3]
                if key[4]:
                    detail += f"; {'NEW' if sign == '+' else 'OLD'} grants it at {key[4]}"
                if key[5]:
                    detail += f"; the Deny was at {key[5]}"
                lines.append(f"        {detail}")
    worst = next((lvl for lvl in LEVEL_ORDER if any(c.level == lvl for c in res.added)), None)
    head = f"{len(res.old)} old and {len(res.new)} new {'snapshot' if res.policy_type == 'snapshot' else res.policy_type + ' polic' + ('y' if len(res.new) == 1 else 'ies')}"
    if not res.added and not res.removed:
        lines.append(f"{head}: no change in access ({res.requests} requests decided)")
    elif not res.added:
        lines.append(f"{head}: no new access; {_n(len(res.removed), 'request')} no longer allowed ({res.requests} requests decided)")
    else:
        lines.append(f"{head}: new access up to {worst} ({_n(len(res.added), 'request')}), {len(res.removed)} removed "
                     f"({res.requests} requests decided)")
    return "\n".join(lines) + "\n"


def render_json(res: Any) -> str:
    return orjson.dumps(res.to_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"


def render_markdown(res: Any) -> str:
    out = ["# permwise diff", "", f"OLD: {', '.join(f'`{x}`' for x in res.old)}  ", f"NEW: {', '.join(f'`{x}`' for x in res.new)}", ""]
    for title, changes in (("New access", res.added), ("Removed access", res.removed)):
        out.append(f"## {title} ({len(changes)})")
        out.append("")
        if not changes:
            out += ["None.", ""]
            continue
        for lvl, gs in groups(changes):
            out += [f"### {lvl}", "", "| actions | resource | principal | conditions | why | where |",
                    "|---|---|---|---|---|---|"]
            for key, cs in gs:
                principal, resource, conditions, reason, loc, cause = key
                cell = lambda s: str(s).replace("|", "\\|")  # noqa: E731
                out.append(f"| {cell(_actions(cs, 20))} | `{cell(resource)}` | {cell(principal) or '-'} | "
                           f"{cell(conditions) or '-'} | {cell(reason)} | {cell(loc) or '-'} |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_sarif(res: Any, tool_version: str | None = None) -> str:
    from permwise.report.sarif import INFORMATION_URI, SARIF_SCHEMA, artifact_uri

    rule = {"id": "DIFF-NEW-ACCESS", "name": "new-access",
            "shortDescription": {"text": "The change grants access the old policy did not"},
            "fullDescription": {"text": "permwise diff decided, through the engine, requests that NEW allows and OLD "
                                        "does not (offline check-no-new-access)."},
            "defaultConfiguration": {"level": "error"}, "properties": {"category": "diff"}}
    results = []
    for lvl, gs in groups(res.added):
        for key, cs in gs:
            loc = cs[0].location or {}
            phys: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(loc.get("file"))}}
            if loc.get("line"):
                phys["region"] = {"startLine": loc["line"]}
                if loc.get("column"):
                    phys["region"]["startColumn"] = loc["column"]
            results.append({
                "ruleId": "DIFF-NEW-ACCESS", "ruleIndex": 0, "level": SARIF_LEVEL.get(lvl, "warning"),
                "message": {"text": f"new {lvl} access: {_actions(cs, None)} {_where(key)}; {key[3]}"},
                "locations": [{"physicalLocation": phys,
                               **({"logicalLocations": [{"fullyQualifiedName": loc["pointer"], "kind": "element"}]}
                                  if loc.get("pointer") else {})}],
                "properties": {"accessLevel": lvl, "actions": sorted({c.action for c in cs}, key=str.lower),
                               "resource": key[1], "principal": key[0], "conditions": key[2]},
            })
    driver: dict[str, Any] = {"name": "permwise", "informationUri": INFORMATION_URI, "rules": [rule] if results else []}
    if tool_version:
        driver["version"] = tool_version
    if not results:
        for r in results:
            r.pop("ruleIndex", None)
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}]}
    return orjson.dumps(log, option=orjson.OPT_INDENT_2).decode() + "\n"


def render_diff(fmt: str, res: Any, tool_version: str | None = None) -> str:
    if fmt == "text":
        return render_text(res)
    if fmt == "json":
        return render_json(res)
    if fmt == "markdown":
        return render_markdown(res)
    if fmt == "sarif":
        return render_sarif(res, tool_version)
    raise ValueError(f"unknown format {fmt!r}")
