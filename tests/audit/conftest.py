"""Fixtures: the planted organization of audit_planted.py, loaded and audited once per session."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_planted import CONFIG, MGMT, plant
from permwise.audit import run_audit
from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder


@pytest.fixture(scope="session")
def planted_dir(tmp_path_factory):
    b = SnapshotBuilder(management_account=MGMT, regions=["us-east-1"])
    plant(b)
    return b.write(tmp_path_factory.mktemp("planted") / "snap")


@pytest.fixture(scope="session")
def planted_env(planted_dir):
    return load_snapshot(planted_dir)


@pytest.fixture(scope="session")
def planted_result(planted_env):
    return run_audit(planted_env, CONFIG, today=dt.date(2025, 6, 1))
