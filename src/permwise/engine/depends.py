"""Decisions that say what they depend on.

A request is decided with the keys that are known (the request-context model,
:func:`permwise.engine.context.derived_context`). A key nobody stated (the source IP, the VPC
endpoint, whether the session has MFA, session tags, the session name) is *unknown*
(:class:`~permwise.engine.context.Unknown`): the decision is made with its base value (absent, or
AWS's value when nothing special happens, e.g. ``aws:MultiFactorAuthPresent`` ``false`` for a
session created without MFA) and then again with every other value it could take that a policy in
force tests (the values written in the policies' conditions on that key, wildcards filled, CIDRs
by their first address, plus the unknown's own probes, and "absent" when the base is a value).
When one of them changes the decision, the result is **conditional**: :class:`Dependency` names
the key, the value that flips it, the statement that decides either way and both decisions.

Only the keys that some policy of the set tests are probed, one key at a time (two unknown keys
that only matter together are not combined), so a policy set that tests no unknown key costs
nothing extra.

:func:`depended_keys` lists the condition keys a decision rested on: the keys of the deciding
statements' conditions, and the absent keys conditions consulted (``Result.missing_keys``),
for allowed requests as much as for denied ones.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

from permwise.engine.context import Unknown
from permwise.engine.evaluate import ALLOWED, PolicySet, Request, Result, evaluate
from permwise.policy.operators import written_operator

_KEYS_CACHE: dict[int, tuple[PolicySet, dict[str, list[tuple[str, Any]]], frozenset[str], frozenset[str]]] = {}
_VARIABLE = re.compile(r"\$\{\s*([^},\s]+)")


@dataclass(frozen=True, slots=True)
class Dependency:
    """The decision of a request turns on an unknown key. ``base_value``: the value decided
    with (``None``: absent); ``value``: the value that flips the decision (``None``: absent);
    ``decision`` / ``flipped``: the decisions with each; ``policy`` / ``sid`` / ``pointer`` /
    ``policy_kind`` / ``level``: the statement that decides with one of the two values (the
    explicit deny, or the allow that grants). No words: :func:`permwise.report.reasons.dependency_dict`
    is the JSON form, with the words for the key."""

    key: str
    base_value: Any
    value: Any
    decision: str
    flipped: str
    policy: str | None = None
    policy_kind: str | None = None
    level: str | None = None
    sid: str | None = None
    pointer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The data, without words (see :func:`permwise.report.reasons.dependency_dict`)."""
        return {"key": self.key, "base_value": self.base_value, "value": self.value, "decision": self.decision,
                "flipped_decision": self.flipped,
                "statement": {"policy": self.policy, "kind": self.policy_kind, "level": self.level,
                              "sid": self.sid, "pointer": self.pointer}}


def _walk_conditions(doc: Any) -> Iterator[tuple[str, str, Any]]:
    sts = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(sts, dict):
        sts = [sts]
    for st in sts or []:
        cond = st.get("Condition") if isinstance(st, dict) else None
        if not isinstance(cond, dict):
            continue
        for op, block in cond.items():
            if isinstance(block, dict):
                for key, vals in block.items():
                    yield str(op), str(key), vals


def _tested(ps: PolicySet) -> tuple[dict[str, list[tuple[str, Any]]], frozenset[str]]:
    hit = _KEYS_CACHE.get(id(ps))
    if hit is not None and hit[0] is ps:
        return hit[1], hit[2]
    out: dict[str, list[tuple[str, Any]]] = {}
    variables: set[str] = set()
    for p in ps.policies():
        for op, key, vals in _walk_conditions(p.doc):
            for v in vals if isinstance(vals, list) else [vals]:
                out.setdefault(key.lower(), []).append((op, v))
        text = repr(p.doc)
        if "${" in text:
            variables.update(m.group(1).lower() for m in _VARIABLE.finditer(text))
    # the keys, and the family of each key with a `/` (aws:principaltag/), for a quick test
    names = set(out)
    names.update(k[: k.index("/") + 1] for k in out if "/" in k)
    if len(_KEYS_CACHE) > 50_000:
        _KEYS_CACHE.clear()
    referenced = frozenset(set(out) | variables)
    _KEYS_CACHE[id(ps)] = (ps, out, frozenset(names), referenced)
    return out, frozenset(names)


def referenced_keys(ps: PolicySet) -> frozenset[str]:
    """Every context key (lowercase) a policy of ``ps`` can read: the keys its conditions test
    and the ``${...}`` variables anywhere in it. Evaluation reads nothing else from the context
    (besides the engine's own ``aws:principalarn``/``aws:principalaccount``/``aws:resourceaccount``)."""
    _tested(ps)
    return _KEYS_CACHE[id(ps)][3]


