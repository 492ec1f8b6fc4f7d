"""Small SQLite databases on disk for what the coordinator would otherwise hold in memory.

An organization's run keeps two structures that grow with the number of accounts: the index of
roles other accounts can assume (a few hundred bytes per role, tens of thousands of roles) and
the escalation facts of every principal that has any (its moves to other principals). Both live
in a SQLite database (stdlib ``sqlite3``) in a private temporary directory, read back by key
when needed: a unit's slice of roles when that unit is sent to a worker, a principal's facts when
the escalation search reaches it. SQLite's page cache is bounded (a few MB), so the coordinator's
memory does not grow with them.

The directory is removed when the store is closed, when it is garbage collected, at exit
(Ctrl-C included) and on SIGTERM, like the spilled findings (:mod:`permwise.scale.spill`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import weakref
from typing import Any

from permwise.fsutil import track_temp_dir


class Db:
    """A SQLite database file in a private temporary directory, removed on close/exit/SIGTERM."""

    def __init__(self, prefix: str, schema: str) -> None:
        self.dir = tempfile.mkdtemp(prefix=prefix)
        track_temp_dir(self.dir)
        # units are pickled for local processes by the pool's feeder thread: one connection,
        # used from one thread at a time, with SQLite's own locking
        self.conn = sqlite3.connect(os.path.join(self.dir, "store.sqlite"), check_same_thread=False,
                                    isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-4000", "temp_store=FILE"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.executescript(schema)
        self._finalizer = weakref.finalize(self, _remove, self.conn, self.dir)

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive


def _remove(conn: sqlite3.Connection, path: str) -> None:
    try:
        conn.close()
    except sqlite3.Error:  # pragma: no cover - closing never fails in practice
        pass
    shutil.rmtree(path, True)
    track_temp_dir(path, live=False)


class LazyRoles:
    """A unit's chunk of foreign roles, read from the index's database only when the unit is
    sent (pickled for a local process or a Dask worker: it travels as the plain list) or run in
    this process (iterated). So the coordinator never holds every unit's roles at once."""

    __slots__ = ("index", "accounts", "offset", "limit")

    def __init__(self, index: Any, accounts: tuple[str, ...], offset: int, limit: int) -> None:
        self.index = index
        self.accounts = accounts
        self.offset = offset
        self.limit = limit

    def records(self) -> list[bytes]:
        return self.index.role_records(self.accounts, self.offset, self.limit)

    def __iter__(self) -> Any:
        return iter(self.records())

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (list, (self.records(),))
