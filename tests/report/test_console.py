"""make_console: terminal width on a TTY, $COLUMNS or 120 otherwise; identifiers are never cut
with "…" by the terminal renderers of check, rules and who-can-assume, at any width."""

from __future__ import annotations

import io
import re

import pytest
from typer.testing import CliRunner

from permwise.cli.main import app
from permwise.report.console import PIPE_WIDTH, make_console, output_width

runner = CliRunner()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_pipe_width_default_and_columns(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert output_width(io.StringIO()) == PIPE_WIDTH >= 120
    assert make_console(file=io.StringIO()).width == PIPE_WIDTH
    monkeypatch.setenv("COLUMNS", "150")
    assert make_console(file=io.StringIO()).width == 150
    monkeypatch.setenv("COLUMNS", "junk")
    assert output_width(io.StringIO()) == PIPE_WIDTH


def test_tty_keeps_the_terminal_width():
    assert output_width(_Tty()) is None


def test_stderr_console_writes_to_stderr():
    assert make_console(stderr=True).stderr


@pytest.mark.parametrize("columns", [None, "70", "100"])
def test_check_never_cuts_identifiers(monkeypatch, demo_check, columns):
    """At the default pipe width every account id, profile and status is printed whole; at
    narrow widths values fold but no "…" appears."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    r = runner.invoke(app, ["check", "--no-excess"])
    assert r.exit_code == 0, r.output
    assert "…" not in r.stdout
    if columns is None:
        for c in demo_check.commands:
            line = next(ln for ln in r.stdout.splitlines() if re.match(rf"^\s*{re.escape(c.id)}\s", ln))
            assert c.account in line and c.profile in line and c.status in line, line


def test_check_excess_table_not_cut(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    r = runner.invoke(app, ["check"])
    assert r.exit_code == 0
    assert "…" not in r.stdout
    assert "333333333333 role/RunbooksOperations" in r.stdout


def test_rules_and_who_can_assume_not_cut(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    r = runner.invoke(app, ["rules"])
    assert r.exit_code == 0 and "…" not in r.stdout
    monkeypatch.delenv("COLUMNS")
    r = runner.invoke(app, ["rules"])
    assert "PRIVESC-UPDATE-ASSUME-ROLE-POLICY" in r.stdout and "…" not in r.stdout
    r = runner.invoke(app, ["who-can-assume", "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole"])
    assert r.exit_code == 0 and "…" not in r.stdout
