"""RCPs apply only to resources of RCP-supported services (AWS Organizations, "Resource control
policies": the list of AWS services that support RCPs). The engine and the policy linter read
that list from the same pinned catalog data, so they can never disagree."""

from permwise.catalog import get_catalog
from permwise.engine import RCP_SERVICES, PolicySet, Request, compile_policy, evaluate

DENY_ALL = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def test_engine_and_catalog_share_the_list():
    assert set(RCP_SERVICES) == set(get_catalog().rcp_supported_services())
    assert {"s3", "sts", "kms", "sqs", "secretsmanager"} <= set(RCP_SERVICES)
    assert "ec2" not in RCP_SERVICES


def _decide(action: str, resource: str) -> str:
    ps = PolicySet(identity=[compile_policy(ALLOW_ALL, name="admin")],
                   rcps=[[compile_policy(DENY_ALL, name="DenyAll", kind="rcp")]])
    return evaluate(ps, Request(principal="arn:aws:iam::111122223333:role/r", action=action,
                                resource=resource, resource_account="111122223333")).decision


def test_rcp_deny_applies_to_a_supported_service():
    assert _decide("s3:GetObject", "arn:aws:s3:::bucket/key") == "explicitDeny"


def test_rcp_does_not_apply_to_an_unsupported_service():
    assert _decide("ec2:StartInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1") == "allowed"
