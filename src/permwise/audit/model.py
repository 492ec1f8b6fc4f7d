"""Data of the audit: rules (from the registry) and findings. Renderers read these; nothing here
does I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise.diagnostics import AUDIT_SCALE, SnapshotDiagnostic
from permwise.diagnostics import Rule as BaseRule

SEVERITIES = AUDIT_SCALE.names
#: higher is worse (least serious first, as the JSON summary lists them)
SEVERITY_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}


def severity_at_least(severity: str, threshold: str) -> bool:
    return AUDIT_SCALE.at_or_above(severity, threshold)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule(BaseRule):
    """A rule of the audit's registry. ``family``: ``guardrail`` (IAM-*/SCP-*), ``escalation``
    (PRIVESC-*), ``trust`` (TRUST-*), ``audit`` (the audit's own, e.g. expired suppressions)."""

    family: str
    kind: str
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


@dataclass(slots=True, init=False)
class AuditFinding(SnapshotDiagnostic):
    """A finding of the audit: ``subject`` is a principal ARN, an account id or a suppression;
    ``code`` (also ``rule_id``) a rule of the registry."""

    account: str = ""
    actions: list[str] = field(default_factory=list)
    path: list[Step] = field(default_factory=list)
    #: the message without the words naming the subject at its head (``role `Name`: ``), for
    #: views that show the subject already; empty: the message does not start with the subject
    detail: str = ""

    def __init__(self, rule_id: str = "", severity: str = "", subject: str = "", message: str = "",
                 account: str = "", file: str = "", pointer: str = "", fix: str = "",
                 actions: list[str] | None = None, path: list[Step] | None = None, notes: list[str] | None = None,
                 suppressed_by: str | None = None, *, code: str | None = None, line: int | None = None,
                 column: int | None = None, detail: str = "") -> None:
        # ``code``, ``line`` and ``column``: the diagnostic's own names (``dataclasses.replace``)
        SnapshotDiagnostic.__init__(self, code if code is not None else rule_id, severity, message, pointer, fix,
                                    file, line, column, subject, list(notes) if notes is not None else [],
                                    suppressed_by)
        self.account = account
        self.actions = list(actions) if actions is not None else []
        self.path = list(path) if path is not None else []
        self.detail = detail

    def sort_key(self) -> tuple[Any, ...]:
        return (-SEVERITY_RANK[self.severity], self.code, self.subject, self.message)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.code,
            "severity": self.severity,
            "subject": self.subject,
            "account": self.account,
            "message": self.message,
        }
        middle: dict[str, Any] = {}
        if self.actions:
            middle["actions"] = list(self.actions)
        if self.path:
            middle["path"] = [s.to_dict() for s in self.path]
        return self.add_trailer(d, middle)


#: the audit's findings keep their historical name
Finding = AuditFinding
