#!/usr/bin/env python3
"""What the request-context model costs ``check``: check beside its engine floor, one process.

    python bench/bench_context.py [--roles 2000] [--principals 30] [--rounds 3]

Generates the bench organization (bench/gen_snapshot.py), plans every runbooks command, then
times in CPU seconds, alternately and ``--rounds`` times each (best round kept, so a busy machine hurts both
alike):

* **floor**: the engine's decision-only path over the same requests, each with a four-key
  context (``aws:PrincipalArn``, ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``,
  ``aws:RequestedRegion``) and nothing else: what any check must at least spend;
* **check**: ``check_plans`` as ``permwise check`` runs it, with the full request-context model
  (docs/context.md), the unknown-key probes and every request recorded.

The figure to watch is ``check / floor``. The script imports only APIs that existed before the
context model, so the same file copied into an older tree (``git archive``) gives the ratio
before; docs/benchmarks.md records both.
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

from permwise.engine import Request, evaluate  # noqa: E402
from permwise.environment import load_snapshot  # noqa: E402
from permwise.requirements import load_manifest, plan  # noqa: E402
from permwise.requirements.check import check_plans, regions_for  # noqa: E402
from permwise.requirements.model import DeploymentConfig  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--roles", type=int, default=2000)
    ap.add_argument("--principals", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        info = generate_snapshot(Path(tmp) / "snap", roles=args.roles)
        env = load_snapshot(Path(tmp) / "snap")
    m = load_manifest("runbooks")
    principals = info.principals[: args.principals]
    cfg = DeploymentConfig.model_validate({
        "variables": {"prefix": "acme"}, "regions": ["ap-southeast-2"],
        "profiles": {p: {"account": info.big_account, "principal": principals[0]} for p in m.profiles},
    })
    plans = plan(m, cfg)
    org = env.organization_id

    def floor() -> int:
        n = 0
        for p in principals:
            acct = env.principal(p).account
            base = {"aws:PrincipalArn": p, "aws:PrincipalOrgID": org,
                    "aws:PrincipalOrgPaths": [env.principal_org_paths(acct)]}
            for cp in plans:
                for req in cp.requests:
                    racct = env.resource_account(req.resource) or acct
                    ps = env.policy_set(p, req.resource, racct)
                    for region in regions_for(req.resource, cp.regions):
                        ctx = dict(base)
                        ctx["aws:RequestedRegion"] = region
                        evaluate(ps, Request(p, req.action, req.resource, racct, ctx), False)
                        n += 1
        return n

    def check() -> int:
        return sum(r.total_requests for p in principals for r in check_plans(env, plans, principal_override=p))

    floor(), check()  # warm the caches (policy sets, compiled policies) for both
    best = {"floor": float("inf"), "check": float("inf")}
    counts = {}
    for _ in range(args.rounds):
        for name, fn in (("floor", floor), ("check", check)):
            t = time.process_time()
            counts[name] = fn()
            best[name] = min(best[name], time.process_time() - t)
    print(f"requests: floor {counts['floor']:,}, check {counts['check']:,} "
          f"({len(principals)} principals x {len(plans)} commands)")
    print(f"floor (engine decision-only, 4-key context): {best['floor']:.2f} s")
    print(f"check (context model, probes, every request recorded): {best['check']:.2f} s")
    print(f"check / floor: {best['check'] / best['floor']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
