"""One diagnostics model for every analysis: :class:`Rule`, :class:`Diagnostic`, :class:`Location`
and the two severity scales.

A :class:`Rule` is registered once as data (id, severity, title, description, reference) so that
``permwise rules``, the docs and SARIF rule metadata all come from the same table; each rule family
keeps its rules in the module that holds its check, so ``grep RULE-ID src/`` lands on the code.
A :class:`Diagnostic` is one occurrence of a rule: ``{code, severity, message, file, line,
column, pointer, fix, subject}``. Locations are resolved lazily: analyses record the JSON pointer
and the caller fills in ``line``/``column`` from the source only when there is something to report.

The analyses specialise both thinly (``audit.model.Finding``/``Rule``, ``access.model``'s,
``environment.model.Problem``, ``requirements.problems.Problem``): they keep their own extra
fields and JSON shape, and share the location, ordering and severity logic here.

Severities come on two scales: ``validate``'s (``error``, ``warning``, ``suggestion``: policy
lint, gates, manifests, snapshots) and the audit's (``critical`` to ``info``: audit and access).
:data:`AUDIT_TO_VALIDATE` maps the second onto the first (SARIF levels, gates that reuse an audit
rule). This module is at the bottom of the layers: it imports nothing of permwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning", "suggestion", "critical", "high", "medium", "low", "info"]


@dataclass(frozen=True, slots=True)
class Scale:
    """An ordered severity scale, most serious first. ``--fail-on`` compares against it."""

    names: tuple[str, ...]

    def rank(self, severity: str) -> int:
        """0 for the most serious severity, 1 for the next..."""
        return self.names.index(severity)

    def at_or_above(self, severity: str, threshold: str) -> bool:
        """True when ``severity`` is as serious as ``threshold`` or more (``threshold="none"`` never)."""
        if threshold == "none":
            return False
        return self.rank(severity) <= self.rank(threshold)

    def reached(self, severities: Iterable[str], threshold: str) -> bool:
        """True when one of ``severities`` is at or above ``threshold`` (``--fail-on``)."""
        return any(self.at_or_above(s, threshold) for s in severities)

    def counts(self, severities: Iterable[str]) -> dict[str, int]:
        """How many of each severity, every name of the scale present (most serious first)."""
        out = {s: 0 for s in self.names}
        for s in severities:
            out[s] += 1
        return out


#: ``validate``'s scale: policy lint, gates, manifests, snapshots
VALIDATE_SCALE = Scale(("error", "warning", "suggestion"))
#: the audit's scale: audit and external access
AUDIT_SCALE = Scale(("critical", "high", "medium", "low", "info"))
#: an audit severity on ``validate``'s scale (also the SARIF level a renderer gives it)
AUDIT_TO_VALIDATE: Mapping[str, str] = {"critical": "error", "high": "error", "medium": "warning",
                                        "low": "suggestion", "info": "suggestion"}

#: Severities of ``validate``'s scale from most to least serious.
SEVERITIES: tuple[str, ...] = VALIDATE_SCALE.names


def severity_rank(severity: str) -> int:
    """0 for ``error``, 1 for ``warning``, 2 for ``suggestion``."""
    return VALIDATE_SCALE.rank(severity)


def at_or_above(severity: str, threshold: str) -> bool:
    """True when ``severity`` is as serious as ``threshold`` or more (``threshold="none"`` never)."""
    return VALIDATE_SCALE.at_or_above(severity, threshold)


@dataclass(frozen=True, slots=True)
class Location:
    """Where a diagnostic points: a file with line and column, or a JSON pointer, or both."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "pointer": self.pointer}


@dataclass(frozen=True, slots=True)
class Rule:
    """Metadata of one finding code, registered as data."""

    id: str
    severity: str
    name: str = ""  # short kebab-case name, e.g. ``unknown-action``
    title: str = ""  # one line, sentence case, no final period
    description: str = ""  # what the rule checks and why, in our own words
    reference: str = ""  # the AWS documentation page the rule encodes (title)
    url: str = ""  # the page's address
    category: str = "policy"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Diagnostic:
    """One problem found: a rule's ``code``, its ``severity``, a ``message`` and where."""

    code: str
    severity: str
    message: str
    pointer: str = ""
    fix: str | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    #: the thing the diagnostic is about (an action, a key, an ARN), for grouping and suppression
    subject: str | None = None

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column, self.pointer)

    def sort_key(self) -> tuple[Any, ...]:
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

    def located(self, locate: Callable[[str], tuple[int, int] | None] | None, file: str | None) -> Diagnostic:
        """A copy with ``file`` and, when ``locate`` is given, ``line``/``column`` filled in."""
        pos = locate(self.pointer) if locate is not None else None
        return replace(
            self,
            file=file if file is not None else self.file,
            line=pos[0] if pos else self.line,
            column=pos[1] if pos else self.column,
        )


@dataclass(slots=True)
class SnapshotDiagnostic(Diagnostic):
    """A diagnostic of an analysis of a snapshot (audit, external access): ``file`` is relative to
    the snapshot, and it carries notes and the suppression that silenced it."""

    notes: list[str] = field(default_factory=list)
    suppressed_by: str | None = None  # the suppression's reason, when suppressed

    @property
    def rule_id(self) -> str:
        return self.code

    def add_trailer(self, d: dict[str, Any], middle: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``d`` with the location, ``middle``, notes, fix and suppression appended (the analyses'
        JSON order)."""
        if self.file:
            d["location"] = {"file": self.file, "pointer": self.pointer}
        if middle:
            d.update(middle)
        if self.notes:
            d["notes"] = list(self.notes)
        if self.fix:
            d["fix"] = self.fix
        if self.suppressed_by is not None:
            d["suppressed"] = self.suppressed_by
        return d


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

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self.rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self.rules)

    def as_mapping(self) -> Mapping[str, Rule]:
        return dict(self.rules)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order: file, line, column, pointer, code, message."""
    return sorted(diagnostics, key=Diagnostic.sort_key)


def count_by_severity(diagnostics: Iterable[Diagnostic]) -> dict[str, int]:
    return VALIDATE_SCALE.counts(d.severity for d in diagnostics)
