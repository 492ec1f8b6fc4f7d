"""Fixtures for the tests of the bundled manifest data; helpers live in `_md_helpers`."""

from __future__ import annotations

import pytest

from _md_helpers import NAMES, load_yaml


@pytest.fixture(scope="session", params=NAMES)
def manifest_name(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def data(manifest_name) -> dict:
    return load_yaml(manifest_name)
