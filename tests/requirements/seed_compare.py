"""Compare the runbooks seed's hand-written policies with the generated ones, per command group.

Counts the distinct actions each side allows (patterns expanded against the pinned catalog) and
how many of the generated ones are granted on ``Resource: "*"``. Run it to print the Markdown
table kept in docs/generate.md::

    python tests/requirements/seed_compare.py [SEED.txt]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The seed document, as copied into the repository with the manifest-data tests.
SEED = ROOT / "tests/manifests_data/seeds/runbooks-cli-permission-requirements.txt"

#: Seed section number -> manifest command group.
SECTIONS = {1: "inventory", 2: "finops", 3: "security", 4: "security", 5: "cert", 6: "cfat", 7: "operate"}


def seed_blocks(text: str) -> dict[str, list[dict]]:
    """The JSON policy blocks of each seed section, grouped by command group (the SCP exception
    template, which is not an identity policy, is left out)."""
    out: dict[str, list[dict]] = {}
    parts = re.split(r"^(\d)\. .*$", text, flags=re.M)
    for num, body in zip(parts[1::2], parts[2::2], strict=True):
        group = SECTIONS.get(int(num))
        if group is None:
            continue
        for m in re.finditer(r"^\{\n.*?^\}$", body, flags=re.M | re.S):
            doc = json.loads(m.group(0))
            if any(s.get("Sid") == "AllowGuardDutyOrgDeployment" for s in doc["Statement"]):
                continue
            out.setdefault(group, []).append(doc)
    return out


def _actions(docs: list[dict]) -> tuple[set[str], set[str]]:
    """(all actions allowed, actions allowed on Resource "*")."""
    from permwise.catalog import get_catalog

    cat = get_catalog()
    allowed: set[str] = set()
    star: set[str] = set()
    for d in docs:
        for s in d["Statement"]:
            acts = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            res = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
            keys = {a.key for a in cat.expand_many(acts)}
            allowed |= keys
            if "*" in res:
                star |= keys
    return allowed, star


def compare(seed_path: Path = SEED) -> list[dict]:
    from permwise.requirements import load_config, load_manifest
    from permwise.requirements.generate import generate_policies

    blocks = seed_blocks(seed_path.read_text())
    m = load_manifest("runbooks")
    cfg = load_config(str(ROOT / "examples/config/runbooks.yaml"))
    rows = []
    for group in sorted(blocks):
        seed_all, seed_star = _actions(blocks[group])
        gen = generate_policies(m, cfg, commands=[group])
        gen_all, gen_star = _actions([p.document for p in gen.policies])
        rows.append({"group": group, "seed_blocks": len(blocks[group]), "seed": len(seed_all),
                     "seed_star": len(seed_star), "generated": len(gen_all), "generated_star": len(gen_star),
                     "commands": len({cp.command.id for cp in gen.plans}), "policies": len(gen.policies)})
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| Group | Seed policy blocks | Seed: actions allowed | Seed: on `*` | Generated: commands | "
             "Generated: actions allowed | Generated: on `*` |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['group']} | {r['seed_blocks']} | {r['seed']} | {r['seed_star']} | {r['commands']} | "
                     f"{r['generated']} | {r['generated_star']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(compare(Path(sys.argv[1]) if len(sys.argv) > 1 else SEED)))
