"""Engine questions about one policy (or one small set of policies) with no environment around it.

A single policy says nothing about who holds it, so the gates ask the engine about a *holder*: a
role (or, for user-only primitives, a user) named ``permwise-policy-holder`` in the *holder
account* (the one concrete account the policy's resources name, else the first account of the
zone, else ``123456789012``). "On ``*``" means on a *sentinel*: the ARN of the action's first
resource type with every name set to ``permwise-probe`` in that account and ``us-east-1``; a
grant on ``*``, or on every resource of the type, matches it, a grant on a named resource does
not.

**Conditions.** The holder is a well-behaved caller: it signs in with MFA over TLS (those keys
are set). Pass 1 evaluates with what the request itself carries (the attack's own keys, such as
``iam:PassedToService``). When that does not allow and the engine reports missing keys, pass 2
sets each missing key that the caller can choose to a *witness* value satisfying the Allow
statements of the action, and evaluates again: an allow there is a finding *only when* the
witness holds (reported as such). Deny statements are never weakened. Keys that bind the
caller's identity (``aws:PrincipalOrgID``, ``aws:SourceArn``...) are never given witnesses by
default: a grant that needs them does not reach an arbitrary caller.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from permwise import catalog
from permwise.audit.probe import concretize as audit_concretize
from permwise.audit.probe import witness_value
from permwise.clock import run_instant
from permwise.catalog.arn import Arn
from permwise.catalog.arn import account_id as arn_account
from permwise.engine import (
    ALLOWED,
    CompiledPolicy,
    CompiledStatement,
    PolicySet,
    Request,
    evaluate,
)

PROBE = "permwise-probe"
HOLDER = "permwise-policy-holder"
DEFAULT_ACCOUNT = "123456789012"
OUTSIDE_ACCOUNT = "999988887777"
OUTSIDE_ORG = "o-permwiseoutside"
REGION = "us-east-1"

#: keys that bind who the caller is or where the call comes from on its behalf: an arbitrary
#: caller cannot choose their value, so they are never given witness values
BINDING_KEYS = (
    "aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
    "aws:principaltype", "aws:username", "aws:userid", "aws:principalisawsservice",
    "aws:principalservicename", "aws:principalservicenamelist", "aws:sourceaccount",
    "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceowner",
    "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "aws:calledvia",
    "aws:calledviafirst", "aws:calledvialast", "aws:viaawsservice", "sts:externalid",
    "kms:calleraccount", "s3:resourceaccount", "lambda:sourcefunctionarn", "ec2:sourceinstancearn",
)
#: network keys: a caller anywhere on the internet does not have them, but they are not an
#: identity either; a grant that needs them is *limited*, not closed (see exposure)
NETWORK_KEYS = ("aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip")

HOLDER_CONTEXT = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60",
                  "aws:SecureTransport": "true"}


def _matches(key: str, globs: tuple[str, ...]) -> bool:
    k = key.lower()
    return any(fnmatchcase(k, g) for g in globs)


@dataclass(slots=True)
class Outcome:
    """An engine answer: ``allowed`` (pass 1 or 2), the witness of pass 2, the decision of pass
    1, the statements that allowed, and the result's missing keys."""

    allowed: bool
    decision: str
    witness: dict[str, Any] = field(default_factory=dict)
    allow_statements: list[CompiledStatement] = field(default_factory=list)
    deny_statements: list[CompiledStatement] = field(default_factory=list)
    missing_keys: list[str] = field(default_factory=list)

    @property
    def conditional(self) -> bool:
        return self.allowed and bool(self.witness)

    def when(self) -> str:
        """``aws:SourceIp=10.0.0.1, ...`` (empty when unconditional)."""
        return ", ".join(f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in sorted(self.witness.items()))


def statement_applies_to_action(st: CompiledStatement, action_lower: str) -> bool:
    return st.actions is not None and st.actions.matches(action_lower) != st.not_action


def witness_for(policies: list[CompiledPolicy], action: str, have: set[str], *,
                exclude: tuple[str, ...] = BINDING_KEYS, effect: str = "Allow") -> dict[str, Any]:
    """Witness values for the condition keys of the ``effect`` statements naming ``action``."""
    al = action.lower()
    prefix = al.partition(":")[0]
    out: dict[str, Any] = {}
    for cp in policies:
        for st in cp.statements_for(prefix):
            if st.effect != effect or not statement_applies_to_action(st, al):
                continue
            cond = st.raw.get("Condition") if isinstance(st.raw, dict) else None
            if not isinstance(cond, dict):
                continue
            for op, block in cond.items():
                if not isinstance(block, dict):
                    continue
                for key, vals in block.items():
                    k = str(key).lower()
                    if k in have or _matches(k, exclude) or key in out:
                        continue
                    ok, val = witness_value(str(op), vals if isinstance(vals, list) else [vals])
                    if ok:
                        out[str(key)] = val
    return out


_REGION_CACHE: dict[int, bool] = {}


def _names_region(pols: list[CompiledPolicy]) -> bool:
    """Does any of the policies test ``aws:RequestedRegion``? (cached per compiled policy)"""
    for cp in pols:
        hit = _REGION_CACHE.get(id(cp))
        if hit is None:
            hit = _REGION_CACHE[id(cp)] = any(k.lower() == "aws:requestedregion" for k in cp.condition_keys)
        if hit:
            return True
    return False


