#!/usr/bin/env python3
"""Benchmark ``permwise check`` and ``permwise audit`` of generated organizations.

    python bench/bench_org.py [--accounts 100 500] [--repeat 2] [--shape generated|landing-zone]

Each organization (``--shape generated``, ``bench/gen_snapshot.py``): three levels of OUs,
SCPs and RCPs on several levels, N member accounts with 20 roles each (inline policies and 0-3
of 30 AWS managed policies), and one big account with 500 roles and a pool of customer managed
policies. ``--shape landing-zone`` (``bench/gen_org.py``, a second generator written apart):
a Control Tower-like OU tree, SCPs that exempt a role by ``aws:PrincipalArn``, RCPs, 25 roles
per account with randomly drawn application policies naming the account's own resources,
users in every fifth account, a bucket, key and queue policy per account.
``check`` runs the bundled runbooks manifest with its four profiles mapped to four accounts
(excess included); ``audit`` runs every guardrail, escalation, trust and SCP rule. Printed per
size: wall and CPU time, peak memory of all processes, and the orjson parse floor of the same
files, so growth can be read as a ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _common import PERMWISE, best, json_files, mb, parse_floor, run  # noqa: E402
from gen_snapshot import generate_snapshot  # noqa: E402

CONFIG = """variables: {prefix: acme}
regions: [ap-southeast-2]
profiles:
  management: {account: "200000000001", principal: "arn:aws:iam::200000000001:role/app/role-00002"}
  billing: {account: "200000000002", principal: "arn:aws:iam::200000000002:role/role-0"}
  operations: {account: "200000000003", principal: "arn:aws:iam::200000000003:role/role-1"}
  workload: {account: "200000000009", principal: "arn:aws:iam::200000000009:role/role-2"}
"""
AUDIT_CONFIG = HERE.parent / "src" / "permwise" / "data" / "guardrails" / "demo-audit-config.yaml"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, nargs="+", default=[100, 500])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--shape", choices=("generated", "landing-zone"), default="generated")
    args = ap.parse_args(argv)
    for n in args.accounts:
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            if args.shape == "generated":
                info = generate_snapshot(t / "snap", roles=500, accounts=n, roles_per_other_account=20, aws_managed=30)
                (t / "deploy.yaml").write_text(CONFIG)
                roles = 500 + 20 * (n - 1)
            else:
                from gen_org import generate_org

                info = generate_org(t / "snap", accounts=n, roles=25)
                (t / "snap-deploy.yaml").rename(t / "deploy.yaml")
                roles = info.principals
            files = json_files(t / "snap")
            size = sum(f.stat().st_size for f in files)
            floor = min(parse_floor(files) for _ in range(args.repeat))
            what = "roles" if args.shape == "generated" else "principals"
            print(f"organization of {n} member accounts ({args.shape}), {roles:,} {what}, {len(files)} files, "
                  f"{size / 1e6:.1f} MB; orjson parse floor {floor:.2f} s ({info.root.name})")
            for verb, cmd in (
                ("check", [*PERMWISE, "check", "runbooks", "--env", str(t / "snap"), "--config", str(t / "deploy.yaml"),
                           "--format", "json", "-o", str(t / "check.json")]),
                ("audit", [*PERMWISE, "audit", "--env", str(t / "snap"), "--config", str(AUDIT_CONFIG),
                           "--format", "json", "-o", str(t / "audit.json")]),
            ):
                for jobs in sorted({1, args.jobs}):
                    r = best(lambda: run([*cmd, "--jobs", str(jobs)]), args.repeat)
                    print(f"  {verb} --jobs {jobs}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, "
                          f"peak {mb(r['peak_tree'])} (all processes), {r['wall'] / floor:.0f}x the parse floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
