"""``check`` of an organization as per-account units (see docs/scale.md).

A deployment config maps each profile to one principal; ``check`` evaluates each command as
that principal. The units: one per account that holds a profile principal, evaluating that
account's commands (and the excess of its principals). Every other account is read only by
the light index pass, for what crosses accounts: the resources the commands name (their
resource policies, and the trust policies of roles named as resources) and the owner of each
S3 bucket. The organization, SCPs and RCPs are the shared part.

Results are merged in command order, excess by principal; the report's problems are those of
the shared part and of every account (the index pass loads each one for them), as a
whole-snapshot run reports them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from permwise.catalog.arn import arn_account
from permwise.executors import Executor, Gap, Unit
from permwise.scale import location
from permwise.scale.audit import fault_point, peak_rss_kb, phase
from permwise.scale.index import SharedIndex


@dataclass(slots=True)
class CheckShared:
    location: str
    run: str
    manifest: Any
    config: Any
    commands: list[str] | None
    profiles: list[str] | None
    excess: bool
    buckets: dict[str, str] = field(default_factory=dict)
    #: the run's one instant (``--at``, else when the run started): the same in every unit
    at: Any = None


@dataclass(slots=True)
class CheckUnitResult:
    results: list[Any] = field(default_factory=list)  # CommandResult, in the unit's plan order
    excess: list[Any] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
    peak_rss_kb: int = 0
    pid: int = 0


def _plans(shared: CheckShared) -> list[Any]:
    from permwise.requirements.plan import plan

    return plan(shared.manifest, shared.config, commands=shared.commands, profiles=shared.profiles)


def check_unit(payload: tuple[str, str, tuple[int, ...], list[dict], list[Any]], shared: CheckShared) -> CheckUnitResult:
    import os

    from permwise.environment.partial import foreign_role, load_part
    from permwise.requirements.check import check_plans, note_scp_exemptions
    from permwise.requirements.excess import excess_for_plans

    key, aid, which, roles, pols = payload
    fault_point(key)
    sp = location.shared_part(shared.location, shared.run)
    accounts = (aid,) if aid else ()
    with location.account_files(shared.location, accounts):
        env = load_part(sp, accounts, foreign_roles=[foreign_role(r) for r in roles], foreign_resource_policies=pols,
                        bucket_accounts=shared.buckets)
    if shared.at is not None:
        env.at = shared.at
    plans = _plans(shared)
    mine = [plans[i] for i in which]
    results = check_plans(env, mine, config=shared.config)
    note_scp_exemptions(env, mine, results)
    out = CheckUnitResult(results=results, problems=env.unit_problems)
    if shared.excess:
        out.excess = excess_for_plans(env, mine, shared.config)
    out.peak_rss_kb = peak_rss_kb()
    out.pid = os.getpid()
    return out


def run_check_units(
    manifest: Any,
    config: Any,
    location_: str,
    executor: Executor,
    *,
    commands: Any = None,
    profiles: Any = None,
    excess: bool = True,
    snapshot_label: str | None = None,
    config_label: str | None = None,
    progress: Any = None,
    at: Any = None,
) -> tuple[Any, list[Gap]]:
    """The :class:`~permwise.requirements.check.CheckReport` of the snapshot at ``location_``,
    computed in units on ``executor``, and the gaps."""
    import uuid

    from permwise.requirements.check import require_principals
    from permwise.requirements.config import config_source
    from permwise.scale.audit import AuditShared, index_unit

    run = uuid.uuid4().hex
    t0 = time.perf_counter()
    sp = location.shared_part(location_, run)
    shared = CheckShared(location_, run, manifest, config, list(commands) if commands else None,
                         list(profiles) if profiles else None, excess)
    if at is None:
        from permwise.clock import now_instant

        at = now_instant()
    shared.at = at
    plans = _plans(shared)
    require_principals(plans, config)
    src = config_source(config)
    want = frozenset(r.resource for cp in plans for r in cp.requests if r.resource and r.resource != "*")
    role_accounts = {arn_account(w) for w in want if ":iam::" in w and ":role/" in w}
    dirs = set(sp.account_dirs)

    # 1. the index pass: resource policies of every account; IAM only where a wanted role lives
    # (and, for the report's problems, every account loaded as a unit would load it)
    index = None
    iunits = [Unit(f"index:{a}", (a,), (f"index:{a}", location_, (a,), want, a in role_accounts, True))
              for a in sp.account_dirs]
    try:
        parts, igaps = executor.run(index_unit, iunits, AuditShared(location_, run), phase(progress, "index"))
        index = SharedIndex.merge([p for u in iunits if u.key in parts for p in parts[u.key]])
        shared.buckets = index.buckets
        found = [x for u in iunits if u.key in parts for p in parts[u.key] for x in p.problems]
        del parts
        return _units(plans, src, sp, dirs, index, iunits, igaps, shared, executor, location_, manifest,
                      snapshot_label, config_label, progress, t0, found)
    finally:
        if index is not None:
            index.close()
        executor.close()


def _units(plans, src, sp, dirs, index, iunits, igaps, shared, executor, location_, manifest, snapshot_label,
           config_label, progress, t0, found):
    from permwise.environment.assemble import sort_problems
    from permwise.requirements.check import UNRESOLVED, CheckReport, CommandResult, runtime_dict

    # 2. one unit per account holding a profile principal (the rest: principal not in the snapshot)
    by_account: dict[str, list[int]] = {}
    for i, cp in enumerate(plans):
        acct = arn_account(cp.principal or "") or ""
        by_account.setdefault(acct if acct in dirs else "", []).append(i)
    units = [Unit(f"check:{a or 'none'}", (a,) if a else (),
                  (f"check:{a or 'none'}", a, tuple(ix), *index.slice_for((a,) if a else ())))
             for a, ix in sorted(by_account.items())]
    # an account the index pass could not read may hold a resource the commands name: every
    # command is unknown then (its gap says which account)
    if igaps:
        results: dict[str, Any] = {}
        gaps = [Gap(u.key, u.accounts, "the index pass failed for " + ", ".join(a for g in igaps for a in g.accounts),
                    0) for u in units]
    else:
        results, gaps = executor.run(check_unit, units, shared, phase(progress, "check"))

    # 3. merge in plan order
    slots: list[Any] = [None] * len(plans)
    excess: list[Any] = []
    problems = list(sp.problems) + found  # every account's, from the index pass
    rss: dict[int, int] = {}
    for u in units:
        res = results.get(u.key)
        which = u.payload[2]
        if res is None:
            gap = next(g for g in gaps if g.unit == u.key)
            for i in which:
                cp = plans[i]
                cmd = cp.command
                slots[i] = CommandResult(
                    id=cmd.id, name=cmd.name, group=cmd.group, profile=cp.profile, access=cmd.access,
                    account=cp.account, principal=cp.principal, scp_risk=cmd.scp_risk.level, status=UNRESOLVED,
                    required_actions=sorted({r.action for r in cp.requests}, key=str.lower), denied=[], blockers=[],
                    allowed_requests=0, total_requests=len(cp.requests),
                    account_name=sp.accounts[cp.account].name if cp.account in sp.accounts else "",
                    notes=[f"unknown: the unit `{u.key}` failed {gap.attempts} times ({gap.error}); "
                           "nothing is known about this command"])
            continue
        for i, r in zip(which, res.results, strict=True):
            slots[i] = r
        excess.extend(res.excess)
        problems.extend(res.problems)
        rss[res.pid] = max(rss.get(res.pid, 0), res.peak_rss_kb)
    excess.sort(key=lambda e: e.principal)
    report = CheckReport(manifest.tool.name, manifest.tool.version, snapshot_label or location_,
                         config_label or (src.path if src else None), slots, problems=sort_problems(problems),
                         at=shared.at.strftime("%Y-%m-%dT%H:%M:%SZ"), runtime=runtime_dict(shared.config))
    report.excess = excess
    report_stats = {"units": len(units), "index_units": len(iunits), "executor": executor.name,
                    "peak_rss_mb_per_process": sorted(round(v / 1024, 1) for v in rss.values()),
                    "seconds": round(time.perf_counter() - t0, 3)}
    executor.stats.update(report_stats)
    return report, sorted(igaps + gaps, key=lambda g: g.unit)
