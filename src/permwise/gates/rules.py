"""The registry of the policy gates' rules, and the one way a gate makes a finding.

Each rule is defined beside its check: :data:`permwise.gates.security.SECURITY_RULES`
(``FULL-ADMIN``, ``CREDENTIALS-EXPOSURE``, ``PUBLIC-ACCESS``...) and
:data:`permwise.gates.custom.CUSTOM_RULES` (``DENIED-ACTION-ALLOWED``, ``NO-PUBLIC``). Where a
rule is the same question the audit asks, it has the audit's id (``PRIVESC-*``, ``TRUST-*``;
titles and rationale come from ``data/guardrails``); the audit's severity maps to ``validate``'s
scale through :data:`permwise.diagnostics.AUDIT_TO_VALIDATE`: critical and high -> ``error``,
medium -> ``warning``, low and info -> ``suggestion``.
"""

from __future__ import annotations

from functools import lru_cache

from permwise.audit.registry import escalation_data, trust_data
from permwise.diagnostics import AUDIT_TO_VALIDATE, Diagnostic, Rule, RuleRegistry

IAM_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"

CATEGORY = "security"


def _audit_rules() -> list[Rule]:
    out = []
    for p in escalation_data():
        out.append(Rule(p["id"], AUDIT_TO_VALIDATE[p["severity"]], p["id"].lower(), p["title"],
                        p.get("rationale", "").strip(), "Privilege escalation (permwise audit)", "", CATEGORY))
    for t in trust_data()["rules"]:
        out.append(Rule(t["id"], AUDIT_TO_VALIDATE[t["severity"]], t["id"].lower(), t["title"],
                        str(t.get("rationale", "")).strip(), "Roles terms and concepts (trust policy)",
                        IAM_GUIDE + "id_roles_terms-and-concepts.html", CATEGORY))
    return out


@lru_cache(maxsize=None)
def security_rules() -> RuleRegistry:
    # the rule tables live beside their checks, which make findings through this module
    from permwise.gates.custom import CUSTOM_RULES
    from permwise.gates.security import SECURITY_RULES

    reg = RuleRegistry()
    reg.extend(SECURITY_RULES)
    reg.extend(CUSTOM_RULES)
    reg.extend(_audit_rules())
    return reg


def finding(rule_id: str, message: str, *, pointer: str = "", fix: str | None = None, subject: str | None = None,
            severity: str | None = None, file: str | None = None, line: int | None = None,
            column: int | None = None) -> Diagnostic:
    """A finding of gate rule ``rule_id`` (its registered severity unless ``severity`` is given)."""
    return Diagnostic(code=rule_id, severity=severity or security_rules()[rule_id].severity, message=message,
                      pointer=pointer, fix=fix, file=file, line=line, column=column, subject=subject)
