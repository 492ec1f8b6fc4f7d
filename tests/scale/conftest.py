"""Shared by the scale tests: the synthetic organization generator of ``bench/gen_org.py``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def gen_org() -> ModuleType:
    """``bench/gen_org.py`` as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("gen_org", ROOT / "bench" / "gen_org.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["gen_org"] = mod
    spec.loader.exec_module(mod)
    return mod
