#!/usr/bin/env python3
"""Organization scale: ``check`` and ``audit`` as per-account units on local processes.

    python bench/bench_scale.py [--accounts 500 2000] [--roles 200] [--jobs 2] [--verbs check audit]

For each size an organization is generated (``bench/gen_org.py``, written one account at a
time), then each verb runs through :mod:`permwise.scale` on ``--jobs`` local processes, exactly
as ``permwise audit --jobs N`` does. Printed per run: wall and CPU time, and the peak memory
(``ru_maxrss``) of each process: this one (the coordinator: shared part, index, merge) and
each worker (the largest unit it ran). Beside them, the reference: the orjson parse time of
the organization's files and of its largest account file, read in this process.

Flat memory means: the workers' peak does not grow with the number of accounts (it is bounded by
the largest account), and the coordinator's grows only with what it merges (findings and the
escalation facts of principals that have any).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import orjson  # noqa: E402
from gen_org import generate_org  # noqa: E402

AUDIT_CONFIG = HERE.parent / "src" / "permwise" / "data" / "guardrails" / "demo-audit-config.yaml"


def parse_floor(files: list[Path]) -> float:
    t = time.perf_counter()
    for f in files:
        orjson.loads(f.read_bytes())
    return time.perf_counter() - t


def self_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_verb(verb: str, snap: Path, deploy: Path, jobs: int) -> dict:
    from permwise.executors import make_executor

    ex = make_executor(jobs)
    t, c = time.perf_counter(), time.process_time()
    if verb == "audit":
        from permwise.audit import load_config
        from permwise.scale.audit import run_audit_units

        from permwise.fsutil import atomic_write
        from permwise.report.audit import iter_json

        result, gaps, _ = run_audit_units(str(snap), load_config(str(AUDIT_CONFIG)), None, ex)
        # the report written as `permwise audit -f json -o FILE` writes it: streamed from disk
        with tempfile.TemporaryDirectory() as d:
            out = atomic_write(Path(d) / "audit.json", iter_json(result, env_path=str(snap), gaps=gaps))
            size = out.stat().st_size
        stats = result.stats
        detail = (f"{len(result.findings):,} findings, {stats['units']} units, index {stats['index']}, "
                  f"escalation facts {stats['escalation_facts']}; peak unit per process "
                  f"{', '.join(f'{k} {v:.0f} MB' for v, k in stats['peak_unit_per_process'])}")
        workers = stats["peak_rss_mb_per_process"]
    else:
        from permwise.requirements import load_config, load_manifest
        from permwise.scale.check import run_check_units

        report, gaps = run_check_units(load_manifest("runbooks"), load_config(str(deploy)), str(snap), ex)
        size = len(json.dumps(report.to_dict()))
        detail = f"{len(report.commands)} commands, {ex.stats['units']} units + {ex.stats['index_units']} index units"
        workers = ex.stats["peak_rss_mb_per_process"]
    wall = time.perf_counter() - t
    # the workers' CPU is reported by the OS for reaped children
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"verb": verb, "wall_s": round(wall, 1), "coordinator_cpu_s": round(time.process_time() - c, 1),
            "children_cpu_s": round(children.ru_utime + children.ru_stime, 1), "gaps": len(gaps), "detail": detail,
            "coordinator_peak_mb": round(self_rss_mb(), 1), "worker_peak_mb": workers, "output_bytes": size}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, nargs="+", default=[500, 2000])
    ap.add_argument("--roles", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbs", nargs="+", default=["check", "audit"])
    ap.add_argument("--workdir", type=Path, default=None, help="keep the generated organizations here")
    ap.add_argument("--reuse", type=Path, default=None,
                    help="use DIR/org-N (written by `gen_org.py DIR/org-N --accounts N`) when it is there")
    args = ap.parse_args(argv)
    for n in args.accounts:
        with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
            t = time.perf_counter()
            if args.reuse is not None and (args.reuse / f"org-{n}" / "organization").is_dir():
                # an organization gen_org.py wrote before (`gen_org.py DIR/org-N --accounts N`)
                from gen_org import GeneratedOrg

                root = args.reuse / f"org-{n}"
                ids = sorted(d.name for d in (root / "accounts").iterdir())
                prin = sum(len(orjson.loads((root / "accounts" / a / "authorization-details.json").read_bytes())
                               .get(k, [])) for a in ids for k in ("UserDetailList", "RoleDetailList"))
                g = GeneratedOrg(root, ids, prin, 0)
                tmp = str(args.reuse)
                (Path(tmp) / "org-deploy.yaml").write_bytes((args.reuse / f"org-{n}-deploy.yaml").read_bytes())
            else:
                g = generate_org(Path(tmp) / "org", n, args.roles)
            gen = time.perf_counter() - t
            files = sorted(p for p in g.root.rglob("*.json"))
            size = sum(f.stat().st_size for f in files)
            largest = max(files, key=lambda f: f.stat().st_size)
            floor = parse_floor(files)
            floor1 = parse_floor([largest])
            print(f"organization: {len(g.accounts):,} accounts, {g.principals:,} principals, {len(files):,} files, "
                  f"{size / 1e6:.0f} MB (generated in {gen:.0f} s); orjson parse floor: all files {floor:.1f} s, "
                  f"largest account file {largest.stat().st_size / 1e6:.2f} MB {floor1 * 1000:.0f} ms", flush=True)
            deploy = Path(tmp) / "org-deploy.yaml"
            for verb in args.verbs:
                # each verb in a fresh process so its peak memory is its own
                import subprocess

                code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); from bench_scale import run_verb; "
                        f"from pathlib import Path; print(json.dumps(run_verb({verb!r}, Path({str(g.root)!r}), "
                        f"Path({str(deploy)!r}), {args.jobs})))")
                r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")})
                if r.returncode != 0:
                    print(f"  {verb}: failed: {r.stderr[-2000:]}", flush=True)
                    continue
                res = json.loads(r.stdout.strip().splitlines()[-1])
                w = res["worker_peak_mb"]
                print(f"  {verb:5} --jobs {args.jobs}: wall {res['wall_s']:.1f} s, CPU coordinator "
                      f"{res['coordinator_cpu_s']:.1f} s + workers {res['children_cpu_s']:.1f} s; peak memory "
                      f"coordinator {res['coordinator_peak_mb']:.0f} MB, workers {', '.join(f'{x:.0f}' for x in w)} MB; "
                      f"{res['detail']}; gaps {res['gaps']}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
