"""Helpers (imported by name) for the tests of the bundled manifest DATA (runbooks, sec-provisioner, wiv).

The seeds the manifests were written from are copied under ``seeds/`` so these tests read the
source documents themselves, independently of the manifests, and compare.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from permwise.catalog import get_catalog

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "seeds"
MANIFESTS = HERE.parents[1] / "src" / "permwise" / "data" / "manifests"
NAMES = ("runbooks", "sec-provisioner", "wiv")

#: An action or action pattern written as `service:Name` (no ARN, no condition-key path).
ACTION_RE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*?]+$")


def load_yaml(name: str) -> dict:
    return yaml.safe_load((MANIFESTS / f"{name}.yaml").read_text(encoding="utf-8"))


def seed_text(stem: str) -> str:
    return (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")


def quoted_actions(text: str) -> list[str]:
    """Every `"service:Action"` string of the seed's JSON blocks (condition keys with a path and
    ARNs do not match; global `aws:` keys are dropped)."""
    found = re.findall(r'"([a-z0-9-]+:[A-Za-z0-9*]+)"', text)
    return sorted({a for a in found if not a.startswith("aws:")})


def manifest_actions(data: dict, command_id: str | None = None) -> set[str]:
    out: set[str] = set()
    for cmd in data["commands"]:
        if command_id is None or cmd["id"] == command_id:
            for perm in cmd["permissions"]:
                out.update(perm["actions"])
    return out


def expanded(patterns) -> set[str]:
    cat = get_catalog()
    return {a.key.lower() for p in patterns for a in cat.expand(p)}


def command(data: dict, command_id: str) -> dict:
    for cmd in data["commands"]:
        if cmd["id"] == command_id:
            return cmd
    raise AssertionError(f"no command `{command_id}`")


def as_list(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def rename_map(data: dict) -> dict[str, str]:
    """`was -> now` of the corrections that rename one action (both sides action-like)."""
    out = {}
    for c in data.get("corrections", []):
        if isinstance(c["was"], str) and isinstance(c["now"], str) and ACTION_RE.match(c["was"]) and ACTION_RE.match(c["now"]):
            if c["was"] != c["now"]:
                out[c["was"]] = c["now"]
    return out


def corrected_away(data: dict) -> set[str]:
    """Seed actions a correction replaced, narrowed or dropped (named in a `was`)."""
    return {w for c in data.get("corrections", []) for w in as_list(c["was"]) if ACTION_RE.match(w)}
