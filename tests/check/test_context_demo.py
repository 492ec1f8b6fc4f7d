"""The demo organization changed in small, common ways gives AWS's answer.

Each test copies the bundled demo snapshot to a tmp directory, makes one change an organization
often has, and runs ``check`` (the library call) on it. The expected answers follow the AWS IAM
User Guide, "AWS global condition context keys"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html):
role sessions carry ``aws:MultiFactorAuthPresent`` and ``aws:TokenIssueTime`` (temporary
credentials), ``aws:ViaAWSService`` is ``false`` on direct calls, IAM calls go to us-east-1
(``aws:RequestedRegion``), ``aws:ResourceOrgID`` is the organization of the resource's account,
``aws:userid`` of a role session is ``ROLEID:session-name``.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from permwise.environment import load_snapshot
from permwise.requirements import load_config, load_manifest
from permwise.requirements.check import BLOCKED, CONDITIONAL, PARTIAL, READY, check

DEMO = Path(__file__).resolve().parents[2] / "src" / "permwise" / "data" / "demo"
WORKLOAD_ROLE_ID = "AROA525C269DEE7F7AE2E"


@pytest.fixture
def demo(tmp_path):
    snap = tmp_path / "snapshot"
    shutil.copytree(DEMO / "snapshot", snap)
    return snap


def add_scp(snap: Path, pid: str, name: str, doc: dict, target: str = "r-a1b2", ttype: str = "ROOT") -> None:
    org = snap / "organization"
    (org / "policies" / f"{pid}.json").write_text(json.dumps({"Policy": {
        "PolicySummary": {"Id": pid, "Arn": f"arn:aws:organizations::111111111111:policy/o-a1b2c3d4e5/"
                          f"service_control_policy/{pid}", "Name": name, "Description": name,
                          "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": False},
        "Content": json.dumps(doc)}}))
    (org / "targets" / f"{pid}.json").write_text(json.dumps({"Targets": [
        {"TargetId": target, "Arn": f"arn:aws:organizations::111111111111:x/{target}", "Name": target, "Type": ttype}]}))


def set_scp(snap: Path, pid: str, doc: dict) -> None:
    path = snap / "organization" / "policies" / f"{pid}.json"
    data = json.loads(path.read_text())
    data["Policy"]["Content"] = json.dumps(doc)
    path.write_text(json.dumps(data))


def add_role_inline(snap: Path, account: str, role: str, name: str, doc: dict) -> None:
    path = snap / "accounts" / account / "authorization-details.json"
    data = json.loads(path.read_text())
    r = next(r for r in data["RoleDetailList"] if r["RoleName"] == role)
    r.setdefault("RolePolicyList", []).append({"PolicyName": name, "PolicyDocument": doc})
    path.write_text(json.dumps(data))


def config(tmp: Path, runtime: dict | None = None, profile_runtime: dict | None = None) -> Path:
    data = yaml.safe_load((DEMO / "config.yaml").read_text())
    if runtime is not None:
        data["runtime"] = runtime
    if profile_runtime is not None:
        data["profiles"]["workload"]["runtime"] = profile_runtime
    p = tmp / f"config-{abs(hash(json.dumps([runtime, profile_runtime], sort_keys=True)))}.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


def run(snap: Path, cfg: Path | None = None, commands=None, at: str | None = None):
    env = load_snapshot(snap)
    if at:
        env.at = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(timezone.utc)
    rep = check(load_manifest("runbooks"), load_config(str(cfg or DEMO / "config.yaml")), env,
                commands=commands, excess=False)
    return {c.id: c for c in rep.commands}


def deny(sid: str, actions, condition: dict, not_action: bool = False) -> dict:
    st = {"Sid": sid, "Effect": "Deny", ("NotAction" if not_action else "Action"): actions, "Resource": "*",
          "Condition": condition}
    return {"Version": "2012-10-17", "Statement": [st]}


def test_resource_perimeter_scp_with_resource_org_id(demo):
    """AWS's data-perimeter shape: deny reads of resources outside the caller's organization.
    Every account of the demo is in o-a1b2c3d4e5, so aws:ResourceOrgID equals the caller's
    aws:PrincipalOrgID and nothing is denied."""
    add_scp(demo, "p-perim001", "ResourcePerimeter",
            deny("DenyOutsideOrgResources", ["s3:GetObject", "s3:ListBucket", "s3:GetBucket*"],
                 {"StringNotEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}))
    cmds = ["inventory.collect", "cfat.assess", "security.assess", "security.baseline"]
    got = run(demo, commands=cmds)
    for cid in cmds:
        assert got[cid].status == READY, (cid, got[cid].blockers)
    # and a resource of another organization is denied: the key is really consulted
    add_scp(demo, "p-perim002", "ResourcePerimeterOther",
            deny("DenyOtherOrg", ["s3:GetBucket*"], {"StringNotEquals": {"aws:ResourceOrgID": "o-someotherorg"}}))
    got = run(demo, commands=["inventory.collect"])
    assert got["inventory.collect"].status == PARTIAL
    r = next(d for d in got["inventory.collect"].denied if d.action.startswith("s3:GetBucket"))
    assert r.policies[0]["name"] == "ResourcePerimeterOther" and "aws:ResourceOrgID" in r.keys


def test_role_deny_without_mfa(demo, tmp_path):
    """Role sessions use temporary credentials: AWS sends aws:MultiFactorAuthPresent (false
    without MFA). Nothing stated: conditional; MFA stated false: denied; true: ready."""
    add_role_inline(demo, "444444444444", "RunbooksWorkload", "RequireMfaToStart",
                    deny("DenyStartWithoutMfa", "ec2:StartInstances", {"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    c = run(demo, commands=["operate.ec2-start"])["operate.ec2-start"]
    assert c.status == CONDITIONAL
    g = c.conditions[0]
    assert g["key"] == "aws:MultiFactorAuthPresent" and g["value"] == "true" and g["base_value"] == "false"
    assert g["statement"]["sid"] == "DenyStartWithoutMfa" and g["actions"] == ["ec2:StartInstances"]
    assert g["summary"].endswith("the session has MFA")
    c = run(demo, config(tmp_path, {"mfa": False}), commands=["operate.ec2-start"])["operate.ec2-start"]
    assert c.status in (PARTIAL, BLOCKED) and c.blocked_actions == ["ec2:StartInstances"]
    assert c.denied[0].policies[0]["sid"] == "DenyStartWithoutMfa"
    c = run(demo, config(tmp_path, profile_runtime={"mfa": True}), commands=["operate.ec2-start"])["operate.ec2-start"]
    assert c.status == READY


def test_region_scp_without_iam_exemption(demo):
    """AWS sends every IAM call to us-east-1 (aws:RequestedRegion): a region SCP approving only
    ap-southeast-2 without exempting iam:* denies IAM reads."""
    set_scp(demo, "p-regi0ns0", deny("DenyOutsideApprovedRegions", ["sts:*", "organizations:*"],
                                      {"StringNotEquals": {"aws:RequestedRegion": ["ap-southeast-2"]}}, not_action=True))
    c = run(demo, commands=["inventory.collect"])["inventory.collect"]
    assert c.status == PARTIAL
    iam = [d for d in c.denied if d.action.startswith("iam:")]
    assert iam and all(d.region == "us-east-1" for d in iam)
    assert not [d for d in c.denied if d.action.startswith("ec2:")]  # regional calls stay in ap-southeast-2
    lv = c.blockers[0].levels
    assert lv == [{"type": "ROOT", "id": "r-a1b2", "name": "Root"}]


def test_deny_direct_calls_via_aws_service_false(demo):
    """aws:ViaAWSService is false when the principal calls the service directly."""
    add_scp(demo, "p-direct01", "NoDirectBucketCreate",
            deny("DenyDirectCreateBucket", "s3:CreateBucket", {"Bool": {"aws:ViaAWSService": "false"}}))
    c = run(demo, commands=["operate.s3-create-bucket"])["operate.s3-create-bucket"]
    assert c.status in (PARTIAL, BLOCKED) and c.blocked_actions == ["s3:CreateBucket"]


def test_token_issue_time_of_role_sessions(demo):
    """aws:TokenIssueTime is present for temporary credentials (the run's instant, --at)."""
    add_scp(demo, "p-revoke01", "RevokeOldSessions",
            deny("RevokeBefore", "ec2:StartInstances", {"DateLessThan": {"aws:TokenIssueTime": "2026-06-01T00:00:00Z"}}))
    before = run(demo, commands=["operate.ec2-start"], at="2026-05-01T00:00:00Z")["operate.ec2-start"]
    after = run(demo, commands=["operate.ec2-start"], at="2026-07-01T00:00:00Z")["operate.ec2-start"]
    assert before.blocked_actions == ["ec2:StartInstances"]
    assert after.status == READY


def test_userid_has_the_role_session_shape(demo, tmp_path):
    """aws:userid of a role session is ROLEID:session-name; the session name is stated in the
    config or unknown (conditional)."""
    add_role_inline(demo, "444444444444", "RunbooksWorkload", "OnlyOpsSessions",
                    deny("DenyOtherSessions", "ec2:StartInstances",
                         {"StringNotLike": {"aws:userid": f"{WORKLOAD_ROLE_ID}:ops-*"}}))
    ok = run(demo, config(tmp_path, {"session_name": "ops-42"}), commands=["operate.ec2-start"])["operate.ec2-start"]
    assert ok.status == READY
    bad = run(demo, config(tmp_path, {"session_name": "alice"}), commands=["operate.ec2-start"])["operate.ec2-start"]
    assert bad.blocked_actions == ["ec2:StartInstances"]
    unknown = run(demo, commands=["operate.ec2-start"])["operate.ec2-start"]
    assert unknown.status == CONDITIONAL
    assert unknown.conditions[0]["key"] == "aws:userid"
    assert unknown.conditions[0]["value"].startswith(f"{WORKLOAD_ROLE_ID}:ops-")


def test_allowed_requests_report_the_keys_they_rest_on(demo):
    """An allow that rests on an absent key says so (missing_keys and keys on allowed requests):
    aws:CalledVia is absent on a direct call, so a Deny of calls made through CloudFormation
    does not apply."""
    add_role_inline(demo, "444444444444", "RunbooksWorkload", "NoStopViaCfn",
                    deny("DenyViaCloudFormation", "ec2:StopInstances",
                         {"ForAnyValue:StringEquals": {"aws:CalledVia": "cloudformation.amazonaws.com"}}))
    c = run(demo, commands=["operate.ec2-stop"])["operate.ec2-stop"]
    assert c.status == READY
    stop = [r for r in c.requests if r.action == "ec2:StopInstances"]
    assert stop and all(r.decision == "allowed" for r in stop)
    assert all("aws:CalledVia" in r.missing_keys and "aws:CalledVia" in r.keys for r in stop)
    assert stop[0].to_dict()["missing_keys"] == ["aws:CalledVia"]


def test_resource_tags_the_snapshot_lacks_are_unknown(demo):
    """The snapshot has no tags for EC2 instances: a Deny on instances tagged owner=security
    makes the command conditional ("ready unless the resource has tag owner=security"), not a
    silent ready."""
    add_role_inline(demo, "444444444444", "RunbooksWorkload", "ProtectedStop",
                    deny("DenyProtected", "ec2:StopInstances", {"StringEquals": {"aws:ResourceTag/owner": "security"}}))
    c = run(demo, commands=["operate.ec2-stop"])["operate.ec2-stop"]
    assert c.status == CONDITIONAL and c.base_status == READY
    g = c.conditions[0]
    assert g["key"].lower() == "aws:resourcetag/owner" and g["value"] == "security"
    assert g["summary"] == "ready unless the resource has tag owner=security"


VPCE_SCP = deny("DenyOutsideVpce", ["ec2:StartInstances", "ec2:StopInstances"],
                {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}})
