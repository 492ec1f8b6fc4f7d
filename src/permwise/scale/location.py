"""Where units read the snapshot: a local (or shared) directory, or an fsspec URL.

A path (``/mnt/snapshots/2026-12-01``, ``file:///...``) is read in place. Any other URL
(``s3://bucket/snapshot/``, ``gs://...``, ``abfs://...``) is read through fsspec (with the
filesystem package for that scheme, e.g. ``s3fs``): each worker process copies the shared part
once into a private temporary directory, then each unit's account directory for the time of
that unit only, so a worker's disk holds the shared part and the accounts it is working on.
The scheduler never carries snapshot data.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from permwise.environment.partial import SharedPart, load_shared
from permwise.errors import InputError

_SHARED: dict[str, tuple[str, SharedPart]] = {}
_STAGE: dict[str, tuple[Any, str, Path]] = {}


def is_remote(location: str) -> bool:
    return "://" in location and not location.startswith("file://")


def local_path(location: str) -> str:
    return location[len("file://"):] if location.startswith("file://") else location


def _fs(location: str) -> tuple[Any, str, Path]:
    hit = _STAGE.get(location)
    if hit is not None:
        return hit
    try:
        import fsspec
    except ImportError:
        raise InputError(f"reading `{location}` needs fsspec", hint="install the Dask extra: "
                         "pip install 'permwise[distributed]' (and the filesystem package of the URL, e.g. s3fs)") from None
    try:
        fs, base = fsspec.core.url_to_fs(location)
    except (ImportError, ValueError) as exc:
        raise InputError(f"cannot read `{location}`: {exc}", hint="install the fsspec filesystem for that scheme (s3fs, gcsfs, adlfs)") from None
    stage = Path(tempfile.mkdtemp(prefix="permwise-snapshot-"))
    atexit.register(shutil.rmtree, stage, True)
    hit = _STAGE[location] = (fs, base.rstrip("/"), stage)
    return hit


def _get(fs: Any, src: str, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    fs.get(src, str(dst))


def shared_part(location: str, run: str | None = None) -> SharedPart:
    """The shared part of the snapshot at ``location``, read once per process and run (a
    long-lived Dask worker reads it again for the next run: the snapshot may have changed)."""
    hit = _SHARED.get(location)
    if hit is not None and (run is None or hit[0] == run):
        return hit[1]
    if not is_remote(location):
        sp = load_shared(local_path(location))
    else:
        fs, base, stage = _fs(location)
        if not fs.exists(base):
            raise InputError("no such snapshot", file=location, hint="build one with `permwise collect` (docs/snapshots.md)")
        for rel in ("snapshot.json", "errors.json"):
            if fs.exists(f"{base}/{rel}"):
                _get(fs, f"{base}/{rel}", stage / rel)
        if fs.exists(f"{base}/organization"):
            for src in fs.find(f"{base}/organization"):
                _get(fs, src, stage / src[len(base) + 1:])
        if fs.exists(f"{base}/accounts"):
            for entry in fs.ls(f"{base}/accounts", detail=True):
                if entry.get("type") != "directory":
                    continue
                name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
                (stage / "accounts" / name).mkdir(parents=True, exist_ok=True)
                if fs.exists(f"{base}/accounts/{name}/account.json"):
                    _get(fs, f"{base}/accounts/{name}/account.json", stage / "accounts" / name / "account.json")
        sp = load_shared(stage, shown=location)
    _SHARED[location] = (run or "", sp)
    return sp


@contextmanager
def account_files(location: str, accounts: tuple[str, ...] | list[str]) -> Iterator[None]:
    """The files of ``accounts`` readable under the shared part's root while the block runs."""
    if not is_remote(location):
        yield
        return
    fs, base, stage = _fs(location)
    fetched: list[Path] = []
    try:
        for aid in accounts:
            src = f"{base}/accounts/{aid}"
            for f in fs.find(src):
                name = f[len(src) + 1:]
                if name == "account.json":
                    continue
                dst = stage / "accounts" / aid / name
                _get(fs, f, dst)
                fetched.append(dst)
        yield
    finally:
        for f in fetched:
            f.unlink(missing_ok=True)


def forget() -> None:
    """Drop the cached shared parts (tests; a long-lived worker between snapshots)."""
    _SHARED.clear()
