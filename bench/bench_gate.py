"""Cost of the input gate and of whole-snapshot schema validation, beside the orjson floor.

    python bench/bench_gate.py [--roles 3000]

Generates a snapshot (bench/gen_snapshot.py) and prints, for all its JSON files:
- the orjson parse floor (bytes -> objects, nothing else),
- the gate: regular-file open + fstat + bounded read + parse + depth + duplicate-key checks,
- the schema: fastjsonschema per file (what the loader runs), and jsonschema for comparison,
- load_snapshot without compiling policies (everything the loader does before the engine).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from gen_snapshot import generate_snapshot  # noqa: E402

from permwise.environment import load_snapshot  # noqa: E402
from permwise.environment import schema as snapshot_schema  # noqa: E402
from permwise.sources import load_source  # noqa: E402


def best(fn, repeat: int = 3) -> float:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--roles", type=int, default=3000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        root = Path(d) / "s"
        generate_snapshot(root, roles=args.roles)
        files = sorted(root.rglob("*.json"))
        rels = [str(p.relative_to(root)) for p in files]
        size = sum(p.stat().st_size for p in files)
        raw = [p.read_bytes() for p in files]
        datas = [orjson.loads(b) for b in raw]
        floor = best(lambda: [orjson.loads(b) for b in raw])
        gate = best(lambda: [load_source(str(p), max_bytes=1 << 30, fmt="json") for p in files])
        fast = best(lambda: [snapshot_schema.schema_error(r, x) for r, x in zip(rels, datas, strict=True)])

        def slow() -> None:
            for r, x in zip(rels, datas, strict=True):
                ref = next((ref for rx, ref in snapshot_schema._routes() if rx.match(r)), None)
                if ref:
                    snapshot_schema._validator(ref).is_valid(x)

        full = best(slow, 1)
        load = best(lambda: load_snapshot(root, compile_all=False))
        print(f"{len(files)} files, {size / 1e6:.1f} MB, {args.roles} roles")
        print(f"orjson parse floor            {floor:7.3f} s")
        print(f"input gate (read+parse+checks) {gate:7.3f} s  ({gate / floor:.1f}x the floor)")
        print(f"schema, fastjsonschema        {fast:7.3f} s")
        print(f"schema, jsonschema (reference) {full:7.3f} s")
        print(f"load_snapshot (no compile)    {load:7.3f} s")


if __name__ == "__main__":
    main()
