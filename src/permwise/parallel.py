"""Local processes for the analyses that split well (``--jobs N``): ``simulate --jsonl``,
``check`` and ``audit``.

One rule for every caller: the work is cut into pieces in a fixed order, pieces run in a
:class:`~concurrent.futures.ProcessPoolExecutor`, and results are consumed in submission order,
so output is byte-identical for any N. ``N = 1`` (or a small input) runs in this process with no
pool at all. Workers are forked where the platform allows it, so they start with everything the
parent already imported and loaded (the catalog, a loaded snapshot) and nothing is pickled but
the piece of work and its result.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from permwise.errors import InputError

T = TypeVar("T")
R = TypeVar("R")

#: an upper bound that keeps a typo (`--jobs 1000`) from forking a thousand processes
MAX_JOBS = 64


def available_cores() -> int:
    """Cores this process may run on (CPU affinity and cgroup-limited sets respected)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    """``--jobs`` as given (None: every available core); 0 or negative is bad usage."""
    if jobs is None:
        return available_cores()
    if jobs < 1:
        raise InputError(f"`--jobs {jobs}` must be at least 1", hint="leave it out to use every core")
    return min(jobs, MAX_JOBS)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def make_pool(jobs: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=initializer, initargs=initargs)


def ordered_map(fn: Callable[[T], R], items: Iterable[T], jobs: int, *, in_flight: int | None = None,
                initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> Iterator[R]:
    """``map(fn, items)`` in order, across ``jobs`` processes, with at most ``in_flight`` pieces
    submitted and not yet consumed (bounded memory for a stream). ``jobs == 1``: in process."""
    if jobs <= 1:
        if initializer is not None:
            initializer(*initargs)
        for item in items:
            yield fn(item)
        return
    limit = in_flight or 2 * jobs
    with make_pool(jobs, initializer, initargs) as pool:
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                while len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()


def split(items: list[T], pieces: int) -> list[list[T]]:
    """``items`` cut into at most ``pieces`` contiguous runs of nearly equal length."""
    n = len(items)
    pieces = max(1, min(pieces, n))
    size, extra = divmod(n, pieces)
    out, start = [], 0
    for i in range(pieces):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def settle_memory(young: int = 50_000, older: int = 20) -> None:
    """Tell the cyclic garbage collector that what is loaded so far (the catalog, a snapshot and
    its compiled policies) stays: it is moved out of the collected generations (``gc.freeze``),
    and young-generation collections run less often. A long analysis otherwise spends a large
    share of its time re-scanning that unchanging object graph. Cycles made later are still
    collected; forked workers inherit the settings (and share the frozen pages)."""
    import gc

    gc.collect()
    gc.freeze()
    gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(gen0, young), max(gen1, older), max(gen2, older))
