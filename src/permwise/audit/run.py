"""Run the whole audit over an environment: IAM guardrails, SCP guardrails, escalation, trust."""

from __future__ import annotations

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


def trust_findings(env: Any, config: AuditConfig) -> list[Finding]:
    internal = internal_accounts(env)
    services = confused_deputy_services()
    out: list[Finding] = []
    for r in env.roles():
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
                account=r.account, message=f"role `{r.name}`: {issue.message}", file=r.origin.file,
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
) -> AuditResult:
    """Every finding for ``env`` (sorted: severity, rule, subject), suppressions applied."""
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
