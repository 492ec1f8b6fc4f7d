"""Atomic file output: a reader never sees a half-written file, and a failure leaves nothing behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from permwise.errors import InputError


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: str | os.PathLike[str], data: str | bytes, *, force: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    return atomic_write_many({path: data}, force=force)[0]


def atomic_write_many(
    files: Mapping[str | os.PathLike[str], str | bytes], *, force: bool = False
) -> list[Path]:
    """Write several files all-or-nothing.

    Every file is first written to a temporary sibling; only when all of them are complete are
    they renamed into place. Existing files are refused unless ``force`` is true, and the check
    happens before anything is written.
    """
    targets = [Path(p) for p in files]
    if not force:
        existing = sorted(str(p) for p in targets if p.exists())
        if existing:
            raise InputError(
                f"refusing to overwrite `{existing[0]}`"
                + (f" and {len(existing) - 1} more" if len(existing) > 1 else ""),
                hint="pass --force to overwrite",
            )
    for target in targets:
        if target.is_dir():
            raise InputError("is a directory, not a file", file=str(target),
                             hint="give the path of a file to write")
        if target.exists() and not target.is_file():  # a device or FIFO: never replace it
            raise InputError("is not a regular file", file=str(target),
                             hint="give the path of a file to write, or leave out --out to print")
    temps: list[tuple[str, Path]] = []
    current = targets[0] if targets else Path(".")
    try:
        for target, data in zip(targets, files.values(), strict=True):
            current = target
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            temps.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            # mkstemp creates 0600; give the file the mode an ordinary write would (or keep
            # the mode of the file being replaced).
            os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else _default_mode())
        for tmp, target in temps:
            current = target
            os.replace(tmp, target)
    except BaseException as exc:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        if isinstance(exc, OSError):  # unwritable, read-only, full disk: one line, exit 2
            raise _write_error(current, exc) from None
        raise
    return targets


def _write_error(target: Path, exc: OSError) -> InputError:
    """A failed write as one line naming the file the user asked for (not our temporary sibling)."""
    reason = (exc.strerror or str(exc)).lower()
    return InputError(f"cannot write the file: {reason}", file=str(target),
                      hint=f"check that `{target.parent}` is a writable directory")


class AtomicStream:
    """A file written piece by piece that appears at ``path`` only when complete
    (``commit``); until then it is a temporary sibling, removed by ``discard`` or on error.

        with AtomicStream("out.jsonl") as out:
            out.write(b"...")
            out.commit()
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.target = Path(path)
        if self.target.is_dir():
            raise InputError("is a directory, not a file", file=str(self.target), hint="give the path of a file to write")
        if self.target.exists() and not self.target.is_file():
            raise InputError("is not a regular file", file=str(self.target),
                             hint="give the path of a file to write, or leave out --output to print")
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        except OSError as exc:
            raise _write_error(self.target, exc) from None
        self.fh = os.fdopen(fd, "wb")
        self.done = False

    def write(self, data: bytes) -> None:
        try:
            self.fh.write(data)
        except OSError as exc:
            self.discard()
            raise _write_error(self.target, exc) from None

    def commit(self) -> None:
        try:
            self.fh.close()
            os.chmod(self.tmp, self.target.stat().st_mode & 0o7777 if self.target.exists() else _default_mode())
            os.replace(self.tmp, self.target)
        except OSError as exc:
            self.discard()
            raise _write_error(self.target, exc) from None
        self.done = True

    def discard(self) -> None:
        if not self.done:
            self.done = True
            try:
                self.fh.close()
            finally:
                try:
                    os.unlink(self.tmp)
                except FileNotFoundError:
                    pass

    def __enter__(self) -> AtomicStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()
