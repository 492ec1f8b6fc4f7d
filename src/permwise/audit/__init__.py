"""Audit an environment: IAM-*/SCP-* guardrails as rule packs, privilege escalation, trust
policies. Every question about what a principal can do is decided by the engine.

>>> from permwise.environment import load_snapshot                      # doctest: +SKIP
>>> from permwise.audit import run_audit, load_config
>>> result = run_audit(load_snapshot("snap/"), load_config("audit.yaml"))   # doctest: +SKIP
>>> [f.rule_id for f in result.active]                                 # doctest: +SKIP
"""

from permwise.audit.config import AuditConfig, PrincipalMatch, load_config
from permwise.audit.model import SEVERITIES, Finding, Rule, Step
from permwise.audit.registry import all_rules, get_rule
from permwise.audit.run import AuditResult, run_audit
from permwise.audit.suppressions import Suppression, Suppressions, load_suppressions
from permwise.audit.trust import analyze_trust, trust_entries

__all__ = [
    "SEVERITIES",
    "AuditConfig",
    "AuditResult",
    "Finding",
    "PrincipalMatch",
    "Rule",
    "Step",
    "Suppression",
    "Suppressions",
    "all_rules",
    "analyze_trust",
    "get_rule",
    "load_config",
    "load_suppressions",
    "run_audit",
    "trust_entries",
]
