"""Data of the external-access analysis: finding types (as data, with Access Analyzer's names
beside them), the zone of trust, and findings. Renderers read these; nothing here does I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise.audit.model import SEVERITY_RANK

#: Access levels in the order findings list them (catalog names, most powerful first).
LEVEL_ORDER = ("Permissions management", "Write", "Tagging", "Read", "List")
POWERFUL_LEVELS = frozenset({"Permissions management", "Write", "Tagging"})


@dataclass(frozen=True, slots=True)
class AccessRule:
    """A finding type. ``id`` is what suppressions and SARIF name; ``analyzer`` is how AWS IAM
    Access Analyzer would show it (its ``findingType`` plus the fields that tell it apart)."""

    id: str
    severity: str
    title: str
    description: str
    analyzer: str

    # the generic SARIF writer (permwise.report.sarif) reads these
    @property
    def name(self) -> str:
        return self.id

    @property
    def category(self) -> str:
        return "external-access"

    @property
    def reference(self) -> str:
        return "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "severity": self.severity, "title": self.title,
                "description": self.description, "access_analyzer": self.analyzer}


RULES: tuple[AccessRule, ...] = (
    AccessRule("ACCESS-PUBLIC", "high", "public access",
               "anyone (any AWS account, and anonymous callers where the service allows them) can perform the "
               "actions; critical when they include Write, Tagging or Permissions management",
               "ExternalAccess, isPublic: true"),
    AccessRule("ACCESS-PUBLIC-CONDITIONAL", "medium", "public access limited by a condition",
               "the grant is to `*` but a condition on the network or the request (a VPC endpoint, a VPC, a source IP "
               "range, an access point) limits who can use it; whether that is enough depends on who else reaches "
               "that network",
               "ExternalAccess, isPublic: false, condition: {key: value}"),
    AccessRule("ACCESS-CROSS-ACCOUNT", "low", "access from another account",
               "a named account outside the zone of trust (or a principal of it) can perform the actions; medium when "
               "they include Write, Tagging or Permissions management, high for a role trusted without "
               "`sts:ExternalId`",
               "ExternalAccess, principal: {AWS: account or ARN}"),
    AccessRule("ACCESS-CROSS-ORG", "medium", "access from another organization",
               "any account of another organization can perform the actions (an `aws:PrincipalOrgID` or "
               "`aws:PrincipalOrgPaths` condition names it)",
               "ExternalAccess, principal: {AWS: *}, condition: {aws:PrincipalOrgID: o-...}"),
    AccessRule("ACCESS-SERVICE-DEPUTY", "medium", "service principal acting for any account",
               "an AWS service can perform the actions on behalf of any account, because no `aws:SourceAccount`, "
               "`aws:SourceArn`, `aws:SourceOwner` or `aws:SourceOrgID` condition pins the account it acts for "
               "(confused deputy)",
               "ExternalAccess, principal: {Service: ...} (Access Analyzer reports service principals only for some "
               "resource types)"),
    AccessRule("ACCESS-FEDERATED", "medium", "federated identities",
               "identities of a SAML or OIDC provider (outside every account) can perform the actions",
               "ExternalAccess, principal: {Federated: provider}"),
    AccessRule("ACCESS-BLOCKED", "info", "external grant blocked by another layer",
               "the resource policy grants the access, but S3 Block Public Access or an RCP of the resource's "
               "account stops it; listed so the grant is not forgotten (Access Analyzer shows no active finding)",
               "no active finding (a resolved one when the block was added later)"),
)
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


@dataclass(slots=True)
class AccessFinding:
    rule_id: str
    severity: str
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
    file: str = ""
    pointer: str = ""
    message: str = ""
    fix: str = ""
    notes: list[str] = field(default_factory=list)
    suppressed_by: str | None = None

    # --- what suppressions (permwise.audit.suppressions) and the generic renderers read -------
    @property
    def subject(self) -> str:
        """``RESOURCE-ARN PRINCIPAL``: a suppression's ``subject`` glob matches this, so
        ``"arn:aws:s3:::logs *"`` suppresses one bucket and ``"* 999988887777"`` one vendor."""
        return f"{self.resource} {self.principal_label}"

    @property
    def code(self) -> str:
        return self.rule_id

    line: int | None = None
    column: int | None = None

    def sort_key(self) -> tuple:
        return (-SEVERITY_RANK[self.severity], self.rule_id, self.resource, self.principal_label, self.message)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule_id,
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
        if self.file:
            d["location"] = {"file": self.file, "pointer": self.pointer}
        if self.notes:
            d["notes"] = list(self.notes)
        if self.fix:
            d["fix"] = self.fix
        if self.suppressed_by is not None:
            d["suppressed"] = self.suppressed_by
        return d


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
        out = {s: 0 for s in ("critical", "high", "medium", "low", "info")}
        for f in self.findings:
            if f.suppressed_by is None:
                out[f.severity] += 1
        for f in self.expired:
            out[f.severity] += 1
        return out
