"""The ``permwise`` console script for tests that run it as a user would (see tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def console_script() -> str:
    """The ``permwise`` console script of the running interpreter's environment."""
    exe = Path(sys.executable).parent / ("permwise.exe" if os.name == "nt" else "permwise")
    if not exe.exists():
        pytest.fail(f"console script not installed beside {sys.executable}: pip install -e .")
    return str(exe)


#: what interpreters and test tools may leave behind (caches, the venv, build metadata)
_ALLOWED = {".venv", ".pytest_cache", ".hypothesis", "__pycache__", "build", "dist"}


def checkout_leftovers(root: Path = ROOT) -> set[str]:
    """Untracked and ignored paths of the checkout that are not tool caches (empty outside git)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=normal"],
            cwd=root, capture_output=True, text=True, timeout=60, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    paths = set()
    for line in out.splitlines():
        if line[:2] not in ("??", "!!"):
            continue
        path = line[3:].strip().strip('"').rstrip("/")
        parts = Path(path).parts
        if any(p in _ALLOWED or p.endswith(".egg-info") for p in parts):
            continue
        paths.add(path)
    return paths
