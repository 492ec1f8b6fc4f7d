"""The check table never cuts an account id, a status or a count, whatever the terminal width:
a truncated "0/357" would silently read "0/35"."""

import json

import pytest
from typer.testing import CliRunner

from permwise.cli.main import app


@pytest.fixture(scope="module")
def report():
    res = CliRunner().invoke(app, ["check", "--format", "json", "--no-excess"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.parametrize("width", [72, 80, 100, 120, 160])
def test_no_identifier_or_count_is_cut(report, width, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(width))
    res = CliRunner().invoke(app, ["check", "--no-excess"])
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert "…" not in res.stdout
    for cmd in report["commands"]:
        denied = f"{len(cmd['blocked_actions'])}/{cmd['required_actions']}"
        row = [line for line in lines if cmd["account"] and f" {cmd['account']} " in line and cmd["status"] in line]
        assert row, (width, cmd["id"])
        assert any(f" {denied}" in line for line in row), (width, cmd["id"], denied)
    assert max(len(line) for line in lines) <= max(width, 80)
