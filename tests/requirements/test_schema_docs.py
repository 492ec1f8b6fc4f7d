"""Published schemas and generated docs never drift from the code and the data."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from requirements_support import FIXTURES, MINI, ROOT, run_cli
from permwise.requirements import bundled_names, load_manifest
from permwise.requirements.schema import config_schema, dumps, manifest_schema


def test_committed_schemas_equal_generated():
    assert (ROOT / "docs/schemas/manifest.schema.json").read_text() == dumps(manifest_schema()), \
        "run: python -m permwise.requirements.schema"
    assert (ROOT / "docs/schemas/config.schema.json").read_text() == dumps(config_schema())


@pytest.mark.parametrize("name", bundled_names() + ["mini"])
def test_manifests_and_configs_validate_against_published_schemas(name):
    ms = json.loads((ROOT / "docs/schemas/manifest.schema.json").read_text())
    cs = json.loads((ROOT / "docs/schemas/config.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(ms)
    mpath = MINI if name == "mini" else ROOT / "src/permwise/data/manifests" / f"{name}.yaml"
    cpath = FIXTURES / "mini-config.yaml" if name == "mini" else ROOT / "examples/config" / f"{name}.yaml"
    jsonschema.validate(yaml.safe_load(mpath.read_text()), ms)
    jsonschema.validate(yaml.safe_load(cpath.read_text()), cs)


def test_schema_rejects_unknown_field():
    ms = manifest_schema()
    data = yaml.safe_load(MINI.read_text())
    data["commands"][0]["permissions"][0]["justificaton"] = "typo"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, ms)


@pytest.mark.parametrize("name", bundled_names())
def test_committed_manifest_docs_are_up_to_date(name):
    path = ROOT / "docs/manifests" / f"{name}.md"
    assert path.is_file(), f"run: permwise docs {name} --out docs/manifests/{name}.md --force"
    code, out, err = run_cli("docs", name)
    assert code == 0, err
    assert path.read_text() == out, f"stale: run permwise docs {name} --out docs/manifests/{name}.md --force"


def test_docs_content_comes_from_the_data():
    m = load_manifest(str(MINI))
    code, out, _ = run_cli("docs", str(MINI))
    assert code == 0
    for c in m.commands:
        assert f"[`{c.id}`](#cmd-{c.id.replace('.', '-')})" in out
        assert f"**{c.scp_risk.level}**: {c.scp_risk.reason}" in out
        for perm in c.permissions:
            assert perm.justification in out
    # counts per service: the 2 EC2 describe actions of inventory.collect are List-level
    ec2_row = next(line for line in out.splitlines() if line.startswith("| `ec2` |"))
    assert ec2_row.split("|")[2].strip() == "2"


def test_docs_counts_per_category_and_trust_policy_come_from_the_data():
    """`permwise docs`: counts per category (command group) and, for a manifest with a trust
    policy, its principals and conditions. The wiv seed counts one entry per (permission,
    resource) row, 135 rows in its tables; the entries column counts the same way."""
    m = load_manifest("wiv")
    code, out, _ = run_cli("docs", "wiv")
    assert code == 0
    section = out[out.index("## Counts per category"):out.index("## Actions by service")]
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in section.splitlines() if line.startswith("| `") or line.startswith("| **total")}
    for group in {c.group for c in m.commands}:
        cmds = [c for c in m.commands if c.group == group]
        assert rows[f"`{group}`"][0] == str(len(cmds))
        assert rows[f"`{group}`"][2] == str(sum(len(p.actions) * max(1, len(p.resources or [])) for c in cmds
                                                for p in c.permissions))
    assert rows["**total**"][2] == "**135**"
    trust = out[out.index("## Trust policy"):out.index("## Commands")]
    assert "`arn:aws:iam::613007325984:root`" in trust and "sts:ExternalId" in trust
    assert "`events.amazonaws.com`" in trust and "`apidestinations.events.amazonaws.com`" in trust
    code, out, _ = run_cli("docs", "runbooks")
    assert "## Trust policy" not in out and "## Counts per category" in out
