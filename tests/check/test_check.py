"""check on small hand-built organizations; expected statuses and layers written from AWS's rules.

Rules (AWS IAM User Guide "Policy evaluation logic" and AWS Organizations User Guide "Service
control policies (SCPs)"):
- R1 an explicit Deny in any applicable policy (an SCP included) overrides every Allow;
- R2 SCPs do not affect users or roles in the management account;
- R3 without an identity-based Allow the request is implicitly denied;
- R4 an action must be allowed by an SCP at every level above the account (root, each OU, the
  account itself): a level whose SCPs allow only `s3:*` blocks everything else;
- R5 a permissions boundary caps identity grants: an action the boundary does not allow is denied.
"""

from __future__ import annotations

from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder, allow, doc, trust_account
from permwise.requirements import load_config, load_manifest
from permwise.requirements.check import check, exception_statement

MGMT, MEMBER = "111111111111", "222222222222"


def org(tmp_path, *, member_policy, deny_gd_on_ou=True, allowlist=False, boundary=None):
    b = SnapshotBuilder(MGMT, regions=["ap-southeast-2"])
    ou = b.ou("ou-a1b2-w0rk1oad", "Workloads")
    b.account(MGMT, "mgmt")
    b.account(MEMBER, "member", ou)
    if deny_gd_on_ou:
        b.scp("p-dgd00000", "DenyGuardDuty", doc({
            "Sid": "NoGuardDuty", "Effect": "Deny", "Action": "guardduty:*", "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}}), [ou])
    if allowlist:
        b.full_access_everywhere = False
        b.scp("p-FullAWSAccess", "FullAWSAccess", allow("*"), [b.root_id, MGMT, MEMBER], aws_managed=True)
        b.scp("p-s3only00", "OnlyS3AndGuardDuty", allow(["s3:*", "guardduty:*", "ce:*"]), [ou])
    bnd = b.managed_policy(MEMBER, "Bnd", boundary) if boundary else None
    member = b.role(MEMBER, "Tool", trust=trust_account(MGMT), inline={"p": member_policy}, boundary=bnd)
    mgmt = b.role(MGMT, "Tool", trust=trust_account(MGMT), inline={"p": allow("guardduty:*")})
    return load_snapshot(b.write(tmp_path / "snap")), member, mgmt


def run(tmp_path, mini, env, member, mgmt, **kw):
    m, c = mini(member, mgmt)
    return check(load_manifest(str(m)), load_config(str(c)), env, **kw)


def by_id(report):
    return {c.id: c for c in report.commands}


ALL = allow(["guardduty:List*", "ce:GetCostAndUsage", "ce:GetCostForecast", "ec2:DescribeInstances"])


def test_scp_deny_blocks_member_but_not_management(tmp_path, mini):
    env, member, mgmt = org(tmp_path, member_policy=ALL)
    cmds = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))
    # R1: DenyGuardDuty on the Workloads OU denies both GuardDuty reads in the member account
    gd = cmds["gd.read"]
    assert gd.status == "blocked"
    assert len(gd.blockers) == 1
    b = gd.blockers[0]
    assert (b.layer, b.decision, b.policy, b.sid) == ("scp", "explicitDeny", "DenyGuardDuty", "NoGuardDuty")
    assert "Workloads" in b.level
    assert b.actions == ["guardduty:ListDetectors", "guardduty:ListFindings"]
    # the exception keeps the existing exemption and adds the tool's role
    assert b.fix.kind == "scp-exception"
    assert b.fix.statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == ["arn:aws:iam::*:role/Admin", member]
    assert b.fix.statement["Effect"] == "Deny" and b.fix.statement["Action"] == "guardduty:*"
    # R2: the same SCP is attached at nothing above the management account, and SCPs never apply there
    assert cmds["gd.deploy"].status == "ready"
    assert cmds["ec2.describe"].status == "ready" and cmds["ce.report"].status == "ready"


def test_missing_identity_allow_is_partial_with_allow_fix(tmp_path, mini):
    env, member, mgmt = org(tmp_path, member_policy=allow(["ce:GetCostAndUsage", "ec2:DescribeInstances"]),
                            deny_gd_on_ou=False)
    ce = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))["ce.report"]
    # R3: ce:GetCostForecast has no identity allow; ce:GetCostAndUsage does
    assert ce.status == "partial"
    assert ce.blocked_actions == ["ce:GetCostForecast"]
    b = ce.blockers[0]
    assert (b.layer, b.decision) == ("identity", "implicitDeny")
    assert b.fix.kind == "identity-allow"
    assert b.fix.statement["Effect"] == "Allow" and b.fix.statement["Action"] == "ce:GetCostForecast"


def test_scp_allow_list_level_without_allow(tmp_path, mini):
    env, member, mgmt = org(tmp_path, member_policy=ALL, deny_gd_on_ou=False, allowlist=True)
    cmds = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))
    # R4: the Workloads OU only allows s3, guardduty and ce: ec2 has no allow at that level
    ec2 = cmds["ec2.describe"]
    assert ec2.status == "blocked"
    b = ec2.blockers[0]
    assert (b.layer, b.decision) == ("scp", "implicitDeny") and "Workloads" in b.level
    assert b.fix.kind == "scp-allow"
    assert cmds["ce.report"].status == "ready"


