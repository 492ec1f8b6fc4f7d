"""The request-context model and AWS's special rules through a snapshot and ``check``.

Pages: AWS KMS Developer Guide, "Resource control policies in AWS KMS" (RCPs do not apply to AWS
managed keys); Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage"
(RestrictPublicBuckets, account and bucket level); AWS Organizations User Guide, "Service control
policies" (service-linked roles); AWS global condition context keys (aws:PrincipalArn of a session
is the role ARN with its path, aws:ResourceOrgID, aws:RequestedRegion).
"""

from __future__ import annotations

import yaml

from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder, allow, doc, trust_account
from permwise.requirements import load_config, load_manifest
from permwise.requirements.check import check

MGMT, MEMBER, OTHER = "111111111111", "222222222222", "999999999999"
KEY = f"arn:aws:kms:eu-west-1:{MEMBER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DENY_KMS_RCP = doc({"Sid": "NoOutsiders", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}})


def _env(tmp_path, key_manager=None, account_bpa=None, bucket_bpa=None):
    b = SnapshotBuilder(MGMT, regions=["eu-west-1"], rcp_enabled=True)
    b.account(MGMT, "management")
    b.account(MEMBER, "member")
    b.rcp("p-rcpkms01", "KmsPerimeter", DENY_KMS_RCP, [b.root_id])
    b.role(MEMBER, "app", trust=trust_account(MEMBER), path="/apps/", inline={"all": allow("*")})
    extra = {"KeyId": KEY.rsplit("/", 1)[-1]}
    if key_manager:
        extra["KeyManager"] = key_manager
    b.resource_policy(MEMBER, KEY, doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}),
                      region="eu-west-1", extra=extra)
    b.resource_policy(MEMBER, "arn:aws:s3:::public-reports",
                      doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::public-reports/*"}),
                      service="s3", region="eu-west-1", extra={"PublicAccessBlock": bucket_bpa} if bucket_bpa else None)
    if account_bpa is not None:
        b.account_meta[MEMBER]["S3PublicAccessBlock"] = account_bpa
    b.account(OTHER, "outside")  # an account outside the organization is not in accounts.json ...
    b.accounts = [a for a in b.accounts if a["Id"] != OTHER]
    b.account_meta.setdefault(OTHER, {"AccountId": OTHER})["OutsideOrganization"] = True  # ... and says so
    b.role(OTHER, "reader", trust=trust_account(OTHER), inline={"all": allow("*")})
    return load_snapshot(b.write(tmp_path / "snap"))


def test_principal_facts_of_a_session_carry_the_role_path(tmp_path):
    env = _env(tmp_path)
    ctx = env.request_context(f"arn:aws:sts::{MEMBER}:assumed-role/app/s1")
    assert ctx["aws:PrincipalArn"] == f"arn:aws:iam::{MEMBER}:role/apps/app"
    assert ctx["aws:userid"].startswith("AROA") and ctx["aws:userid"].endswith(":s1")
    assert ctx["aws:PrincipalOrgID"] == "o-a1b2c3d4e5" and ctx["aws:TokenIssueTime"] == ctx["aws:CurrentTime"]
    rf = env.resource_facts("arn:aws:s3:::public-reports/x")
    assert rf.account == MEMBER and rf.org_id == "o-a1b2c3d4e5" and rf.org_paths[0].startswith("o-a1b2c3d4e5/r-a1b2/")


def test_rcps_skip_aws_managed_keys(tmp_path):
    """The outside role is denied by the KMS perimeter RCP on a customer managed key, but RCPs
    do not apply to an AWS managed key (KeyManager AWS, recorded by collect from DescribeKey)."""
    from permwise.engine import Request, evaluate

    outsider = f"arn:aws:iam::{OTHER}:role/reader"
    for manager, expect in (("CUSTOMER", "explicitDeny"), (None, "explicitDeny"), ("AWS", "allowed")):
        env = _env(tmp_path / str(manager), key_manager=manager)
        ps = env.policy_set(outsider, KEY, MEMBER)
        ctx = env.request_context(outsider)
        r = evaluate(ps, Request(outsider, "kms:Decrypt", KEY, MEMBER, ctx))
        assert r.decision == expect, (manager, r.reasons)


def test_block_public_access_account_and_bucket_level(tmp_path):
    """RestrictPublicBuckets at the account or at the bucket level stops the public bucket
    policy from granting the outside role; without it, the grant works across accounts."""
    from permwise.engine import Request, evaluate

    outsider = f"arn:aws:iam::{OTHER}:role/reader"
    obj = "arn:aws:s3:::public-reports/2026.csv"
    for name, kw, expect in (("off", {}, "allowed"),
                             ("account", {"account_bpa": {"RestrictPublicBuckets": True}}, "implicitDeny"),
                             ("bucket", {"bucket_bpa": {"RestrictPublicBuckets": True}}, "implicitDeny"),
                             ("other-flag", {"bucket_bpa": {"BlockPublicPolicy": True}}, "allowed")):
        env = _env(tmp_path / name, **kw)
        ps = env.policy_set(outsider, obj, MEMBER)
        r = evaluate(ps, Request(outsider, "s3:GetObject", obj, MEMBER, env.request_context(outsider)))
        assert r.decision == expect, (name, r.reasons)
        inside = f"arn:aws:iam::{MEMBER}:role/apps/app"
        r = evaluate(env.policy_set(inside, obj, MEMBER), Request(inside, "s3:GetObject", obj, MEMBER,
                                                                  env.request_context(inside)))
        assert r.decision == "allowed", name  # the owner's account keeps access


MANIFEST = {
    "manifest": 1, "tool": {"name": "regional", "version": "1"},
    "profiles": {"member": {"description": "member"}},
    "commands": [
        {"id": "cur.define", "name": "cur define", "group": "cur", "profile": "member", "access": "write",
         "region": "us-east-1", "scp_risk": {"level": "low", "reason": "x"},
         "permissions": [{"actions": ["sqs:SendMessage"], "resources": ["arn:aws:sqs:{region}:{account}:reports"],
                          "justification": "x"}]},
        {"id": "dr.start", "name": "dr start", "group": "dr", "profile": "member", "access": "write",
         "scp_risk": {"level": "low", "reason": "x"},
         "permissions": [{"actions": ["ec2:DescribeInstances"], "resources": ["*"], "justification": "x"},
                         {"actions": ["ec2:StartInstances"], "resources": ["*"], "region": "eu-central-1",
                          "justification": "the DR region"}]},
        {"id": "iam.read", "name": "iam read", "group": "iam", "profile": "member", "access": "read",
         "scp_risk": {"level": "low", "reason": "x"},
         "permissions": [{"actions": ["iam:ListRoles"], "resources": ["*"], "justification": "x"}]},
    ],
}


def test_per_command_and_per_permission_region(tmp_path):
    """A command pinned to us-east-1 and a permission pinned to the DR region are evaluated
    there; the config's region stays the default; IAM goes to us-east-1."""
    b = SnapshotBuilder(MGMT, regions=["eu-west-1"])
    b.account(MGMT, "management")
    b.account(MEMBER, "member")
    b.scp("p-region01", "OnlyEuWest1AndUsEast1", doc({
        "Sid": "DenyOtherRegions", "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}), [b.root_id])
    b.role(MEMBER, "tool", trust=trust_account(MEMBER), inline={"all": allow("*")})
    env = load_snapshot(b.write(tmp_path / "snap"))
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(MANIFEST))
    (tmp_path / "c.yaml").write_text(yaml.safe_dump({"regions": ["eu-west-1"], "profiles": {
        "member": {"account": MEMBER, "principal": f"arn:aws:iam::{MEMBER}:role/tool"}}}))
    rep = check(load_manifest(str(tmp_path / "m.yaml")), load_config(str(tmp_path / "c.yaml")), env, excess=False)
    got = {c.id: c for c in rep.commands}
    cur = got["cur.define"].requests
    assert [(r.resource, r.region) for r in cur] == [(f"arn:aws:sqs:us-east-1:{MEMBER}:reports", "us-east-1")]
    assert got["cur.define"].status == "ready"
    dr = {r.action: r for r in got["dr.start"].requests}
    assert dr["ec2:DescribeInstances"].region == "eu-west-1" and dr["ec2:DescribeInstances"].decision == "allowed"
    assert dr["ec2:StartInstances"].region == "eu-central-1" and dr["ec2:StartInstances"].decision == "explicitDeny"
    assert dr["ec2:StartInstances"].levels == ({"type": "ROOT", "id": "r-a1b2", "name": "Root"},)
    assert [r.region for r in got["iam.read"].requests] == ["us-east-1"]


def test_an_unlisted_account_directory_must_say_it_is_outside(tmp_path):
    """An account directory the organization does not list is an error (its SCPs and RCPs would be
    unknown), unless its account.json states `OutsideOrganization: true`."""
    import pytest

    from permwise.errors import InputError

    b = SnapshotBuilder(MGMT, regions=["eu-west-1"])
    b.account(MGMT, "management")
    b.account(OTHER, "outside")
    b.accounts = [a for a in b.accounts if a["Id"] != OTHER]
    b.role(OTHER, "reader", trust=trust_account(OTHER), inline={"all": allow("*")})
    with pytest.raises(InputError, match="OutsideOrganization"):
        load_snapshot(b.write(tmp_path / "unmarked"))
    b.account_meta.setdefault(OTHER, {"AccountId": OTHER})["OutsideOrganization"] = True
    env = load_snapshot(b.write(tmp_path / "marked"))
    assert not env.accounts[OTHER].in_organization and env.accounts[OTHER].has_iam
