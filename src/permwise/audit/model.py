"""Data of the audit: rules (from the registry) and findings. Renderers read these; nothing here
does I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")
#: higher is worse
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def severity_at_least(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of the registry. ``family``: ``guardrail`` (IAM-*/SCP-*), ``escalation``
    (PRIVESC-*), ``trust`` (TRUST-*), ``audit`` (the audit's own, e.g. expired suppressions)."""

    id: str
    family: str
    kind: str
    severity: str
    title: str
    rationale: str = ""
    actions: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    source: str = ""
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def checked(self) -> bool:
        """False for advisory guardrails and for IAM-STS-* which a TRUST-* rule checks."""
        return self.kind not in ("advisory", "trust-policy")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "family": self.family,
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
        }
        if self.rationale:
            out["rationale"] = self.rationale
        if self.actions:
            out["actions"] = list(self.actions)
        if self.data.get("checked_by"):
            out["checked_by"] = self.data["checked_by"]
        if self.data.get("corrections"):
            out["corrections"] = self.data["corrections"]
        return out


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of an escalation or assume path: ``source`` reaches ``target`` ``via`` something."""

    source: str
    target: str
    via: str  # "sts:AssumeRole", "PRIVESC-PASSROLE-LAMBDA", ...
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        d = {"from": self.source, "to": self.target, "via": self.via}
        if self.detail:
            d["detail"] = self.detail
        return d


@dataclass(slots=True)
class Finding:
    rule_id: str
    severity: str
    subject: str  # principal ARN, account id, or suppression
    message: str
    account: str = ""
    file: str = ""
    pointer: str = ""
    fix: str = ""
    actions: list[str] = field(default_factory=list)
    path: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suppressed_by: str | None = None  # the suppression's reason, when suppressed
    #: the message without the words naming the subject at its head (``role `Name`: ``), for
    #: views that show the subject already; empty: the message does not start with the subject
    detail: str = ""

    def sort_key(self) -> tuple:
        return (-SEVERITY_RANK[self.severity], self.rule_id, self.subject, self.message)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule_id,
            "severity": self.severity,
            "subject": self.subject,
            "account": self.account,
            "message": self.message,
        }
        if self.file:
            d["location"] = {"file": self.file, "pointer": self.pointer}
        if self.actions:
            d["actions"] = list(self.actions)
        if self.path:
            d["path"] = [s.to_dict() for s in self.path]
        if self.notes:
            d["notes"] = list(self.notes)
        if self.fix:
            d["fix"] = self.fix
        if self.suppressed_by is not None:
            d["suppressed"] = self.suppressed_by
        return d