def test_boundary_without_allow_blocks(tmp_path, mini):
    env, member, mgmt = org(tmp_path, member_policy=ALL, deny_gd_on_ou=False, boundary=allow(["ec2:*", "guardduty:*"]))
    cmds = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))
    # R5: the boundary allows only ec2 and guardduty; ce is capped although the role allows it
    ce = cmds["ce.report"]
    assert ce.status == "blocked"
    assert ce.blockers[0].layer == "boundary" and ce.blockers[0].fix.kind == "boundary-allow"
    assert cmds["ec2.describe"].status == "ready"


def test_unknown_principal_is_unresolved(tmp_path, mini):
    env, member, mgmt = org(tmp_path, member_policy=ALL)
    cmds = by_id(run(tmp_path, mini, env, "arn:aws:iam::222222222222:role/Nope", mgmt, excess=False))
    assert cmds["ec2.describe"].status == "unresolved"
    assert "not in the snapshot" in cmds["ec2.describe"].notes[0]


def test_exception_statement_adds_condition():
    raw = {"Effect": "Deny", "Action": "x:*", "Resource": "*"}
    st = exception_statement(raw, "arn:aws:iam::1:role/T")
    assert st["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::1:role/T"]}}
    assert "Condition" not in raw  # the original is not modified


def test_excess_counts_broad_grants_only(tmp_path, mini):
    policy = doc(
        {"Effect": "Allow", "Action": ["iam:*", "ec2:DescribeInstances", "guardduty:List*", "ce:Get*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-*/*"},
    )
    env, member, mgmt = org(tmp_path, member_policy=policy, deny_gd_on_ou=False)
    report = run(tmp_path, mini, env, member, mgmt, excess=True)
    ex = next(e for e in report.excess if e.principal == member)
    acts = {a for g in ex.groups for a in g.actions}
    # iam:* is far beyond the needs; Permissions management comes first
    assert "iam:AttachRolePolicy" in acts and "iam:CreateUser" in acts
    assert ex.groups[0].access_level == "Permissions management"
    # needed actions are not excess; a grant scoped to named buckets is not counted
    assert "ec2:DescribeInstances" not in acts and "guardduty:ListDetectors" not in acts
    assert "s3:PutObject" not in acts


# ------------------------------------------------------------------------------ more layers
# - R6 (IAM User Guide, "Policy evaluation logic"; AWS Organizations User Guide, "Resource control
#   policies"): RCPs restrict access to resources in member accounts; an explicit Deny in an RCP wins.
# - R7 (IAM User Guide, "Cross-account policy evaluation logic"): for a resource in another account,
#   both the caller's identity policy and the resource-based policy must allow.
# - R8 (IAM User Guide, "Policy evaluation logic"): an explicit Deny in a resource-based policy or in
#   an identity policy overrides every Allow.

OTHER = "333333333333"
S3_ALL = allow(["s3:GetObject", "ec2:DescribeInstances", "guardduty:List*", "ce:GetCost*"])


def org_with_bucket(tmp_path, *, bucket_account, bucket_policy, rcp=None, member_policy=S3_ALL):
    b = SnapshotBuilder(MGMT, regions=["ap-southeast-2"], rcp_enabled=rcp is not None)
    ou = b.ou("ou-a1b2-w0rk1oad", "Workloads")
    b.account(MGMT, "mgmt")
    b.account(MEMBER, "member", ou)
    b.account(OTHER, "shared", ou)
    if rcp is not None:
        b.rcp("p-rcp00000", "OrgOnlyReports", rcp, [ou])
    b.resource_policy(bucket_account, "arn:aws:s3:::shared-reports", bucket_policy, service="s3", region="ap-southeast-2")
    member = b.role(MEMBER, "Tool", trust=trust_account(MGMT), inline={"p": member_policy})
    mgmt = b.role(MGMT, "Tool", trust=trust_account(MGMT), inline={"p": allow("guardduty:*")})
    return load_snapshot(b.write(tmp_path / "snap")), member, mgmt


def test_rcp_explicit_deny_on_the_resource_account(tmp_path, mini):
    rcp = doc({"Sid": "OnlyOtherOrg", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
               "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-someoneelse"}}})
    env, member, mgmt = org_with_bucket(tmp_path, bucket_account=MEMBER, bucket_policy=doc(), rcp=rcp)
    s3 = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))["s3.read"]
    # R6: the caller's org id is o-a1b2c3d4e5, so the RCP on the bucket account's OU denies
    assert s3.status == "blocked"
    b = s3.blockers[0]
    assert (b.layer, b.decision, b.policy, b.sid) == ("rcp", "explicitDeny", "OrgOnlyReports", "OnlyOtherOrg")
    assert "Workloads" in b.level
    assert b.fix.kind == "rcp-exception" and b.fix.audience == "security team"
    assert member in b.fix.statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]


