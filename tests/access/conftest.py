"""Fixtures of the access tests live in access_support.py (a unique module name)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from access_support import build_extended  # noqa: E402


@pytest.fixture(scope="session")
def extended_dir(tmp_path_factory):
    return build_extended(tmp_path_factory.mktemp("access") / "snapshot")


@pytest.fixture(scope="session")
def extended_env(extended_dir):
    from permwise.environment import load_snapshot

    return load_snapshot(extended_dir)


@pytest.fixture(scope="session")
def org_result(extended_env):
    from permwise.access import analyze_access

    return analyze_access(extended_env, "organization")
