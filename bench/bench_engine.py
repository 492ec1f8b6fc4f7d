#!/usr/bin/env python3
"""Benchmark of the evaluation engine (standalone: ``python bench/bench_engine.py``).

Workload (generated, deterministic seed): 10,000 requests from 24 realistic principals (IAM
users, roles and role sessions), each with 2-4 identity policies using action/resource
wildcards, policy variables and conditions (IpAddress, StringEquals on tags, Bool MFA), one
permissions boundary with a deny, and three SCP levels (root: FullAWSAccess + region lock,
OU: FullAWSAccess + security-service deny with an admin exception, account: FullAWSAccess).
Actions and resources span S3, EC2, IAM, DynamoDB, KMS, CloudTrail, Lambda and SQS.

Prints decisions per second for
  1. the Python API (policy sets compiled once, ``evaluate`` per request), best of 3 runs;
  1b. the decision-only API path (``evaluate(ps, req, explain=False)``: no reasons), best of 3;
  2. ``permwise simulate --jsonl`` end to end (process start, JSON parsing of every line with
     its inline policies, evaluation, JSON output), as a subprocess, and the ``--jsonl`` loop
     alone in this process (no start-up).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from permwise.engine import PolicySet, Request, compile_policy, decide, evaluate  # noqa: E402

ACCOUNT = "111122223333"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
BUCKETS = ["app-data", "app-logs", "shared", "finance"]

SCP_ROOT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "RegionLock",
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "cloudfront:*", "support:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "ap-southeast-2"]}},
        },
    ],
}
SCP_OU = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "ProtectSecurityServices",
            "Effect": "Deny",
            "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:Delete*", "config:Stop*"],
            "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}},
        },
    ],
}
SCP_ACCOUNT = {"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
BOUNDARY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Services", "Effect": "Allow", "Action": ["s3:*", "ec2:*", "dynamodb:*", "kms:*", "lambda:*", "sqs:*", "cloudtrail:*", "iam:Get*", "iam:List*"], "Resource": "*"},
        {"Sid": "NoFinance", "Effect": "Deny", "Action": "s3:*", "Resource": ["arn:aws:s3:::finance", "arn:aws:s3:::finance/*"]},
    ],
}

IDENTITY_POOL = [
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadData", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::app-*", "arn:aws:s3:::app-*/*"]},
        {"Sid": "WriteOwnPrefix", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::shared/${aws:PrincipalTag/team}/*"},
    ]},
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "Ec2Ops", "Effect": "Allow", "Action": ["ec2:Describe*", "ec2:StartInstances", "ec2:StopInstances"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        {"Sid": "Ec2ReadOnly", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
    ]},
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "Tables", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"], "Resource": "arn:aws:dynamodb:*:111122223333:table/app-*"},
        {"Sid": "OfficeOnly", "Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}},
    ]},
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "Keys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "arn:aws:kms:*:111122223333:key/*",
         "Condition": {"StringLike": {"kms:ViaService": ["s3.*.amazonaws.com", "dynamodb.*.amazonaws.com"]}}},
        {"Sid": "Functions", "Effect": "Allow", "Action": "lambda:*", "Resource": "arn:aws:lambda:*:111122223333:function:app-*"},
    ]},
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "IamRead", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    ]},
    {"Version": "2012-10-17", "Statement": [
        {"Sid": "Queues", "Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:*:111122223333:app-*"},
        {"Sid": "Trails", "Effect": "Allow", "Action": ["cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:LookupEvents"], "Resource": "*"},
    ]},
]


def make_principals(rng: random.Random) -> list[dict]:
    out = []
    for i in range(24):
        kind = i % 3
        name = ("BreakGlass" if i == 5 else f"app-{i}")
        if kind == 0:
            arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
        elif kind == 1:
            arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/session-{i}"
        else:
            arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
        docs = rng.sample(IDENTITY_POOL, rng.randint(2, 4))
        out.append({"arn": arn, "docs": docs, "tags": {"team": rng.choice(["red", "blue", "green"])}, "boundary": i % 4 != 0})
    return out


def make_request(rng: random.Random) -> tuple[str, str, dict]:
    region = rng.choice(REGIONS + ["us-east-1"])
    ctx: dict = {"aws:SourceIp": rng.choice(["203.0.113.9", "198.51.100.4", "2001:db8::7", "10.0.0.1"])}
    if rng.random() < 0.3:
        ctx["aws:MultiFactorAuthPresent"] = rng.choice(["true", "false"])
    pick = rng.randrange(9)
    if pick <= 1:
        b = rng.choice(BUCKETS)
        return rng.choice(["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"]), f"arn:aws:s3:::{b}/{rng.choice(['red', 'blue'])}/obj{rng.randrange(100)}", ctx
    if pick == 2:
        ctx["aws:ResourceTag/team"] = rng.choice(["red", "blue", "green"])
        return rng.choice(["ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances", "ec2:DescribeInstances"]), f"arn:aws:ec2:{region}:{ACCOUNT}:instance/i-{rng.randrange(1 << 32):08x}", ctx
    if pick == 3:
        return rng.choice(["iam:GetRole", "iam:ListRoles", "iam:CreateUser", "iam:PassRole"]), f"arn:aws:iam::{ACCOUNT}:role/r{rng.randrange(50)}", ctx
    if pick == 4:
        return rng.choice(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteTable"]), f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{rng.choice(['app-orders', 'billing'])}", ctx
    if pick == 5:
        ctx["kms:ViaService"] = rng.choice(["s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"])
        return rng.choice(["kms:Decrypt", "kms:GenerateDataKey", "kms:ScheduleKeyDeletion"]), f"arn:aws:kms:{region}:{ACCOUNT}:key/{rng.randrange(1000)}", ctx
    if pick == 6:
        return rng.choice(["cloudtrail:StopLogging", "cloudtrail:LookupEvents", "cloudtrail:DeleteTrail"]), f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/org", ctx
    if pick == 7:
        return rng.choice(["lambda:InvokeFunction", "lambda:UpdateFunctionCode"]), f"arn:aws:lambda:{region}:{ACCOUNT}:function:{rng.choice(['app-api', 'ops'])}", ctx
    return rng.choice(["sqs:SendMessage", "sqs:DeleteQueue"]), f"arn:aws:sqs:{region}:{ACCOUNT}:{rng.choice(['app-jobs', 'other'])}", ctx


#: the run's one instant (a caller passes it: the engine never reads the clock)
AT = datetime(2026, 1, 1, tzinfo=timezone.utc)


def build(n: int, seed: int = 7):
    rng = random.Random(seed)
    principals = make_principals(rng)
    scps_docs = [[SCP_ROOT], [SCP_OU], [SCP_ACCOUNT]]
    scps = [[compile_policy(SCP_ROOT, "root-scps", "scp", "root")],
            [compile_policy(SCP_OU, "ou-workloads-scps", "scp", "ou-workloads")],
            [compile_policy(SCP_ACCOUNT, "account-scps", "scp", f"account {ACCOUNT}")]]
    boundary = compile_policy(BOUNDARY, "DeveloperBoundary", "boundary")
    sets = []
    for p in principals:
        ids = [compile_policy(d, f"policy-{j}", "identity") for j, d in enumerate(p["docs"])]
        sets.append(PolicySet(identity=ids, boundary=boundary if p["boundary"] else None, scps=scps))
    work = []
    lines = []
    for i in range(n):
        k = rng.randrange(len(principals))
        p = principals[k]
        action, resource, ctx = make_request(rng)
        req = Request(principal=p["arn"], action=action, resource=resource, context=ctx, principal_tags=p["tags"],
                      at=AT)
        work.append((sets[k], req))
        lines.append(orjson.dumps({
            "id": f"r{i}",
            "request": {"principal": p["arn"], "action": action, "resource": resource, "context": ctx},
            "principal_tags": p["tags"],
            "identity_policies": p["docs"],
            "permission_boundary": BOUNDARY if p["boundary"] else None,
            "scps": scps_docs,
        }))
    return work, b"\n".join(lines) + b"\n"


def bench_api(work, runs: int = 3, explain: bool = True) -> tuple[float, float, Counter]:
    """(decisions/s by CPU time, decisions/s by wall time, decision counts); best of ``runs``.

    CPU time (``time.process_time``) is the figure for "one core": it is not inflated by other
    processes competing for the CPU. Wall time is printed beside it."""
    best_cpu = best_wall = 0.0
    decisions: Counter = Counter()
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        if explain:
            out = [evaluate(ps, req).decision for ps, req in work]
        else:
            out = [decide(ps, req) for ps, req in work]
        c1, t1 = time.process_time(), time.perf_counter()
        best_cpu = max(best_cpu, len(work) / (c1 - c0))
        best_wall = max(best_wall, len(work) / (t1 - t0))
        decisions = Counter(out)
    return best_cpu, best_wall, decisions


def bench_cli(payload: bytes, n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "cases.jsonl"
        dst = Path(d) / "results.jsonl"
        src.write_bytes(payload)
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
        t0 = time.perf_counter()
        r0 = os.times()
        subprocess.run([sys.executable, "-m", "permwise", "simulate", "--jsonl", str(src), "-o", str(dst)],
                       check=True, env=env)
        r1 = os.times()
        dt = time.perf_counter() - t0
        cpu = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
        lines = dst.read_bytes().splitlines()
        assert len(lines) == n, (len(lines), n)
        assert not any(b'"decision":"error"' in ln for ln in lines)
    return n / cpu, n / dt


def bench_jsonl_in_process(payload: bytes, n: int) -> float:
    """Decisions/s per CPU second of the ``--jsonl`` loop itself (``simulate._run_jsonl``: parse
    each line, build its policy set, evaluate, write JSON), without process start; caches cold."""
    from permwise.cli.simulate import _run_jsonl
    from permwise.engine import cases

    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "cases.jsonl"
        src.write_bytes(payload)
        cases._CACHE.clear()
        cases._SET_CACHE.clear()
        c0 = time.process_time()
        _run_jsonl(str(src), str(Path(d) / "results.jsonl"), False, at=AT)
        return n / (time.process_time() - c0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10_000, help="number of requests (default 10000)")
    ap.add_argument("--no-cli", action="store_true", help="skip the end-to-end simulate --jsonl run")
    args = ap.parse_args()
    work, payload = build(args.n)
    cpu, wall, decisions = bench_api(work)
    print(f"workload: {args.n:,} requests, 24 principals, 2-4 identity policies each, boundary, 3 SCP levels")
    print("decisions: " + ", ".join(f"{k} {v:,}" for k, v in sorted(decisions.items())))
    print(f"python API (evaluate, compiled once): {cpu:,.0f} decisions/s per CPU second "
          f"({wall:,.0f}/s wall clock; best of 3, one core)")
    cpu2, wall2, decisions2 = bench_api(work, explain=False)
    assert decisions2 == decisions, (decisions2, decisions)
    print(f"python API, decision only (evaluate(explain=False) / decide): {cpu2:,.0f} decisions/s per CPU second "
          f"({wall2:,.0f}/s wall clock; best of 3, one core)")
    if not args.no_cli:
        cli_cpu, cli_wall = bench_cli(payload, args.n)
        print(f"permwise simulate --jsonl end to end: {cli_cpu:,.0f} decisions/s per CPU second "
              f"({cli_wall:,.0f}/s wall clock; {len(payload) / 1e6:.1f} MB of input, process start included)")
        print(f"  of which the --jsonl loop alone (in process, no start-up): "
              f"{bench_jsonl_in_process(payload, args.n):,.0f} decisions/s per CPU second")


if __name__ == "__main__":
    main()
