"""The published snapshot JSON Schema accepts the snapshots permwise reads and rejects broken ones."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "snapshot.schema.json").read_text())
DEMO = ROOT / "src" / "permwise" / "data" / "demo" / "snapshot"


def as_document(root: Path) -> dict:
    return {str(p.relative_to(root)): json.loads(p.read_text()) for p in sorted(root.rglob("*.json"))}


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_demo_snapshot_matches_schema():
    jsonschema.validate(as_document(DEMO), SCHEMA)


def test_generated_snapshot_matches_schema(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_snapshot import generate_snapshot

    info = generate_snapshot(tmp_path / "s", roles=20)
    jsonschema.validate(as_document(info.root), SCHEMA)


@pytest.mark.parametrize("path,mutate", [
    ("organization/ous.json", lambda d: d["OrganizationalUnits"][0].pop("ParentId")),
    ("organization/roots.json", lambda d: d["Roots"].append(dict(d["Roots"][0]))),
    ("snapshot.json", lambda d: d.update(format="permwise-snapshot/2")),
])
def test_broken_files_are_rejected(path, mutate):
    doc = as_document(DEMO)
    mutate(doc[path])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_unknown_file_is_rejected():
    doc = as_document(DEMO)
    doc["accounts/1234/authorization-details.json"] = {}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_demo_files_are_reproducible():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_demo.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_packaged_schema_is_the_published_one():
    """The loader validates against the copy shipped in the package; it must be the documented one."""
    packaged = ROOT / "src" / "permwise" / "data" / "schemas" / "snapshot.schema.json"
    assert json.loads(packaged.read_text()) == SCHEMA
