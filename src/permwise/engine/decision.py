"""Decide: AWS's documented order over the per-layer results of :mod:`permwise.engine.analyse`.

Read it beside AWS's flowchart, "Policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
"Determining whether a request is allowed or denied within an account") and "Cross-account
policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):

0. AWS's special rules no policy can change (``sts:GetCallerIdentity``; the root user and
   ``sts:AssumeRole``).
1. **Explicit deny** in any applicable policy -> ``explicitDeny``.
2. **RCPs**, then 3. **SCPs**: every level must allow (an empty SCP level is AWS's default
   ``FullAWSAccess``; ``RCPFullAWSAccess`` sits on every RCP level).
4. **Resource-based policy**: a service, anonymous caller or web identity is decided by it alone.
   Cross-account, the resource-based policy *and* the identity side must both allow. Within one
   account a grant to the caller's own ARN allows on its own, one to the role ARN of a role
   session is capped by the permissions boundary and the session policy, and one to the account
   delegates to identity-based policies; trust and KMS key policies must allow.
5. **Identity-based policies**, capped by the **permissions boundary** and the **session policy**.

:func:`decide` returns an :class:`Outcome`: the decision, the :class:`Path` taken through the
order above (what :mod:`permwise.engine.explain` explains), the deciding layer and level of a
denial, and the statements that granted.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from permwise.engine.analyse import Analysis
from permwise.engine.compile import CompiledStatement
from permwise.engine.matching import MATCH_ACCOUNT, MATCH_EXACT, MATCH_ROLE
from permwise.engine.reasons import Rule

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"


class Path(Enum):
    """The step of the order that decided."""

    SPECIAL = "special"  # 0
    EXPLICIT_DENY = "explicit-deny"  # 1
    ORGANIZATION_NO_ALLOW = "organization-no-allow"  # 2, 3
    NON_IAM_GRANT = "non-iam-grant"  # 4: the resource-based policy alone decides
    NON_IAM_NO_ALLOW = "non-iam-no-allow"
    CROSS_ACCOUNT_ALLOW = "cross-account-allow"  # 4: both sides allow
    CROSS_ACCOUNT_NO_ALLOW = "cross-account-no-allow"
    OWN_ARN_GRANT = "own-arn-grant"  # 4: a grant to the caller's own ARN
    ROLE_ARN_GRANT = "role-arn-grant"  # 4: a grant to the role ARN, within boundary and session policy
    RESOURCE_POLICY_REQUIRED = "resource-policy-required"  # 4: a trust / key policy without an allow
    IDENTITY_ALLOW = "identity-allow"  # 5
    ROLE_ARN_CAPPED = "role-arn-capped"  # 4/5: the boundary or session policy caps a role-ARN grant
    IDENTITY_NO_ALLOW = "identity-no-allow"  # 5


class Outcome(NamedTuple):
    decision: str
    path: Path
    #: a denial's deciding layer (``identity``, ``boundary``, ``session``, ``resource``/``trust``,
    #: ``scp``, ``rcp``, ``principal``) and its SCP/RCP level
    layer: str | None
    level: str | None
    #: the statements that granted (identity and resource-based Allow statements)
    grants: list[CompiledStatement]


def _grants(a: Analysis, *strengths: str) -> list[CompiledStatement]:
    return [s for s, st in a.res_allows if st in strengths]


def decide(a: Analysis) -> Outcome:
    """The decision over ``a``, in AWS's order (see the module docstring)."""
    # 0. special rules
    if a.special is not None:
        if a.special is Rule.ROOT_CANNOT_ASSUME_ROLE:
            return Outcome(IMPLICIT_DENY, Path.SPECIAL, "principal", None, [])
        return Outcome(ALLOWED, Path.SPECIAL, None, None, [])
    # 1. explicit deny anywhere
    if a.denies:
        first = a.denies[0].policy
        return Outcome(EXPLICIT_DENY, Path.EXPLICIT_DENY, first.kind, first.level, [])
    # 2. every RCP level, 3. every SCP level must allow
    for name, _pols, allows in a.rcp_levels:
        if not allows:
            return Outcome(IMPLICIT_DENY, Path.ORGANIZATION_NO_ALLOW, "rcp", name, [])
    for name, _pols, allows in a.scp_levels:
        if not allows:
            return Outcome(IMPLICIT_DENY, Path.ORGANIZATION_NO_ALLOW, "scp", name, [])
    # 4. resource-based policy
    a.derive()
    best = a.best
    if a.non_iam:
        if best is not None:
            return Outcome(ALLOWED, Path.NON_IAM_GRANT, None, None, _grants(a, MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT))
        return Outcome(IMPLICIT_DENY, Path.NON_IAM_NO_ALLOW, "resource", None, [])
    if a.cross:
        if best is None or not a.identity_path:
            layer = "resource" if best is None else a.id_layer
            return Outcome(IMPLICIT_DENY, Path.CROSS_ACCOUNT_NO_ALLOW, layer, None, [])
        grants = [s for s, _ in a.id_allows] + _grants(a, MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT)
        return Outcome(ALLOWED, Path.CROSS_ACCOUNT_ALLOW, None, None, grants)
    if best == MATCH_EXACT:
        return Outcome(ALLOWED, Path.OWN_ARN_GRANT, None, None, _grants(a, MATCH_EXACT))
    if best == MATCH_ROLE and a.b_ok and a.s_ok:
        return Outcome(ALLOWED, Path.ROLE_ARN_GRANT, None, None, _grants(a, MATCH_ROLE))
    if a.res_required and best is None:
        return Outcome(IMPLICIT_DENY, Path.RESOURCE_POLICY_REQUIRED, "resource", None, [])
    # 5. identity-based policies, within the permissions boundary and the session policy
    if a.identity_path:
        grants = [s for s, _ in a.id_allows] + (_grants(a, MATCH_ACCOUNT) if a.res_required else [])
        return Outcome(ALLOWED, Path.IDENTITY_ALLOW, None, None, grants)
    if best == MATCH_ROLE:
        # the resource-based policy grants to the role ARN, and that grant is capped by the
        # boundary or session policy ("Policy evaluation logic", resource-based policies and
        # permissions boundaries): the cap decides, not a missing identity-based allow
        return Outcome(IMPLICIT_DENY, Path.ROLE_ARN_CAPPED, "boundary" if not a.b_ok else "session", None, [])
    return Outcome(IMPLICIT_DENY, Path.IDENTITY_NO_ALLOW, a.id_layer, None, [])
