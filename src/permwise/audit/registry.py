"""The rule registry: every rule the audit knows, as data (guardrails, escalation primitives,
trust rules, the audit's own rules). ``permwise rules``, SARIF rule metadata and the docs read
it from here."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from permwise.audit.model import Rule
from permwise.audit.scp import OVERBROAD_RULE
from permwise.audit.suppressions import EXPIRED_RULE

DATA = Path(__file__).resolve().parents[1] / "data" / "guardrails"

FAMILY_ORDER = {"guardrail": 0, "escalation": 1, "trust": 2, "audit": 3}

#: the audit's own rules, each defined beside its check
AUDIT_RULES = (EXPIRED_RULE, OVERBROAD_RULE)


#: libyaml's safe loader when PyYAML has it (the same documents, about ten times faster)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def _yaml(name: str) -> Any:
    return yaml.load((DATA / name).read_text(), Loader=_LOADER)


def guardrail_data() -> list[dict[str, Any]]:
    return list(_yaml("guardrails.yaml")["rules"])


def escalation_data() -> list[dict[str, Any]]:
    return list(_yaml("escalation.yaml")["primitives"])


def trust_data() -> dict[str, Any]:
    return _yaml("trust.yaml")


@lru_cache(maxsize=None)
def _all() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for g in guardrail_data():
        rules.append(Rule(
            id=g["id"], family="guardrail", kind=g["kind"], severity=g["severity"], title=g["title"],
            rationale=g.get("rationale", ""), actions=tuple(g.get("actions", [])),
            references=tuple(g.get("references", [])), source=g.get("source", ""), data=g,
        ))
    for p in escalation_data():
        acts = list(p.get("actions", [])) or sorted({a for alt in p.get("alternatives", []) for a in alt} | {"iam:PassRole"})
        rules.append(Rule(
            id=p["id"], family="escalation", kind=f"escalation-{p['kind']}", severity=p["severity"],
            title=p["title"], rationale=p.get("rationale", ""), actions=tuple(acts), data=p,
        ))
    for t in trust_data()["rules"]:
        rules.append(Rule(
            id=t["id"], family="trust", kind="trust", severity=t["severity"], title=t["title"],
            rationale=t.get("rationale", ""), data=t,
        ))
    rules.extend(AUDIT_RULES)
    rules.sort(key=lambda r: (FAMILY_ORDER[r.family], r.id))
    return tuple(rules)


def all_rules() -> list[Rule]:
    """Every rule, guardrails first, then escalation, trust and audit rules; sorted by id."""
    return list(_all())


def get_rule(rule_id: str) -> Rule | None:
    return _by_id().get(rule_id)


@lru_cache(maxsize=None)
def _by_id() -> dict[str, Rule]:
    return {r.id: r for r in _all()}


def confused_deputy_services() -> dict[str, str]:
    return dict(trust_data()["confused_deputy_services"])
