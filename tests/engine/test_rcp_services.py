"""RCPs apply only to resources of RCP-supported services (AWS Organizations, "Resource control
policies": the list of AWS services that support RCPs). The engine does not read the list
itself: its callers pass the pinned catalog's list (``PolicySet.rcp_services``), the list the
policy linter uses too, so evaluation and lint can never disagree."""

import pytest

from permwise.catalog import get_catalog
from permwise.engine import PolicySet, Request, compile_policy, evaluate
from permwise.engine.cases import CaseError, case_from_dict

DENY_ALL = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_SERVICES = get_catalog().rcp_supported_services()


def test_the_catalog_lists_the_first_rcp_services():
    assert {"s3", "sts", "kms", "sqs", "secretsmanager"} <= set(RCP_SERVICES)
    assert "ec2" not in RCP_SERVICES


def _decide(action: str, resource: str) -> str:
    ps = PolicySet(identity=[compile_policy(ALLOW_ALL, name="admin")],
                   rcps=[[compile_policy(DENY_ALL, name="DenyAll", kind="rcp")]], rcp_services=RCP_SERVICES)
    return evaluate(ps, Request(principal="arn:aws:iam::111122223333:role/r", action=action,
                                resource=resource, resource_account="111122223333")).decision


def test_rcp_deny_applies_to_a_supported_service():
    assert _decide("s3:GetObject", "arn:aws:s3:::bucket/key") == "explicitDeny"


def test_rcp_does_not_apply_to_an_unsupported_service():
    assert _decide("ec2:StartInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1") == "allowed"


def test_the_engine_never_guesses_the_list():
    # without the catalog's list the engine cannot scope RCPs: it refuses rather than guess
    with pytest.raises(ValueError, match="rcp_services"):
        PolicySet(rcps=[[compile_policy(DENY_ALL, name="DenyAll", kind="rcp")]])
    with pytest.raises(CaseError, match="rcp_services"):
        case_from_dict({"request": {"principal": "arn:aws:iam::111122223333:role/r", "action": "s3:GetObject"},
                        "rcps": [[DENY_ALL]]})
