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
   self-escalate or have an edge: the rest cannot change a path. The coordinator keeps the role
   index, the facts (:class:`Facts`), the SCP grid (:class:`SpilledScp`) and the findings on
   disk, so its memory does not grow with the organization's principals (docs/scale.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from permwise.audit.config import AuditConfig
from permwise.audit.escalation import EscalationAnalyzer, escalation_actions
from permwise.audit.graph import AssumeGraph
from permwise.audit.guardrails import GuardrailChecker, guardrail_universe
from permwise.audit.model import SEVERITY_RANK, Finding, Rule, Step
from permwise.audit.probe import Prober
from permwise.audit.registry import all_rules
from permwise.audit.run import AuditResult
from permwise.environment.model import Origin
from permwise.executors import Executor, Gap, Unit
from permwise.scale import location
from permwise.scale.index import SharedIndex
from permwise.scale.spill import Spill
from permwise.scale.store import LazyRoles

#: a bigger account is cut into shards of this many principals (each a unit)
SHARD_SIZE = 2000
#: an account more roles of other accounts trust (a hub) gets one unit per chunk of this many
SLICE_SIZE = 4000


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
    #: the account's cells of the SCP coverage grid: (guardrail's place, result, finding)
    scp: list[tuple[int, Any, Finding | None]] | None = None
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


def index_unit(payload: tuple[str, str, tuple[str, ...], frozenset[str], bool, bool], shared: Any) -> Any:
    """The index parts of some accounts; with ``problems`` (``check``) each account is read once
    as a unit would read it, for its problems too (every account's, as a whole-snapshot load
    reports them, though ``check``'s units read only a few accounts): its files parsed and
    checked against the schema, its references resolved and every document checked as the
    engine compiles it, a document already found valid in this process not compiled again."""
    from permwise.environment.load import SnapshotReader
    from permwise.environment.partial import load_part, validate_unit
    from permwise.scale.index import index_account, index_records

    key, loc, accounts, want, read_iam, problems = payload
    fault_point(key)
    sp = location.shared_part(loc, shared.run)
    parts = []
    with location.account_files(loc, accounts):
        r = SnapshotReader(sp.root)
        for aid in accounts:
            if problems:
                env = load_part(sp, (aid,), compile_all=False)
                validate_unit(env, _VALID)
                part = index_records(aid, env.unit_principals if read_iam else None,
                                     list(env.resource_policies.values()), want)
                part.problems = env.unit_problems
                del env
            else:
                part = index_account(r, aid, want, read_iam)
            parts.append(part)
    return parts


#: documents (policy type, JSON text) a process found valid (:func:`validate_unit`)
_VALID: set[tuple[str, bytes]] = set()


def audit_unit(payload: tuple[str, str, int, int, list[dict], list[Any], str], shared: AuditShared) -> AuditUnitResult:
    """One unit of an account (``part``): ``"all"`` computes everything for its principals
    ``[start, end)``; when the account's slice of foreign roles is cut in chunks (a hub account
    many roles trust), ``"main"`` does the same with the first chunk (a principal that can assume
    only roles of a later chunk is kept as a next hop: see :class:`_UnitEscalation`), and
    ``"slice"`` computes only the edges of every principal of the account into its chunk's
    foreign roles (``sts:AssumeRole`` and modify-role moves), which the merge adds to theirs."""
    from permwise.catalog.arn import arn_account
    from permwise.environment.partial import foreign_role, load_part

    key, aid, start, end, roles, pols, part = payload
    fault_point(key)
    sp = location.shared_part(shared.location, shared.run)
    with location.account_files(shared.location, (aid,)):
        env = load_part(sp, (aid,), foreign_roles=[foreign_role(r) for r in roles], foreign_resource_policies=pols,
                        bucket_accounts=shared.buckets)
    del roles
    if shared.at is not None:
        env.at = shared.at
    config = shared.config
    assert config is not None
    rules = all_rules()
    prober = Prober(env, guardrail_universe(rules) | escalation_actions())
    graph = AssumeGraph(env, prober)
    esc = _UnitEscalation(env, prober, graph, config, part == "main")
    mine = env.unit_principals[start:end]
    out = AuditUnitResult(principals=len(mine) if part != "slice" else 0,
                          problems=env.unit_problems if start == 0 and part != "slice" else [])
    if part == "slice":
        kept = {"sts:AssumeRole"} | {p["id"] for p in esc.primitives if p["kind"] == "modify-role"}
        for p in mine:
            if esc.is_admin(p) or esc.self_escalation(p) is not None:
                continue
            edges = [s for s in esc.edges(p) if s.via in kept and arn_account(s.target) != aid]
            if edges:
                out.nodes.append(_node(p, False, None, edges))
    else:
        guard = GuardrailChecker(prober, rules, config)
        for p in mine:
            out.findings.extend(guard.check(p))
        for p in mine:
            admin = esc.is_admin(p)
            selfe = None if admin else esc.self_escalation(p)
            moves = esc.edges(p) if (not admin and selfe is None) else None
            if admin:
                out.admins.append(p.arn)
            if admin or selfe is not None or moves:
                out.nodes.append(_node(p, admin, selfe, list(moves) if moves else None))
        if part == "all":  # a "main" unit's principals may gain edges in the "slice" units: not pruned
            out.nodes = _prune(out.nodes, {p.arn for p in mine})
        out.findings.extend(_trust_findings(env, [p for p in mine if p.kind == "role"], config))
        if start == 0:
            # the account's row of the SCP coverage grid (it reads the organization part only,
            # which every unit holds): the grid is computed by the units, not after them
            out.scp = _scp_row(env, rules, config, aid)
    out.evaluations = prober.evaluations
    out.peak_rss_kb = peak_rss_kb()
    out.pid = os.getpid()
    return out


