"""Whom the organization policies govern: the SCP exemption rule, stated once.

AWS Organizations User Guide, "Service control policies (SCPs)": SCPs affect only IAM users and
roles (and the root user) of *member* accounts; they never restrict the management account nor
service-linked roles. "Resource control policies (RCPs)": RCPs never apply to resources of the
management account.

The evaluator decides with these rules; layers above ask here (for instance the environment,
which leaves out the SCP chain of an exempt principal, and ``audit``, which marks the management
account) instead of restating them.
"""

from __future__ import annotations

from permwise.engine.matching import PrincipalInfo, parse_principal
from permwise.engine.reasons import Rule

#: ``scp_exemption``'s ``account`` when the principal's own account is meant
_OWN = object()


def scp_exemption(principal: str | PrincipalInfo, management_account_id: str | None, *,
                  account: str | None | object = _OWN, service_linked: bool | None = None) -> Rule | None:
    """Which rule exempts ``principal`` (an ARN or a parsed principal) from SCPs, ``None`` when
    they apply (a principal of a member account). ``account`` and ``service_linked`` override
    what the ARN says (the evaluator passes the request's ``aws:PrincipalAccount`` and whether
    the session is a service-linked role's)."""
    pi = parse_principal(principal) if isinstance(principal, str) else principal
    if not pi.is_iam:
        return Rule.SCP_NOT_IAM_PRINCIPAL
    acct = pi.account if account is _OWN else account
    if management_account_id is not None and acct == management_account_id:
        return Rule.SCP_MANAGEMENT_ACCOUNT
    if pi.service_linked if service_linked is None else service_linked:
        return Rule.SCP_SERVICE_LINKED_ROLE
    return None


def rcp_exempt_account(resource_account: str | None, management_account_id: str | None) -> bool:
    """RCPs never apply to resources of the management account."""
    return management_account_id is not None and resource_account == management_account_id
