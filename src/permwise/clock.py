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
