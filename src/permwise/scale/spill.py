"""Records sorted on disk: the coordinator of an organization's run never holds every finding.

:class:`Spill` is an external sort. Records (a sort key and a payload, both JSON values) are
buffered up to ``chunk`` of them, then sorted and written as one *run* (orjson lines) to a
private temporary directory; reading merges the runs in key order with :func:`heapq.merge`,
one record of each run in memory at a time. Keys must be unique (the callers end them with a
sequence number), so the order never depends on which run a record landed in.

The directory is removed when the spill is closed, when it is garbage collected, at exit (Ctrl-C
included: ``KeyboardInterrupt`` unwinds through the interpreter's exit handlers), and on SIGTERM
(:func:`permwise.fsutil.track_temp_dir`).
"""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

import orjson

from permwise.fsutil import track_temp_dir

#: records per run: with a finding about 1 KB in memory, a run's buffer stays near 10-20 MB
CHUNK = 10_000

_first = itemgetter(0)


class Spill:
    """An append-only, key-sorted, re-readable sequence of ``(key, payload)`` records on disk."""

    def __init__(self, chunk: int | None = None, prefix: str = "permwise-spill-") -> None:
        self.chunk = max(1, chunk or CHUNK)
        self.dir = tempfile.mkdtemp(prefix=prefix)
        track_temp_dir(self.dir)  # removed on SIGTERM too
        self._finalizer = weakref.finalize(self, _remove, self.dir)
        self._buf: list[tuple[list[Any], Any]] = []
        self.runs: list[str] = []
        self.count = 0

    def add(self, key: list[Any], payload: Any) -> None:
        self._buf.append((key, payload))
        self.count += 1
        if len(self._buf) >= self.chunk:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        self._buf.sort(key=_first)
        path = os.path.join(self.dir, f"run-{len(self.runs):06d}.jsonl")
        with open(path, "wb") as fh:
            for rec in self._buf:
                fh.write(orjson.dumps(rec))
                fh.write(b"\n")
        self.runs.append(path)
        self._buf = []

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[tuple[list[Any], Any]]:
        """Every record in key order (may be called again: each call reads the runs afresh)."""
        self._flush()
        return heapq.merge(*(_read(p) for p in self.runs), key=_first)

    def close(self) -> None:
        self._finalizer()


def _remove(path: str) -> None:
    shutil.rmtree(path, True)
    track_temp_dir(path, live=False)


def _read(path: str) -> Iterator[tuple[list[Any], Any]]:
    with open(path, "rb") as fh:
        for line in fh:
            key, payload = orjson.loads(line)
            yield key, payload
