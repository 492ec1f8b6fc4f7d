#!/usr/bin/env python3
"""Generate a synthetic AWS organization snapshot of any size (docs/scale.md).

    python bench/gen_org.py OUT_DIR --accounts 500 --roles 200 [--seed 7]

The layout is the documented snapshot layout (docs/snapshots.md), written one account at a time
(memory stays flat however big the organization). What it holds, modelled on a Control Tower
landing zone:

* an OU tree: Security, Infrastructure (Prod, NonProd), Workloads (Prod, Dev, each with one OU
  per business unit), Sandbox, Suspended; accounts spread over the leaves;
* SCPs at the root (region guard, no leaving the organization), on Workloads (no CloudTrail
  tampering), on Sandbox (no expensive services), on some accounts (no IAM users), with
  ``FullAWSAccess`` on every node as AWS requires; RCPs at the root (secure transport) and on
  Workloads (S3 only to the organization), with ``RCPFullAWSAccess`` everywhere;
* per account ``--roles`` roles: ``OrganizationAccountAccessRole`` (trusts the management
  account), ``SecurityAudit`` (trusts the security account's auditor role), a deploy role for
  GitHub OIDC, Lambda and EC2 service roles, application roles (some trusting a role of the
  shared-services account), roles with permission boundaries, and a few with escalation
  primitives (PassRole with Lambda, access keys of other users, trust policy rewrites);
* every 5th account: IAM users in an ``Admins`` group and a CI user;
* resource policies: per account a data bucket (own account), a KMS key, an SQS queue (SNS
  service); the log-archive account's bucket open to the organization (``aws:PrincipalOrgID``);
  every 25th account a public bucket;
* a deployment config for the bundled ``runbooks`` manifest (``deploy.yaml`` beside the
  snapshot) with its four profiles on four accounts, and the bundled demo audit config.

Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from permwise.environment.builder import SnapshotBuilder, doc, trust_service  # noqa: E402

MANAGEMENT = "300000000000"
REGION = "ap-southeast-2"
ORG = "o-scale00000"


def member(n: int) -> str:
    return f"3{n:011d}"


SECURITY, LOGS, SHARED = member(1), member(2), member(3)


def trust_aws(*principals: str, **cond: dict) -> dict:
    st: dict = {"Effect": "Allow", "Principal": {"AWS": list(principals) if len(principals) > 1 else principals[0]},
                "Action": "sts:AssumeRole"}
    if cond:
        st["Condition"] = cond
    return doc(st)


ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
AWS_MANAGED = {
    ADMIN: doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    READONLY: doc({"Effect": "Allow", "Action": ["ec2:Describe*", "s3:Get*", "s3:List*", "iam:Get*", "iam:List*",
                                                 "cloudtrail:Describe*", "cloudtrail:Get*", "kms:Describe*",
                                                 "kms:List*", "lambda:Get*", "lambda:List*", "sqs:Get*",
                                                 "sqs:List*", "logs:Describe*", "logs:Get*"], "Resource": "*"}),
}
SERVICES = [
    ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
    ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], ["logs:CreateLogStream", "logs:PutLogEvents"],
    ["kms:Decrypt", "kms:GenerateDataKey"], ["sns:Publish"], ["ssm:GetParameter", "ssm:GetParameters"],
    ["secretsmanager:GetSecretValue"], ["ec2:DescribeInstances", "ec2:StartInstances", "ec2:StopInstances"],
    ["cloudwatch:PutMetricData"], ["lambda:InvokeFunction"], ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"],
]


@dataclass
class GeneratedOrg:
    root: Path
    accounts: list[str]
    principals: int
    files: int


def _app_policy(rng: random.Random, acct: str) -> dict:
    sts = []
    for _ in range(rng.randint(1, 3)):
        acts = rng.choice(SERVICES)
        svc = acts[0].split(":")[0]
        if svc == "s3":
            res = [f"arn:aws:s3:::data-{acct}", f"arn:aws:s3:::data-{acct}/*"]
        elif svc in ("dynamodb", "sqs", "sns", "ssm", "secretsmanager", "kms", "logs", "lambda"):
            res = f"arn:aws:{svc}:{REGION}:{acct}:*"
        else:
            res = "*"
        sts.append({"Effect": "Allow", "Action": acts, "Resource": res})
    return doc(*sts)


def _org(b: SnapshotBuilder, n_accounts: int) -> list[str]:
    r = b.root_id
    sec = b.ou("ou-sc00-security", "Security", r)
    infra = b.ou("ou-sc00-infra000", "Infrastructure", r)
    iprod = b.ou("ou-sc00-infrapro", "Prod", infra)
    inon = b.ou("ou-sc00-infranon", "NonProd", infra)
    work = b.ou("ou-sc00-workload", "Workloads", r)
    leaves = [iprod, inon]
    for env in ("prod", "dev"):
        eou = b.ou(f"ou-sc00-w{env:0<7}", env.title(), work)
        for bu in range(4):
            leaves.append(b.ou(f"ou-sc00-{env[0]}bu{bu:05d}", f"BU{bu}-{env}", eou))
    sandbox = b.ou("ou-sc00-sandbox0", "Sandbox", r)
    leaves.append(sandbox)
    b.ou("ou-sc00-suspend0", "Suspended", r)
    b.account(MANAGEMENT, "management")
    accounts = []
    for n in range(1, n_accounts + 1):
        a = member(n)
        parent = {1: sec, 2: sec, 3: iprod}.get(n) or leaves[(n - 4) % len(leaves)]
        b.account(a, {1: "security", 2: "log-archive", 3: "shared-services"}.get(n, f"member-{n}"), parent,
                  tags={"cost-center": f"cc-{n % 7}"})
        accounts.append(a)
    b.scp("p-sc00regions", "DenyUnapprovedRegions", doc({
        "Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "budgets:*", "ce:*"],
        "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": [REGION, "us-east-1"]}}}), [r])
    b.scp("p-sc00leaveorg", "DenyLeaveOrganization", doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                                          "Resource": "*"}), [r])
    b.scp("p-sc00trail000", "ProtectCloudTrail", doc({
        "Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"],
        "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}),
        [work, infra])
    b.scp("p-sc00sandbox0", "SandboxLimits", doc({"Effect": "Deny", "Action": ["redshift:*", "sagemaker:Create*",
                                                                               "ec2:PurchaseReservedInstancesOffering"],
                                                  "Resource": "*"}), [sandbox])
    b.scp("p-sc00nousers0", "DenyIamUsers", doc({"Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey"],
                                                 "Resource": "*"}), accounts[3::10])
    b.rcp("p-sc00tls00000", "EnforceSecureTransport", doc({
        "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}), [r])
    b.rcp("p-sc00orgs3000", "S3OnlyOrganization", doc({
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}), [work])
    return accounts


def _account(b: SnapshotBuilder, rng: random.Random, acct: str, n: int, roles: int) -> int:
    managed = {}
    for arn, d in AWS_MANAGED.items():
        managed[arn] = b.managed_policy(acct, arn.rsplit("/", 1)[-1], d, aws_managed=True)
    base = b.managed_policy(acct, "AppBase", doc(
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"arn:aws:logs:{REGION}:{acct}:*"},
        {"Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": "*"}))
    boundary = b.managed_policy(acct, "Boundary", doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}))
    count = 0
    b.role(acct, "OrganizationAccountAccessRole", trust=trust_aws(f"arn:aws:iam::{MANAGEMENT}:root"), managed=[ADMIN])
    b.role(acct, "SecurityAudit", trust=trust_aws(f"arn:aws:iam::{SECURITY}:role/Auditor"),
           managed=[READONLY], tags={"owner": "security"})
    b.role(acct, "GitHubDeploy", trust=doc({
        "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:acme/app-{n}:*"}}}),
        inline={"deploy": doc({"Effect": "Allow", "Action": ["cloudformation:*", "s3:PutObject"], "Resource": "*"},
                              {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{acct}:role/app/*",
                               "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}})},
        boundary=boundary)
    count += 3
    if acct == SECURITY:
        b.role(acct, "Auditor", trust=trust_aws(f"arn:aws:iam::{acct}:root"),
               inline={"assume": doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/SecurityAudit"})},
               managed=[READONLY])
        count += 1
    i = 0
    while count < roles:
        kind = rng.random()
        name = f"app-{i:04d}"
        if kind < 0.3:
            b.role(acct, name, trust=trust_service("lambda.amazonaws.com"), inline={"app": _app_policy(rng, acct)},
                   managed=[base], path="/app/")
        elif kind < 0.45:
            b.role(acct, name, trust=trust_service("ec2.amazonaws.com"), inline={"app": _app_policy(rng, acct)},
                   managed=[base, READONLY] if rng.random() < 0.3 else [base], path="/app/")
        elif kind < 0.6:
            b.role(acct, name, trust=trust_aws(f"arn:aws:iam::{SHARED}:role/pipeline"),
                   inline={"app": _app_policy(rng, acct)}, boundary=boundary)
        elif kind < 0.64:
            b.role(acct, name, trust=trust_aws(f"arn:aws:iam::{acct}:root"), inline={"esc": doc(
                {"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"})})
        elif kind < 0.66:
            b.role(acct, name, trust=trust_aws(f"arn:aws:iam::{acct}:root"), inline={"esc": doc(
                {"Effect": "Allow", "Action": ["iam:UpdateAssumeRolePolicy", "iam:GetRole"], "Resource": "*"})})
        elif kind < 0.68:
            b.role(acct, name, trust=trust_aws(f"arn:aws:iam::{member(1 + (n % 40))}:root"),
                   inline={"x": doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/app-*"})})
        else:
            b.role(acct, name, trust=trust_aws(f"arn:aws:iam::{acct}:root"), inline={"app": _app_policy(rng, acct)},
                   tags={"team": f"team-{rng.randrange(9)}"})
        i += 1
        count += 1
    if n % 5 == 0:
        b.group(acct, "Admins", managed=[ADMIN])
        b.user(acct, "breakglass", groups=["Admins"], tags={"breakglass": "true"})
        b.user(acct, "ci", inline={"ci": doc({"Effect": "Allow", "Action": ["iam:CreateAccessKey", "s3:PutObject"],
                                               "Resource": "*"})})
        count += 2
    b.resource_policy(acct, f"arn:aws:s3:::data-{acct}", doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::data-{acct}", f"arn:aws:s3:::data-{acct}/*"]}), service="s3", region=REGION,
        extra={"PublicAccessBlock": {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                                     "RestrictPublicBuckets": True}})
    b.resource_policy(acct, f"arn:aws:kms:{REGION}:{acct}:key/0000{n:08d}-0000-0000-0000-000000000000", doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "kms:*", "Resource": "*"}),
        service="kms", region=REGION)
    b.resource_policy(acct, f"arn:aws:sqs:{REGION}:{acct}:events", doc({
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": f"arn:aws:sqs:{REGION}:{acct}:events"}), service="sqs", region=REGION)
    if acct == LOGS:
        b.resource_policy(acct, "arn:aws:s3:::org-logs-archive", doc({
            "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::org-logs-archive/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}), service="s3", region=REGION,
            extra={"PublicAccessBlock": None})
    if n % 25 == 0:
        b.resource_policy(acct, f"arn:aws:s3:::public-site-{acct}", doc({
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::public-site-{acct}/*"}),
            service="s3", region=REGION, extra={"PublicAccessBlock": None})
    return count


def _management(b: SnapshotBuilder) -> int:
    acct = MANAGEMENT
    for arn, d in AWS_MANAGED.items():
        b.managed_policy(acct, arn.rsplit("/", 1)[-1], d, aws_managed=True)
    b.role(acct, "RunbooksManagement", trust=trust_aws(f"arn:aws:iam::{acct}:root"), managed=[READONLY],
           inline={"org": doc({"Effect": "Allow", "Action": ["organizations:Describe*", "organizations:List*"], "Resource": "*"})})
    b.role(acct, "Administrator", trust=trust_aws(f"arn:aws:iam::{acct}:root"), managed=[ADMIN])
    b.role(acct, "member-admin", trust=trust_aws(f"arn:aws:iam::{acct}:root"), inline={"a": doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/OrganizationAccountAccessRole"})})
    return 3


DEPLOY = f"""variables: {{prefix: acme}}
regions: [{REGION}]
profiles:
  management: {{account: "{MANAGEMENT}", principal: "arn:aws:iam::{MANAGEMENT}:role/RunbooksManagement"}}
  billing: {{account: "{member(4)}", principal: "arn:aws:iam::{member(4)}:role/RunbooksBilling"}}
  operations: {{account: "{member(5)}", principal: "arn:aws:iam::{member(5)}:role/RunbooksOperations"}}
  workload: {{account: "{member(6)}", principal: "arn:aws:iam::{member(6)}:role/RunbooksWorkload"}}
