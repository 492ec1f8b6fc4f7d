"""Fixtures: the bundled demo organization audited and checked once per session."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def demo_audit():
    from permwise.audit import load_config, run_audit
    from permwise.cli.audit import demo_paths
    from permwise.environment import load_snapshot

    snap, cfg = demo_paths()
    return run_audit(load_snapshot(snap), load_config(str(cfg)), today=dt.date(2025, 6, 1))


@pytest.fixture(scope="session")
def demo_check():
    from permwise.cli.check import demo_paths
    from permwise.environment import load_snapshot
    from permwise.requirements import load_config, load_manifest
    from permwise.requirements.check import check

    snap, cfg = demo_paths()
    return check(load_manifest("runbooks"), load_config(str(cfg)), load_snapshot(snap),
                 snapshot_label="bundled demo organization", config_label="bundled demo config")