def tested_keys(ps: PolicySet) -> dict[str, list[tuple[str, Any]]]:
    """lowercase condition key -> [(operator, value)] for every condition of the set (cached per
    policy set: sets are immutable once built)."""
    return _tested(ps)[0]


def _probe_value(op: str, v: Any) -> str | None:
    """A request value that satisfies the positive form of condition ``op`` with policy value ``v``."""
    if isinstance(v, (dict, list)) or v is None:
        return None
    s = str(v).lower() if isinstance(v, bool) else str(v)
    if "${" in s:
        return None
    parsed = written_operator(op)
    if parsed is None:
        return s
    low = parsed.base.name.lower()
    if "ipaddress" in low:
        try:
            return str(ipaddress.ip_network(s, strict=False).network_address)
        except ValueError:
            return None
    if low.endswith("like"):
        return s.replace("*", "x").replace("?", "x")
    if low == "null":
        return None
    return s


def _candidates(u: Unknown, tested: list[tuple[str, Any]]) -> list[Any]:
    vals: list[Any] = []
    for op, v in tested:
        pv = _probe_value(op, v)
        if pv is None or (u.prefix is not None and not pv.startswith(u.prefix)):
            continue
        if op.lower().startswith("bool"):
            pv = pv.lower()
        if pv not in vals:
            vals.append(pv)
    for p in u.probes:
        if p not in vals:
            vals.append(p)
    if u.base is not None and None not in vals and u.prefix is None:
        vals.append(None)  # absent
    return [v for v in vals if v != u.base]


def _deciding(res: Result) -> Any:
    if res.deny_statements:
        return res.deny_statements[0]
    if res.decision == ALLOWED and res.allow_statements:
        return res.allow_statements[0]
    return None


def _relevant(unknown: dict[str, Unknown], tested: dict[str, list[tuple[str, Any]]]) -> list[tuple[str, Unknown, list[Any]]]:
    out = []
    for lk, u in unknown.items():
        if lk.endswith("/"):  # a family (aws:PrincipalTag/): every tested key under it
            for tk, vals in tested.items():
                if tk.startswith(lk):
                    out.append((tk, Unknown(u.key[: len(lk)] + tk[len(lk):], None, ("permwise-unstated",)), vals))
        elif lk in tested:
            out.append((lk, u, tested[lk]))
    return out


def may_depend(ps: PolicySet, unknown: dict[str, Unknown]) -> bool:
    """Does some policy of ``ps`` test one of the unknown keys (so a probe may be needed)?"""
    names = _tested(ps)[1]
    return bool(names) and not names.isdisjoint(unknown)


def evaluate_known(
    ps: PolicySet, req: Request, unknown: dict[str, Unknown] | None, explain: bool = False
) -> tuple[Result, list[Dependency]]:
    """Decide ``req`` (whose context carries the base value of every unknown key) and probe the
    unknown keys some policy of ``ps`` tests; returns the base result and the dependencies."""
    res = evaluate(ps, req, explain)
    if not unknown:
        return res, []
    tested, names = _tested(ps)
    if not names or names.isdisjoint(unknown):
        return res, []
    deps: list[Dependency] = []
    ctx = req.context or {}
    for lk, u, vals in _relevant(unknown, tested):
        for v in _candidates(u, vals):
            c2 = {k: val for k, val in ctx.items() if k.lower() != lk}
            if v is not None:
                c2[u.key] = v
            r2 = evaluate(ps, Request(req.principal, req.action, req.resource, req.resource_account, c2,
                                      req.principal_tags, at=req.at), False)
            if r2.decision != res.decision:
                st = _deciding(res) if res.decision != ALLOWED else None
                st = st or _deciding(r2) or _deciding(res)
                p = st.policy if st is not None else None
                deps.append(Dependency(u.key, u.base, v, res.decision, r2.decision,
                                       p.name if p else None, p.kind if p else None, p.level if p else None,
                                       st.sid if st is not None else None, st.pointer if st is not None else None))
                break
    return res, deps


def depended_keys(res: Result) -> list[str]:
    """The condition keys the decision rested on: those of the deciding statements (the explicit
    denies, or the allows that granted) and the absent keys conditions consulted."""
    keys = set(res.missing_keys)
    for s in res.deny_statements or res.allow_statements:
        if s.conditions:
            keys.update(c.key_written for c in s.conditions)
    if not keys:
        return []
    return sorted(keys, key=str.lower)
