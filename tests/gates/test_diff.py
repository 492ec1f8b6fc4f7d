"""``permwise diff``: each kind of change with its exit code and listing.

Decisions follow "Policy evaluation logic" (an explicit Deny overrides an Allow; without an Allow
the request is implicitly denied) and "IAM JSON policy elements: NotAction" (an Allow with
NotAction allows every other action); conditions as in "IAM JSON policy elements: Condition"
(a condition on a key the request lacks does not match).
"""

from __future__ import annotations

import json

import pytest

from tests.gates.conftest import write

V = "2012-10-17"
B = "arn:aws:s3:::example-bucket/*"


def A(action, resource="*", **k):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **k}


def P(*statements):
    return {"Version": V, "Statement": list(statements)}


def diff(cli, tmp_path, old, new, *extra):
    o = write(tmp_path, "old/policy.json", old)
    n = write(tmp_path, "new/policy.json", new)
    return cli("diff", o, n, *extra)


def diff_json(cli, tmp_path, old, new, *extra):
    code, out, err = diff(cli, tmp_path, old, new, "--format", "json", *extra)
    return code, json.loads(out), err


def test_identical_is_exit_0_with_no_change(cli, tmp_path):
    pol = P(A(["s3:GetObject", "s3:PutObject"], B))
    code, out, _ = diff(cli, tmp_path, pol, pol)
    assert code == 0
    assert "no change in access" in out
    assert "+" not in out


def test_reordered_statements_actions_and_resources_is_exit_0(cli, tmp_path):
    old = P(A(["s3:GetObject", "s3:ListBucket"], [B, "arn:aws:s3:::example-bucket"]), A("sqs:SendMessage"))
    new = P(A("sqs:SendMessage"), A(["s3:ListBucket", "s3:GetObject"], ["arn:aws:s3:::example-bucket", B]))
    code, doc, _ = diff_json(cli, tmp_path, old, new)
    assert code == 0
    assert doc["added"] == [] and doc["removed"] == []


def test_narrowed_is_exit_0_and_lists_removed_access(cli, tmp_path):
    code, doc, _ = diff_json(cli, tmp_path, P(A("s3:*")), P(A("s3:GetObject", B)))
    assert code == 0
    assert doc["added"] == []
    removed = {(c["action"], c["resource"]) for c in doc["removed"]}
    assert ("s3:GetObject", "*") in removed  # no longer on every object
    assert ("s3:DeleteBucket", "*") in removed
    assert ("s3:GetObject", B) not in removed  # still allowed there


def test_widened_by_wildcard_is_exit_1_and_lists_the_new_actions(cli, tmp_path):
    code, out, _ = diff(cli, tmp_path, P(A("s3:GetObject", B)), P(A("s3:Get*", B)))
    assert code == 1
    assert "new access" in out
    assert "Read (" in out and "s3:GetObjectVersion" in out
    code, doc, _ = diff_json(cli, tmp_path, P(A("s3:GetObject", B)), P(A("s3:Get*", B)))
    acts = {c["action"] for c in doc["added"]}
    assert "s3:GetObjectVersion" in acts and "s3:GetObject" not in acts
    assert all(c["reason"] == "OLD had no statement allowing it" for c in doc["added"])
    assert all(c["location"]["line"] == 4 for c in doc["added"])  # NEW's statement, located


