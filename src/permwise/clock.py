"""The wall clock, read in one place, by the callers of the engine (never by the engine).

A run has one instant: ``--at`` when given, else the second the run started. The environment,
``check``, ``audit``, ``simulate`` and the scale runners take it from here and pass it down
(``Request.at``, ``Runtime.at``); the engine stays pure.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone


def now_instant() -> datetime:
    """The current second (UTC): the one instant of a run when ``--at`` is not given."""
    return datetime.fromtimestamp(int(time.time()), timezone.utc)


_run_instant: list[datetime] = []


def run_instant() -> datetime:
    """The instant of this process's run, for callers with no ``--at`` of their own (the policy
    gates): the second it was first asked for, the same for every later request of the run."""
    if not _run_instant:
        _run_instant.append(now_instant())
    return _run_instant[0]
