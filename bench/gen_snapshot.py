#!/usr/bin/env python3
"""Generate a big synthetic environment snapshot for benchmarks (and for other engineers' tests).

    from bench.gen_snapshot import generate_snapshot   # or: sys.path.insert(0, "bench")
    info = generate_snapshot("/tmp/snap", roles=2000)
    info.big_account, info.principals[:50], info.management_account

    python bench/gen_snapshot.py /tmp/snap --roles 2000

The organization has three levels of OUs under the root (4 x 3 x 2 = 24 leaf OUs), one member
account in each leaf OU plus the management account. The *big* account holds ``roles`` roles;
every other member account a few. SCPs: FullAWSAccess on every node, a region guard and a
LeaveOrganization deny at the root, a GuardDuty deny on one first-level OU, a deny on
``iam:CreateUser`` on one second-level OU. Roles get a random mix (seeded, reproducible) of
inline policies, customer managed policies from a shared pool, permissions boundaries and tags.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from permwise.environment.builder import SnapshotBuilder, doc, trust_account, trust_service  # noqa: E402

MANAGEMENT = "100000000000"

_FAMILIES = [
    ["ec2:Describe*"], ["s3:Get*", "s3:List*"], ["iam:Get*", "iam:List*"], ["lambda:List*", "lambda:Get*"],
    ["rds:Describe*"], ["cloudformation:Describe*", "cloudformation:List*"], ["logs:Describe*", "logs:List*"],
    ["config:Describe*", "config:Get*"], ["guardduty:List*", "guardduty:Get*"], ["ce:GetCostAndUsage"],
    ["organizations:Describe*", "organizations:List*"], ["kms:Describe*"], ["secretsmanager:List*"],
    ["ec2:StartInstances", "ec2:StopInstances"], ["s3:PutObject", "s3:DeleteObject"], ["sqs:*"], ["sns:Publish"],
    ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"], ["cloudtrail:LookupEvents", "cloudtrail:DescribeTrails"],
    ["securityhub:Get*", "securityhub:Describe*"], ["tag:GetResources"], ["ssm:GetParameter*"],
    ["autoscaling:Describe*"], ["elasticache:Describe*"], ["acm:List*", "acm:Describe*"],
]


@dataclass
class GeneratedSnapshot:
    root: Path
    management_account: str
    big_account: str
    accounts: list[str]
    principals: list[str] = field(default_factory=list)  # role ARNs of the big account, sorted
    files: int = 0


def _policy(rng: random.Random, n_statements: int, account: str) -> dict:
    sts = []
    for i in range(n_statements):
        fam = rng.choice(_FAMILIES)
        st: dict = {"Sid": f"S{i}", "Effect": "Allow", "Action": list(fam), "Resource": "*"}
        r = rng.random()
        if r < 0.15:
            st["Resource"] = [f"arn:aws:s3:::bucket-{rng.randrange(100)}", f"arn:aws:s3:::bucket-{rng.randrange(100)}/*"]
        elif r < 0.25:
            st["Condition"] = {"StringEquals": {"aws:RequestedRegion": rng.choice(["ap-southeast-2", "us-east-1"])}}
        sts.append(st)
    if rng.random() < 0.1:
        sts.append({"Sid": "DenyIamWrite", "Effect": "Deny", "Action": ["iam:Create*", "iam:Delete*", "iam:Put*"],
                    "Resource": "*"})
    return doc(*sts)


def generate_snapshot(
    out_dir: str | Path,
    roles: int = 2000,
    *,
    seed: int = 7,
    roles_per_other_account: int = 5,
    managed_pool: int = 120,
    regions: tuple[str, ...] = ("ap-southeast-2",),
    accounts: int = 24,
    aws_managed: int = 0,
) -> GeneratedSnapshot:
    """Write a synthetic snapshot to ``out_dir`` (overwritten file by file) and describe it.

    ``accounts`` member accounts are spread over the 24 leaf OUs; each but the big one holds
    ``roles_per_other_account`` roles. ``aws_managed`` AWS managed policies (the same ARNs and
    documents in every account's authorization details, as AWS lists them) are attached to
    members' roles, 0-3 each."""
    rng = random.Random(seed)
    b = SnapshotBuilder(MANAGEMENT, org_id="o-bench00000", root_id="r-b000", regions=list(regions),
                        created="2026-01-01T00:00:00Z", source="manual", rcp_enabled=True)
    b.account(MANAGEMENT, "management")
    n_accounts = accounts
    accounts: list[str] = []
    leaves: list[str] = []
    n = 0
    l1s = []
    for i in range(4):
        l1 = b.ou(f"ou-b000-l1{i:06d}", f"L1-{i}")
        l1s.append(l1)
        for j in range(3):
            l2 = b.ou(f"ou-b000-l2{i}{j:05d}", f"L2-{i}-{j}", l1)
            for k in range(2):
                leaves.append(b.ou(f"ou-b000-l3{i}{j}{k:04d}", f"L3-{i}-{j}-{k}", l2))
    for n in range(1, n_accounts + 1):
        acct = f"2{n:011d}"
        b.account(acct, f"member-{n}", leaves[(n - 1) % len(leaves)])
        accounts.append(acct)
    big = accounts[0]
    b.scp("p-regionguard", "DenyUnapprovedRegions", doc({
        "Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "budgets:*", "ce:*", "cur:*"],
        "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["ap-southeast-2", "us-east-1"]}},
    }), [b.root_id])
    b.scp("p-leaveorg00", "DenyLeaveOrganization", doc({"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                                         "Resource": "*"}), [b.root_id])
    b.scp("p-guardduty0", "DenyGuardDuty", doc({"Effect": "Deny", "Action": "guardduty:*", "Resource": "*"}), [l1s[1]])
    b.scp("p-iamuser000", "DenyIamUsers", doc({"Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey"],
                                               "Resource": "*"}), ["ou-b000-l2000000"])
    b.rcp("p-rcptls0000", "EnforceSecureTransport", doc({
        "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*", "kms:*"], "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}), [b.root_id])

    pool = [b.managed_policy(big, f"Shared{i:03d}", _policy(rng, rng.randint(1, 4), big)) for i in range(managed_pool)]
    boundary = b.managed_policy(big, "Boundary", doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["iam:*User*", "organizations:*"], "Resource": "*"}))
    principals = []
    for i in range(roles):
        inline = {f"inline{j}": _policy(rng, rng.randint(1, 5), big) for j in range(rng.randint(0, 2))}
        managed = rng.sample(pool, rng.randint(0, 4))
        trust = trust_service("lambda.amazonaws.com") if rng.random() < 0.2 else trust_account(MANAGEMENT)
        arn = b.role(big, f"role-{i:05d}", trust=trust, inline=inline, managed=managed,
                     boundary=boundary if rng.random() < 0.3 else None,
                     tags={"team": f"team-{rng.randrange(20)}"} if rng.random() < 0.5 else None,
                     path="/app/" if rng.random() < 0.3 else "/")
        principals.append(arn)
    aws_docs = []
    if aws_managed:
        prefixes, names = _catalog_pool(rng)
        aws_docs = [(f"GeneratedManaged{i:03d}", _aws_managed_doc(rng, prefixes, names)) for i in range(aws_managed)]
    for acct in accounts[1:]:
        for i in range(roles_per_other_account):
            managed = [b.managed_policy(acct, name, d, aws_managed=True)
                       for name, d in rng.sample(aws_docs, rng.randint(0, 3))] if aws_docs else []
            b.role(acct, f"role-{i}", trust=trust_account(MANAGEMENT), inline={"p": _policy(rng, 2, acct)},
                   managed=managed)
    for i in range(20):
        b.resource_policy(big, f"arn:aws:s3:::bucket-{i}", doc({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::bucket-{i}/*"}), service="s3", region="ap-southeast-2")
    root = b.write(out_dir, indent=False)
    files = len(b.files(indent=False))
    return GeneratedSnapshot(root, MANAGEMENT, big, [MANAGEMENT, *accounts], sorted(principals), files)



# --------------------------------------------------------------------------------------------
# one big account in the AWS CLI's own shape: customer managed and AWS managed policies


_VERBS = ("Describe*", "Get*", "List*")
_ACCOUNT = "123456789012"


def _catalog_pool(rng: random.Random) -> tuple[list[str], dict[str, list[str]]]:
    """Service prefixes and some real action names per service, from the pinned catalog."""
    from permwise.catalog import get_catalog

    cat = get_catalog()
    prefixes = [p for p in cat.prefixes if cat.service(p) and cat.service(p).actions]  # type: ignore[union-attr]
    names = {p: sorted(a.name for a in cat.service(p).actions.values()) for p in prefixes}  # type: ignore[union-attr]
    return prefixes, names


def _aws_managed_doc(rng: random.Random, prefixes: list[str], names: dict[str, list[str]]) -> dict:
    """An AWS-managed-style policy: read-only families over many services, a few full-access
    services, some exact action lists, occasionally a NotAction or a condition."""
    sts: list[dict] = []
    kind = rng.random()
    if kind < 0.4:  # ReadOnly-like: Describe*/Get*/List* over 5-120 services
        svcs = rng.sample(prefixes, rng.randint(5, 120))
        sts.append({"Effect": "Allow", "Action": sorted(f"{s}:{v}" for s in svcs for v in rng.sample(_VERBS, rng.randint(1, 3))),
                    "Resource": "*"})
    elif kind < 0.7:  # FullAccess-like for 1-4 services plus passrole scoped
        svcs = rng.sample(prefixes, rng.randint(1, 4))
        sts.append({"Effect": "Allow", "Action": [f"{s}:*" for s in svcs], "Resource": "*"})
        if rng.random() < 0.3:
            sts.append({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
                        "Condition": {"StringEquals": {"iam:PassedToService": f"{svcs[0]}.amazonaws.com"}}})
    else:  # service-role style: exact actions
        for _ in range(rng.randint(1, 6)):
            s = rng.choice(prefixes)
            acts = rng.sample(names[s], min(len(names[s]), rng.randint(1, 15)))
            st: dict = {"Effect": "Allow", "Action": [f"{s}:{a}" for a in acts], "Resource": "*"}
            if rng.random() < 0.3:
                st["Resource"] = [f"arn:aws:{s}:*:*:{rng.choice(['resource', 'stack', 'function'])}/{rng.choice(['aws-', 'AWS', 'service-'])}*"]
            if rng.random() < 0.15:
                st["Condition"] = {"StringEquals": {"aws:ResourceTag/aws:cloudformation:stack-name": "managed"}}
            sts.append(st)
    if rng.random() < 0.05:
        sts.append({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": sts}


def _customer_doc(rng: random.Random, prefixes: list[str], names: dict[str, list[str]], account: str) -> dict:
    """A customer-managed-style policy: exact actions, ARN-scoped resources, tag conditions."""
    sts: list[dict] = []
    for i in range(rng.randint(1, 8)):
        r = rng.random()
        if r < 0.5:
            s = rng.choice(prefixes)
            acts = [f"{s}:{a}" for a in rng.sample(names[s], min(len(names[s]), rng.randint(1, 10)))]
        else:
            acts = list(rng.choice(_FAMILIES))
        st: dict = {"Sid": f"Stmt{i}", "Effect": "Allow", "Action": acts, "Resource": "*"}
        r = rng.random()
        if r < 0.25:
            b = f"app-{rng.randrange(500)}-data"
            st["Resource"] = [f"arn:aws:s3:::{b}", f"arn:aws:s3:::{b}/*"]
        elif r < 0.4:
            st["Resource"] = f"arn:aws:*:ap-southeast-2:{account}:*/team-{rng.randrange(40)}-*"
        elif r < 0.5:
            st["Resource"] = f"arn:aws:iam::{account}:role/app/${{aws:PrincipalTag/team}}-*"
        if rng.random() < 0.2:
            st["Condition"] = {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}
        elif rng.random() < 0.1:
            st["Condition"] = {"IpAddress": {"aws:SourceIp": [f"10.{rng.randrange(255)}.0.0/16"]}}
        sts.append(st)
    if rng.random() < 0.15:
        sts.append({"Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:PutRolePolicy"],
                    "Resource": "*"})
    if rng.random() < 0.03:  # a few dangerous grants, so that the audit has something to find
        sts.append({"Effect": "Allow", "Action": rng.choice([["iam:PassRole", "lambda:CreateFunction"],
                                                             ["iam:AttachRolePolicy"], ["cloudtrail:StopLogging"],
                                                             ["kms:ScheduleKeyDeletion"], ["iam:*"]]),
                    "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": sts}


def generate_account_snapshot(
    out_dir: str | Path,
    roles: int = 2000,
    *,
    seed: int = 11,
    customer_policies: int = 400,
    aws_managed_policies: int = 250,
    users: int = 50,
    account: str = _ACCOUNT,
) -> GeneratedSnapshot:
    """One standalone account (no organization) whose ``authorization-details.json`` is in the
    AWS CLI's ``get-account-authorization-details`` shape: ``roles`` roles, ``users`` users in a
    few groups, ``customer_policies`` customer managed and ``aws_managed_policies`` AWS managed
    policies (``arn:aws:iam::aws:policy/...``, several versions each, as AWS lists them),
    attached in a skewed way (a few attached to most roles). The file alone is what
    ``cloudsplaining scan --input-file`` reads."""
    rng = random.Random(seed)
    prefixes, names = _catalog_pool(rng)
    b = SnapshotBuilder(None, regions=["ap-southeast-2", "us-east-1"], created="2026-01-01T00:00:00Z",
                        source="manual", scp_enabled=False, rcp_enabled=False)
    b.account(account, "big")
    aws = [b.managed_policy(account, f"Generated{'ReadOnly' if i % 3 == 0 else 'Service'}Access{i:03d}",
                            _aws_managed_doc(rng, prefixes, names), aws_managed=True, path="/",
                            versions=rng.randint(1, 4))
           for i in range(aws_managed_policies)]
    cust = [b.managed_policy(account, f"team-{i % 40}-policy-{i:04d}", _customer_doc(rng, prefixes, names, account),
                             path=rng.choice(["/", "/app/", "/teams/"]), versions=rng.randint(1, 3))
            for i in range(customer_policies)]
    boundary = b.managed_policy(account, "DeveloperBoundary", doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["iam:*User*", "iam:*AccessKey*", "organizations:*", "account:*"], "Resource": "*"}))
    popular_aws = aws[:8]
    principals = []
    for i in range(roles):
        managed = set(rng.sample(popular_aws, rng.randint(0, 3)))
        managed.update(rng.sample(aws, rng.randint(0, 4)))
        managed.update(rng.sample(cust, rng.randint(0, 5)))
        inline = {f"inline-{j}": _customer_doc(rng, prefixes, names, account) for j in range(rng.choice((0, 0, 1, 1, 2)))}
        r = rng.random()
        trust = (trust_service(rng.choice(["lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]))
                 if r < 0.5 else trust_account(account) if r < 0.9 else
                 trust_account("999988887777", condition={"StringEquals": {"sts:ExternalId": f"ext-{i}"}}))
        principals.append(b.role(account, f"role-{i:05d}", trust=trust, inline=inline, managed=sorted(managed),
                                 boundary=boundary if rng.random() < 0.25 else None,
                                 tags={"team": f"team-{rng.randrange(40)}"} if rng.random() < 0.6 else None,
                                 path=rng.choice(["/", "/app/", "/service-role/"])))
    groups = [b.group(account, f"group-{g}", managed=sorted(rng.sample(aws, 2) + rng.sample(cust, 2)),
                      inline={"extra": _customer_doc(rng, prefixes, names, account)}) for g in range(6)]
    for u in range(users):
        b.user(account, f"user-{u:03d}", groups=[g.rsplit("/", 1)[-1] for g in rng.sample(groups, rng.randint(1, 2))],
               managed=sorted(rng.sample(cust, rng.randint(0, 2))), tags={"team": f"team-{rng.randrange(40)}"})
    root = b.write(out_dir, indent=False)
    files = len(b.files(indent=False))
    return GeneratedSnapshot(root, account, account, [account], sorted(principals), files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="generate a synthetic permwise snapshot")
    ap.add_argument("out", type=Path)
    ap.add_argument("--roles", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--accounts", type=int, default=24, help="member accounts")
    ap.add_argument("--member-roles", type=int, default=5, help="roles in each member account but the big one")
    ap.add_argument("--aws-managed", type=int, default=0, help="AWS managed policies attached in member accounts")
    ap.add_argument("--single-account", action="store_true",
                    help="one standalone account in the AWS CLI's authorization-details shape instead")
    args = ap.parse_args(argv)
    if args.single_account:
        info = generate_account_snapshot(args.out, roles=args.roles, seed=args.seed)
        print(f"wrote {info.files} files to {info.root}: one account, {args.roles} roles")
        return 0
    info = generate_snapshot(args.out, roles=args.roles, seed=args.seed, accounts=args.accounts,
                             roles_per_other_account=args.member_roles, aws_managed=args.aws_managed)
    print(f"wrote {info.files} files to {info.root}: {len(info.accounts)} accounts, "
          f"{args.roles} roles in {info.big_account}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
