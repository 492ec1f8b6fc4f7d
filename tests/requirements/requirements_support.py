"""Shared helpers of the requirements tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini.yaml"
MINI_CONFIG = FIXTURES / "mini-config.yaml"


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; a PermwiseError becomes one stderr line and exit 2, as in main()."""
    from permwise.cli.main import app
    from permwise.errors import PermwiseError

    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=True)
    if isinstance(result.exception, PermwiseError):
        return 2, result.stdout, f"permwise: error: {result.exception}\n"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def run_script(*args: str) -> subprocess.CompletedProcess:
    """Run the installed console script (``python -m permwise``) as a user would."""
    return subprocess.run([sys.executable, "-m", "permwise", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


@pytest.fixture
def cli():
    return run_cli
