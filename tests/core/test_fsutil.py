"""Atomic writes: all-or-nothing, no overwrite without force, ordinary file modes."""

import os
import stat

import pytest

from permwise.errors import InputError
from permwise.fsutil import atomic_write, atomic_write_many


def test_writes_all_files_with_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        paths = atomic_write_many({tmp_path / "a.json": "{}", tmp_path / "sub" / "b.json": b"[]"})
    finally:
        os.umask(old)
    assert [p.read_text() for p in paths] == ["{}", "[]"]
    assert stat.S_IMODE(paths[0].stat().st_mode) == 0o644
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_refuses_existing_file_before_writing_anything(tmp_path):
    (tmp_path / "b.json").write_text("keep")
    with pytest.raises(InputError, match="refusing to overwrite"):
        atomic_write_many({tmp_path / "a.json": "new", tmp_path / "b.json": "new"})
    assert not (tmp_path / "a.json").exists()
    assert (tmp_path / "b.json").read_text() == "keep"


def test_force_replaces_and_keeps_mode(tmp_path):
    target = tmp_path / "a.json"
    target.write_text("old")
    target.chmod(0o600)
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_failure_midway_leaves_no_temporaries(tmp_path):
    class Boom(str):
        def encode(self, *a, **k):  # noqa: D401 - a payload that fails while being written
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write_many({tmp_path / "a.json": "ok", tmp_path / "b.json": Boom("x")})
    assert list(tmp_path.iterdir()) == []