def _scp_row(env: Any, rules: list[Rule], config: AuditConfig, aid: str) -> list[tuple[int, Any, Finding | None]]:
    """Account ``aid``'s cells of the SCP coverage grid, with each guardrail's place in it
    (empty when the account is not a member or the grid is not drawn)."""
    from permwise.audit.scp import ScpChecker

    checker = ScpChecker(env, rules, config)
    if not checker.drawn() or aid not in checker.member_accounts():
        return []
    return [(i, *checker.cell(rule, aid)) for i, rule in enumerate(checker.rules)]


def _node(p: Any, admin: bool, selfe: tuple[str, str] | None, edges: list[Step] | None) -> Node:
    return Node(p.arn, p.account, p.kind, p.name, dict(p.tags), p.service_linked, p.origin, admin, selfe, edges)


class _UnitEscalation(EscalationAnalyzer):
    """:class:`EscalationAnalyzer` in a unit. In a ``"main"`` unit of an account whose foreign
    roles are cut in chunks, this unit does not see every role a role of the account can assume,
    so a role able to call ``sts:AssumeRole`` is always a next hop worth reaching: an edge to it
    that leads nowhere is a dead end, which cannot change the path the search finds first."""

    def __init__(self, env: Any, prober: Any, graph: Any, config: AuditConfig, partial_slice: bool) -> None:
        super().__init__(env, prober, graph, config)
        self.partial_slice = partial_slice

    def worth_reaching(self, r: Any) -> bool:
        if super().worth_reaching(r):
            return True
        return self.partial_slice and "sts:assumerole" in self.prober.candidate_actions(r)


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


ASSUME = "sts:AssumeRole"


_FACTS_SCHEMA = "CREATE TABLE nodes (arn TEXT PRIMARY KEY, row BLOB NOT NULL) WITHOUT ROWID;"


