"""A snapshot written by hand in the exact shapes the AWS CLI prints (data/cli_shaped/).

The files are not produced by permwise: they follow the output shapes documented for
`aws organizations describe-organization`, `list-roots`, `list-accounts`, `describe-policy`,
`list-targets-for-policy` and `aws iam get-account-authorization-details`, mixing the two forms
a policy document takes there: a JSON object (as the AWS CLI prints it) and URL-encoded JSON text
(as the raw IAM API returns it). Expected results are written from AWS's rules:

- IAM API Reference, "GetAccountAuthorizationDetails": documents are URL-encoded (RFC 3986);
  a managed policy lists every version, and only the one with `IsDefaultVersion: true` is in force.
- IAM User Guide, "Policy evaluation logic": a user's permissions include those of its groups
  (inline and attached); a permissions boundary caps what identity policies grant.
- AWS Organizations User Guide, "Service control policies": SCPs apply at every level from the
  root through each OU to the account; an explicit Deny at any level wins; SCPs do not affect the
  management account.
- AWS Organizations User Guide, "Disabling a policy type": disabling a type detaches its policies,
  so a listed but unattached RCPFullAWSAccess while RCPs are disabled is normal.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from permwise.engine import Request, evaluate
from permwise.environment import load_snapshot

HERE = Path(__file__).resolve().parent
SNAP = HERE / "data" / "cli_shaped"
SCHEMA = json.loads((HERE.parents[1] / "docs" / "schemas" / "snapshot.schema.json").read_text())
APPS = "222222222222"
ALICE = f"arn:aws:iam::{APPS}:user/alice"
DEPLOYER = f"arn:aws:iam::{APPS}:role/Deployer"
APPSERVER = f"arn:aws:iam::{APPS}:role/app/AppServer"


def decide(env, principal, action, resource="*"):
    ctx = env.request_context(principal)
    ctx["aws:RequestedRegion"] = "eu-west-1"
    return evaluate(env.policy_set(principal, resource), Request(principal=principal, action=action, resource=resource,
                                                                 context=ctx))


def test_cli_shaped_snapshot_loads_without_problems():
    env = load_snapshot(SNAP)
    # RCPFullAWSAccess is listed but attached nowhere while RCPs are disabled: no problem
    assert env.problems == []
    assert env.management_account_id == "111111111111"
    assert env.scp_enabled and not env.rcp_enabled
    assert env.org_path(APPS) == ["r-examplerootid111", "ou-examplerootid111-exampleouid111", APPS]


def test_cli_shaped_snapshot_matches_published_schema():
    doc = {str(p.relative_to(SNAP)): json.loads(p.read_text()) for p in sorted(SNAP.rglob("*.json"))}
    jsonschema.validate(doc, SCHEMA)


def test_user_gets_own_and_group_policies():
    env = load_snapshot(SNAP)
    names = sorted(p.name for p in env.policy_set(ALICE).identity)
    assert names == [f"arn:aws:iam::{APPS}:policy/AppRead", "inline:group/Developers/logs", "inline:user/alice/queue"]
    assert decide(env, ALICE, "sqs:SendMessage", f"arn:aws:sqs:eu-west-1:{APPS}:jobs").decision == "allowed"
    assert decide(env, ALICE, "logs:GetLogEvents").decision == "allowed"      # group inline
    assert decide(env, ALICE, "s3:GetObject", "arn:aws:s3:::b/k").decision == "allowed"  # group attached
    assert decide(env, ALICE, "ec2:RunInstances").decision == "implicitDeny"


def test_only_the_default_version_of_a_managed_policy_counts():
    env = load_snapshot(SNAP)
    # v1 (not default) allows "*"; v2 (default, URL-encoded) allows s3:GetObject and dynamodb:GetItem
    assert decide(env, APPSERVER, "dynamodb:GetItem").decision == "allowed"
    assert decide(env, APPSERVER, "dynamodb:DeleteTable").decision == "implicitDeny"


def test_url_encoded_trust_and_inline_documents():
    env = load_snapshot(SNAP)
    role = env.principal(APPSERVER)
    assert role.path == "/app/"
    assert role.trust_policy["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert decide(env, APPSERVER, "kms:Decrypt").decision == "allowed"
    # the trust policy is the resource policy when the role itself is the resource
    ps = env.policy_set(DEPLOYER, APPSERVER)
    assert [p.name for p in ps.resource] == [f"trust:{APPSERVER}"]


def test_boundary_scp_and_tags_of_a_role():
    env = load_snapshot(SNAP)
    ps = env.policy_set(DEPLOYER)
    assert ps.boundary
    # identity allows ec2:* and s3:*; the boundary only ec2:Describe* and s3:*
    assert decide(env, DEPLOYER, "ec2:DescribeInstances").decision == "allowed"
    r = decide(env, DEPLOYER, "ec2:TerminateInstances")
    assert r.decision == "implicitDeny" and r.deny_layer == "boundary"
    # the ProtectBuckets SCP on the Apps OU denies s3:DeleteBucket although identity and boundary allow it
    r = decide(env, DEPLOYER, "s3:DeleteBucket", "arn:aws:s3:::b")
    assert r.decision == "explicitDeny" and r.reasons[0].policy == "ProtectBuckets"
    assert "Apps" in r.reasons[0].level
    ctx = env.request_context(DEPLOYER)
    assert ctx["aws:PrincipalTag/owner"] == "platform"
    assert ctx["aws:PrincipalOrgPaths"] == ["o-exampleorgid/r-examplerootid111/ou-examplerootid111-exampleouid111/"]


def test_scps_denying_names_what_the_management_account_is_spared():
    env = load_snapshot(SNAP)
    hits = env.scps_denying(DEPLOYER, "s3:DeleteBucket", "arn:aws:s3:::b")
    assert [(op.name, sid) for op, sid in hits] == [("ProtectBuckets", "NoBucketDeletion")]
    assert env.scps_denying(DEPLOYER, "s3:GetObject", "arn:aws:s3:::b/k") == []
    assert not env.scp_exempt(DEPLOYER)