def ask(ps: PolicySet, principal: str, action: str, resource: str, *, context: dict[str, Any] | None = None,
        resource_account: str | None = None, witness: bool = True,
        exclude: tuple[str, ...] = BINDING_KEYS) -> Outcome:
    """Two passes (see the module doc). The requests carry the run's one instant."""
    at = run_instant()
    ctx = dict(context or {})
    if "aws:requestedregion" not in {k.lower() for k in ctx}:
        ctx["aws:RequestedRegion"] = REGION
    r = evaluate(ps, Request(principal=principal, action=action, resource=resource,
                             resource_account=resource_account, context=ctx, at=at))
    if r.decision == ALLOWED:
        return Outcome(True, r.decision, {}, list(r.allow_statements), [], list(r.missing_keys))
    first = Outcome(False, r.decision, {}, [], list(r.deny_statements), list(r.missing_keys))
    if not witness or r.deny_statements:
        return first
    pols = list(ps.identity) + list(ps.boundary) + list(ps.session) + list(ps.resource)
    w: dict[str, Any] = {}
    if r.missing_keys:
        w = witness_for(pols, action, {k.lower() for k in ctx}, exclude=exclude)
        if w:
            r2 = evaluate(ps, Request(principal=principal, action=action, resource=resource,
                                      resource_account=resource_account, context={**ctx, **w}, at=at))
            if r2.decision == ALLOWED:
                return Outcome(True, r2.decision, w, list(r2.allow_statements), [], list(r.missing_keys))
            if r2.deny_statements:
                return first
    # a grant limited to other regions is still a grant: ask again in the region it names
    region = next((v for k, v in witness_for(pols, action, set(), exclude=exclude).items()
                   if k.lower() == "aws:requestedregion"), None) if _names_region(pols) else None
    if isinstance(region, str) and region != ctx.get("aws:RequestedRegion"):
        arn = Arn.parse(resource)
        res2 = str(arn.with_region(region)) if arn is not None and arn.region else resource
        ctx3 = {**ctx, **w, "aws:RequestedRegion": region}
        r3 = evaluate(ps, Request(principal=principal, action=action, resource=res2,
                                  resource_account=resource_account, context=ctx3, at=at))
        if r3.decision == ALLOWED:
            wit = {**w, "aws:RequestedRegion": region}
            return Outcome(True, r3.decision, wit, list(r3.allow_statements), [], list(r.missing_keys))
    return first


# ---------------------------------------------------------------------------------- resources
_SENTINELS: dict[tuple[str, str], str] = {}


def sentinel(action: str, account: str, partition: str = "aws") -> str:
    """The sentinel ARN of ``action`` in ``account`` (``*`` for actions without resource types)."""
    key = (action.lower(), account)
    hit = _SENTINELS.get(key)
    if hit is None:
        cat = catalog.get_catalog()
        act = cat.action(action)
        hit = "*"
        if act is not None and act.resources:
            rts = cat.action_resource_types(act)
            chosen = next((rt for ar, rt in rts if rt is not None and ar.required), None) or next(
                (rt for _, rt in rts if rt is not None), None)
            if chosen is not None:
                hit = chosen.template({"Partition": partition, "Region": REGION, "Account": account}, default=PROBE)
        _SENTINELS[key] = hit
    return hit


def concretize(pattern: str, account: str, partition: str = "aws") -> str:
    """A concrete ARN matched by ``pattern``: wildcards in the region become ``us-east-1``, in
    the account the holder account, in names ``permwise-probe``."""
    return audit_concretize(pattern, account, REGION, partition, name=PROBE)


def resource_patterns(policies: list[CompiledPolicy]) -> list[str]:
    """Every string of every Resource element (sorted, deduplicated, variables dropped)."""
    out: set[str] = set()
    for cp in policies:
        for st in cp.statements:
            if not isinstance(st.raw, dict):
                continue
            for key in ("Resource", "NotResource"):
                v = st.raw.get(key)
                for x in (v if isinstance(v, list) else [v] if v is not None else []):
                    if isinstance(x, str) and "${" not in x:
                        out.add(x)
    return sorted(out)


def holder_account(policies: list[CompiledPolicy], zone_accounts: list[str] | tuple[str, ...] = ()) -> str:
    """The one concrete account the policies' resources name most often; else the zone's first
    account; else ``123456789012``."""
    count: dict[str, int] = {}
    for pat in resource_patterns(policies):
        a = arn_account(pat)
        if a:
            count[a] = count.get(a, 0) + 1
    if count:
        return sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return zone_accounts[0] if zone_accounts else DEFAULT_ACCOUNT


def allowed_candidates(policies: list[CompiledPolicy], universe: list[str] | None = None) -> list[str]:
    """Catalog actions (``service:Action`` spelling) some Allow statement of ``policies`` names,
    ``NotAction`` expanded to its complement; restricted to ``universe`` when given."""
    cat = catalog.get_catalog()
    out: dict[str, str] = {}
    for cp in policies:
        for st in cp.statements:
            if st.effect != "Allow" or not isinstance(st.raw, dict):
                continue
            key = "NotAction" if st.not_action else "Action"
            v = st.raw.get(key)
            pats = [str(x) for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)]
            if not pats:
                continue
            for a in cat.expand_many(pats, not_action=st.not_action):
                out[a.key.lower()] = a.key
    if universe is not None:
        u = {a.lower() for a in universe}
        return sorted((v for k, v in out.items() if k in u), key=str.lower)
    return sorted(out.values(), key=str.lower)