class Facts:
    """The escalation facts of the organization, on disk: one row per principal that has any
    (a SQLite database, :class:`~permwise.scale.store.Db`), read back by ARN when the search
    reaches it (the last few thousand read are kept). A principal of an account whose foreign
    roles were cut in chunks gets facts from several units: its edges are merged in the order
    :meth:`EscalationAnalyzer.edges` gives them (assume edges by target, then the account's own
    moves, then modify-role moves by primitive and target)."""

    CACHE = 4096

    def __init__(self, config: AuditConfig) -> None:
        from permwise.scale.store import Db

        self._db = Db("permwise-facts-", _FACTS_SCHEMA)
        prims = [p for p in EscalationAnalyzer(_Nodes({}), None, None, config).primitives]  # type: ignore[arg-type]
        self._modify = {p["id"]: i for i, p in enumerate(x for x in prims if x["kind"] == "modify-role")}
        self._cache: dict[str, Node | None] = {}
        self.count = 0
        self.edges = 0

    def __len__(self) -> int:
        return self.count

    def add(self, n: Node) -> None:
        edges = list(n.edges) if n.edges else None
        node = Node(n.arn, n.account, n.kind, n.name, n.tags, n.service_linked, n.origin, n.admin, n.self_esc, edges)
        old = self._read(n.arn)
        if old is not None:
            node.admin = old.admin or node.admin
            node.self_esc = old.self_esc or node.self_esc
            node.edges = self._merge(old.edges or [], node.edges or []) or None
            self.edges -= len(old.edges or [])
        else:
            self.count += 1
        self.edges += len(node.edges or [])
        self._db.conn.execute("INSERT OR REPLACE INTO nodes VALUES (?, ?)", (n.arn, _node_row(node)))
        self._cache.pop(n.arn, None)

    def _read(self, arn: str) -> Node | None:
        row = self._db.conn.execute("SELECT row FROM nodes WHERE arn = ?", (arn,)).fetchone()
        return _row_node(arn, row[0]) if row else None

    def get(self, arn: str) -> Node | None:
        """The facts of ``arn`` (None: it has none)."""
        if arn in self._cache:
            return self._cache[arn]
        node = self._read(arn)
        if len(self._cache) >= self.CACHE:
            self._cache.pop(next(iter(self._cache)))
        self._cache[arn] = node
        return node

    def arns(self, batch: int = 1000) -> Iterator[str]:
        """Every principal with facts, by ARN, read a batch at a time."""
        last = ""
        while True:
            rows = self._db.conn.execute("SELECT arn FROM nodes WHERE arn > ? ORDER BY arn LIMIT ?",
                                         (last, batch)).fetchall()
            if not rows:
                return
            for (arn,) in rows:
                yield arn
            last = rows[-1][0]

    def close(self) -> None:
        self._cache = {}
        self._db.close()

    def _merge(self, a: list[Step], b: list[Step]) -> list[Step]:
        both = a + b
        rank = self._modify
        return (sorted((e for e in both if e.via == ASSUME), key=lambda e: e.target)
                + [e for e in both if e.via != ASSUME and e.via not in rank]
                + sorted((e for e in both if e.via in rank), key=lambda e: (rank[e.via], e.target)))


def _node_row(n: Node) -> bytes:
    import orjson

    return orjson.dumps([n.account, n.kind, n.name, n.tags, n.service_linked, n.origin.file, n.origin.pointer,
                         n.admin, list(n.self_esc) if n.self_esc else None,
                         [[e.source, e.target, e.via, e.detail] for e in n.edges] if n.edges else None])


def _row_node(arn: str, row: bytes) -> Node:
    import orjson

    a = orjson.loads(row)
    return Node(arn, a[0], a[1], a[2], a[3], a[4], Origin(a[5], a[6]), a[7], tuple(a[8]) if a[8] else None,
                [Step(*e) for e in a[9]] if a[9] else None)


def finding_row(f: Finding) -> list[Any]:
    """A finding as a JSON list (spilled to disk), every field kept: :func:`row_finding` undoes it."""
    return [f.rule_id, f.severity, f.subject, f.message, f.account, f.file, f.pointer, f.fix, f.actions,
            [[p.source, p.target, p.via, p.detail] for p in f.path], f.notes, f.suppressed_by]


def row_finding(row: list[Any]) -> Finding:
    return Finding(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                   [Step(*p) for p in row[9]], row[10], row[11])


class SpilledFindings:
    """An audit's findings sorted on disk (:class:`~permwise.scale.spill.Spill`): iterating reads
    them in report order, one at a time; ``len()`` is their number. Re-iterable."""

    def __init__(self, spill: Spill) -> None:
        self.spill = spill

    def __len__(self) -> int:
        return len(self.spill)

    def __iter__(self) -> Iterator[Finding]:
        for _, row in self.spill:
            yield row_finding(row)


class _Active:
    """The findings not suppressed, read from disk on each iteration."""

    def __init__(self, findings: SpilledFindings, n: int) -> None:
        self.findings = findings
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[Finding]:
        return (f for f in self.findings if f.suppressed_by is None)


class SpilledScp:
    """The SCP coverage grid on disk (:class:`~permwise.scale.spill.Spill`): iterating reads its
    cells as :class:`~permwise.audit.scp.ScpResult`, by guardrail then account (the reports'
    order, ``presorted``), one at a time. Re-iterable; ``len()`` is the number of cells."""

    presorted = True

    def __init__(self, spill: Spill) -> None:
        self.spill = spill

    def __len__(self) -> int:
        return len(self.spill)

    def __iter__(self) -> Iterator[Any]:
        from permwise.audit.scp import ScpResult

        for _, row in self.spill:
            yield ScpResult(*row)


