"""`permwise check` through the CLI: the demo, formats, exit codes and bad snapshots (exit 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from permwise.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "permwise" / "data" / "demo"


def run(argv, capsys):
    try:
        main(argv)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_json():
    r = subprocess.run([sys.executable, "-m", "permwise", "check", "--format", "json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_demo_tells_the_story(demo_json):
    cmds = {c["id"]: c for c in demo_json["commands"]}
    # GuardDuty reads of the workload account hit the DenyGuardDuty SCP on the Workloads OU
    vb = cmds["validation.benchmark"]
    assert vb["status"] == "partial"
    scp = [b for b in vb["blockers"] if b["layer"] == "scp"]
    assert scp and scp[0]["policy"] == "DenyGuardDuty" and "Workloads" in scp[0]["level"]
    assert scp[0]["fix"]["kind"] == "scp-exception"
    # the management account is never restricted by SCPs (AWS Organizations User Guide, "Service
    # control policies": SCPs don't affect users or roles in the management account); the output
    # says which SCP it is spared: DenyGuardDuty on the Workloads OU denies guardduty:* elsewhere
    dg = cmds["security.deploy-guardduty"]
    assert dg["status"] == "ready" and dg["account"] == "111111111111"
    assert len(dg["notes"]) == 1
    note = dg["notes"][0]
    assert note.startswith("SCPs never apply to the management account 111111111111")
    assert "`DenyGuardDuty` (attached to ou-a1b2-w0rk1oad (Workloads))" in note and "guardduty:CreateDetector" in note
    # member-account commands get no such note, nor do management commands no SCP would deny
    assert not cmds["inventory.list-org-accounts"]["notes"] and not cmds["validation.benchmark-costs"]["notes"]
    # the billing role lacks ce:GetCostForecast
    assert cmds["finops.dashboard"]["blocked_actions"] == ["ce:GetCostForecast"]
    # most commands are ready
    assert demo_json["summary"]["ready"] > len(cmds) * 3 // 4
    ops = next(e for e in demo_json["excess"] if e["principal"].endswith("role/RunbooksOperations"))
    # Permissions management first (the riskiest level), and present: ops can attach policies
    assert ops["by_level"][0]["access_level"] == "Permissions management" and ops["by_level"][0]["count"] > 0


def test_json_is_sorted_and_stable(demo_json):
    ids = [c["id"] for c in demo_json["commands"]]
    assert ids == sorted(ids)
    assert demo_json["format"] == "permwise-check/1"
    text = json.dumps(demo_json, indent=2, sort_keys=True)
    assert json.loads(text) == demo_json


def test_fail_on(capsys):
    assert run(["check", "--no-excess"], capsys)[0] == 0
    code, out, _ = run(["check", "--no-excess", "--fail-on", "blocked"], capsys)
    assert code == 1 and "operate.vpc-create-vpc" in out
    code, _, _ = run(["check", "--no-excess", "--commands", "inventory", "--fail-on", "partial"], capsys)
    assert code == 0
    code, _, _ = run(["check", "--no-excess", "--commands", "finops.dashboard", "--fail-on", "partial"], capsys)
    assert code == 1


def test_markdown_and_out_file(tmp_path, capsys):
    out = tmp_path / "r.md"
    code, _, err = run(["check", "--format", "markdown", "--out", str(out)], capsys)
    assert code == 0 and "wrote" in err
    text = out.read_text()
    assert text.startswith("# permwise check: runbooks")
    assert "## `validation.benchmark`: partial" in text and "```json" in text


def test_explicit_arguments_on_demo_files(capsys):
    code, out, _ = run(["check", "runbooks", "--env", str(DEMO / "snapshot"), "--config", str(DEMO / "config.yaml"),
                        "--commands", "finops.dashboard", "--no-excess"], capsys)
    assert code == 0 and "ce:GetCostForecast" in out


def test_missing_config_is_usage_error(capsys):
    code, _, err = run(["check", "runbooks", "--env", str(DEMO / "snapshot")], capsys)
    assert code == 2 and "missing --config" in err


def _copy_demo(tmp_path) -> Path:
    dst = tmp_path / "snap"
    shutil.copytree(DEMO / "snapshot", dst)
    return dst


def _check(snap, capsys):
    return run(["check", "runbooks", "--env", str(snap), "--config", str(DEMO / "config.yaml"), "--no-excess"], capsys)


def test_truncated_json_exit_2(tmp_path, capsys):
    snap = _copy_demo(tmp_path)
    f = snap / "accounts/222222222222/authorization-details.json"
    f.write_text(f.read_text()[:500])
    code, out, err = _check(snap, capsys)
    assert code == 2 and out == ""
    assert "accounts/222222222222/authorization-details.json:" in err and "truncated" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_invalid_policy_document_exit_2(tmp_path, capsys):
    snap = _copy_demo(tmp_path)
    f = snap / "accounts/333333333333/authorization-details.json"
    data = json.loads(f.read_text())
    data["RoleDetailList"][1]["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Effect"] = "Permit"
    f.write_text(json.dumps(data, indent=2))
    code, _, err = _check(snap, capsys)
    assert code == 2
    assert "/RoleDetailList/1/RolePolicyList/0/PolicyDocument/Statement/0" in err and "Effect" in err


def test_dangling_reference_exit_2(tmp_path, capsys):
    snap = _copy_demo(tmp_path)
    f = snap / "organization/ous.json"
    data = json.loads(f.read_text())
    data["OrganizationalUnits"][3]["ParentId"] = "ou-a1b2-nowhere0"
    f.write_text(json.dumps(data, indent=2))
    code, _, err = _check(snap, capsys)
    assert code == 2
    assert "organization/ous.json" in err and "/OrganizationalUnits/3/ParentId" in err and "ou-a1b2-nowhere0" in err


def test_problems_are_warnings(tmp_path, capsys):
    snap = _copy_demo(tmp_path)
    f = snap / "accounts/444444444444/authorization-details.json"
    data = json.loads(f.read_text())
    data["Policies"] = [p for p in data["Policies"] if not p["Arn"].endswith("RunbooksReadOnly")]
    f.write_text(json.dumps(data, indent=2))
    code, out, err = run(["check", "runbooks", "--env", str(snap), "--config", str(DEMO / "config.yaml"),
                          "--no-excess", "--format", "json"], capsys)
    assert code == 0
    assert "permwise: warning:" in err and "RunbooksReadOnly" in err and "absent" in err
    report = json.loads(out)
    inv = next(c for c in report["commands"] if c["id"] == "inventory.collect")
    assert inv["status"] == "blocked" and any("policy set incomplete" in n for n in inv["notes"])
    assert report["problems"][0]["code"] == "absent-policy"


def test_ready_command_notes_are_shown(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(["check", "--no-excess", "--commands", "security"], capsys)
    assert code == 0
    flat = " ".join(out.split())  # the table wraps its free-text column on narrow terminals
    assert "notes on ready commands" in flat and "no SCPs (management)" in flat
    assert "security.deploy-guardduty: SCPs never apply to the management account" in flat
    code, out, _ = run(["check", "--no-excess", "--commands", "security", "--format", "markdown"], capsys)
    assert "- `security.deploy-guardduty`: SCPs never apply to the management account" in out
