"""``generate --attach``: which principal a profile's generated policies are attached to.

A profile's ``principal`` in the deployment config names an IAM role (or user, or an STS
assumed-role session of a role). Its policies attach to it as customer managed policies:

- an IAM role: ``aws_iam_role_policy_attachment`` (Terraform), ``Roles`` of the
  ``AWS::IAM::ManagedPolicy`` (CloudFormation); an IAM user likewise with ``Users``;
- an IAM Identity Center permission set (``profiles.<name>.permission_set`` in the config): the
  roles it creates (``aws-reserved/sso.amazonaws.com/AWSReservedSSO_*``) cannot be changed
  directly, so the policies are referenced by name from the permission set
  (``aws_ssoadmin_customer_managed_policy_attachment``; in CloudFormation the permission set's
  ``CustomerManagedPolicyReferences``), in a separate file applied in the Identity Center account.
  IAM Identity Center requires a customer managed policy of that name in every account the
  permission set is provisioned to, which the profile's own file creates.
"""

from __future__ import annotations

from dataclasses import dataclass

from permwise.catalog.arn import Arn
from permwise.errors import InputError
from permwise.requirements.generate import GeneratedPolicy
from permwise.requirements.model import PermissionSetConfig

SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"


@dataclass(frozen=True)
class AttachTarget:
    kind: str  # "role", "user" or "permission_set"
    name: str
    permission_set: PermissionSetConfig | None = None


def attach_target(policy: GeneratedPolicy, permission_set: PermissionSetConfig | None) -> AttachTarget:
    """Where ``--attach`` attaches the policies of ``policy.profile``; a one-line error otherwise."""
    if permission_set is not None:
        return AttachTarget("permission_set", permission_set.name, permission_set)
    arn = policy.principal
    if not arn:
        raise InputError(
            f"`--attach` needs the principal of profile `{policy.profile}`",
            hint=f"set `profiles.{policy.profile}.principal` (a role ARN) or `profiles.{policy.profile}.permission_set` in the config",
        )
    parsed = Arn.parse(arn)
    resource = parsed.resource if parsed is not None else arn
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        return AttachTarget("role", rest.split("/")[0])
    if kind == "role" and ("/" + rest).startswith(SSO_ROLE_PATH):
        raise InputError(
            f"`{arn}` is a role of an IAM Identity Center permission set, which cannot be changed directly",
            hint=f"set `profiles.{policy.profile}.permission_set` (name, arn, instance_arn) to attach to the permission set",
        )
    if kind in ("role", "user"):
        return AttachTarget(kind, rest.rsplit("/", 1)[-1])
    raise InputError(f"`--attach` cannot attach to `{arn}`", hint="use a role or user ARN as the profile's principal")
