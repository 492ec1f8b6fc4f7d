"""Validation entry points: grammar, type rules and catalog lint, with lazy locations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from permwise.policy import grammar, lint
from permwise.policy.findings import Finding, sort_findings
from permwise.policy.model import PolicyDocument
from permwise.policy.parser import build, parse
from permwise.sources import Source

#: Codes after which catalog lint is pointless (the document is not a policy at all).
_FATAL = frozenset({"P007", "P008"})


def findings_for(doc: PolicyDocument, *, lint_catalog: bool = True) -> list[Finding]:
    """Grammar + lint findings of ``doc`` without locations (pointer only)."""
    found = grammar.check(doc)
    if doc.source is not None:
        found.extend(Finding("P011", "error", d.message(), d.pointer, fix="keep each key once", subject=d.key)
                     for d in doc.source.duplicates)
    if lint_catalog and doc.statements and not any(f.code in _FATAL and f.pointer in ("", "/Statement") for f in found):
        found.extend(lint.check(doc))
    return found


def locate(doc: PolicyDocument, findings: list[Finding]) -> list[Finding]:
    """Fill in file, line and column (only called when there is something to report)."""
    if not findings:
        return findings
    locator = doc.source.locate if doc.source is not None else None
    return sort_findings(f.located(locator, doc.name) for f in findings)


def validate(doc_or_source: PolicyDocument | Source | str | Path | dict[str, Any], type: str | None = None, *,
             name: str | None = None, attached_as: str | None = None, lint_catalog: bool = True) -> list[Finding]:
    """Validate a policy (document, source, path or dict): sorted findings with locations."""
    doc = doc_or_source if isinstance(doc_or_source, PolicyDocument) else parse(
        doc_or_source, type, name=name, attached_as=attached_as, duplicates="keep")
    return locate(doc, findings_for(doc, lint_catalog=lint_catalog))


def validate_document(document: dict[str, Any], type: str, *, name: str = "<policy>",
                      attached_as: str | None = None, lint_catalog: bool = True) -> list[Finding]:
    """Validate an in-memory policy (for generated policies and snapshot loaders).

    Findings carry ``file=name`` and a JSON pointer; no line numbers (there is no text).
    """
    doc = build(document, type, name=name, attached_as=attached_as)
    return locate(doc, findings_for(doc, lint_catalog=lint_catalog))
