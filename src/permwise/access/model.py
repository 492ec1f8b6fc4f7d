"""Data of the external-access analysis: finding types (as data, with Access Analyzer's names
beside them), the zone of trust, and findings. Renderers read these; nothing here does I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise.audit.model import SEVERITY_RANK
from permwise.diagnostics import AUDIT_SCALE, Rule, SnapshotDiagnostic

#: Access levels in the order findings list them (catalog names, most powerful first).
LEVEL_ORDER = ("Permissions management", "Write", "Tagging", "Read", "List")
POWERFUL_LEVELS = frozenset({"Permissions management", "Write", "Tagging"})


_ANALYZER_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html"


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessRule(Rule):
    """A finding type. ``id`` is what suppressions and SARIF name; ``analyzer`` is how AWS IAM
    Access Analyzer would show it (its ``findingType`` plus the fields that tell it apart)."""

    analyzer: str
    category: str = "external-access"
    reference: str = _ANALYZER_PAGE

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.id)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "title": self.title,
                "description": self.description, "access_analyzer": self.analyzer}


RULES: tuple[AccessRule, ...] = tuple(
    AccessRule(id=i, severity=s, title=t, description=d, analyzer=a) for i, s, t, d, a in (
    ("ACCESS-PUBLIC", "high", "public access",
        "anyone (any AWS account, and anonymous callers where the service allows them) can perform the "
        "actions; critical when they include Write, Tagging or Permissions management",
        "ExternalAccess, isPublic: true"),
    ("ACCESS-PUBLIC-CONDITIONAL", "medium", "public access limited by a condition",
        "the grant is to `*` but a condition on the network or the request (a VPC endpoint, a VPC, a source IP "
        "range, an access point) limits who can use it; whether that is enough depends on who else reaches "
        "that network",
        "ExternalAccess, isPublic: false, condition: {key: value}"),
    ("ACCESS-CROSS-ACCOUNT", "low", "access from another account",
        "a named account outside the zone of trust (or a principal of it) can perform the actions; medium when "
        "they include Write, Tagging or Permissions management, high for a role trusted without "
        "`sts:ExternalId`",
        "ExternalAccess, principal: {AWS: account or ARN}"),
    ("ACCESS-CROSS-ORG", "medium", "access from another organization",
        "any account of another organization can perform the actions (an `aws:PrincipalOrgID` or "
        "`aws:PrincipalOrgPaths` condition names it)",
        "ExternalAccess, principal: {AWS: *}, condition: {aws:PrincipalOrgID: o-...}"),
    ("ACCESS-SERVICE-DEPUTY", "medium", "service principal acting for any account",
        "an AWS service can perform the actions on behalf of any account, because no `aws:SourceAccount`, "
        "`aws:SourceArn`, `aws:SourceOwner` or `aws:SourceOrgID` condition pins the account it acts for "
        "(confused deputy)",
        "ExternalAccess, principal: {Service: ...} (Access Analyzer reports service principals only for some "
        "resource types)"),
    ("ACCESS-FEDERATED", "medium", "federated identities",
        "identities of a SAML or OIDC provider (outside every account) can perform the actions",
        "ExternalAccess, principal: {Federated: provider}"),
    ("ACCESS-BLOCKED", "info", "external grant blocked by another layer",
        "the resource policy grants the access, but S3 Block Public Access or an RCP of the resource's "
        "account stops it; listed so the grant is not forgotten (Access Analyzer shows no active finding)",
        "no active finding (a resolved one when the block was added later)"),
))
RULES_BY_ID = {r.id: r for r in RULES}


@dataclass(slots=True)
class Zone:
    """The zone of trust: accounts and organization ids whose principals are not external.
    ``kind``: ``account`` (each resource's own account), ``organization`` or ``list``."""

    kind: str
    accounts: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()

    def describe(self) -> str:
        if self.kind == "account":
            return "account (each resource's own account)"
        parts = sorted(self.organizations) + sorted(self.accounts)
        return f"{self.kind}: " + ", ".join(parts) if parts else self.kind

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "accounts": sorted(self.accounts), "organizations": sorted(self.organizations)}


@dataclass(slots=True, kw_only=True)
class AccessFinding(SnapshotDiagnostic):
    """An external-access finding, on the audit's severity scale, with Access Analyzer's fields.
    ``subject`` is ``RESOURCE-ARN PRINCIPAL``: a suppression's ``subject`` glob matches it, so
    ``"arn:aws:s3:::logs *"`` suppresses one bucket and ``"* 999988887777"`` one vendor."""

    resource: str
    resource_type: str
    resource_account: str
    principal: dict[str, str]  # Access Analyzer's shape: {"AWS": ...} / {"Service": ...} / {"Federated": ...}
    principal_label: str  # one line for people: "account 999988887777", "*", "sns.amazonaws.com"
    actions: list[str]
    levels: dict[str, list[str]]  # access level -> actions
    condition: dict[str, list[str]] = field(default_factory=dict)  # key -> values of the granting statements
    limiting: list[str] = field(default_factory=list)  # the keys that only partly restrict (public-conditional)
    is_public: bool = False
    status: str = "ACTIVE"  # ACTIVE, BLOCKED (another layer stops it), SUPPRESSED
    source: str = "POLICY"  # POLICY, TRUST_POLICY, KMS_GRANT, S3_ACCESS_POINT
    blocked_by: str = ""

    def __post_init__(self) -> None:
        self.subject = f"{self.resource} {self.principal_label}"

    def sort_key(self) -> tuple[Any, ...]:
        return (-SEVERITY_RANK[self.severity], self.code, self.resource, self.principal_label, self.message)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.code,
            "severity": self.severity,
            "status": "SUPPRESSED" if self.suppressed_by is not None else self.status,
            "resource": self.resource,
            "resourceType": self.resource_type,
            "resourceOwnerAccount": self.resource_account,
            "principal": dict(self.principal),
            "action": list(self.actions),
            "accessLevels": {k: list(v) for k, v in self.levels.items()},
            "condition": {k: list(v) for k, v in sorted(self.condition.items())},
            "isPublic": self.is_public,
            "source": self.source,
            "message": self.message,
        }
        if self.limiting:
            d["limitedBy"] = list(self.limiting)
        if self.blocked_by:
            d["blockedBy"] = self.blocked_by
        return self.add_trailer(d)


@dataclass(slots=True)
class AccessResult:
    zone: Zone
    findings: list[AccessFinding]
    resources: int = 0  # resource and trust policies analysed
    evaluations: int = 0
    notes: list[str] = field(default_factory=list)
    expired: list[Any] = field(default_factory=list)  # audit Findings for expired suppressions

    @property
    def active(self) -> list[AccessFinding]:
        return [f for f in self.findings if f.suppressed_by is None and f.status == "ACTIVE"]

    def counts(self) -> dict[str, int]:
        return AUDIT_SCALE.counts([f.severity for f in self.findings if f.suppressed_by is None]
                                  + [f.severity for f in self.expired])
