"""The published JSON Schemas of the check and audit reports (docs/schemas/) describe the real
output: the demo runs, a conditional run and a run with denials are validated against them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "permwise" / "data" / "demo"
SCHEMAS = ROOT / "docs" / "schemas"


def _run(*args: str) -> dict:
    r = subprocess.run([sys.executable, "-m", "permwise", *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _schema(name: str) -> dict:
    s = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(s)
    return s


def test_check_report_matches_schema():
    data = _run("check", "--format", "json", "--at", "2026-03-01T00:00:00Z")
    jsonschema.validate(data, _schema("check-report"))
    assert data["at"] == "2026-03-01T00:00:00Z"
    # every request is listed, allowed ones too
    for c in data["commands"]:
        assert len(c["request_results"]) == c["requests"]["total"]


def test_conditional_check_report_matches_schema(tmp_path):
    snap = tmp_path / "snapshot"
    shutil.copytree(DEMO / "snapshot", snap)
    path = snap / "accounts" / "444444444444" / "authorization-details.json"
    auth = json.loads(path.read_text())
    role = next(r for r in auth["RoleDetailList"] if r["RoleName"] == "RunbooksWorkload")
    role.setdefault("RolePolicyList", []).append({"PolicyName": "Mfa", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Sid": "NeedMfa", "Effect": "Deny", "Action": "ec2:StartInstances",
                                                "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}})
    path.write_text(json.dumps(auth))
    cfg = yaml.safe_load((DEMO / "config.yaml").read_text())
    cfg["profiles"]["billing"]["runtime"] = {"mfa": True}
    cfg_path = tmp_path / "config.yaml"
    cfg_path.write_text(yaml.safe_dump(cfg))
    data = _run("check", "runbooks", "--env", str(snap), "--config", str(cfg_path), "--format", "json", "--no-excess")
    jsonschema.validate(data, _schema("check-report"))
    c = next(c for c in data["commands"] if c["id"] == "operate.ec2-start")
    assert c["status"] == "conditional" and c["conditions"][0]["key"] == "aws:MultiFactorAuthPresent"
    assert data["runtime"] == {"profiles": {"billing": {"mfa": True}}}
    # a denial names its levels and policies as data
    vb = next(c for c in data["commands"] if c["id"] == "validation.benchmark")
    d = vb["denied"][0]
    assert d["levels"] == [{"type": "ORGANIZATIONAL_UNIT", "id": "ou-a1b2-w0rk1oad", "name": "Workloads"}]
    assert d["policies"][0]["kind"] == "scp" and d["policies"][0]["arn"].endswith("/p-gdutyd3n")


@pytest.mark.parametrize("bad", [{"format": "permwise-check/2"}, {"summary": {"ready": -1}}])
def test_check_schema_rejects_wrong_reports(bad):
    data = _run("check", "--format", "json", "--no-excess")
    data.update(bad)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, _schema("check-report"))


def test_audit_report_matches_schema():
    data = _run("audit", "--format", "json")
    jsonschema.validate(data, _schema("audit-report"))
    assert data["findings"]


def test_audit_report_with_access_section_matches_schema():
    data = _run("audit", "--access", "--format", "json")
    jsonschema.validate(data, _schema("audit-report"))
    assert "access" in data and "findings" in data["access"]
