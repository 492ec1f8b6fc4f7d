"""What ``check`` and ``audit`` share for organization-scale runs: ``--scheduler``, the executor,
the progress bar of units, and how gaps are shown (docs/scale.md)."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer


SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", envvar="PERMWISE_DASK_SCHEDULER", show_envvar=True,
                 help="Run per-account units on this Dask cluster (tcp://host:8786); workers read the snapshot "
                      "from the same path or URL. Needs `pip install 'permwise[distributed]'`."),
]


def location_of(path: Path | str) -> str:
    """The snapshot as a path or URL (``Path`` folds ``s3://b/x`` into ``s3:/b/x``: undone)."""
    s = str(path)
    for scheme in ("file", "local"):  # paths on this machine: `file:///abs` folds to `file:/abs`
        if s.startswith(f"{scheme}:/") and not s.startswith(f"{scheme}://"):
            return f"{scheme}://" + s[len(scheme) + 1:]
    if re.match(r"^[a-z][a-z0-9+.-]*:/[^/]", s):
        s = s.replace(":/", "://", 1)
    return s


def executor_for(jobs: int | None, scheduler: str | None) -> Any:
    from permwise.executors import make_executor, scheduler_address
    from permwise.parallel import resolve_jobs

    return make_executor(resolve_jobs(jobs), scheduler_address(scheduler))


def use_units(path: Path | str | None, scheduler: str | None) -> bool:
    from permwise.executors import scheduler_address
    from permwise.scale import use_units as _use

    if path is None:
        return False
    return _use(location_of(path), scheduler_address(scheduler))


@contextlib.contextmanager
def unit_progress(err: Any, executor: Any) -> Iterator[Any]:
    """A bar per phase (index, then the account units) advancing per unit, with the accounts
    done and failed; only on a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("units  {task.fields[acc]}"), TimeElapsedColumn(), console=err, transient=True)
    tasks: dict[str, Any] = {}

    def update(phase: str, state: Any) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(f"{phase} ({executor.name}, {executor.workers})", total=state.total, acc="")
        acc = f"accounts {state.accounts_done} done"
        if state.accounts_failed:
            acc += f", [red]{state.accounts_failed} failed[/red]"
        if state.retried:
            acc += f", {state.retried} retried"
        bar.update(tasks[phase], completed=state.done + state.failed, acc=acc)

    with bar:
        yield update


def warn_problems(err: Any, snap: Any, problems: list[Any]) -> None:
    for p in problems:
        err.print(f"permwise: warning: {snap}/{p.one_line()}", markup=False)


def warn_gaps(err: Any, gaps: list[Any]) -> None:
    """On stderr whatever the format (every report shows them first too): results unknown."""
    for g in gaps:
        err.print(f"permwise: warning: unknown: unit `{g.unit}` (accounts {', '.join(g.accounts) or '-'}) failed "
                  f"{g.attempts} times: {g.error}; its results are not in the report", markup=False)


class SnapshotFacts:
    """What the renderers read from an environment when a run used units: its metadata."""

    def __init__(self, meta: dict, problems: list[Any]) -> None:
        self.meta = meta
        self.problems = problems


def audit_units(snap: Any, cfg: Any, sup: Any, jobs: int | None, scheduler: str | None, err: Any,
                at: Any = None) -> tuple[Any, list, Any]:
    """``audit`` in units: the result, the gaps, and the snapshot's metadata (warnings printed)."""
    from permwise.scale.audit import run_audit_units
    from permwise.scale.location import shared_part

    loc = location_of(snap)
    executor = executor_for(jobs, scheduler)
    with unit_progress(err, executor) as progress:
        result, gaps, problems = run_audit_units(loc, cfg, sup, executor, progress=progress, at=at)
    warn_problems(err, snap, problems)
    warn_gaps(err, gaps)
    return result, gaps, SnapshotFacts(shared_part(loc).meta, problems)


def check_units(m: Any, cfg: Any, snap: Any, commands: Any, profiles: Any, excess: bool, snapshot_label: str,
                config_label: str, jobs: int | None, scheduler: str | None, err: Any,
                at: Any = None) -> tuple[Any, list, Any]:
    """``check`` in units: the report, the gaps, and the snapshot's metadata (warnings printed)."""
    from permwise.scale.check import run_check_units
    from permwise.scale.location import shared_part

    loc = location_of(snap)
    executor = executor_for(jobs, scheduler)
    with unit_progress(err, executor) as progress:
        report, gaps = run_check_units(m, cfg, loc, executor, commands=commands, profiles=profiles, excess=excess,
                                       snapshot_label=snapshot_label, config_label=config_label, progress=progress,
                                       at=at)
    warn_problems(err, snap, report.problems)
    warn_gaps(err, gaps)
    return report, gaps, SnapshotFacts(shared_part(loc).meta, report.problems)
