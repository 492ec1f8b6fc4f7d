"""Records of an environment snapshot: accounts, organizational units, principals, policies.

Plain dataclasses read from the snapshot files (see ``docs/snapshots.md``). Everything keeps
where it came from (``file`` and JSON ``pointer``) so that problems and findings can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise.diagnostics import Diagnostic

SCP_TYPE = "SERVICE_CONTROL_POLICY"
RCP_TYPE = "RESOURCE_CONTROL_POLICY"



@dataclass(slots=True, init=False)
class Problem(Diagnostic):
    """Something in the snapshot that is incomplete or inconsistent but does not stop loading.

    ``code`` is a stable id (``absent-policy``, ``dangling-target``...), ``file`` is relative to
    the snapshot directory and ``pointer`` a JSON pointer into it; ``subject`` the ARN or id of
    what the problem affects (a principal, an account), when there is one.
    """

    def __init__(self, code: str, file: str, pointer: str, message: str, subject: str | None = None) -> None:
        Diagnostic.__init__(self, code, "warning", message, pointer, None, file, None, None, subject)

    def __hash__(self) -> int:
        return hash((self.code, self.file, self.pointer, self.message, self.subject))

    def one_line(self) -> str:
        loc = f"{self.file}#{self.pointer}" if self.pointer else self.file
        return f"{loc}: {self.message}"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record was read: snapshot-relative file and JSON pointer."""

    file: str
    pointer: str = ""


@dataclass(slots=True)
class OrgUnit:
    id: str
    name: str
    arn: str
    parent_id: str
    origin: Origin


@dataclass(slots=True)
class Account:
    """An account of the snapshot. ``parent_path`` lists the organization nodes above the
    account, root first (``["r-ab12", "ou-ab12-11111111"]``); empty outside an organization."""

    id: str
    name: str = ""
    email: str = ""
    status: str = ""
    alias: str = ""
    parent_id: str | None = None
    parent_path: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    in_organization: bool = False
    has_iam: bool = False
    #: ``account.json`` as read (``S3PublicAccessBlock``: account-level S3 Block Public Access)
    meta: dict = field(default_factory=dict)
    #: account-level S3 Block Public Access (``account.json`` ``S3PublicAccessBlock``), None: none
    s3_public_access_block: dict | None = None

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})" if self.name else self.id


@dataclass(slots=True)
class OrgPolicy:
    """An SCP or RCP (``describe-policy``) with the nodes it is attached to."""

    id: str
    name: str
    arn: str
    type: str  # SCP_TYPE | RCP_TYPE
    aws_managed: bool
    description: str
    document: dict
    targets: list[str]
    origin: Origin

    @property
    def kind(self) -> str:
        return "scp" if self.type == SCP_TYPE else "rcp"


@dataclass(slots=True)
class ManagedPolicy:
    """A managed policy from ``Policies`` of authorization-details; ``document`` is the default
    version (``IsDefaultVersion: true``)."""

    arn: str
    name: str
    version_id: str
    document: dict
    origin: Origin  # pointer to the default version's Document

    @property
    def aws_managed(self) -> bool:
        return ":iam::aws:policy/" in self.arn


@dataclass(slots=True)
class InlinePolicy:
    name: str
    document: dict
    origin: Origin


@dataclass(slots=True)
class Group:
    arn: str
    name: str
    account: str
    inline_policies: list[InlinePolicy]
    managed_policy_arns: list[str]
    origin: Origin


@dataclass(slots=True)
class Principal:
    """An IAM user or role with what is attached to it, exactly as the snapshot lists it."""

    arn: str
    account: str
    kind: str  # "user" | "role"
    name: str
    path: str
    id: str
    tags: dict[str, str]
    trust_policy: dict | None
    boundary_arn: str | None
    inline_policies: list[InlinePolicy]
    managed_policy_arns: list[str]
    groups: list[str]  # group names (users)
    origin: Origin
    last_used: str | None = None
    create_date: str | None = None
    max_session_duration: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def service_linked(self) -> bool:
        """Service-linked roles live under ``/aws-service-role/``; SCPs do not apply to them."""
        return self.kind == "role" and self.path.startswith("/aws-service-role/")


@dataclass(slots=True)
class ResourcePolicy:
    arn: str
    service: str
    region: str
    account: str
    document: dict
    origin: Origin
    extra: dict[str, Any] = field(default_factory=dict)
