"""Gaps (docs/scale.md) are shown first in every format: the JSON report's first key, the
terminal's first line (test_executors_cli.py), SARIF's invocation (``executionSuccessful: false``
and one error notification per gap, SARIF 2.1.0 3.20.14 and 3.58), a banner before everything in
HTML, and a quoted block at the top of Markdown. The fault drill (``PERMWISE_FAULTS``) kills the
process running one unit every time, so its unit becomes a gap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PERMWISE = Path(sys.executable).parent / "permwise"
DEMO = ROOT / "src" / "permwise" / "data" / "demo"
AUDIT_CONFIG = ROOT / "src" / "permwise" / "data" / "guardrails" / "demo-audit-config.yaml"
VICTIM = "333333333333"

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11, 5), reason="a worker dying under --jobs can deadlock "
                                "CPython's process pool before 3.11.5 (gh-105829); docs/scale.md says so")


def run(tmp_path: Path, unit: str, *args: str) -> subprocess.CompletedProcess:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"die": {unit: "always"}}))
    env = {**os.environ, "PERMWISE_FAULTS": str(faults), "PERMWISE_UNITS_MIN_ACCOUNTS": "1"}
    env.pop("PERMWISE_DASK_SCHEDULER", None)
    return subprocess.run([str(PERMWISE), *args, "--jobs", "2"], capture_output=True, text=True, env=env, timeout=300)


def audit(tmp_path: Path, fmt: str) -> tuple[subprocess.CompletedProcess, str]:
    out = tmp_path / f"audit.{fmt}"
    r = run(tmp_path, f"audit:{VICTIM}", "audit", "--env", str(DEMO / "snapshot"), "-c", str(AUDIT_CONFIG), "-f", fmt,
            "-o", str(out), "--fail-on", "critical")
    return r, out.read_text()


def check(tmp_path: Path, fmt: str) -> tuple[subprocess.CompletedProcess, str]:
    out = tmp_path / f"check.{fmt}"
    # the index pass of one account fails: every command is unknown (a resource may live there)
    r = run(tmp_path, f"index:{VICTIM}", "check", "runbooks", "--env", str(DEMO / "snapshot"), "--config",
            str(DEMO / "config.yaml"), "-f", fmt, "-o", str(out))
    return r, out.read_text()


def test_sarif_run_is_unsuccessful_with_one_error_notification_per_gap(tmp_path):
    r, text = audit(tmp_path, "sarif")
    assert r.returncode == 1, r.stderr
    inv = json.loads(text)["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    gap = inv["toolExecutionNotifications"][0]
    assert gap["level"] == "error"
    assert gap["properties"]["unit"] == f"audit:{VICTIM}" and gap["properties"]["accounts"] == [VICTIM]
    assert VICTIM in gap["message"]["text"] and gap["message"]["text"].startswith("unknown:")
    # the other accounts' findings are there
    assert json.loads(text)["runs"][0]["results"]


def test_sarif_without_gap_has_no_failed_invocation(tmp_path):
    r = subprocess.run([str(PERMWISE), "audit", "--env", str(DEMO / "snapshot"), "-c", str(AUDIT_CONFIG), "-f", "sarif",
                        "--jobs", "1"], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PERMWISE_UNITS_MIN_ACCOUNTS": "1"})
    assert r.returncode == 0, r.stderr
    assert all(inv.get("executionSuccessful", True) for inv in json.loads(r.stdout)["runs"][0].get("invocations", []))


@pytest.mark.parametrize("verb", [audit, check])
def test_html_banner_comes_before_everything(tmp_path, verb):
    _, html = verb(tmp_path, "html")
    main = html.index("<main>")
    banner = html.index('<section id="gaps" role="alert">')
    assert main < banner < html.index("<header")
    assert html[main:banner].strip() == "<main>"
    section = html[banner:html.index("</section>", banner)]
    # audit: the victim's unit; check: every command's unit (the index pass of the victim failed)
    assert ("UNKNOWN results for 1 account</h2>" if verb is audit else "UNKNOWN results for 4 accounts") in section
    assert f"<code>{verb.__name__}:" in section or f"<code>index:{VICTIM}</code>" in section
    assert VICTIM in section


def test_markdown_starts_with_the_gaps(tmp_path):
    _, md = check(tmp_path, "markdown")
    lines = md.splitlines()
    assert lines[0].startswith("# permwise check")
    assert lines[2].startswith("> **UNKNOWN results for 4 accounts**")
    head = md.split("\n\n")[1]
    assert f"`index:{VICTIM}`" in head and "the index pass failed for 333333333333" in head
