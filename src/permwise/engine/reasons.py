"""Explanations as data: :class:`Reason`, its :class:`ReasonKind` and the :class:`Rule` it reports.

The engine says *why* with kinds and typed fields, never with sentences: every English word of
an explanation lives in :mod:`permwise.report.reasons` (``render_reason``), which turns a
:class:`Reason` into the sentence ``simulate``, ``check`` and the reports print. A program reads
the fields (``kind``, ``rule``, ``layer``, ``level``, ``policy``, ``sid``, ``pointer``...), a person
reads the rendered sentence.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


class ReasonKind(StrEnum):
    """What a reason says about the decision."""

    #: a matching ``Deny`` statement
    EXPLICIT_DENY = "explicit-deny"
    #: a statement that allowed, for a layer that had to allow
    ALLOW = "allow"
    #: an implicit deny: the layer that lacked an allow
    NO_ALLOW = "no-allow"
    #: a layer skipped, and why (``rule``)
    NOT_APPLICABLE = "not-applicable"
    #: context (cross-account rule, root user, role-ARN grant)
    NOTE = "note"


class Rule(StrEnum):
    """The rule a reason reports: which statement test or which of AWS's special rules."""

    # a statement decided
    DENY_STATEMENT = "deny-statement"
    ALLOW_STATEMENT = "allow-statement"
    SCP_LEVEL_ALLOW = "scp-level-allow"  # an SCP level (``level``) allows via a statement
    RCP_LEVEL_ALLOW = "rcp-level-allow"  # an RCP level (``level``) allows via a statement
    RESOURCE_GRANT = "resource-grant"  # a resource-based policy grants (``grant`` says to whom)
    # a layer had no allow
    NO_LEVEL_ALLOW = "no-level-allow"  # an SCP/RCP level (``level``, ``policies``)
    NO_IDENTITY_ALLOW = "no-identity-allow"
    NO_BOUNDARY_ALLOW = "no-boundary-allow"
    NO_SESSION_ALLOW = "no-session-allow"
    NO_RESOURCE_POLICY_ALLOW = "no-resource-policy-allow"
    NO_TRUST_POLICY_ALLOW = "no-trust-policy-allow"  # the resource-based policy is a role trust policy
    # AWS's special rules
    CALLER_IDENTITY_ALWAYS_ALLOWED = "caller-identity-always-allowed"  # sts:GetCallerIdentity
    ROOT_CANNOT_ASSUME_ROLE = "root-cannot-assume-role"
    ROOT_FULL_ACCESS = "root-full-access"  # the root user in its own account
    CROSS_ACCOUNT = "cross-account"  # both sides must allow (``account`` -> ``resource_account``)
    KEY_POLICY_NOT_GIVEN = "key-policy-not-given"
    TRUST_POLICY_NOT_GIVEN = "trust-policy-not-given"
    ROLE_ARN_GRANT_CAPPED = "role-arn-grant-capped"  # by the boundary / session policy
    ROLE_ARN_GRANT_CAPPED_NO_IDENTITY = "role-arn-grant-capped-no-identity"  # ... and no identity allow either
    S3_RESTRICT_PUBLIC_BUCKETS = "s3-restrict-public-buckets"
    # which organization policies do not apply
    SCP_EXEMPT_FORCED = "scp-exempt-forced"
    SCP_NOT_IAM_PRINCIPAL = "scp-not-iam-principal"
    SCP_MANAGEMENT_ACCOUNT = "scp-management-account"  # ``account``: the management account
    SCP_SERVICE_LINKED_ROLE = "scp-service-linked-role"
    RCP_EXEMPT_FORCED = "rcp-exempt-forced"
    RCP_UNSUPPORTED_SERVICE = "rcp-unsupported-service"  # ``service``
    RCP_MANAGEMENT_ACCOUNT = "rcp-management-account"  # ``account``: the management account
    RCP_SERVICE_LINKED_ROLE = "rcp-service-linked-role"
    RCP_SERVICE_ASSUMES_ITS_ROLE = "rcp-service-assumes-its-role"
    RCP_KMS_RETIRE_GRANT = "rcp-kms-retire-grant"
    RCP_AWS_MANAGED_KEY = "rcp-aws-managed-key"


class Grant(StrEnum):
    """To whom a resource-based policy's ``Allow`` granted, which decides what else must allow
    (AWS "Policy evaluation logic", resource-based policies within one account)."""

    PRINCIPAL = "principal"  # a service, anonymous or web identity: the resource policy alone decides
    CROSS_ACCOUNT = "cross-account"  # another account's principal: the identity side must allow too
    OWN_ARN = "own-arn"  # the caller's own ARN: grants on its own within one account
    ROLE_ARN = "role-arn"  # the role ARN of a role session: capped by boundary and session policy
    ROLE_ARN_CAPPED = "role-arn-capped"  # the same grant, shown beside the cap that denied
    ACCOUNT = "account"  # the account: delegates to identity-based policies


class ConditionMiss(NamedTuple):
    """The condition that kept a layer from allowing: the first ``Allow`` statement of the layer
    whose Action, Resource and Principal match the request, and its first condition that is
    false (``operator``, ``key`` as written, the policy's ``values``, the request's ``value``;
    ``None``: the key is absent from the request)."""

    policy: str
    sid: str | None
    index: int  # type: ignore[assignment]  # the statement's index (shadows tuple.index)
    statement_pointer: str
    pointer: str  # the condition's JSON pointer in the policy
    operator: str
    key: str
    values: Any
    value: Any


class Reason(NamedTuple):
    """One step of an explanation, as data (immutable: a named tuple, cheap to build on the
    engine's explaining path and safe to share).

    ``kind`` and ``rule`` say what it is; ``layer`` is the policy type it concerns (``identity``,
    ``resource``, ``trust``, ``boundary``, ``session``, ``scp``, ``rcp``, ``principal``; None for
    a cross-account note). A statement reason locates the statement: ``policy`` (its name),
    ``policy_level`` (the policy's own SCP/RCP level), ``sid``, ``index``, ``pointer``,
    ``effect``; ``level`` is the organization level the reason is about. A layer reason names
    the request (``action``, ``resource``, ``principal``) and the layer's ``policies``. ``grant``
    says to whom a resource-based policy granted; ``account`` / ``resource_account`` /
    ``service`` carry the facts of a special rule."""

    kind: ReasonKind
    rule: Rule
    layer: str | None = None
    policy: str | None = None
    level: str | None = None
    sid: str | None = None
    index: int | None = None  # type: ignore[assignment]  # the statement's index (shadows tuple.index)
    effect: str | None = None
    pointer: str | None = None
    policy_level: str | None = None
    action: str | None = None
    resource: str | None = None
    principal: str | None = None
    #: the names of the layer's policies, for a layer without an allow (empty: none given)
    policies: tuple[str, ...] | None = None
    grant: Grant | None = None
    account: str | None = None
    resource_account: str | None = None
    service: str | None = None
    #: for a layer without an allow: the statement that would have allowed but for a condition
    condition: ConditionMiss | None = None

    @property
    def policy_kind(self) -> str | None:
        """The reason's layer (the name used in ``simulate``'s JSON output)."""
        return self.layer
