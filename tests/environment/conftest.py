"""Helpers for environment tests: small snapshots built in Python with SnapshotBuilder."""

from __future__ import annotations

import pytest

from permwise.environment.builder import SnapshotBuilder


@pytest.fixture
def builder() -> SnapshotBuilder:
    return SnapshotBuilder("111111111111", regions=["ap-southeast-2"])
