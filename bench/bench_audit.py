#!/usr/bin/env python3
"""Benchmark ``permwise audit``: a 2,000-role account in a three-level organization.

    python bench/bench_audit.py [--roles 2000] [--keep DIR]

Generates the snapshot with ``bench/gen_snapshot.py`` (the check engineer's generator), then
prints the time to parse it (``load_snapshot``, every policy compiled) against the time of the
whole audit (IAM guardrails, escalation, trust, SCP guardrails per account, with the bundled demo
audit config so that every SCP-* placeholder has a value), with the number of engine evaluations. Figures are recorded in docs/audit.md.
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

from permwise.audit import load_config, run_audit  # noqa: E402
from permwise.environment import load_snapshot  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--roles", type=int, default=2000)
    ap.add_argument("--keep", help="write the snapshot here and keep it")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.keep or tmp) / "snap"
        t = time.perf_counter()
        info = generate_snapshot(out, roles=args.roles)
        t_gen = time.perf_counter() - t
        t = time.perf_counter()
        env = load_snapshot(out)
        t_load = time.perf_counter() - t
        t = time.perf_counter()
        # every SCP-* placeholder filled (the demo's audit config), so all 26 SCP guardrails run
        cfg = load_config(str(HERE.parent / "src" / "permwise" / "data" / "guardrails" / "demo-audit-config.yaml"))
        result = run_audit(env, cfg)
        t_audit = time.perf_counter() - t
        print(f"snapshot: {len(env.principals())} principals, {len(env.accounts)} accounts "
              f"(big account {info.big_account}: {args.roles} roles), generated in {t_gen:.2f}s")
        print(f"parse (load_snapshot, all policies compiled): {t_load:.2f}s")
        print(f"audit: {t_audit:.2f}s  ({result.stats['evaluations']:,} engine evaluations; "
              f"guardrails {result.stats['seconds']['guardrails']:.2f}s, escalation "
              f"{result.stats['seconds']['escalation']:.2f}s, trust+SCP {result.stats['seconds']['trust_and_scp']:.2f}s)")
        print(f"audit / parse: {t_audit / t_load:.2f}x; findings: {len(result.findings):,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