def test_widened_by_notaction(cli, tmp_path):
    old = P(A("s3:*"))
    new = P({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    code, doc, _ = diff_json(cli, tmp_path, old, new)
    assert code == 1
    acts = {c["action"] for c in doc["added"]}
    assert "ec2:TerminateInstances" in acts and "sqs:SendMessage" in acts
    assert not any(a.lower().startswith(("iam:", "s3:")) for a in acts)
    assert doc["summary"]["added_by_level"]["Write"] > 100


def test_widened_by_removed_deny_names_the_deny(cli, tmp_path):
    old = P(A("s3:*"), {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    code, doc, _ = diff_json(cli, tmp_path, old, P(A("s3:*")))
    assert code == 1
    assert [(c["action"], c["resource"], c["access_level"]) for c in doc["added"]] == [("s3:DeleteBucket", "*", "Write")]
    c = doc["added"][0]
    assert "denied it" in c["reason"] and "'NoDelete'" in c["reason"]
    assert c["cause"]["file"].endswith("old/policy.json") and c["cause"]["line"] == 9
    code, out, _ = diff(cli, tmp_path, old, P(A("s3:*")))
    assert "+ s3:DeleteBucket on *" in out


def test_removed_condition_is_new_access(cli, tmp_path):
    old = P(A("s3:GetObject", B, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    code, doc, _ = diff_json(cli, tmp_path, old, P(A("s3:GetObject", B)))
    assert code == 1
    assert [(c["action"], c["resource"], c["conditions"]) for c in doc["added"]] == [("s3:GetObject", B, "")]
    assert "only when aws:SourceIp=" in doc["added"][0]["reason"]


def test_new_access_only_under_a_condition_says_so(cli, tmp_path):
    new = P(A("s3:GetObject", B), A("s3:PutObject", B, Condition={"StringEquals": {"s3:x-amz-acl": "private"}}))
    code, doc, _ = diff_json(cli, tmp_path, P(A("s3:GetObject", B)), new)
    assert code == 1
    [c] = doc["added"]
    assert c["action"] == "s3:PutObject" and "s3:x-amz-acl=private" in c["conditions"]


def test_adding_a_condition_is_narrowing(cli, tmp_path):
    new = P(A("s3:GetObject", B, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    code, doc, _ = diff_json(cli, tmp_path, P(A("s3:GetObject", B)), new)
    assert code == 0
    assert doc["added"] == []
    assert [c["reason"].split(" when")[0] for c in doc["removed"]] == ["NEW allows it only"]


def test_new_resource_is_new_access_on_that_resource_only(cli, tmp_path):
    other = "arn:aws:s3:::other-bucket/*"
    code, doc, _ = diff_json(cli, tmp_path, P(A("s3:GetObject", B)), P(A("s3:GetObject", [B, other])))
    assert code == 1
    assert [(c["action"], c["resource"]) for c in doc["added"]] == [("s3:GetObject", other)]


@pytest.mark.parametrize(("fail_on", "code"), [("list", 1), ("read", 1), ("write", 0), ("permissions-management", 0),
                                               ("none", 0)])
def test_fail_on_access_level(cli, tmp_path, fail_on, code):
    got, _, _ = diff(cli, tmp_path, P(A("s3:GetObject", B)), P(A("s3:Get*", B)), "--fail-on", fail_on)
    assert got == code


def test_resource_policy_diff_names_the_principal(cli, tmp_path):
    old = P({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"}, "Action": "s3:GetObject",
             "Resource": B})
    new = P({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": B})
    code, doc, _ = diff_json(cli, tmp_path, old, new, "--type", "resource")
    assert code == 1
    who = {c["principal"] for c in doc["added"]}
    assert "arn:aws:iam::999988887777:role/permwise-outsider" in who


def test_sarif_and_markdown(cli, tmp_path):
    code, out, _ = diff(cli, tmp_path, P(A("s3:GetObject", B)), P(A("s3:Get*", B)), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    res = log["runs"][0]["results"]
    assert res and res[0]["ruleId"] == "DIFF-NEW-ACCESS"
    region = res[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 4 and region["startColumn"] >= 1
    code, out, _ = diff(cli, tmp_path, P(A("s3:GetObject", B)), P(A("s3:Get*", B)), "--format", "markdown")
    assert "## New access" in out and "| s3:GetAccelerateConfiguration" not in out.split("### Read")[0]


def test_bad_input_is_one_line_exit_2(cli, tmp_path):
    p = write(tmp_path, "a.json", P(A("s3:GetObject", B)))
    code, out, err = cli("diff", p)
    assert code == 2 and err.count("\n") == 1 and "OLD and NEW" in err
    mixed_old = write(tmp_path, "t.json", P({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                             "Action": "sts:AssumeRole"}))
    code, _, err = cli("diff", mixed_old, p)
    assert code == 2 and "different types" in err


def test_duplicate_key_is_bad_input_never_last_one_wins(cli, tmp_path):
    """`"Effect": "Deny", ..., "Effect": "Allow"` must not be read as an Allow (issue 12)."""
    old = write(tmp_path, "old.json", P(A("s3:GetObject", B)))
    new = tmp_path / "new.json"
    new.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", '
                   '"Resource": "*", "Effect": "Allow"}]}')
    code, out, err = cli("diff", old, str(new))
    assert code == 2 and err.count("\n") == 1 and "duplicate key `Effect`" in err and "new.json:1:" in err


def _snapshot_copy(src, dst, statements=None):
    import shutil

    shutil.copytree(src, dst)
    if statements is not None:
        f = dst / "accounts" / "333333333333" / "authorization-details.json"
        d = json.loads(f.read_text())
        role = next(r for r in d["RoleDetailList"] if r["RoleName"] == "RunbooksOperations")
        role["RolePolicyList"][0]["PolicyDocument"]["Statement"] = statements
        f.write_text(json.dumps(d, indent=2))
    return dst


def test_two_snapshots_for_one_principal(cli, tmp_path):
    from pathlib import Path

    demo = Path(__file__).resolve().parents[2] / "src" / "permwise" / "data" / "demo" / "snapshot"
    role = "arn:aws:iam::333333333333:role/RunbooksOperations"
    old = _snapshot_copy(demo, tmp_path / "old", [A(["ec2:Describe*", "s3:GetObject"], "*")])
    new = _snapshot_copy(demo, tmp_path / "new", [A(["ec2:Describe*", "s3:GetObject", "s3:DeleteBucket"], "*")])
    code, out, err = cli("diff", str(old), str(new), "--principal", role, "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert [(c["principal"], c["action"]) for c in doc["added"]] == [(role, "s3:DeleteBucket")]
    assert doc["removed"] == []
    # the same snapshot twice: nothing new, exit 0
    code, out, _ = cli("diff", str(old), str(old), "--principal", role)
    assert code == 0 and "no change in access" in out
    # a principal that is not there is bad input
    code, _, err = cli("diff", str(old), str(new), "--principal", "arn:aws:iam::333333333333:role/Nope")
    assert code == 2 and "not in the NEW snapshot" in err


def test_scp_with_a_removed_deny(cli, tmp_path):
    # AWS Organizations: FullAWSAccess is attached by default, so a deny-list SCP compared alone is
    # compared over it; removing a Deny lets the action through
    old = P({"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"})
    new = P({"Effect": "Deny", "Action": "cloudtrail:DeleteTrail", "Resource": "*"})
    code, doc, _ = diff_json(cli, tmp_path, old, new, "--type", "scp")
    assert code == 1
    assert {c["action"] for c in doc["added"]} == {"cloudtrail:StopLogging"}
    code, doc, _ = diff_json(cli, tmp_path, new, old, "--type", "scp")
    assert code == 0 and {c["action"] for c in doc["removed"]} == {"cloudtrail:StopLogging"}


def test_trust_policy_with_a_new_principal(cli, tmp_path):
    def trust(*principals):
        return P({"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"})

    old = trust("arn:aws:iam::111122223333:role/ci")
    new = trust("arn:aws:iam::111122223333:role/ci", "arn:aws:iam::444455556666:root")
    code, doc, _ = diff_json(cli, tmp_path, old, new, "--type", "trust")
    assert code == 1
    assert {(c["action"], c["principal"]) for c in doc["added"]} == {
        ("sts:AssumeRole", "arn:aws:iam::444455556666:role/permwise-outsider")}
