#!/usr/bin/env python3
"""Benchmark ``permwise check``: a 2,000-role account in a three-level organization.

    python bench/bench_check.py [--roles 2000] [--principals 50] [--keep DIR]

Prints the time to generate and to load the snapshot, then the time of ``check`` over every
runbooks command for each of 50 principals of the big account (every profile mapped to that
principal), without and with the excess analysis. Figures are recorded in docs/check.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from gen_snapshot import generate_snapshot  # noqa: E402

from permwise.environment import load_snapshot  # noqa: E402
from permwise.requirements import load_manifest, plan  # noqa: E402
from permwise.requirements.check import check_plans  # noqa: E402
from permwise.requirements.excess import excess_for_plans  # noqa: E402
from permwise.requirements.model import DeploymentConfig  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--roles", type=int, default=2000)
    ap.add_argument("--principals", type=int, default=50)
    ap.add_argument("--keep", type=Path, help="write the snapshot here and keep it")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "snap"
        t = time.perf_counter()
        info = generate_snapshot(out, roles=args.roles)
        t_gen = time.perf_counter() - t
        t = time.perf_counter()
        env = load_snapshot(out)
        t_load = time.perf_counter() - t
        n_pol = len(env._compiled)

        m = load_manifest("runbooks")
        acct = info.big_account
        principals = info.principals[: args.principals]
        cfg = DeploymentConfig.model_validate({
            "variables": {"prefix": "acme"}, "regions": ["ap-southeast-2"],
            "profiles": {p: {"account": acct, "principal": principals[0]} for p in m.profiles},
        })
        t = time.perf_counter()
        plans = plan(m, cfg)
        t_plan = time.perf_counter() - t
        n_req = sum(len(cp.requests) for cp in plans)

        statuses: dict[str, int] = {}
        t = time.perf_counter()
        for p in principals:
            for r in check_plans(env, plans, principal_override=p):
                statuses[r.status] = statuses.get(r.status, 0) + 1
        t_check = time.perf_counter() - t

        t = time.perf_counter()
        total_excess = 0
        for p in principals:
            for cp in plans:
                cp.principal = p
            total_excess += sum(e.total for e in excess_for_plans(env, plans, cfg))
        t_excess = time.perf_counter() - t

    print(f"snapshot: {len(info.accounts)} accounts, {args.roles} roles in {acct}, {info.files} files")
    print(f"generate: {t_gen:.2f} s")
    print(f"load_snapshot (parse, resolve, compile {n_pol} policies): {t_load:.2f} s")
    print(f"plan: {len(plans)} commands, {n_req} requests: {t_plan:.2f} s")
    print(f"check: {len(principals)} principals x {len(plans)} commands = {len(principals) * n_req:,} evaluations: "
          f"{t_check:.2f} s ({t_check / len(principals) * 1000:.0f} ms per principal)")
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"excess: {len(principals)} principals: {t_excess:.2f} s ({total_excess:,} excess actions in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
