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


def scp_exemption(principal: str | PrincipalInfo, management_account_id: str | None) -> str | None:
    """Why SCPs do not apply to ``principal`` (an ARN or a parsed principal), ``None`` when they
    do (a principal of a member account)."""
    pi = parse_principal(principal) if isinstance(principal, str) else principal
    if not pi.is_iam:
        return "SCPs apply only to IAM users and roles of member accounts"
    if management_account_id is not None and pi.account == management_account_id:
        return f"SCPs do not apply to the management account {management_account_id}"
    if pi.service_linked:
        return "SCPs do not apply to service-linked roles"
    return None


def rcp_exempt_account(resource_account: str | None, management_account_id: str | None) -> bool:
    """RCPs never apply to resources of the management account."""
    return management_account_id is not None and resource_account == management_account_id
