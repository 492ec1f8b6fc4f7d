"""What a new user types in the first hour gets the answer it deserves: `--debug` anywhere, a
misspelt manifest named as such, an unknown action refused by `simulate` as by `actions`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from permwise.cli.main import main


def _run(argv, capsys):
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", [
    ["--debug", "audit", "--env", "/nonexistent-snapshot"],
    ["audit", "--env", "/nonexistent-snapshot", "--debug"],
    ["audit", "--debug", "--env", "/nonexistent-snapshot"],
])
def test_debug_before_or_after_the_verb_shows_the_traceback(argv):
    proc = subprocess.run([sys.executable, "-m", "permwise", *argv], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "InputError" in proc.stderr  # our error, not click's NoSuchOption
    assert "NoSuchOption" not in proc.stderr and "no such option" not in proc.stderr


def test_without_debug_the_same_error_is_one_line(capsys):
    code, _, err = _run(["audit", "--env", "/nonexistent-snapshot"], capsys)
    assert code == 2 and err.count("\n") == 1 and "no such snapshot directory" in err


def test_debug_after_double_dash_is_an_argument(capsys):
    code, _, err = _run(["actions", "--", "--debug"], capsys)
    assert code == 2 and "Traceback" not in err


def test_check_names_a_misspelt_manifest_first(capsys):
    code, out, err = _run(["check", "runbok"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "unknown manifest `runbok`" in err and "did you mean `runbooks`" in err
    assert "missing --env" not in err


def test_check_with_a_known_manifest_still_asks_for_env_and_config(capsys):
    code, _, err = _run(["check", "runbooks"], capsys)
    assert code == 2 and "missing --env and --config" in err


USER = "arn:aws:iam::111122223333:user/alice"


def test_simulate_refuses_an_unknown_action_like_actions_does(capsys):
    code, out, err = _run(["simulate", "-p", USER, "-a", "s3:GetObjekt"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "unknown action `s3:GetObjekt`" in err and "did you mean `s3:GetObject`" in err
    code, _, err2 = _run(["actions", "s3:GetObjekt"], capsys)
    assert code == 2 and "unknown action `s3:GetObjekt`" in err2


def test_simulate_decides_an_unknown_action_on_request(capsys):
    code, out, _ = _run(["simulate", "-p", USER, "-a", "s3:GetObjekt", "--allow-unknown-action"], capsys)
    assert code == 0 and out.startswith("implicitDeny")
    code, out, _ = _run(["simulate", "-p", USER, "-a", "s3:GetObject"], capsys)
    assert code == 0 and out.startswith("implicitDeny")