def test_cross_account_bucket_needs_the_resource_policy(tmp_path, mini):
    env, member, mgmt = org_with_bucket(tmp_path, bucket_account=OTHER, bucket_policy=doc(
        {"Sid": "SomeoneElse", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-reports/*"}))
    s3 = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))["s3.read"]
    # R7: the bucket is in 333333333333 and its policy does not name the member's role
    assert s3.status == "blocked"
    b = s3.blockers[0]
    assert (b.layer, b.decision) == ("resource", "implicitDeny")
    assert b.fix.kind == "resource-allow"
    assert b.fix.statement["Principal"] == {"AWS": member} and b.fix.statement["Action"] == "s3:GetObject"


def test_same_account_bucket_policy_deny(tmp_path, mini):
    env, member, mgmt = org_with_bucket(tmp_path, bucket_account=MEMBER, bucket_policy=doc(
        {"Sid": "NoReads", "Effect": "Deny", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::shared-reports/*"}))
    s3 = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))["s3.read"]
    # R8: the bucket policy's explicit Deny wins over the role's Allow
    b = s3.blockers[0]
    assert s3.status == "blocked" and (b.layer, b.decision, b.sid) == ("resource", "explicitDeny", "NoReads")
    assert b.fix.kind == "resource-deny-change"
    assert b.fix.statement["Action"] == "s3:PutObject"  # the deny without the needed action


def test_identity_explicit_deny(tmp_path, mini):
    policy = doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                 {"Sid": "NoCostData", "Effect": "Deny", "Action": "ce:*", "Resource": "*"})
    env, member, mgmt = org(tmp_path, member_policy=policy, deny_gd_on_ou=False)
    ce = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))["ce.report"]
    # R8: an explicit Deny in the principal's own policy; it denies through a wildcard, so the fix
    # is an exemption rather than removing actions
    b = ce.blockers[0]
    assert ce.status == "blocked" and (b.layer, b.decision, b.sid) == ("identity", "explicitDeny", "NoCostData")
    assert b.fix.kind == "identity-deny-change"


def test_progress_counts_every_evaluation(tmp_path, mini):
    from permwise.requirements import plan
    from permwise.requirements.check import total_work

    env, member, mgmt = org(tmp_path, member_policy=ALL)
    m, c = mini(member, mgmt)
    manifest, config = load_manifest(str(m)), load_config(str(c))
    seen: list[int] = []
    check(manifest, config, env, excess=False, progress=seen.append)
    assert seen and sum(seen) == total_work(plan(manifest, config))


def test_account_in_no_ou_is_noted_on_its_commands(tmp_path, mini):
    # the account's OU path is unknown: reported on every command its principals run, not guessed away
    b = SnapshotBuilder(MGMT, regions=["ap-southeast-2"])
    b.account(MGMT, "mgmt")
    b.account(MEMBER, "member")
    member = b.role(MEMBER, "Tool", trust=trust_account(MGMT), inline={"p": ALL})
    mgmt = b.role(MGMT, "Tool", trust=trust_account(MGMT), inline={"p": allow("guardduty:*")})
    b.accounts[1].pop("ParentId")
    env = load_snapshot(b.write(tmp_path / "snap"))
    cmds = by_id(run(tmp_path, mini, env, member, mgmt, excess=False))
    assert any("no `ParentId`" in n for n in cmds["ec2.describe"].notes)
    assert not any("ParentId" in n for n in cmds["gd.deploy"].notes)


def test_check_reports_its_total_work_first(tmp_path, mini):
    """``check`` tells ``on_total`` the whole work once, before any progress, so the CLI's bar
    needs no plan of its own; the parts it reports then add up to that total."""
    env, member, mgmt = org(tmp_path, member_policy=ALL)
    m, c = mini(member, mgmt)
    manifest, config = load_manifest(str(m)), load_config(str(c))
    events: list[tuple[str, int]] = []
    check(manifest, config, env, excess=False, progress=lambda n: events.append(("done", n)),
          on_total=lambda n: events.append(("total", n)))
    assert events[0][0] == "total" and [k for k, _ in events].count("total") == 1
    assert events[0][1] > 0 and sum(n for k, n in events if k == "done") == events[0][1]


def test_fail_on_levels_are_a_status_and_every_worse_one():
    """``check --fail-on``: blocked < partial < conditional, each failing on its status and the worse ones."""
    from types import SimpleNamespace

    from permwise.requirements.check import fails

    def report(*statuses):
        return SimpleNamespace(commands=[SimpleNamespace(status=s) for s in statuses])

    assert not fails(report("blocked"), "none")
    assert fails(report("ready", "unresolved"), "blocked") and not fails(report("partial"), "blocked")
    assert fails(report("partial"), "partial") and not fails(report("conditional"), "partial")
    assert fails(report("conditional"), "conditional") and not fails(report("ready"), "conditional")
