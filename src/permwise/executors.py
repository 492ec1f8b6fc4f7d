"""Where work units run: in this process, on local processes, or on a Dask cluster.

One interface (:class:`Executor`) for the three. A caller gives a function and a list of
:class:`Unit` (small, picklable descriptions of the work: which account, which shard) and a
*shared* object every unit needs (the run's settings and the shared index); it gets back every
unit's result by key and a list of :class:`Gap` for the units that failed. Results are merged by
the caller in unit order, never in completion order, so the output is the same for any executor.

Faults (docs/scale.md):

* A unit that raises :class:`~permwise.errors.InputError` is bad input, not a fault: the run
  stops with that error (exit 2), whichever executor ran it.
* A unit whose worker dies (killed, out of memory, segfault) or that raises anything else is
  retried once. One that fails again is a :class:`Gap`: the caller reports its accounts as
  *unknown*; nothing is silently dropped.
* Local processes: when a worker dies the whole pool breaks and every unit in flight fails with
  it; those are run again in a new pool, and a unit caught in two breaks is run once more
  *alone* in a fresh process, so only the unit that really kills its worker becomes a gap.
* Dask: the scheduler moves the tasks of a dead worker to another one (its
  ``distributed.scheduler.allowed-failures`` setting, 3 by default, then ``KilledWorker``); a
  unit that still fails, or raises, is submitted again with the others that failed, then alone,
  so a unit that was only queued on a dying worker is not taken for the culprit.

Ctrl-C: pending units are cancelled (pool shut down, Dask futures cancelled) before
``KeyboardInterrupt`` goes on up.

``shared`` is small (the run's settings): in process it is passed as is, local processes receive
it with each unit, and a Dask cluster receives it once per round (``scatter(broadcast=True)``). The snapshot itself is
never shipped: units read it from a path or URL every worker reaches.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from permwise.errors import InputError

#: name of the environment variable naming a Dask scheduler (``tcp://host:8786``)
SCHEDULER_ENV = "PERMWISE_DASK_SCHEDULER"

INSTALL_HINT = "install the Dask extra: pip install 'permwise[distributed]'"


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of work: ``key`` is unique and stable (``audit:111122223333``,
    ``audit:111122223333#2``), ``accounts`` are the accounts whose results it produces."""

    key: str
    accounts: tuple[str, ...]
    payload: Any


@dataclass(frozen=True, slots=True)
class Gap:
    """A unit that failed twice: its accounts' results are unknown."""

    unit: str
    accounts: tuple[str, ...]
    error: str
    attempts: int

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "accounts": list(self.accounts), "error": self.error, "attempts": self.attempts}


@dataclass(slots=True)
class Progress:
    """What a progress callback is told after each unit."""

    total: int
    done: int = 0
    failed: int = 0
    accounts_done: int = 0
    accounts_failed: int = 0
    retried: int = 0


ProgressFn = Callable[[Progress], None]
#: ``on_result(key, out)``: a unit's result as soon as it arrives (any order); the executor then
#: keeps only ``True`` under its key, so a caller that consumes results as they come (spilling
#: them to disk) never holds every unit's result at once
ResultFn = Callable[[str, Any], None]


def _deliver(results: dict[str, Any], key: str, out: Any, on_result: ResultFn | None) -> None:
    if on_result is None:
        results[key] = out
    else:
        on_result(key, out)
        results[key] = True


@dataclass(slots=True)
class _Failed:
    """A unit's error as a value (so retries and gaps are decided by the caller)."""

    kind: str  # "input" | "error"
    error: BaseException | None
    text: str


def call_unit(fn: Callable[[Any, Any], Any], payload: Any, shared: Any) -> Any:
    """Run one unit; bad input comes back as a value (no retry), anything else raises."""
    try:
        return fn(payload, shared)
    except InputError as exc:
        return _Failed("input", exc, str(exc))


@dataclass
class Executor:
    """Base: runs units one after the other in this process."""

    name: str = "in-process"
    workers: int = 1
    #: attempts per unit before it is a gap
    attempts: int = 2
    stats: dict[str, Any] = field(default_factory=dict)

    def run(self, fn: Callable[[Any, Any], Any], units: list[Unit], shared: Any,
            progress: ProgressFn | None = None, on_result: ResultFn | None = None) -> tuple[dict[str, Any], list[Gap]]:
        state = Progress(total=len(units))
        results: dict[str, Any] = {}
        gaps: list[Gap] = []
        for u in units:
            err = ""
            for attempt in range(1, self.attempts + 1):
                try:
                    out = call_unit(fn, u.payload, shared)
                except KeyboardInterrupt:
                    raise
                except Exception as exc:  # a fault of this unit: retried, then a gap
                    err = _describe(exc)
                    if attempt < self.attempts:
                        state.retried += 1
                    continue
                _raise_input(out)
                _deliver(results, u.key, out, on_result)
                break
            else:
                gaps.append(Gap(u.key, u.accounts, err, self.attempts))
            _advance(state, u, u.key in results, progress)
        return results, gaps

    def close(self) -> None:
        pass


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc).strip().splitlines()
    return f"{name}: {text[0]}" if text else name


