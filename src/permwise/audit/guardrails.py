"""IAM-* guardrails: what principals can do, decided through the engine.

Check kinds (``kind`` in ``data/guardrails/guardrails.yaml``):

``denied-to-unauthorized``
    A principal that is not authorized for the rule (config ``authorized``) can perform any of
    the rule's actions: the engine allows it on the sentinel resource or on a resource its own
    grants name, after SCPs, boundary and conditions (see :mod:`permwise.audit.probe`). An SCP
    or identity ``Deny`` means no finding.
``scoped-only``
    The action is allowed on the sentinel resource (so on ``*`` or a pattern covering every
    resource) with no condition the principal must meet (pass 1 only: a grant that needs any
    request-time key counts as scoped).
``condition-required``
    Allowed on the sentinel resource without a condition on one of ``required_condition_keys``
    (pass 1 allows: no condition at all; pass 2 with every missing key except the required ones
    allows: conditioned only on other keys).
``separation-of-duties``
    The principal can perform an action of the first duty and an action of the second.

One finding per (rule, principal), listing the actions that are reachable.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from permwise import catalog
from permwise.audit import frames
from permwise.audit.config import AuditConfig
from permwise.audit.model import Finding, Rule
from permwise.audit.probe import Outcome, Prober

IAM_KINDS = ("denied-to-unauthorized", "scoped-only", "condition-required", "separation-of-duties")
MAX_LISTED = 4
#: shared rule results kept at once (the cache is emptied when full)
CACHE_LIMIT = 200_000


def expand_actions(patterns: list[str] | tuple[str, ...]) -> list[str]:
    """Catalog names (``Service:Action`` spelling) of the patterns, sorted, deduplicated."""
    return list(_expand_actions(tuple(patterns)))


@lru_cache(maxsize=1024)
def _expand_actions(patterns: tuple[str, ...]) -> tuple[str, ...]:
    # memoised: the rules' patterns are expanded by every checker (one per unit of an
    # organization), and the catalog does not change within a process
    cat = catalog.get_catalog()
    out: dict[str, str] = {}
    for p in patterns:
        if "*" in p or "?" in p:
            for a in cat.expand(p):
                out[a.key.lower()] = a.key
        else:
            one = cat.action(p)
            out[p.lower()] = one.key if one else p
    return tuple(out[k] for k in sorted(out))


def guardrail_universe(rules: list[Rule]) -> set[str]:
    acts: set[str] = set()
    for r in rules:
        if r.family == "guardrail" and r.kind in IAM_KINDS:
            acts.update(a.lower() for a in expand_actions(r.actions))
    return acts


def _summary(actions: list[str]) -> str:
    shown = ", ".join(f"`{a}`" for a in actions[:MAX_LISTED])
    more = f" and {len(actions) - MAX_LISTED} more" if len(actions) > MAX_LISTED else ""
    return shown + more


class GuardrailChecker:
    def __init__(self, prober: Prober, rules: list[Rule], config: AuditConfig, *, across: bool = True) -> None:
        self.prober = prober
        self.config = config
        #: share results with principals of other accounts (permwise.audit.frames)
        self.across = across
        self.rules = [r for r in rules if r.family == "guardrail" and r.kind in IAM_KINDS and config.enabled(r.id)]
        self._actions = {r.id: expand_actions(r.actions) for r in self.rules}
        self._duties = {
            r.id: [expand_actions(d) for d in r.data.get("duties", [])] for r in self.rules if r.kind == "separation-of-duties"
        }
        self._cache: dict[tuple, tuple[list[str], list[str]]] = {}
        #: every action a rule can ask about, lowercase (a rule none of whose actions is a
        #: candidate of the principal finds nothing)
        self._asked = {r.id: frozenset(a.lower() for a in (self._actions[r.id] if r.kind != "separation-of-duties"
                                                           else [a for d in self._duties[r.id] for a in d]))
                       for r in self.rules}
        self._authorized = {r.id: config.authorized_for(r.id) for r in self.rules}
        #: every authorized entry any rule reads, once
        self._entries = list({id(m): m for ms in self._authorized.values() for m in ms}.values())
        #: each rule as a process-wide number: what it asks and how (so a frame key built in one
        #: account's unit means the same check in another's)
        self._tags = {r.id: frames.number(("rule", r.id, r.kind, tuple(self._actions[r.id]),
                                           tuple(tuple(d) for d in self._duties.get(r.id, ())),
                                           tuple(r.data.get("required_condition_keys", ()))))
                      for r in self.rules}

    def _keep(self, key: tuple, value: tuple[list[str], list[str]]) -> None:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = value

    # ---------------------------------------------------------------- per kind
    def _reachable(self, p: Any, actions: list[str], cand: frozenset[str], *, stop_first: bool = False) -> tuple[list[str], list[str]]:
        hits: list[str] = []
        notes: list[str] = []
        for a in actions:
            if a.lower() not in cand:
                continue
            o = self.prober.can(p, a)
            if o.allowed:
                hits.append(a)
                notes.extend(n for n in o.notes if n not in notes)
                if stop_first:
                    break
        return hits, notes

    def _scoped(self, p: Any, actions: list[str], cand: frozenset[str]) -> tuple[list[str], list[str]]:
        hits = []
        for a in actions:
            if a.lower() in cand and self.prober.ask(p, a, self.prober.sentinel(a, p.account), witness=False).allowed:
                hits.append(a)
        return hits, []

    def _condition(self, p: Any, rule: Rule, actions: list[str], cand: frozenset[str]) -> tuple[list[str], list[str]]:
        required = tuple(k.lower() for k in rule.data.get("required_condition_keys", []))
        hits, notes = [], []
        for a in actions:
            if a.lower() not in cand:
                continue
            o: Outcome = self.prober.ask(p, a, self.prober.sentinel(a, p.account), exclude=required)
            if o.allowed:
                hits.append(a)
                if o.witness:
                    notes.append(f"`{a}` is conditioned only on {', '.join(sorted(o.witness))}")
                else:
                    notes.append(f"`{a}` has no condition")
        return hits, notes

    def _evaluate(self, p: Any, rule: Rule, cand: frozenset[str]) -> tuple[list[str], list[str]]:
        actions = self._actions[rule.id]
        if rule.kind == "denied-to-unauthorized":
            return self._reachable(p, actions, cand)
        if rule.kind == "scoped-only":
            return self._scoped(p, actions, cand)
        if rule.kind == "condition-required":
            return self._condition(p, rule, actions, cand)
        # separation-of-duties
        duties = self._duties[rule.id]
        if len(duties) != 2:
            return [], []
        a_hits, a_notes = self._reachable(p, duties[0], cand, stop_first=True)
        if not a_hits:
            return [], []
        b_hits, b_notes = self._reachable(p, duties[1], cand, stop_first=True)
        if not b_hits:
            return [], []
        return a_hits + b_hits, a_notes + [n for n in b_notes if n not in a_notes]

    # ---------------------------------------------------------------- driver
    def check(self, p: Any) -> list[Finding]:
        if p.service_linked and not self.config.include_service_linked_roles:
            return []
        cand = self.prober.candidate_actions(p)
        if not cand:
            return []
        out: list[Finding] = []
        authorized = {id(m) for m in self._entries if m.matches(p.arn, p.tags)}
        for rule in self.rules:
            if any(id(m) in authorized for m in self._authorized[rule.id]):
                continue  # (AuditConfig.is_authorized, each entry tested once per principal)
            asked = self._asked[rule.id]
            if cand.isdisjoint(asked):
                continue
            # principals whose statements for the rule's actions are the same share its result
            # (see "Shared answers" in permwise.audit.probe): by template, in this account
            # and in others (permwise.audit.frames); else by the statement objects
            frame_key = self.prober.frame_key(p, self._tags[rule.id], asked) if self.across else None
            key: tuple | None
            if frame_key is not None:
                key = local = (frame_key, p.account)
                hit = self._cache.get(local)
                if hit is None:
                    hit = self.prober.reuse(frame_key, p)
                    if hit is not None:
                        self._keep(local, hit)
            else:
                key = self.prober.group_key(p, rule.id, asked)
                hit = self._cache.get(key) if key is not None else None
            if hit is not None:
                hits, notes = hit
            else:
                before = self.prober.unshared
                if frame_key is not None:
                    self.prober.record()
                hits, notes = self._evaluate(p, rule, cand)
                asked_about = self.prober.recorded() if frame_key is not None else []
                if self.prober.unshared == before:
                    if key is not None:
                        self._keep(key, (hits, notes))
                    if frame_key is not None:
                        self.prober.keep(frame_key, p, (hits, notes), asked_about)
            if hits:
                out.append(self._finding(p, rule, hits, notes))
        return out

    def _finding(self, p: Any, rule: Rule, hits: list[str], notes: list[str]) -> Finding:
        sev = self.config.severity.get(rule.id, rule.severity)
        who = f"{p.kind} `{p.name}`"
        if rule.kind == "denied-to-unauthorized":
            detail = f"can {_summary(hits)} (guardrail: {rule.title})"
            fix = (f"remove these actions from {p.name}'s policies, deny them with an SCP, or list the "
                   f"principal under `authorized: {rule.id}` in the audit config")
        elif rule.kind == "scoped-only":
            detail = f"is allowed {_summary(hits)} on every resource, with no scoping condition"
            fix = "name the resources (ARNs) in the Resource element, or add a resource-tag condition"
        elif rule.kind == "condition-required":
            keys = ", ".join(f"`{k}`" for k in rule.data.get("required_condition_keys", []))
            detail = f"is allowed {_summary(hits)} on every resource without a condition on {keys}"
            fix = f"add a condition on {keys} to the statement that grants it"
        else:
            detail = f"holds both duties: {_summary(hits)}"
            fix = "split the duties between two principals"
        return Finding(
            rule_id=rule.id, severity=sev, subject=p.arn, account=p.account, message=f"{who} {detail}",
            file=p.origin.file, pointer=p.origin.pointer, fix=fix, actions=hits, notes=notes, detail=detail,
        )