@dataclass(slots=True)
class StreamedAuditResult(AuditResult):
    """An :class:`~permwise.audit.run.AuditResult` whose findings stay on disk: the JSON and
    SARIF writers stream them (:func:`permwise.report.audit.iter_json`); the terminal and HTML
    reports read them all (they group findings by principal)."""

    severity_counts: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0

    @property
    def active(self) -> Any:
        return _Active(self.findings, sum(self.severity_counts.values()))  # type: ignore[arg-type]

    def counts(self) -> dict[str, int]:
        return dict(self.severity_counts)


class _FindingSink:
    """Findings as they come: suppressions applied, counted, spilled with their place in the
    report order (severity, rule, subject, message, then the group and position they came in,
    as the stable sort of the concatenation in unit order would place them)."""

    def __init__(self, suppressions: Any, today: Any) -> None:
        from permwise.audit.suppressions import Suppressions

        self.sup = suppressions or Suppressions([])
        self.today = today
        self.spill = Spill()
        self.counts = {s: 0 for s in SEVERITY_RANK}
        self.suppressed = 0

    def add(self, group: int, findings: list[Finding], *, apply: bool = True, start: int = 0) -> None:
        """``findings`` of ``group``, the first at position ``start`` in it."""
        if apply:
            self.sup.apply(findings, self.today)
        for seq, f in enumerate(findings, start):
            if f.suppressed_by is None:
                self.counts[f.severity] += 1
            else:
                self.suppressed += 1
            self.spill.add([*f.sort_key(), group, seq], finding_row(f))

    def expired(self) -> list[Finding]:
        return self.sup.apply([], self.today)


def run_audit_units(
    location_: str,
    config: AuditConfig | None,
    suppressions: Any,
    executor: Executor,
    *,
    today: Any = None,
    progress: Any = None,
    shard_size: int = SHARD_SIZE,
    slice_size: int = SLICE_SIZE,
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
                                shard_size, slice_size, t0, at or _now())
    finally:
        executor.close()


def _now() -> Any:
    from permwise.clock import now_instant

    return now_instant()


