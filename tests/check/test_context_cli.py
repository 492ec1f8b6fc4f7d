"""The context options through the CLI: --at, --fail-on conditional, runtime in the config,
simulate's --derive-context (docs/context.md, docs/simulate.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "docs" / "examples" / "context"


def permwise(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "permwise", *args], capture_output=True, text=True, input=stdin)


def check_args(config: Path) -> list[str]:
    return ["check", str(EX / "manifest.yaml"), "--env", str(EX / "snapshot"), "--config", str(config), "--no-excess"]


def test_bad_at_is_one_line_exit_2():
    r = permwise("check", "--no-excess", "--at", "next tuesday")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--at next tuesday" in r.stderr


def test_fail_on_conditional():
    assert permwise(*check_args(EX / "config.yaml"), "--fail-on", "partial").returncode == 0
    assert permwise(*check_args(EX / "config.yaml"), "--fail-on", "conditional").returncode == 1
    assert permwise(*check_args(EX / "config-stated.yaml"), "--fail-on", "conditional").returncode == 0


def test_bad_runtime_in_config_is_exit_2(tmp_path):
    bad = tmp_path / "c.yaml"
    bad.write_text((EX / "config.yaml").read_text() + "runtime: {vpc_endpoint: endpoint-1, mfa: maybe}\n")
    r = permwise(*check_args(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "runtime" in r.stderr


def test_at_makes_the_report_deterministic():
    a = permwise(*check_args(EX / "config.yaml"), "--format", "json", "--at", "2026-03-01T00:00:00Z")
    b = permwise(*check_args(EX / "config.yaml"), "--format", "json", "--at", "1772323200")
    assert a.returncode == b.returncode == 0 and a.stdout == b.stdout
    assert json.loads(a.stdout)["at"] == "2026-03-01T00:00:00Z"


CASE = {"id": "c", "request": {"principal": "arn:aws:sts::111122223333:assumed-role/app/s1", "action": "s3:GetObject",
                               "resource": "arn:aws:s3:::b/k"},
        "identity_policies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"Bool": {"aws:ViaAWSService": "false", "aws:MultiFactorAuthPresent": "false"}}}]}]}


def test_jsonl_context_as_given_unless_asked(tmp_path):
    """A case's context is taken exactly as given; the model fills it per case or per batch."""
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join(json.dumps(c) for c in (CASE, {**CASE, "id": "d", "derive_context": True})) + "\n")
    plain = [json.loads(x) for x in permwise("simulate", "--jsonl", str(batch)).stdout.splitlines()]
    assert [r["decision"] for r in plain] == ["implicitDeny", "allowed"]
    derived = [json.loads(x) for x in permwise("simulate", "--jsonl", str(batch), "--derive-context").stdout.splitlines()]
    assert [r["decision"] for r in derived] == ["allowed", "allowed"]
