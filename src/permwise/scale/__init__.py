"""Organization scale: ``check`` and ``audit`` as per-account work units on an executor.

The snapshot is read in parts: a small shared part (organization tree, SCPs, RCPs, the list of
accounts) and one account at a time; a light first pass builds the shared index of what crosses
accounts (:mod:`permwise.scale.index`); units run on any :mod:`permwise.executors` executor and
their results are merged in unit order, so the output is the same byte for byte whichever
executor ran them. See docs/scale.md.
"""

from __future__ import annotations

import os

#: organizations with at least this many accounts use units even in one process (smaller ones
#: load whole: the difference is not worth a pass); ``PERMWISE_UNITS_MIN_ACCOUNTS`` overrides it
UNITS_MIN_ACCOUNTS = 20


def units_min_accounts() -> int:
    try:
        return max(1, int(os.environ.get("PERMWISE_UNITS_MIN_ACCOUNTS", UNITS_MIN_ACCOUNTS)))
    except ValueError:
        return UNITS_MIN_ACCOUNTS


def count_accounts(path: str) -> int:
    """Account directories of a local snapshot (0 for a URL: units are used for URLs anyway)."""
    from pathlib import Path

    from permwise.scale.location import is_remote, local_path

    if is_remote(path):
        return 0
    d = Path(local_path(path)) / "accounts"
    try:
        return sum(1 for e in os.scandir(d) if e.is_dir())
    except OSError:
        return 0


def use_units(path: str, scheduler: str | None) -> bool:
    """Units for a Dask run, a snapshot URL, or an organization of ``units_min_accounts()`` or more
    accounts; whole-snapshot loading otherwise."""
    from permwise.scale.location import is_remote

    return bool(scheduler) or is_remote(path) or count_accounts(path) >= units_min_accounts()
