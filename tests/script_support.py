"""The ``permwise`` console script for tests that run it as a user would (see tests/conftest.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest


def console_script() -> str:
    """The ``permwise`` console script of the running interpreter's environment."""
    exe = Path(sys.executable).parent / ("permwise.exe" if os.name == "nt" else "permwise")
    if not exe.exists():
        pytest.fail(f"console script not installed beside {sys.executable}: pip install -e .")
    return str(exe)