"""


def _dump_account(root: Path, b: SnapshotBuilder, acct: str) -> int:
    """Write one account's files from the builder and drop them from it (memory stays flat)."""
    d = root / "accounts" / acct
    d.mkdir(parents=True, exist_ok=True)
    auth = b.auth.pop(acct, None) or {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    (d / "authorization-details.json").write_bytes(orjson.dumps({**auth, "IsTruncated": False}) + b"\n")
    n = 1
    meta = b.account_meta.pop(acct, None)
    if meta:
        (d / "account.json").write_bytes(orjson.dumps(meta) + b"\n")
        n += 1
    rps = b.resource_policies.pop(acct, None)
    if rps:
        (d / "resource-policies.json").write_bytes(orjson.dumps({"ResourcePolicies": rps}) + b"\n")
        n += 1
    return n


def generate_org(out_dir: str | Path, accounts: int = 50, roles: int = 20, *, seed: int = 7) -> GeneratedOrg:
    """Write an organization of ``accounts`` member accounts (at least 6) with ``roles`` roles
    each to ``out_dir`` (replaced), a ``deploy.yaml`` beside it, and describe it."""
    if accounts < 6:
        raise ValueError("at least 6 member accounts (security, log archive, shared services, three runbooks profiles)")
    root = Path(out_dir)
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(seed)
    b = SnapshotBuilder(MANAGEMENT, org_id=ORG, root_id="r-sc00", regions=[REGION], created="2026-12-01T00:00:00Z",
                        source="manual", rcp_enabled=True)
    members = _org(b, accounts)
    files = 0
    principals = _management(b)
    files += _dump_account(root, b, MANAGEMENT)
    extra = {member(4), member(5), member(6)}
    for n, acct in enumerate(members, start=1):
        principals += _account(b, rng, acct, n, roles)
        if acct in extra:
            _runbooks_roles_for(b, acct)
            principals += 1
        files += _dump_account(root, b, acct)
    b.auth.clear()
    b.account_meta.clear()
    b.resource_policies.clear()
    org_files = b.files(indent=False)
    for rel, data in org_files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    (root.parent / f"{root.name}-deploy.yaml").write_text(DEPLOY)
    return GeneratedOrg(root, [MANAGEMENT, *members], principals, files + len(org_files))


def _runbooks_roles_for(b: SnapshotBuilder, acct: str) -> None:
    name = {member(4): "RunbooksBilling", member(5): "RunbooksOperations", member(6): "RunbooksWorkload"}[acct]
    b.role(acct, name, trust=trust_aws(f"arn:aws:iam::{MANAGEMENT}:role/RunbooksManagement"), managed=[READONLY],
           inline={"ops": doc({"Effect": "Allow", "Action": ["ce:Get*", "budgets:View*", "cloudtrail:LookupEvents",
                                                             "ec2:Describe*", "ssm:Describe*"], "Resource": "*"})})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--accounts", type=int, default=50)
    ap.add_argument("--roles", type=int, default=20, help="roles per member account (about)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    g = generate_org(args.out, args.accounts, args.roles, seed=args.seed)
    print(f"{g.root}: {len(g.accounts)} accounts, {g.principals:,} principals, {g.files} files; "
          f"deploy config {g.root.parent / (g.root.name + '-deploy.yaml')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
