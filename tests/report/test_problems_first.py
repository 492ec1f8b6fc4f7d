"""A snapshot problem (here: a collect run that stopped, `"complete": false`) is shown first in
every format of check and audit, makes the affected results unknown (never ready), and gives a
non-zero exit under --fail-on."""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from permwise.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "permwise" / "data" / "demo" / "snapshot"
CONFIG = ROOT / "src" / "permwise" / "data" / "demo" / "config.yaml"


@pytest.fixture(scope="module")
def incomplete(tmp_path_factory) -> Path:
    snap = tmp_path_factory.mktemp("inc") / "snap"
    shutil.copytree(DEMO, snap)
    meta = json.loads((snap / "snapshot.json").read_text())
    (snap / "snapshot.json").write_text(json.dumps({**meta, "complete": False}))
    return snap


def _run(argv, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code or 0, out.out, out.err


def test_check_is_never_ready_and_fails_under_fail_on(incomplete, capsys, monkeypatch):
    base = ["check", "runbooks", "--env", str(incomplete), "--config", str(CONFIG)]
    code, out, err = _run([*base, "--format", "json"], capsys, monkeypatch)
    doc = json.loads(out)
    assert code == 0 and [p["code"] for p in doc["problems"]] == ["snapshot-incomplete"]
    assert {c["status"] for c in doc["commands"]} <= {"unresolved", "partial", "blocked"}
    assert doc["summary"]["ready"] == 0
    code, out, err = _run([*base, "--fail-on", "blocked"], capsys, monkeypatch)
    assert code == 1
    assert err.startswith("permwise: warning:")  # the problem, before any result
    assert 0 <= out.index("snapshot problem:") < out.index(" command ")  # first in the terminal report too
    code, out, _ = _run([*base, "--format", "markdown"], capsys, monkeypatch)
    assert out.index("## Snapshot problems") < out.index("| command |")


def test_audit_shows_problems_first_and_fails_under_fail_on(incomplete, capsys, monkeypatch):
    base = ["audit", "--env", str(incomplete)]
    code, out, _ = _run([*base, "--format", "json"], capsys, monkeypatch)
    doc = json.loads(out)
    assert list(doc).index("problems") < list(doc).index("findings") and doc["problems"][0]["code"] == "snapshot-incomplete"
    code, out, _ = _run(base, capsys, monkeypatch)
    assert out.index("Snapshot problems") < re.search(r"\d+ findings?\b", out).start()
    code, out, _ = _run([*base, "--format", "sarif"], capsys, monkeypatch)
    notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["descriptor"]["id"] == "snapshot-incomplete"
    code, _, _ = _run([*base, "--fail-on", "critical", "--format", "json"], capsys, monkeypatch)
    assert code == 1


def test_html_reports_show_problems_first(incomplete, capsys, monkeypatch):
    """The HTML reports of check and audit open with the snapshot problems, before any result."""
    code, out, _ = _run(["check", "runbooks", "--env", str(incomplete), "--config", str(CONFIG), "--no-excess",
                         "--format", "html"], capsys, monkeypatch)
    assert code == 0
    assert 0 < out.index('id="problems"') < out.index('id="summary"') < out.index('id="commands"')
    assert "snapshot-incomplete" in out or "complete" in out
    code, out, _ = _run(["audit", "--env", str(incomplete), "--format", "html"], capsys, monkeypatch)
    assert 0 < out.index('id="problems"') < out.index('id="summary"')


def test_html_check_report_names_the_condition_of_a_conditional_command(capsys, monkeypatch):
    ex = ROOT / "docs" / "examples" / "context"
    code, out, _ = _run(["check", str(ex / "manifest.yaml"), "--env", str(ex / "snapshot"), "--config",
                         str(ex / "config.yaml"), "--no-excess", "--format", "html"], capsys, monkeypatch)
    assert code == 0
    assert "ready only if the session has MFA" in out and "<code>aws:MultiFactorAuthPresent</code>" in out
    assert 'value="conditional"' in out  # the status filter offers it
