"""`generate --format scp-exception --env`: a patch to the SCP statement that actually blocks.

AWS Organizations, "SCP evaluation" and "Service control policies": a Deny with an
`ArnNotLike` condition on `aws:PrincipalArn` exempts the listed roles; SCPs never apply to the
management account. The patched SCP must unblock the tool's command and nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import permwise
from permwise.environment import load_snapshot
from permwise.requirements import load_config, load_manifest
from permwise.requirements.check import check

from requirements_support import run_cli

DEMO = Path(permwise.__file__).parent / "data" / "demo"


def _patch(tmp_path, *args):
    out = tmp_path / "patch"
    code, stdout, err = run_cli("generate", "runbooks", "--config", str(DEMO / "config.yaml"), "--format",
                                "scp-exception", "--env", str(DEMO / "snapshot"), "--out", str(out), "--force", *args)
    assert code == 0, err
    return out


def test_patch_names_the_blocking_scp_statement_and_the_change(tmp_path):
    out = _patch(tmp_path)
    assert sorted(p.name for p in out.iterdir()) == ["runbooks-scp-patch.md", "scp-DenyGuardDuty.patched.json"]
    doc = json.loads((out / "scp-DenyGuardDuty.patched.json").read_text())
    original = json.loads(json.loads((DEMO / "snapshot/organization/policies/p-gdutyd3n.json").read_text())
                          ["Policy"]["Content"])
    # one statement changed, by adding the tool's workload role to the existing exception list
    assert len(doc["Statement"]) == len(original["Statement"])
    [st] = doc["Statement"]
    assert st["Sid"] == original["Statement"][0]["Sid"] and st["Action"] == original["Statement"][0]["Action"]
    assert st["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == [
        *original["Statement"][0]["Condition"]["ArnNotLike"]["aws:PrincipalArn"],
        "arn:aws:iam::444444444444:role/RunbooksWorkload",
    ]
    md = (out / "runbooks-scp-patch.md").read_text()
    assert "DenyGuardDuty" in md and "/Statement/0" in md and "validation.benchmark" in md
    # management-account roles are never named: SCPs do not apply to them
    assert "111111111111" not in json.dumps(doc) and "RunbooksManagement" not in md


def test_the_patched_scp_unblocks_the_command_in_the_snapshot(tmp_path):
    out = _patch(tmp_path)
    snap = tmp_path / "snapshot"
    shutil.copytree(DEMO / "snapshot", snap)
    pol = snap / "organization/policies/p-gdutyd3n.json"
    data = json.loads(pol.read_text())
    data["Policy"]["Content"] = (out / "scp-DenyGuardDuty.patched.json").read_text()
    pol.write_text(json.dumps(data))
    m, cfg = load_manifest("runbooks"), load_config(str(DEMO / "config.yaml"))
    before = check(m, cfg, load_snapshot(str(DEMO / "snapshot")), commands=["validation.benchmark"], excess=False)
    after = check(m, cfg, load_snapshot(str(snap)), commands=["validation.benchmark"], excess=False)
    assert any(b.layer == "scp" for b in before.commands[0].blockers)
    assert not any(b.layer == "scp" for b in after.commands[0].blockers)
    # anyone else in the workload account is still denied GuardDuty by the patched SCP
    env = load_snapshot(str(snap))
    other = "arn:aws:iam::444444444444:role/SomeoneElse"
    hits = env.scps_denying(other, "guardduty:ListDetectors", context={**env.request_context(other), "aws:RequestedRegion": "ap-southeast-2"})
    assert [op.name for op, _ in hits] == ["DenyGuardDuty"]


def test_nothing_to_patch_says_so(tmp_path):
    out = _patch(tmp_path, "--commands", "inventory.list-org-accounts")
    assert sorted(p.name for p in out.iterdir()) == ["runbooks-scp-patch.md"]
    assert "no exception is needed" in (out / "runbooks-scp-patch.md").read_text()


def test_env_needs_the_scp_exception_format_and_a_config(tmp_path):
    code, _, err = run_cli("generate", "runbooks", "--config", str(DEMO / "config.yaml"), "--env", str(DEMO / "snapshot"))
    assert code == 2 and "`--env` works with `--format scp-exception` only" in err
    code, _, err = run_cli("generate", "runbooks", "--format", "scp-exception", "--env", str(DEMO / "snapshot"))
    assert code == 2 and "`--env` needs `--config`" in err
