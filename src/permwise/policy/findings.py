"""Findings and rule metadata, shared by every analysis that reports problems.

A :class:`Rule` is registered once as data (id, severity, title, description, reference) so that
``permwise rules``, the docs and SARIF rule metadata all come from the same table. A
:class:`Finding` is one occurrence of a rule: ``{code, severity, message, file, line, column,
pointer, fix}``. Locations are resolved lazily: analyses record the JSON pointer and the caller
fills in ``line``/``column`` from the source only when there is something to report.

This module lives in the ``policy`` layer because it is the highest layer that reports findings;
lower layers (``audit``, ``requirements``) import it from here, and ``permwise.report`` renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning", "suggestion"]

#: Severities from most to least serious; ``--fail-on`` compares against this order.
SEVERITIES: tuple[str, ...] = ("error", "warning", "suggestion")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """0 for ``error``, 1 for ``warning``, 2 for ``suggestion``."""
    return _RANK[severity]


def at_or_above(severity: str, threshold: str) -> bool:
    """True when ``severity`` is as serious as ``threshold`` or more (``threshold="none"`` never)."""
    if threshold == "none":
        return False
    return _RANK[severity] <= _RANK[threshold]


@dataclass(frozen=True, slots=True)
class Rule:
    """Metadata of one finding code, registered as data."""

    id: str
    severity: Severity
    name: str  # short kebab-case name, e.g. ``unknown-action``
    title: str  # one line, sentence case, no final period
    description: str  # what the rule checks and why, in our own words
    reference: str = ""  # the AWS documentation page the rule encodes (title)
    url: str = ""  # the page's address
    category: str = "policy"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Finding:
    """One problem found in one document."""

    code: str
    severity: Severity
    message: str
    pointer: str = ""
    fix: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    #: the thing the finding is about (an action, a key, an ARN), for grouping and suppression
    subject: str | None = None

    def sort_key(self) -> tuple:
        return (
            self.file or "",
            self.line if self.line is not None else 0,
            self.column if self.column is not None else 0,
            self.pointer,
            self.code,
            self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "fix": self.fix,
            "subject": self.subject,
        }

    def located(self, locate: Callable[[str], tuple[int, int] | None] | None, file: str | None) -> Finding:
        """A copy with ``file`` and, when ``locate`` is given, ``line``/``column`` filled in."""
        pos = locate(self.pointer) if locate is not None else None
        return replace(
            self,
            file=file if file is not None else self.file,
            line=pos[0] if pos else self.line,
            column=pos[1] if pos else self.column,
        )


@dataclass
class RuleRegistry:
    """An ordered table of rules keyed by id."""

    rules: dict[str, Rule] = field(default_factory=dict)

    def add(self, rule: Rule) -> Rule:
        if rule.id in self.rules:
            raise ValueError(f"duplicate rule id {rule.id}")
        self.rules[rule.id] = rule
        return rule

    def extend(self, rules: Iterable[Rule]) -> None:
        for r in rules:
            self.add(r)

    def __getitem__(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.rules

    def __iter__(self):
        return iter(sorted(self.rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self.rules)

    def as_mapping(self) -> Mapping[str, Rule]:
        return dict(self.rules)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Deterministic order: file, line, column, pointer, code, message."""
    return sorted(findings, key=Finding.sort_key)


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    out = {s: 0 for s in SEVERITIES}
    for f in findings:
        out[f.severity] += 1
    return out
