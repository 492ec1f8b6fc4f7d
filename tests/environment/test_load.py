"""Loading snapshots and resolving effective policy sets.

AWS rules encoded here (each cited where used):
- IAM User Guide, "Policy evaluation logic": a user's identity-based policies include the
  policies of every group the user belongs to; a permissions boundary caps identity grants.
- AWS Organizations User Guide, "Service control policies (SCPs)": SCPs apply at every level
  (root, each OU, the account) and an action must be allowed at every level; SCPs do not affect
  the management account, nor service-linked roles.
- IAM API Reference, "GetAccountAuthorizationDetails": policy documents are returned URL-encoded
  (RFC 3986); AWS managed policies are listed only when attached.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from permwise.engine import Request, evaluate
from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder, allow, doc, trust_account, trust_service
from permwise.errors import InputError

DEMO = Path(__file__).resolve().parents[2] / "src" / "permwise" / "data" / "demo" / "snapshot"


def decide(env, principal, action, resource="*", region="ap-southeast-2"):
    ctx = env.request_context(principal)
    ctx["aws:RequestedRegion"] = region
    return evaluate(env.policy_set(principal, resource), Request(principal=principal, action=action,
                                                                 resource=resource, context=ctx))


def test_demo_snapshot_loads_clean_with_expected_shape():
    env = load_snapshot(DEMO)
    assert env.problems == []
    assert env.management_account_id == "111111111111"
    assert set(env.accounts) == {"111111111111", "222222222222", "333333333333", "444444444444", "555555555555"}
    # acme-prod sits in Root -> Workloads -> Prod: four SCP levels (root, two OUs, account)
    assert [len(level) > 0 for level in env.scp_chain("444444444444")] == [True, True, True, True]
    assert env.org_path("444444444444")[0] == env.root_id
    assert env.accounts["444444444444"].parent_path[-1] == "ou-a1b2-pr0d0000"


def test_management_account_gets_no_scps(builder: SnapshotBuilder, tmp_path):
    # Organizations: "SCPs don't affect users or roles in the management account"
    builder.account("111111111111", "mgmt")
    builder.scp("p-denyall0", "DenyAll", doc({"Effect": "Deny", "Action": "*", "Resource": "*"}), [builder.root_id])
    arn = builder.role("111111111111", "Admin", trust=trust_account("111111111111"), inline={"a": allow("*")})
    env = load_snapshot(builder.write(tmp_path / "s"))
    assert env.policy_set(arn).scps == [] and env.scp_exempt(arn)
    assert decide(env, arn, "ec2:RunInstances").decision == "allowed"


def test_member_account_scp_chain_and_deny(builder, tmp_path):
    ou = builder.ou("ou-a1b2-aaaaaaaa", "Workloads")
    builder.account("111111111111", "mgmt")
    builder.account("222222222222", "prod", ou)
    builder.scp("p-denygd00", "DenyGuardDuty", doc({"Effect": "Deny", "Action": "guardduty:*", "Resource": "*"}), [ou])
    arn = builder.role("222222222222", "R", trust=trust_account("111111111111"), inline={"a": allow("*")})
    env = load_snapshot(builder.write(tmp_path / "s"))
    ps = env.policy_set(arn)
    assert len(ps.scps) == 3  # root, Workloads, account
    names = [[p.name for p in level] for level in ps.scps]
    assert "DenyGuardDuty" in names[1] and "DenyGuardDuty" not in names[0] + names[2]
    r = decide(env, arn, "guardduty:ListDetectors")
    assert r.decision == "explicitDeny"
    assert r.reasons[0].policy == "DenyGuardDuty" and "Workloads" in r.reasons[0].level


def test_service_linked_role_is_exempt_from_scps(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    builder.account("222222222222", "prod")
    builder.scp("p-denyall0", "DenyAll", doc({"Effect": "Deny", "Action": "*", "Resource": "*"}), [builder.root_id])
    arn = builder.role("222222222222", "AWSServiceRoleForX", trust=trust_service("x.amazonaws.com"),
                       inline={"a": allow("ec2:Describe*")}, path="/aws-service-role/x.amazonaws.com/")
    env = load_snapshot(builder.write(tmp_path / "s"))
    assert env.principal(arn).service_linked and env.scp_exempt(arn)
    assert env.policy_set(arn).scps == []
    # what the exemption spares it: DenyAll at the root would deny
    assert [op.name for op, _ in env.scps_denying(arn, "ec2:DescribeInstances")] == ["DenyAll"]
    assert decide(env, arn, "ec2:DescribeInstances").decision == "allowed"


def test_user_policies_include_group_policies(builder, tmp_path):
    # IAM: a user's permissions are its own policies plus those of its groups
    builder.account("111111111111", "mgmt")
    pol = builder.managed_policy("111111111111", "GroupRead", allow("s3:GetObject"))
    builder.group("111111111111", "Readers", managed=[pol], inline={"gi": allow("sqs:ListQueues")})
    arn = builder.user("111111111111", "alice", groups=["Readers"], inline={"own": allow("sns:ListTopics")})
    env = load_snapshot(builder.write(tmp_path / "s"))
    names = sorted(p.name for p in env.policy_set(arn).identity)
    assert names == ["arn:aws:iam::111111111111:policy/GroupRead", "inline:group/Readers/gi", "inline:user/alice/own"]
    for action in ("s3:GetObject", "sqs:ListQueues", "sns:ListTopics"):
        assert decide(env, arn, action).decision == "allowed", action
    assert decide(env, arn, "s3:PutObject").decision == "implicitDeny"


def test_boundary_caps_identity(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    b = builder.managed_policy("111111111111", "Boundary", allow("s3:*"))
    arn = builder.role("111111111111", "R", trust=trust_account("111111111111"), inline={"a": allow("*")}, boundary=b)
    env = load_snapshot(builder.write(tmp_path / "s"))
    assert decide(env, arn, "s3:GetObject").decision == "allowed"
    r = decide(env, arn, "ec2:RunInstances")
    assert r.decision == "implicitDeny" and r.reasons[0].policy_kind == "boundary"


def test_url_encoded_documents_are_decoded(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    arn = builder.role("111111111111", "R", trust=trust_account("111111111111"))
    raw = builder.auth["111111111111"]["RoleDetailList"][0]
    raw["AssumeRolePolicyDocument"] = quote(json.dumps(trust_account("999999999999")))
    raw["RolePolicyList"] = [{"PolicyName": "enc", "PolicyDocument": quote(json.dumps(allow("s3:ListAllMyBuckets")))}]
    env = load_snapshot(builder.write(tmp_path / "s"))
    assert env.principal(arn).trust_policy["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::999999999999:root"
    assert decide(env, arn, "s3:ListAllMyBuckets").decision == "allowed"


def test_absent_attached_policy_is_a_problem_not_a_guess(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    arn = builder.role("111111111111", "R", trust=trust_account("111111111111"),
                       managed=["arn:aws:iam::aws:policy/ReadOnlyAccess"])
    env = load_snapshot(builder.write(tmp_path / "s"))
    probs = [p for p in env.problems if p.code == "absent-policy"]
    assert len(probs) == 1
    assert probs[0].file == "accounts/111111111111/authorization-details.json"
    assert probs[0].pointer == "/RoleDetailList/0/AttachedManagedPolicies/0/PolicyArn"
    assert env.principal_problems(arn) == probs
    assert env.policy_set(arn).identity == []


def test_account_without_parent_is_reported(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    builder.account("222222222222", "prod")
    builder.scp("p-x0000000", "X", allow("*"), [builder.root_id])
    builder.accounts[1].pop("ParentId")
    env = load_snapshot(builder.write(tmp_path / "s"))
    codes = {p.code for p in env.problems}
    assert "account-no-parent" in codes
    assert env.accounts["222222222222"].parent_path == [builder.root_id]


def test_dangling_target_is_an_error(builder, tmp_path):
    # ignoring an attachment to an unknown node could drop a Deny: the snapshot is inconsistent
    builder.account("111111111111", "mgmt")
    builder.scp("p-x0000000", "X", allow("*"), [builder.root_id, "ou-a1b2-gone0000"])
    with pytest.raises(InputError) as exc:
        load_snapshot(builder.write(tmp_path / "s"))
    assert exc.value.pointer == "/Targets/1/TargetId" and "ou-a1b2-gone0000" in exc.value.message


def test_node_without_scp_allows_nothing(tmp_path):
    # Organizations: every level must allow; FullAWSAccess is only in force where attached
    b = SnapshotBuilder("111111111111", full_access_everywhere=False)
    ou = b.ou("ou-a1b2-aaaaaaaa", "Bare")
    b.account("111111111111", "mgmt")
    b.account("222222222222", "prod", ou)
    b.scp("p-FullAWSAccess", "FullAWSAccess", allow("*"), [b.root_id, "111111111111", "222222222222"],
          aws_managed=True)
    arn = b.role("222222222222", "R", trust=trust_account("111111111111"), inline={"a": allow("*")})
    env = load_snapshot(b.write(tmp_path / "s"))
    assert [p.subject for p in env.problems if p.code == "node-without-policy"] == [ou]
    r = decide(env, arn, "s3:ListAllMyBuckets")
    assert r.decision == "implicitDeny"
    assert r.reasons[0].policy_kind == "scp" and "Bare" in r.reasons[0].level


def test_bucket_policy_applies_to_objects(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    builder.resource_policy("111111111111", "arn:aws:s3:::bkt", doc(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"}))
    arn = builder.role("111111111111", "R", trust=trust_account("111111111111"), inline={"a": allow("s3:*")})
    env = load_snapshot(builder.write(tmp_path / "s"))
    assert env.resource_account("arn:aws:s3:::bkt/key") == "111111111111"
    assert decide(env, arn, "s3:GetObject", "arn:aws:s3:::bkt/key").decision == "explicitDeny"
    assert decide(env, arn, "s3:GetObject", "arn:aws:s3:::other/key").decision == "allowed"


def test_policies_are_compiled_once(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    arn = builder.role("111111111111", "R", trust=trust_account("111111111111"), inline={"a": allow("s3:*")})
    env = load_snapshot(builder.write(tmp_path / "s"))
    assert env.policy_set(arn).identity[0] is env.policy_set(arn, "arn:aws:s3:::b").identity[0]


def test_single_account_snapshot_has_no_organization(tmp_path):
    b = SnapshotBuilder(None)
    b.account("123456789012", "solo")
    arn = b.role("123456789012", "R", trust=trust_account("123456789012"), inline={"a": allow("s3:*")})
    env = load_snapshot(b.write(tmp_path / "s"))
    assert env.management_account_id is None and env.policy_set(arn).scps == []


# ------------------------------------------------------------------------------ bad snapshots


def test_truncated_json_names_file_and_line(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    root = builder.write(tmp_path / "s")
    f = root / "accounts/111111111111/authorization-details.json"
    f.write_text(f.read_text()[:40])
    with pytest.raises(InputError) as e:
        load_snapshot(root)
    assert e.value.file.endswith("accounts/111111111111/authorization-details.json")
    assert e.value.line is not None and "truncated" in e.value.message


def test_invalid_policy_document_names_pointer(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    builder.role("111111111111", "R", trust=trust_account("111111111111"),
                 inline={"bad": {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}]}})
    root = builder.write(tmp_path / "s")
    with pytest.raises(InputError) as e:
        load_snapshot(root)
    assert e.value.pointer == "/RoleDetailList/0/RolePolicyList/0/PolicyDocument/Statement/0"
    assert "Effect" in e.value.message and e.value.line is not None


def test_scp_content_not_json_is_an_error(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    builder.scp("p-bad00000", "Bad", allow("*"), [builder.root_id])
    builder.org_policies["p-bad00000"][0]["Policy"]["Content"] = "{not json"
    with pytest.raises(InputError) as e:
        load_snapshot(builder.write(tmp_path / "s"))
    assert e.value.pointer == "/Policy/Content" and e.value.file.endswith("p-bad00000.json")


def test_dangling_parent_is_an_error(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    builder.account("222222222222", "prod", "ou-a1b2-missing0")
    with pytest.raises(InputError) as e:
        load_snapshot(builder.write(tmp_path / "s"))
    assert e.value.pointer == "/Accounts/1/ParentId" and e.value.file.endswith("accounts.json")


def test_not_a_directory(tmp_path):
    with pytest.raises(InputError, match="no such snapshot directory"):
        load_snapshot(tmp_path / "nope")
    (tmp_path / "f").write_text("{}")
    with pytest.raises(InputError, match="directory"):
        load_snapshot(tmp_path / "f")


def test_unsupported_format(builder, tmp_path):
    builder.account("111111111111", "mgmt")
    root = builder.write(tmp_path / "s")
    (root / "snapshot.json").write_text('{"format": "other/9"}')
    with pytest.raises(InputError) as e:
        load_snapshot(root)
    assert e.value.pointer == "/format"


def test_disabled_policy_type_is_a_problem_only_when_attached(tmp_path):
    # AWS Organizations User Guide, "Disabling a policy type": disabling a type detaches all its
    # policies, so an attached RCP while RCPs are disabled is inconsistent; a listed, unattached
    # RCPFullAWSAccess (list-policies shows AWS managed policies anyway) is not
    for attached, expected in ((True, ["policy-type-disabled"]), (False, [])):
        b = SnapshotBuilder("111111111111", rcp_enabled=False)
        b.account("111111111111", "mgmt")
        b.rcp("p-rcp00000", "SomeRcp", doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
              [b.root_id] if attached else [])
        env = load_snapshot(b.write(tmp_path / f"s{attached}"))
        assert [p.code for p in env.problems if p.code == "policy-type-disabled"] == expected
        assert not env.rcp_enabled


def test_account_problems_reach_its_principals(builder, tmp_path):
    # an account in no OU: its SCP chain is uncertain; every principal in it says so
    builder.account("111111111111", "mgmt")
    builder.account("222222222222", "prod")
    arn = builder.role("222222222222", "R", trust=trust_account("111111111111"), inline={"a": allow("s3:*")})
    other = builder.role("111111111111", "M", trust=trust_account("111111111111"), inline={"a": allow("s3:*")})
    builder.accounts[1].pop("ParentId")
    env = load_snapshot(builder.write(tmp_path / "s"))
    assert [p.code for p in env.principal_problems(arn)] == ["account-no-parent"]
    assert env.principal_problems(other) == []


def test_a_directory_that_is_no_snapshot_is_an_input_error(tmp_path):
    # a wrong --env must not read as an empty organization with nothing to report
    from permwise.environment import load_snapshot
    from permwise.errors import InputError

    (tmp_path / "policy.json").write_text("{}")
    with pytest.raises(InputError, match="not a snapshot directory"):
        load_snapshot(tmp_path)