def _raise_input(out: Any) -> None:
    if isinstance(out, _Failed) and out.kind == "input":
        raise out.error if isinstance(out.error, InputError) else InputError(out.text)


def _advance(state: Progress, u: Unit, ok: bool, progress: ProgressFn | None) -> None:
    if ok:
        state.done += 1
        state.accounts_done += len(u.accounts)
    else:
        state.failed += 1
        state.accounts_failed += len(u.accounts)
    if progress is not None:
        progress(state)


# ------------------------------------------------------------------------------ local processes

def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the coordinator (which stops them): no traceback from each."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass
class ProcessExecutor(Executor):
    """``--jobs N``: units on N local processes (the pool of :mod:`permwise.parallel`)."""

    name: str = "processes"
    #: one pool for the executor's life (close() ends it), started at its first unit: while
    #: the coordinator is still small, so forked workers do not carry its later memory (the
    #: index, the results)
    _pool: Any = field(default=None, repr=False)

    def _get_pool(self) -> Any:
        from permwise.parallel import make_pool

        if self._pool is None:
            self._pool = make_pool(self.workers, _ignore_sigint)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(self, fn: Callable[[Any, Any], Any], units: list[Unit], shared: Any,
            progress: ProgressFn | None = None, on_result: ResultFn | None = None) -> tuple[dict[str, Any], list[Gap]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        state = Progress(total=len(units))
        results: dict[str, Any] = {}
        gaps: list[Gap] = []
        strikes: dict[str, int] = {}
        errors: dict[str, str] = {}
        by_key = {u.key: u for u in units}
        pending = [u.key for u in units]
        alone: list[str] = []
        while pending:
            pool = self._get_pool()
            futures = {pool.submit(call_unit, fn, by_key[k].payload, shared): k for k in pending}
            seen_running: set[str] = set()
            broken = False
            retry: list[str] = []
            try:
                todo = set(futures)
                while todo:
                    done, todo = wait(todo, timeout=0.2, return_when=FIRST_COMPLETED)
                    seen_running |= {futures[f] for f in todo if f.running()}
                    for f in done:
                        k = futures.pop(f)  # a done future holds its result: let it go once taken
                        try:
                            out = f.result()
                        except BrokenProcessPool:
                            broken = True
                            continue
                        except Exception as exc:
                            errors[k] = _describe(exc)
                            strikes[k] = strikes.get(k, 0) + 1
                            if strikes[k] < self.attempts:
                                state.retried += 1
                                retry.append(k)
                            else:
                                gaps.append(Gap(k, by_key[k].accounts, errors[k], strikes[k]))
                                _advance(state, by_key[k], False, progress)
                            continue
                        _raise_input(out)
                        _deliver(results, k, out, on_result)
                        _advance(state, by_key[k], True, progress)
            except BaseException:
                _kill_pool(pool)
                pool.shutdown(wait=False, cancel_futures=True)
                _join_manager(pool)
                self._pool = None
                raise
            if broken:
                pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
                lost = [k for k in pending if k not in results and k not in retry
                        and not any(g.unit == k for g in gaps)]
                for k in lost:
                    if k in seen_running or not seen_running:
                        strikes[k] = strikes.get(k, 0) + 1
                        errors[k] = "worker process died (killed, out of memory or crashed)"
                # a unit caught in two breaks is run alone next: only a unit that kills its
                # own worker becomes a gap
                alone.extend(k for k in lost if strikes.get(k, 0) >= self.attempts)
                retry.extend(k for k in lost if strikes.get(k, 0) < self.attempts)
                state.retried += len(lost)
            pending = [k for k in pending if k in set(retry)]
            for k in list(alone):
                alone.remove(k)
                out = self._alone(fn, by_key[k], shared)
                if out is None:
                    gaps.append(Gap(k, by_key[k].accounts, errors.get(k, "worker process died"),
                                    strikes.get(k, 0) + 1))
                    _advance(state, by_key[k], False, progress)
                else:
                    _raise_input(out)
                    _deliver(results, k, out, on_result)
                    _advance(state, by_key[k], True, progress)
        return results, gaps

    def _alone(self, fn: Callable[[Any, Any], Any], u: Unit, shared: Any) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        from permwise.parallel import make_pool

        pool = make_pool(1, _ignore_sigint)
        try:
            return pool.submit(call_unit, fn, u.payload, shared).result()
        except BrokenProcessPool:
            return None
        except Exception:
            return None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _kill_pool(pool: Any) -> None:
    """Ctrl-C: stop the workers now rather than after their current unit."""
    for p in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            p.terminate()
        except Exception:
            pass


def _join_manager(pool: Any, timeout: float = 5.0) -> None:
    """Wait (briefly) for the pool's management thread to end after a shutdown that did not
    wait: left running, it can close its wake-up pipe while the interpreter's exit hook writes
    to it, and CPython then prints "Exception ignored in threading" to stderr after our one-line
    error (seen under load on an input error with ``--jobs 2``)."""
    thread = getattr(pool, "_executor_manager_thread", None)
    if thread is not None:
        thread.join(timeout)


# ------------------------------------------------------------------------------ Dask


def _dask_call(fn: Callable[[Any, Any], Any], payload: Any, shared: Any) -> Any:
    return call_unit(fn, payload, shared)


@dataclass
class DaskExecutor(Executor):
    """``--scheduler tcp://host:8786``: units as tasks on an existing Dask cluster."""

    name: str = "dask"
    address: str = ""
    timeout: float = 15.0

    def run(self, fn: Callable[[Any, Any], Any], units: list[Unit], shared: Any,
            progress: ProgressFn | None = None, on_result: ResultFn | None = None) -> tuple[dict[str, Any], list[Gap]]:
        import uuid

        from distributed import Client, as_completed

        state = Progress(total=len(units))
        results: dict[str, Any] = {}
        gaps: list[Gap] = []
        try:
            client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler `{self.address}`: {_describe(exc)}",
                             hint="start one with `dask scheduler` and workers with `dask worker ADDRESS` "
                                  "(docs/scale.md)") from None
        run = uuid.uuid4().hex[:8]
        futures: list[Any] = []
        try:
            self.workers = len(client.scheduler_info().get("workers", {})) or 1
            attempts: dict[str, int] = {}
            last_error: dict[str, str] = {}

            def submit_all(batch: list[Unit], round_: int) -> list[Unit]:
                """Run ``batch`` together; the units that failed come back."""
                by_key: dict[str, Unit] = {}
                futures.clear()
                # sent once to every worker, again each round: a copy is lost when every worker
                # holding it died
                shared_f = client.scatter(shared, broadcast=True, hash=False)
                for u in batch:
                    f = client.submit(_dask_call, fn, u.payload, shared_f, key=f"permwise-{run}-{round_}-{u.key}",
                                      retries=0, pure=False)
                    by_key[f.key] = u
                    futures.append(f)
                failed: list[Unit] = []
                for f in as_completed(list(futures), loop=client.loop):
                    u = by_key[f.key]
                    attempts[u.key] = attempts.get(u.key, 0) + 1
                    try:
                        out = f.result()
                    except Exception as exc:  # KilledWorker (its worker died) or the unit raised
                        last_error[u.key] = _describe(exc)
                        failed.append(u)
                        continue
                    finally:
                        f.release()
                    _raise_input(out)
                    _deliver(results, u.key, out, on_result)
                    _advance(state, u, True, progress)
                return sorted(failed, key=lambda u: u.key)

            # round 1: everything; round 2: the failed ones again (a worker that died takes the
            # units queued on it down too); round 3: each still-failing unit alone, so only a
            # unit that kills its own worker (or raises every time) becomes a gap
            failed = submit_all(units, 1)
            if failed:
                state.retried += len(failed)
                failed = submit_all(failed, 2)
            for u in failed:
                if len(failed) == 1 or submit_all([u], 3):
                    gaps.append(Gap(u.key, u.accounts, last_error.get(u.key, "failed"), attempts.get(u.key, 0)))
                    _advance(state, u, False, progress)
        except BaseException:
            try:
                client.cancel(futures)
            except Exception:
                pass
            raise
        finally:
            client.close()
        return results, gaps