IP_SCP = deny("DenyOutsideOffice", ["s3:CreateBucket"], {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})


def test_stated_runtime_changes_exactly_the_dependent_decisions(demo, tmp_path):
    """Nothing stated: the commands that turn on the VPC endpoint or source IP are conditional,
    the others unchanged. Stating the endpoint or the IP decides them, and only them."""
    add_scp(demo, "p-vpce0001", "OnlyFromVpce", VPCE_SCP)
    add_scp(demo, "p-ip000001", "OnlyFromOffice", IP_SCP)
    base = run(demo)
    plain = run(DEMO / "snapshot")
    touched = {"operate.ec2-start", "operate.ec2-stop", "operate.s3-create-bucket"}
    for cid, c in base.items():
        if cid in touched:
            assert c.status == CONDITIONAL, (cid, c.status)
        else:
            assert c.status == plain[cid].status, cid
    g = base["operate.ec2-start"].conditions[0]
    assert g["key"] == "aws:SourceVpce" and g["value"] == "vpce-0a1b2c3d"
    assert g["summary"] == "blocked unless called from VPC endpoint vpce-0a1b2c3d" or \
        g["summary"] == "ready only if called from VPC endpoint vpce-0a1b2c3d"
    ip = base["operate.s3-create-bucket"].conditions[0]
    assert ip["key"] == "aws:SourceIp" and ip["value"] == "203.0.113.0"

    via = run(demo, config(tmp_path, {"vpc_endpoint": "vpce-0a1b2c3d", "source_ip": "203.0.113.7"}))
    for cid, c in via.items():
        expect = READY if cid in touched else plain[cid].status
        assert c.status == expect, (cid, c.status)
    wrong = run(demo, config(tmp_path, {"vpc_endpoint": "vpce-99999999", "source_ip": "198.51.100.1"}))
    for cid, c in wrong.items():
        if cid in touched:
            assert c.status in (PARTIAL, BLOCKED) and not c.conditions, cid
        else:
            assert c.status == plain[cid].status, cid


def test_mfa_stated_changes_only_mfa_commands(demo, tmp_path):
    add_role_inline(demo, "444444444444", "RunbooksWorkload", "RequireMfaToStart",
                    deny("DenyStartWithoutMfa", "ec2:StartInstances", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
    plain = run(DEMO / "snapshot")
    for mfa, expect in ((None, CONDITIONAL), (False, None), (True, READY)):
        got = run(demo, config(tmp_path, {"mfa": mfa} if mfa is not None else None))
        for cid, c in got.items():
            if cid == "operate.ec2-start":
                if expect is None:
                    assert c.status in (PARTIAL, BLOCKED)
                else:
                    assert c.status == expect
            else:
                assert c.status == plain[cid].status, (mfa, cid)
