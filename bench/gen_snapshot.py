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
) -> GeneratedSnapshot:
    """Write a synthetic snapshot to ``out_dir`` (overwritten file by file) and describe it."""
    rng = random.Random(seed)
    b = SnapshotBuilder(MANAGEMENT, org_id="o-bench00000", root_id="r-b000", regions=list(regions),
                        created="2026-01-01T00:00:00Z", source="manual", rcp_enabled=True)
    b.account(MANAGEMENT, "management")
    accounts: list[str] = []
    n = 0
    l1s = []
    for i in range(4):
        l1 = b.ou(f"ou-b000-l1{i:06d}", f"L1-{i}")
        l1s.append(l1)
        for j in range(3):
            l2 = b.ou(f"ou-b000-l2{i}{j:05d}", f"L2-{i}-{j}", l1)
            for k in range(2):
                l3 = b.ou(f"ou-b000-l3{i}{j}{k:04d}", f"L3-{i}-{j}-{k}", l2)
                n += 1
                acct = f"2{n:011d}"
                b.account(acct, f"member-{n}", l3)
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
    for acct in accounts[1:]:
        for i in range(roles_per_other_account):
            b.role(acct, f"role-{i}", trust=trust_account(MANAGEMENT), inline={"p": _policy(rng, 2, acct)})
    for i in range(20):
        b.resource_policy(big, f"arn:aws:s3:::bucket-{i}", doc({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}, "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::bucket-{i}/*"}), service="s3", region="ap-southeast-2")
    root = b.write(out_dir, indent=False)
    files = len(b.files(indent=False))
    return GeneratedSnapshot(root, MANAGEMENT, big, [MANAGEMENT, *accounts], sorted(principals), files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="generate a synthetic permwise snapshot")
    ap.add_argument("out", type=Path)
    ap.add_argument("--roles", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    info = generate_snapshot(args.out, roles=args.roles, seed=args.seed)
    print(f"wrote {info.files} files to {info.root}: {len(info.accounts)} accounts, "
          f"{args.roles} roles in {info.big_account}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