# ------------------------------------------------------------------------------ choosing


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401  (is it installed?)
    except ImportError:
        return False
    return True


def scheduler_address(option: str | None) -> str | None:
    """``--scheduler`` if given, else ``$PERMWISE_DASK_SCHEDULER`` (empty: none)."""
    value = option if option is not None else os.environ.get(SCHEDULER_ENV, "")
    return value.strip() or None


def make_executor(jobs: int, scheduler: str | None = None) -> Executor:
    """The executor for ``--jobs`` and ``--scheduler``: Dask when a scheduler is named, local
    processes for ``jobs > 1``, else this process. Without Dask installed, naming a scheduler
    is bad usage with the one line that says how to install it."""
    if scheduler:
        if not dask_available():
            raise InputError(f"`--scheduler {scheduler}` needs Dask, which is not installed", hint=INSTALL_HINT)
        return DaskExecutor(address=scheduler)
    if jobs > 1:
        return ProcessExecutor(workers=jobs)
    return Executor()


def format_traceback(exc: BaseException) -> str:  # for --debug
    return "".join(traceback.format_exception(exc))


__all__ = ["Executor", "ProcessExecutor", "DaskExecutor", "Unit", "Gap", "Progress", "make_executor",
           "scheduler_address", "SCHEDULER_ENV"]