def _run_audit_units(location_, run, sp, accounts, config, suppressions, executor, today, progress, shard_size,
                     slice_size, t0, at):
    import datetime as _dt

    from permwise.audit.scp import ScpChecker
    from permwise.environment.assemble import sort_problems
    from permwise.environment.partial import load_part

    # 1. the index pass: each account's part goes to the index (roles to disk) as it arrives
    iunits = [Unit(f"index:{a}", (a,), (f"index:{a}", location_, (a,), frozenset(), True, False)) for a in accounts]
    index = SharedIndex()
    sizes: dict[str, int] = {}

    def indexed(key: str, ps: list[Any]) -> None:
        for p in ps:
            index.add(p)
            sizes[p.account] = p.principals

    _, igaps = executor.run(index_unit, iunits, AuditShared(location_, run), phase(progress, "index"),
                            on_result=indexed)
    del iunits
    index.finish()
    shared = AuditShared(location_, run, config, index.buckets, at)
    index_size = index.size()
    t_index = time.perf_counter()
    # an account the index pass could not read is unknown: its own unit is not run (its gap
    # stands for it) and paths into it through its roles are not seen (docs/scale.md)
    unindexed = {a for g in igaps for a in g.accounts}

    # 2. the account units: an account with more principals than shard_size (counted by the
    # index pass) is cut into shards, each a range of its principals sorted by ARN; an account
    # more than slice_size foreign roles trust (a hub) gets one more unit per further chunk of
    # them, so no unit holds more than slice_size foreign roles
    # (a unit's roles are read from the index's database when the unit is sent: LazyRoles)
    units: list[Unit] = []
    for a in accounts:
        if a in unindexed:
            continue
        n = sizes.get(a, 0)
        pols = index.policies_for((a,))
        count = index.role_count((a,))
        chunks = [LazyRoles(index, (a,), i, slice_size) for i in range(0, count, slice_size)] or [[]]
        part = "all" if len(chunks) == 1 else "main"
        if n <= shard_size:
            units.append(Unit(f"audit:{a}", (a,), (f"audit:{a}", a, 0, 1 << 62, chunks[0], pols, part)))
        else:
            for i, s in enumerate(range(0, n, shard_size)):
                units.append(Unit(f"audit:{a}#{i + 1}", (a,),
                                  (f"audit:{a}#{i + 1}", a, s, s + shard_size, chunks[0], pols, part)))
        for j, chunk in enumerate(chunks[1:], start=2):
            units.append(Unit(f"audit:{a}@{j}", (a,), (f"audit:{a}@{j}", a, 0, 1 << 62, chunk, pols, "slice")))
    sizes.clear()
    order = {u.key: i for i, u in enumerate(units)}

    # 3. merge as results come (any order: each finding carries its place), nothing kept whole
    sink = _FindingSink(suppressions, today or _dt.date.today())
    facts = Facts(config)
    admins: list[str] = []
    problems = list(sp.problems)
    totals = {"evaluations": 0, "principals": 0}
    rss: dict[int, int] = {}

    def take(key: str, res: AuditUnitResult) -> None:
        sink.add(order[key], res.findings)
        for n in res.nodes:
            facts.add(n)
        admins.extend(res.admins)
        problems.extend(res.problems)
        totals["evaluations"] += res.evaluations
        totals["principals"] += res.principals
        take_scp(res)
        if res.peak_rss_kb > rss.get(res.pid, 0):
            rss[res.pid] = res.peak_rss_kb
            first_at_peak[res.pid] = key

    # the SCP coverage grid (every member account x SCP guardrail): each unit draws its account's
    # row; the cells go to disk in report order as they come, their findings to the sink at their
    # place in the grid (so the order is the one a single process gives)
    rules = all_rules()
    org_env = load_part(sp, ())
    org_env.at = at
    scp = ScpChecker(org_env, rules, config)
    members = scp.member_accounts() if scp.drawn() else []
    member_at = {a: i for i, a in enumerate(members)}
    scp_results = SpilledScp(Spill(prefix="permwise-scp-"))
    scp_drawn: set[str] = set()

    def scp_cell(i: int, res: Any, f: Finding | None) -> None:
        place = i * len(members) + member_at[res.account]
        scp_results.spill.add([res.rule_id, res.account, place], [res.rule_id, res.account, res.status, res.allowed,
                                                                  res.denied, res.exempt, res.note])
        if f is not None:
            sink.add(n_units + 1, [f], start=place)

    def take_scp(res: AuditUnitResult) -> None:
        for i, cell, f in res.scp or ():
            if cell.account in member_at and cell.account not in scp_drawn:
                scp_cell(i, cell, f)
        scp_drawn.update(c.account for _, c, _ in res.scp or ())

    first_at_peak: dict[int, str] = {}
    n_units = len(units)
    try:
        _, gaps = executor.run(audit_unit, units, shared, phase(progress, "audit"), on_result=take)
    finally:
        index.close()  # every unit has been sent: the roles are no longer needed
    del units, shared  # (the index is closed; its few resource policies are kept by the closure above)
    t_units = time.perf_counter()
    # the search reads each principal's facts from disk as it reaches it; its findings are
    # spilled a batch at a time
    merged = MergedEscalation(facts, config)  # type: ignore[arg-type]
    batch: list[Finding] = []
    seq = 0
    for arn in facts.arns():
        f = merged.check(facts.get(arn))
        if f is not None:
            batch.append(f)
        if len(batch) >= 1000:
            sink.add(n_units, batch, start=seq)
            seq += len(batch)
            batch = []
    sink.add(n_units, batch, start=seq)
    del batch
    facts_size = {"principals": len(facts), "edges": facts.edges}
    facts.close()
    # the rows no unit drew (a member account without a directory, or whose unit failed)
    for i, rule in enumerate(scp.rules):
        for a in members:
            if a not in scp_drawn:
                scp_cell(i, *scp.cell(rule, a))
    del org_env, scp
    all_gaps = sorted(igaps + gaps, key=lambda g: g.unit)
    t_end = time.perf_counter()
    sink.add(n_units + 2, sink.expired(), apply=False)
    stats = {
        "principals": totals["principals"], "evaluations": totals["evaluations"], "units": n_units,
        "executor": executor.name, "workers": executor.workers, "index": index_size,
        "peak_rss_mb_per_process": sorted(round(v / 1024, 1) for v in rss.values()),
        # the unit each process reached its peak in (the hub's units show here)
        "peak_unit_per_process": sorted((round(v / 1024, 1), first_at_peak[pid]) for pid, v in rss.items()),
        "seconds": {"index": round(t_index - t0, 3), "units": round(t_units - t_index, 3),
                    "merge": round(t_end - t_units, 3), "total": round(t_end - t0, 3)},
        "escalation_facts": facts_size,
    }
    result = StreamedAuditResult(SpilledFindings(sink.spill), scp_results, rules, stats, sorted(admins),
                                 severity_counts=sink.counts, suppressed=sink.suppressed)
    return result, all_gaps, sort_problems(problems)


def phase(progress: Any, name: str) -> Any:
    """The executor's progress callback for the phase ``name`` (``index``, ``audit``, ``check``)."""
    if progress is None:
        return None
    return lambda state: progress(name, state)
