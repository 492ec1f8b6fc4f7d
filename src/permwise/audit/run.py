"""Run the whole audit over an environment: IAM guardrails, SCP guardrails, escalation, trust."""

from __future__ import annotations

from collections.abc import Iterable

import datetime as _dt
import time
from dataclasses import dataclass, field
from typing import Any

from permwise.audit.config import AuditConfig
from permwise.audit.escalation import EscalationAnalyzer, escalation_actions
from permwise.audit.graph import AssumeGraph
from permwise.audit.guardrails import GuardrailChecker, guardrail_universe
from permwise.audit.model import SEVERITY_RANK, Finding, Rule
from permwise.audit.probe import Prober
from permwise.audit.registry import all_rules, confused_deputy_services, get_rule
from permwise.audit.scp import ScpChecker, ScpResult
from permwise.audit.suppressions import Suppressions
from permwise.audit.trust import analyze_trust


@dataclass(slots=True)
class AuditResult:
    findings: list[Finding]
    scp: list[ScpResult]
    rules: list[Rule]
    stats: dict[str, Any] = field(default_factory=dict)
    #: principals with administrator power (engine-decided, see permwise.audit.escalation);
    #: presentation only: renderers fold their guardrail findings into one line
    admins: list[str] = field(default_factory=list)
    #: snapshot problems (env.problems): what they touch is unknown; renderers show them first
    problems: list[Any] = field(default_factory=list)

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is None]

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in SEVERITY_RANK}
        for f in self.active:
            out[f.severity] += 1
        return out


def internal_accounts(env: Any) -> set[str]:
    return set(env.accounts)


def trust_findings(env: Any, config: AuditConfig, roles: Iterable[Any] | None = None) -> list[Finding]:
    """Trust-policy findings of ``roles`` (default: every role of ``env``); the accounts of
    ``env`` are the internal ones."""
    internal = internal_accounts(env)
    services = confused_deputy_services()
    out: list[Finding] = []
    for r in env.roles() if roles is None else roles:
        if r.trust_policy is None or (r.service_linked and not config.include_service_linked_roles):
            continue
        for issue in analyze_trust(r.trust_policy, internal_accounts=internal,
                                   approved_accounts=config.external_accounts, confused_deputy_services=services):
            if not config.enabled(issue.rule_id) or config.is_authorized(issue.rule_id, r.arn, r.tags):
                continue
            rule = get_rule(issue.rule_id)
            assert rule is not None
            out.append(Finding(
                rule_id=issue.rule_id, severity=config.severity.get(issue.rule_id, rule.severity), subject=r.arn,
                account=r.account, message=f"role `{r.name}`: {issue.message}", detail=issue.message, file=r.origin.file,
                pointer=f"{r.origin.pointer}/AssumeRolePolicyDocument/Statement/{issue.index}",
                fix=issue.fix, notes=list(issue.notes),
            ))
    return out


