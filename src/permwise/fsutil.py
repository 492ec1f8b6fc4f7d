"""Atomic file output: a reader never sees a half-written file, and a failure leaves nothing behind."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from permwise.errors import InputError

#: temporary siblings being written right now; removed by the signal handlers below
_LIVE_TEMPS: set[str] = set()
_LIVE_LOCK = threading.Lock()
_HANDLERS_INSTALLED = False


#: temporary directories (spilled results, permwise.scale.spill) removed by the same handlers,
#: with the process that made each (a forked worker inherits the set, never removes them)
_LIVE_DIRS: dict[str, int] = {}


def track_temp_dir(path: str, live: bool = True) -> None:
    """Have the SIGTERM/SIGINT handlers below remove the directory ``path`` (``live=False``: no more)."""
    with _LIVE_LOCK:
        if live:
            _LIVE_DIRS[path] = os.getpid()
        else:
            _LIVE_DIRS.pop(path, None)
    if live:
        install_signal_cleanup()


def _remove_live_temps() -> None:
    import shutil

    with _LIVE_LOCK:
        temps = list(_LIVE_TEMPS)
        _LIVE_TEMPS.clear()
        dirs = [d for d, pid in _LIVE_DIRS.items() if pid == os.getpid()]
        _LIVE_DIRS.clear()
    for tmp in temps:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


def _on_signal(signum: int, frame: object) -> None:
    """SIGTERM/SIGINT: remove every temporary file being written, then act as before."""
    _remove_live_temps()
    previous = _PREVIOUS.get(signum)
    if callable(previous):
        previous(signum, frame)  # e.g. Python's SIGINT handler: raises KeyboardInterrupt
        return
    signal.signal(signum, signal.SIG_DFL if previous in (None, signal.SIG_DFL) else previous)
    os.kill(os.getpid(), signum)  # die of the signal, as without the handler (exit status 143)


_PREVIOUS: dict[int, object] = {}


def install_signal_cleanup() -> None:
    """Install the SIGTERM and SIGINT handlers that remove temporary files (main thread only;
    a handler someone else installed is kept and called after the cleanup)."""
    global _HANDLERS_INSTALLED
    if _HANDLERS_INSTALLED or threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            _PREVIOUS[signum] = signal.getsignal(signum)
            signal.signal(signum, _on_signal)
        except (ValueError, OSError):  # not allowed here (embedded interpreter): writes stay atomic
            pass
    _HANDLERS_INSTALLED = True


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: str | os.PathLike[str], data: str | bytes | Iterable[str | bytes], *, force: bool = True,
                 private: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    return atomic_write_many({path: data}, force=force, private=private)[0]


def atomic_write_many(
    files: Mapping[str | os.PathLike[str], str | bytes | Iterable[str | bytes]], *, force: bool = False, private: bool = False
) -> list[Path]:
    """Write several files all-or-nothing.

    Every file is first written to a temporary sibling; only when all of them are complete are
    they renamed into place. Existing files are refused unless ``force`` is true, and the check
    happens before anything is written. ``private`` files are 0600 in directories created 0700
    (snapshots: a map of an organization's IAM). A temporary file is removed on SIGTERM/SIGINT.
    """
    install_signal_cleanup()
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
            target.parent.mkdir(mode=0o700 if private else 0o777, parents=True, exist_ok=True)
            with _LIVE_LOCK:
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                _LIVE_TEMPS.add(tmp)
            temps.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                for chunk in [data] if isinstance(data, (str, bytes)) else data:  # or an iterable of chunks
                    fh.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            # mkstemp creates 0600; give the file the mode an ordinary write would (or keep
            # the mode of the file being replaced); private files stay 0600.
            if not private:
                os.chmod(tmp, target.stat().st_mode & 0o7777 if target.exists() else _default_mode())
        for tmp, target in temps:
            current = target
            os.replace(tmp, target)
            with _LIVE_LOCK:
                _LIVE_TEMPS.discard(tmp)
    except BaseException as exc:
        for tmp, _ in temps:
            with _LIVE_LOCK:
                _LIVE_TEMPS.discard(tmp)
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
