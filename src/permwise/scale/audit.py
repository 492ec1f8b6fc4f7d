"""``audit`` of an organization as per-account units (see docs/scale.md).

1. **Index pass**: one light unit per account (:mod:`permwise.scale.index`).
2. **Account units**: one per account, or per shard of ``shard_size`` principals of a big
   account. A unit loads the shared part, its account and the foreign records the index gives
   it, and returns for its principals: the IAM guardrail findings, the trust-policy findings of
   its roles, which principals have administrator power, and each principal's *escalation
   facts*: whether it is admin, its self-escalation primitive, and its one-step moves (assume,
   credentials, trust, passrole, modify-role edges), exactly as
   :class:`~permwise.audit.escalation.EscalationAnalyzer` computes them on the whole snapshot
   (each of these reads only the principal's own account plus roles that trust it).
3. **Merge** (this process): the escalation search runs over the facts of every account (the
   same breadth-first search, :class:`MergedEscalation`), SCP guardrails run on the shared part,
   suppressions apply, findings are sorted. Facts are kept only for principals that are admin,
   self-escalate or have an edge: the rest cannot change a path.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from permwise.audit.config import AuditConfig
from permwise.audit.escalation import EscalationAnalyzer, escalation_actions
from permwise.audit.graph import AssumeGraph
from permwise.audit.guardrails import GuardrailChecker, guardrail_universe
from permwise.audit.model import Finding, Step
from permwise.audit.probe import Prober
from permwise.audit.registry import all_rules
from permwise.environment.model import Origin
from permwise.executors import Executor, Gap, Unit
from permwise.scale import location
from permwise.scale.index import SharedIndex

#: a bigger account is cut into shards of this many principals (each a unit)
SHARD_SIZE = 2000


@dataclass(slots=True)
class Node:
    """A principal as the merged escalation search sees it."""

    arn: str
    account: str
    kind: str
    name: str
    tags: dict[str, str]
    service_linked: bool
    origin: Origin
    admin: bool
    self_esc: tuple[str, str] | None
    edges: list[Step] | None


@dataclass(slots=True)
class AuditShared:
    """What every unit of a run gets (small: it goes with each unit to local processes)."""

    location: str
    run: str
    config: AuditConfig | None = None
    #: owner of each S3 bucket (the one part of the index every unit needs)
    buckets: dict[str, str] = field(default_factory=dict)
    #: the run's one instant (``--at``, else when the run started): the same in every unit
    at: Any = None


@dataclass(slots=True)
class AuditUnitResult:
    findings: list[Finding] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)
    principals: int = 0
    evaluations: int = 0
    problems: list[Any] = field(default_factory=list)
    peak_rss_kb: int = 0
    pid: int = 0


def fault_point(key: str) -> None:
    """Fault drills (docs/scale.md): ``PERMWISE_FAULTS`` names a JSON file
    ``{"die": {UNIT_KEY: "once" | "always"}}``; the process running that unit exits at once
    (as a killed worker would), the first time only or every time."""
    path = os.environ.get("PERMWISE_FAULTS")
    if not path or not os.path.exists(path):
        return
    import json

    with open(path) as fh:
        plan = json.load(fh).get("die", {})
    how = plan.get(key)
    if how == "always":
        os._exit(70)
    if how == "once":
        marker = f"{path}.{key.replace(':', '_').replace('#', '_')}.died"
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.close(fd)
        os._exit(70)


def peak_rss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def index_unit(payload: tuple[str, str, tuple[str, ...], frozenset[str], bool], shared: Any) -> Any:
    from permwise.environment.load import SnapshotReader
    from permwise.scale.index import index_account

    key, loc, accounts, want, read_iam = payload
    fault_point(key)
    sp = location.shared_part(loc, shared.run)
    parts = []
    with location.account_files(loc, accounts):
        r = SnapshotReader(sp.root)
        for aid in accounts:
            parts.append(index_account(r, aid, want, read_iam))
    return parts


def audit_unit(payload: tuple[str, str, int, int, list[dict], list[Any]], shared: AuditShared) -> AuditUnitResult:
    from permwise.environment.partial import foreign_role, load_part

    key, aid, start, end, roles, pols = payload
    fault_point(key)
    sp = location.shared_part(shared.location, shared.run)
    with location.account_files(shared.location, (aid,)):
        env = load_part(sp, (aid,), foreign_roles=[foreign_role(r) for r in roles], foreign_resource_policies=pols,
                        bucket_accounts=shared.buckets)
    if shared.at is not None:
        env.at = shared.at
    config = shared.config
    assert config is not None
    rules = all_rules()
    prober = Prober(env, guardrail_universe(rules) | escalation_actions())
    guard = GuardrailChecker(prober, rules, config)
    graph = AssumeGraph(env, prober)
    esc = EscalationAnalyzer(env, prober, graph, config)
    mine = env.unit_principals[start:end]
    out = AuditUnitResult(principals=len(mine), problems=env.unit_problems if start == 0 else [])
    for p in mine:
        out.findings.extend(guard.check(p))
    for p in mine:
        admin = esc.is_admin(p)
        selfe = None if admin else esc.self_escalation(p)
        edges = esc.edges(p) if (not admin and selfe is None) else None
        if admin:
            out.admins.append(p.arn)
        if admin or selfe is not None or edges:
            out.nodes.append(Node(p.arn, p.account, p.kind, p.name, dict(p.tags), p.service_linked, p.origin,
                                  admin, selfe, list(edges) if edges else None))
    out.nodes = _prune(out.nodes, {p.arn for p in mine})
    out.findings.extend(_trust_findings(env, [p for p in mine if p.kind == "role"], config))
    out.evaluations = prober.evaluations
    out.peak_rss_kb = peak_rss_kb()
    out.pid = os.getpid()
    return out


def _prune(nodes: list[Node], mine: set[str]) -> list[Node]:
    """Drop dead ends: an edge to a principal of this unit that is not admin, cannot escalate
    itself and has no edge left leads nowhere, and neither does a node left with no edge. The
    breadth-first search finds the same first path without them (they only ever sat in its
    queue), and the merge keeps far fewer edges (an account's many plain roles)."""
    live = {n.arn: n for n in nodes}
    changed = True
    while changed:
        changed = False
        for n in list(live.values()):
            if n.edges:
                kept = [s for s in n.edges if s.target in live or s.target not in mine]
                if len(kept) != len(n.edges):
                    n.edges = kept or None
                    changed = True
            if not n.admin and n.self_esc is None and not n.edges:
                del live[n.arn]
                changed = True
    return [n for n in nodes if n.arn in live]


def _trust_findings(env: Any, roles: list[Any], config: AuditConfig) -> list[Finding]:
    """:func:`permwise.audit.run.trust_findings` for some roles of ``env``."""
    from permwise.audit.run import trust_findings

    return trust_findings(env, config, roles)


class _Nodes:
    """What :meth:`EscalationAnalyzer.find_path` reads from ``env``: principals by ARN."""

    partition = "aws"

    def __init__(self, nodes: dict[str, Node]) -> None:
        self._nodes = nodes

    def principal(self, arn: str) -> Node | None:
        return self._nodes.get(arn)


class MergedEscalation(EscalationAnalyzer):
    """The escalation search of :class:`EscalationAnalyzer` over facts the units computed."""

    def __init__(self, nodes: dict[str, Node], config: AuditConfig) -> None:
        super().__init__(_Nodes(nodes), None, None, config)  # type: ignore[arg-type]
        self.nodes = nodes

    def is_admin(self, p: Any) -> bool:
        return p.admin

    def self_escalation(self, p: Any) -> tuple[str, str] | None:
        return p.self_esc

    def edges(self, p: Any) -> list[Step]:
        return p.edges or []


def run_audit_units(
    location_: str,
    config: AuditConfig | None,
    suppressions: Any,
    executor: Executor,
    *,
    today: Any = None,
    progress: Any = None,
    shard_size: int = SHARD_SIZE,
    at: Any = None,
) -> tuple[Any, list[Gap], list[Any]]:
    """The audit of the snapshot at ``location_`` in units on ``executor``: the
    :class:`~permwise.audit.run.AuditResult`, the gaps, and the snapshot's problems."""
    import uuid

    config = config or AuditConfig()
    run = uuid.uuid4().hex
    t0 = time.perf_counter()
    sp = location.shared_part(location_, run)
    accounts = sp.account_dirs
    try:
        return _run_audit_units(location_, run, sp, accounts, config, suppressions, executor, today, progress,
                                shard_size, t0, at or _now())
    finally:
        executor.close()


def _now() -> Any:
    from permwise.clock import now_instant

    return now_instant()


def _run_audit_units(location_, run, sp, accounts, config, suppressions, executor, today, progress, shard_size, t0, at):
    import datetime as _dt

    from permwise.audit.run import AuditResult
    from permwise.audit.scp import ScpChecker
    from permwise.audit.suppressions import Suppressions
    from permwise.environment.assemble import sort_problems
    from permwise.environment.partial import load_part

    # 1. the index pass
    iunits = [Unit(f"index:{a}", (a,), (f"index:{a}", location_, (a,), frozenset(), True)) for a in accounts]
    parts, igaps = executor.run(index_unit, iunits, AuditShared(location_, run), progress_phase(progress, "index"))
    index = SharedIndex.merge([p for u in iunits if u.key in parts for p in parts[u.key]])
    shared = AuditShared(location_, run, config, index.buckets, at)
    t_index = time.perf_counter()
    # an account the index pass could not read is unknown: its own unit is not run (its gap
    # stands for it) and paths into it through its roles are not seen (docs/scale.md)
    unindexed = {a for g in igaps for a in g.accounts}

    # 2. the account units: an account with more principals than shard_size (counted by the
    # index pass) is cut into shards, each a range of its principals sorted by ARN
    units: list[Unit] = []
    sizes = {p.account: p.principals for ps in parts.values() for p in ps}
    for a in accounts:
        if a in unindexed:
            continue
        n = sizes.get(a, 0)
        roles, pols = index.slice_for((a,))
        if n <= shard_size:
            units.append(Unit(f"audit:{a}", (a,), (f"audit:{a}", a, 0, 1 << 62, roles, pols)))
        else:
            for i, s in enumerate(range(0, n, shard_size)):
                units.append(Unit(f"audit:{a}#{i + 1}", (a,), (f"audit:{a}#{i + 1}", a, s, s + shard_size, roles, pols)))
    results, gaps = executor.run(audit_unit, units, shared, progress_phase(progress, "audit"))
    t_units = time.perf_counter()

    # 3. merge, in unit order
    findings: list[Finding] = []
    nodes: dict[str, Node] = {}
    admins: list[str] = []
    problems = list(sp.problems)
    evaluations = principals = 0
    rss: dict[int, int] = {}
    for u in units:
        res = results.get(u.key)
        if res is None:
            continue
        findings.extend(res.findings)
        for n in res.nodes:
            nodes[n.arn] = n
        admins.extend(res.admins)
        problems.extend(res.problems)
        evaluations += res.evaluations
        principals += res.principals
        rss[res.pid] = max(rss.get(res.pid, 0), res.peak_rss_kb)
    merged = MergedEscalation(nodes, config)
    for arn in sorted(nodes):
        f = merged.check(nodes[arn])
        if f is not None:
            findings.append(f)
    rules = all_rules()
    org_env = load_part(sp, ())
    org_env.at = at
    scp_results, scp_findings = ScpChecker(org_env, rules, config).run()
    findings.extend(scp_findings)
    all_gaps = sorted(igaps + gaps, key=lambda g: g.unit)
    t_end = time.perf_counter()
    expired = (suppressions or Suppressions([])).apply(findings, today or _dt.date.today())
    findings.extend(expired)
    findings.sort(key=Finding.sort_key)
    stats = {
        "principals": principals, "evaluations": evaluations, "units": len(units), "executor": executor.name,
        "workers": executor.workers, "index": index.size(),
        "peak_rss_mb_per_process": sorted(round(v / 1024, 1) for v in rss.values()),
        "seconds": {"index": round(t_index - t0, 3), "units": round(t_units - t_index, 3),
                    "merge": round(t_end - t_units, 3), "total": round(t_end - t0, 3)},
    }
    result = AuditResult(findings, scp_results, rules, stats, sorted(admins))
    return result, all_gaps, sort_problems(problems)


def progress_phase(progress: Any, phase: str) -> Any:
    if progress is None:
        return None
    return lambda state: progress(phase, state)