def run_audit(
    env: Any,
    config: AuditConfig | None = None,
    suppressions: Suppressions | None = None,
    *,
    today: _dt.date | None = None,
    progress: Any = None,
    jobs: int | None = 1,
) -> AuditResult:
    """Every finding for ``env`` (sorted: severity, rule, subject), suppressions applied.

    ``jobs``: processes for the per-principal guardrail and escalation analysis (None: every
    core); the findings are identical for any value (see :mod:`permwise.parallel`)."""
    config = config or AuditConfig()
    rules = all_rules()
    t0 = time.perf_counter()
    universe = guardrail_universe(rules) | escalation_actions()
    prober = Prober(env, universe)
    findings: list[Finding] = []

    principals = env.principals()
    guard = GuardrailChecker(prober, rules, config)
    graph = AssumeGraph(env, prober)
    esc = EscalationAnalyzer(env, prober, graph, config)
    from permwise.parallel import resolve_jobs

    n_jobs = min(resolve_jobs(jobs), max(1, len(principals) // MIN_PRINCIPALS_PER_JOB))
    if n_jobs > 1:
        # each principal's guardrail findings are independent of the order in which principals
        # are visited and of the escalation search: pieces of the list go to worker processes
        # while this process runs the escalation search (which needs the assume-role graph,
        # built here once); results come back in list order and are put together exactly as
        # the loops below would. Each analysis keeps its caches in one process: split across
        # processes, both computed the same shared answers again in each.
        guard_f, esc_f, admin_flags, t_guard, evaluations = _overlapped(
            (prober, guard, esc), principals, n_jobs, progress)
        findings.extend(guard_f)
        findings.extend(esc_f)
        prober.evaluations += evaluations
        admins = sorted(p.arn for p, a in zip(principals, admin_flags, strict=True) if a)
    else:
        for i, p in enumerate(principals):
            findings.extend(guard.check(p))
            if progress:
                progress(i + 1, len(principals) * 2)
        t_guard = time.perf_counter()
        for i, p in enumerate(principals):
            f = esc.check(p)
            if f is not None:
                findings.append(f)
            if progress:
                progress(len(principals) + i + 1, len(principals) * 2)
        admins = sorted(p.arn for p in principals if esc.is_admin(p))
    t_esc = time.perf_counter()
    findings.extend(trust_findings(env, config))
    scp_results, scp_findings = ScpChecker(env, rules, config).run()
    findings.extend(scp_findings)
    t_end = time.perf_counter()

    expired = (suppressions or Suppressions([])).apply(findings, today or _dt.date.today())
    findings.extend(expired)
    findings.sort(key=Finding.sort_key)
    stats = {
        "principals": len(principals),
        "evaluations": prober.evaluations,
        "seconds": {"guardrails": round(t_guard - t0, 3), "escalation": round(t_esc - t_guard, 3),
                    "trust_and_scp": round(t_end - t_esc, 3), "total": round(t_end - t0, 3)},
    }
    return AuditResult(findings, scp_results, rules, stats, admins, list(getattr(env, "problems", [])))


#: fewer principals than this per process is not worth a process
MIN_PRINCIPALS_PER_JOB = 40

#: what a forked worker inherits from the parent (set just before the pool starts)
_SHARED: dict[str, Any] = {}


def _guard_piece(piece: tuple[int, int]) -> tuple[list[list[Finding]], int]:
    st = _SHARED
    prober, guard = st["prober"], st["guard"]
    before = prober.evaluations
    start, end = piece
    return [guard.check(p) for p in st["principals"][start:end]], prober.evaluations - before


def _overlapped(analyzers, principals, jobs, progress):
    """The guardrails of ``principals`` in ``jobs - 1`` worker processes, the escalation search
    in this one at the same time: (guardrail findings, escalation findings, admin flags, when
    the guardrails were done, the workers' engine evaluations)."""
    from permwise.parallel import make_pool

    n = len(principals)
    workers = max(1, jobs - 1)
    # more pieces than processes so that a slow piece does not leave a core idle
    size = max(1, -(-n // (workers * 8)))
    pieces = [(i, min(n, i + size)) for i in range(0, n, size)]
    prober, guard, esc = analyzers
    _SHARED.clear()
    _SHARED.update(prober=prober, guard=guard, principals=principals)
    guard_f: list[Finding] = []
    evaluations = 0
    try:
        with make_pool(workers) as pool:
            # the workers are forked at the first submission, before the search below starts
            futures = [pool.submit(_guard_piece, piece) for piece in pieces]
            esc_f: list[Finding] = []
            for i, p in enumerate(principals):
                f = esc.check(p)
                if f is not None:
                    esc_f.append(f)
                if progress:
                    progress(i + 1, 2 * n)
            flags = [esc.is_admin(p) for p in principals]
            done = 0
            for fut, (start, end) in zip(futures, pieces, strict=True):
                g, ev = fut.result()
                for fs in g:
                    guard_f.extend(fs)
                evaluations += ev
                done += end - start
                if progress:
                    progress(n + done, 2 * n)
    finally:
        _SHARED.clear()
    return guard_f, esc_f, flags, time.perf_counter(), evaluations
