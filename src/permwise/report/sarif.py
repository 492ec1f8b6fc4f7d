"""SARIF 2.1.0 output for any findings and rule metadata.

Generic: ``rules`` are objects with ``id``, ``name``, ``title``, ``description``, ``severity`` and
optionally ``url``, ``reference``, ``category`` (``permwise.policy.Rule``); findings have
``code``, ``severity``, ``message``, ``file``, ``line``, ``column``, ``pointer``, ``fix``.
Severities map to SARIF levels: error -> ``error``, warning -> ``warning``, suggestion -> ``note``.
Only rules that occur in the results are listed, sorted by id; output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import orjson

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "suggestion": "note"}
INFORMATION_URI = "https://github.com/permwise/permwise"


def artifact_uri(path: str | None) -> str:
    if not path or path in ("-", "<stdin>"):
        return "stdin"
    return quote(PurePath(path).as_posix(), safe="/:._-~")


def _rule(rule: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.id,
        "name": getattr(rule, "name", rule.id),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"category": getattr(rule, "category", ""), "severity": rule.severity},
    }
    if getattr(rule, "url", ""):
        out["helpUri"] = rule.url
    ref = getattr(rule, "reference", "")
    if ref:
        out["help"] = {"text": f"AWS documentation: {ref}"}
    return out


def _result(f: Any, index: dict[str, int]) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(f.file)}}
    if f.line:
        region: dict[str, Any] = {"startLine": f.line}
        if f.column:
            region["startColumn"] = f.column
        phys["region"] = region
    loc: dict[str, Any] = {"physicalLocation": phys}
    if f.pointer:
        loc["logicalLocations"] = [{"fullyQualifiedName": f.pointer, "kind": "element"}]
    res: dict[str, Any] = {
        "ruleId": f.code,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f.message + (f"; fix: {f.fix}" if f.fix else "")},
        "locations": [loc],
        "properties": {"severity": f.severity, "pointer": f.pointer or ""},
    }
    if f.code in index:
        res["ruleIndex"] = index[f.code]
    if f.fix:
        res["properties"]["fix"] = f.fix
    return res


def finding_order(f: Any) -> tuple:
    """The order of results in the log: file, line, column, pointer, code, message."""
    return (f.file or "", f.line or 0, f.column or 0, f.pointer or "", f.code, f.message)


def sarif_result(f: Any, index: dict[str, int]) -> dict[str, Any]:
    """One SARIF result, as :func:`sarif_log` writes it (``index``: rule id -> its ruleIndex);
    for writers that stream results one at a time."""
    return _result(f, index)


def sarif_log(findings: Iterable[Any], rules: Iterable[Any], *, tool_name: str = "permwise",
              tool_version: str | None = None, artifacts: Sequence[str] | None = None,
              artifact_properties: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    fs = sorted(findings, key=finding_order)
    used = {f.code for f in fs}
    rule_list = sorted((r for r in rules if r.id in used), key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rule_list)}
    driver: dict[str, Any] = {"name": tool_name, "informationUri": INFORMATION_URI, "rules": [_rule(r) for r in rule_list]}
    if tool_version:
        driver["version"] = tool_version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index) for f in fs],
    }
    if artifacts:
        run["artifacts"] = []
        for a in sorted(set(artifacts)):
            art: dict[str, Any] = {"location": {"uri": artifact_uri(a)}}
            if artifact_properties and a in artifact_properties:
                art["properties"] = dict(artifact_properties[a])
            run["artifacts"].append(art)
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def to_sarif(findings: Iterable[Any], rules: Iterable[Any], *, tool_name: str = "permwise",
             tool_version: str | None = None, artifacts: Sequence[str] | None = None,
             artifact_properties: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The SARIF log as indented JSON text."""
    log = sarif_log(findings, rules, tool_name=tool_name, tool_version=tool_version, artifacts=artifacts,
                    artifact_properties=artifact_properties)
    return orjson.dumps(log, option=orjson.OPT_INDENT_2).decode() + "\n"
