#!/usr/bin/env python3
"""Benchmark ``permwise access``: the 2,000-role benchmark organization plus synthetic resource
policies (S3 buckets granting `s3:*` to `*` under a VPC endpoint condition, KMS keys shared with
an outside account, SQS queues open to a service).

    python bench/bench_access.py [--roles 2000] [--resources 600]

Prints the time to parse the snapshot (``load_snapshot``, every policy compiled: the reference
measured in the same process) beside the time of the whole access analysis, with the number of
engine evaluations. Figures are recorded in docs/access.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from gen_snapshot import generate_snapshot  # noqa: E402

from permwise.access import analyze_access  # noqa: E402
from permwise.environment import load_snapshot  # noqa: E402


def _policies(account: str, n: int) -> list[dict]:
    out = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            arn = f"arn:aws:s3:::bench-{account}-{i}"
            doc = {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
                   "Condition": {"StringEquals": {"aws:SourceVpce": f"vpce-{i:08x}"}}}
            out.append({"Arn": arn, "Service": "s3", "Region": "ap-southeast-2",
                        "Policy": {"Version": "2012-10-17", "Statement": [doc]}, "Extra": {"PublicAccessBlock": None}})
        elif kind == 1:
            arn = f"arn:aws:kms:ap-southeast-2:{account}:key/bench-{i}"
            doc = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "kms:*",
                   "Resource": "*"}
            out.append({"Arn": arn, "Service": "kms", "Region": "ap-southeast-2",
                        "Policy": {"Version": "2012-10-17", "Statement": [doc]}})
        else:
            arn = f"arn:aws:sqs:ap-southeast-2:{account}:bench-{i}"
            doc = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                   "Resource": arn}
            out.append({"Arn": arn, "Service": "sqs", "Region": "ap-southeast-2",
                        "Policy": {"Version": "2012-10-17", "Statement": [doc]}})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--roles", type=int, default=2000)
    ap.add_argument("--resources", type=int, default=600)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "snap"
        info = generate_snapshot(out, roles=args.roles)
        acct = info.big_account
        path = out / "accounts" / acct / "resource-policies.json"
        data = json.loads(path.read_text()) if path.exists() else {"ResourcePolicies": []}
        data["ResourcePolicies"].extend(_policies(acct, args.resources))
        path.write_text(json.dumps(data))
        t = time.perf_counter()
        env = load_snapshot(out)
        t_load = time.perf_counter() - t
        t = time.perf_counter()
        result = analyze_access(env, "organization")
        t_access = time.perf_counter() - t
        print(f"snapshot: {len(env.principals())} principals, {len(env.resource_policies)} resource policies, "
              f"{len(env.accounts)} accounts")
        print(f"parse (load_snapshot, all policies compiled): {t_load:.2f}s")
        print(f"access: {t_access:.2f}s  ({result.resources:,} resource and trust policies, "
              f"{result.evaluations:,} engine evaluations, {len(result.findings):,} findings)")
        print(f"access / parse: {t_access / t_load:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
