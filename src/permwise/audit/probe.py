"""Asking the engine "can this principal do this?" cheaply and with a documented stance on
conditions.

**Prefilter.** Every identity policy is matched once (cached per compiled policy, so a managed
policy attached to 2,000 roles is matched once) against the *audit universe*: every concrete
action any rule names. A principal's candidate actions are the union over its identity policies'
``Allow`` statements (``NotAction`` inverted), intersected with its permissions boundary's. Only
candidates reach the engine.

**Resources.** An action is probed on (a) a *sentinel* ARN built from the catalog's ARN pattern
of the action's first resource type, in the principal's account and the snapshot's first region,
with every name set to ``permwise-audit-probe`` (a grant on ``*`` or on ``…:trail/*`` matches
it; a grant on one named trail does not), and, for "can it at all" questions, (b) each Resource
pattern of the principal's own matching ``Allow`` statements with its wildcards filled the same
way.

**Conditions** (the decision the issue left open, see docs/audit.md "Conditions"):

* keys the snapshot knows about the principal (ARN, account, organization, tags) are set;
  conditions on them decide exactly (a grant conditioned on a tag the principal lacks is
  unreachable: no finding);
* keys set only by AWS services on the caller's behalf (``aws:SourceArn``,
  ``aws:SourceAccount``, ``aws:userid`` …) are never invented: a grant that needs them is
  unreachable for the principal itself;
* every other key (``aws:MultiFactorAuthPresent``, ``aws:SourceIp``, ``aws:ResourceTag/…``,
  service keys) is something the caller can arrange at request time. Pass 1 evaluates with those
  keys absent; when it does not allow and the engine reports missing keys, pass 2 sets each
  missing key to a *witness* value that satisfies the principal's own ``Allow`` statements for
  the action and evaluates again. An allow in pass 2 is reported with the witness as a note
  ("allowed when aws:MultiFactorAuthPresent=true"). Deny statements are never weakened: their
  conditions see the same context.

**Shared answers.** The engine's answer to a request reads only the statements whose Action
applies to the action (every other statement is skipped before its Resource, Principal or
Condition is looked at), the layers' shape (boundary present, SCP/RCP levels, resource-based
and session policies) and, through conditions and variables, the context. So two principals of
one account and kind get the same answer for one action and resource when those statements are
the same objects and none of them can tell the principals apart (no policy variable, no
principal-specific key such as ``aws:PrincipalArn`` or ``aws:PrincipalTag/…``, no Principal
element other than ``*``) and no resource-based or session policy is in force. The engine
still decides the first such question; the others reuse its answer (:meth:`Prober.share_key`).

A check that asks about several actions (a guardrail rule) can share its whole result the same
way: :meth:`Prober.group_key` is the share keys of all its actions at once, built from each
policy's applying statements restricted to those actions (computed once per policy and check,
so a principal costs one lookup per policy, not per action). The result is reused only when
every question the check asked was itself shareable (:attr:`Prober.unshared` did not move):
a resource-based policy on a resource the check named can still tell principals apart.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from permwise import catalog
from permwise.audit import frames
from permwise.catalog.arn import Arn
from permwise.engine import ALLOWED, CompiledPolicy, PolicySet, Request, evaluate
from permwise.engine.context import LowerKeys
from permwise.policy.operators import written_operator

PROBE_NAME = "permwise-audit-probe"

#: keys a caller cannot choose: the snapshot sets them (principal attributes) or only AWS
#: services do (source keys); never given witness values
FIXED_KEYS = (
    "aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
    "aws:principaltag/*", "aws:principaltype", "aws:username", "aws:userid",
    "aws:principalisawsservice", "aws:principalservicename", "aws:principalservicenamelist",
    "aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceowner",
    "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths",
)
#: keys whose value depends on who the principal is: a policy using them (or a policy variable)
#: cannot be shared between principals in the evaluation cache
PERSONAL_KEYS = ("aws:principalarn", "aws:principaltag/", "aws:username", "aws:userid", "aws:principaltype")

#: entries of the shared-answer caches before they are emptied (each entry is small)
SHARED_LIMIT = 200_000

#: (universe, NotAction?, the element as written) -> the universe actions it applies to; a set
#: can hold the whole universe (`"Action": "*"`), so fewer are kept than other entries
_STATEMENT_ACTIONS: dict[tuple, frozenset[str]] = {}
STATEMENT_ACTIONS_LIMIT = 5_000


def _fixed(key: str) -> bool:
    k = key.lower()
    return any(fnmatchcase(k, p) for p in FIXED_KEYS)


@dataclass(slots=True)
class Outcome:
    allowed: bool
    witness: dict[str, Any] = field(default_factory=dict)
    decision: str = ""

    @property
    def notes(self) -> list[str]:
        return [f"allowed when {k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in sorted(self.witness.items())]


def concretize(pattern: str, account: str, region: str, partition: str = "aws", name: str = PROBE_NAME) -> str:
    """A concrete ARN matched by ``pattern``: wildcards in partition/region/account become the
    given values, wildcards in the resource part become ``name`` (``permwise-audit-probe``)."""
    if pattern == "*":
        return "*"
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return pattern.replace("*", name).replace("?", "x")
    _, part, svc, reg, acct, res = parts
    part = partition if ("*" in part or "?" in part or not part) else part
    if "*" in reg or "?" in reg:
        reg = region
    if "*" in acct or "?" in acct:
        acct = account
    svc = svc.replace("*", "x").replace("?", "x")
    res = res.replace("*", name).replace("?", "x")
    return ":".join(("arn", part, svc, reg, acct, res))


# ------------------------------------------------------------------------------------ witnesses
def witness_value(op: str, values: list[Any]) -> tuple[bool, Any]:
    """(usable, value) that makes ``op`` true for ``values``; ``usable`` False when the key should
    stay absent (``Null: true``, ``...IfExists``) or no value can be derived."""
    parsed = written_operator(op)
    if parsed is None or parsed.if_exists:
        return False, None
    base, setp = parsed.base.name.lower(), parsed.set_operator
    vals = [str(v) for v in values]
    if not vals:
        return False, None
    v0 = vals[0]
    if "${" in v0:
        return False, None
    out: Any
    if base == "null":
        if v0.lower() == "true":
            return False, None
        out = PROBE_NAME
    elif base in ("stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"):
        out = v0.replace("*", "x").replace("?", "x")
    elif base in ("stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike"):
        out = PROBE_NAME
    elif base == "bool":
        out = v0.lower()
    elif base == "ipaddress":
        try:
            out = str(next(iter(ipaddress.ip_network(v0, strict=False))))
        except ValueError:
            return False, None
    elif base == "notipaddress":
        out = "192.0.2.10" if not any(v.startswith("192.0.2.") for v in vals) else "198.51.100.10"
    elif base.startswith("numeric"):
        try:
            n = float(v0)
        except ValueError:
            return False, None
        delta = {"numericlessthan": -1, "numericgreaterthan": 1, "numericnotequals": 1}.get(base, 0)
        n += delta
        out = str(int(n)) if n == int(n) else str(n)
    elif base.startswith("date"):
        if "lessthan" in base:
            out = "2000-01-01T00:00:00Z"
        elif "greaterthan" in base:
            out = "2099-01-01T00:00:00Z"
        elif base == "dateequals":
            out = v0
        else:
            out = "2001-01-01T00:00:00Z"
    elif base == "binaryequals":
        out = v0
    else:
        return False, None
    if setp:
        out = [out]
    return True, out


def conditions_witness(conditions: dict[str, Any], have: set[str], exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Witness values for every key of a Condition block that is not in ``have`` (lowercase),
    not fixed and not matching an ``exclude`` glob (lowercase)."""
    out: dict[str, Any] = {}
    if not isinstance(conditions, dict):
        return out
    for op, block in conditions.items():
        if not isinstance(block, dict):
            continue
        for key, vals in block.items():
            k = key.lower()
            if k in have or _fixed(k) or any(fnmatchcase(k, e) for e in exclude):
                continue
            ok, val = witness_value(op, vals if isinstance(vals, list) else [vals])
            if ok and key not in out:
                out[key] = val
    return out


# ------------------------------------------------------------------------------------ the prober
def allow_resources(identity: list[CompiledPolicy], action_lower: str) -> tuple[bool, tuple[Any, ...]]:
    """Where the identity policies' Allow statements for ``action_lower`` may grant it:
    ``(anywhere, matchers)``. ``anywhere`` when a statement's resources cannot be told apart
    statically (``*``, ``NotResource``, a policy variable, no Resource); otherwise a request on
    a resource none of ``matchers`` fits is not allowed by any of them."""
    anywhere = False
    matchers = []
    for cp in identity:
        for st in cp.statements_for(action_lower.partition(":")[0]):
            if st.effect != "Allow" or st.actions is None or st.actions.matches(action_lower) == st.not_action:
                continue
            rm = st.resources
            if rm is None or st.not_resource or rm.templates or rm.match_all:
                anywhere = True
            else:
                matchers.append(rm)
    return anywhere, tuple(matchers)


class Prober:
    """Engine questions about principals of one environment, with caches."""

    def __init__(self, env: Any, universe: set[str]) -> None:
        self.env = env
        self.cat = catalog.get_catalog()
        self.region = env.regions[0] if getattr(env, "regions", None) else "us-east-1"
        self.partition = getattr(env, "partition", "aws") or "aws"
        self.universe = {a.lower() for a in universe}
        self._universe_number = frames.number(("universe", frozenset(self.universe)))
        self._by_prefix: dict[str, list[str]] = {}
        for a in sorted(self.universe):
            self._by_prefix.setdefault(a.partition(":")[0], []).append(a)
        self._policy_index_of: dict[int, tuple[frozenset[str], dict[str, tuple], frozenset[str], CompiledPolicy]] = {}
        self._personal: dict[int, bool] = {}
        self._ctx: dict[str, dict[str, Any]] = {}
        self._candidates: dict[str, frozenset[str]] = {}
        self._signatures: dict[str, tuple | None] = {}
        self._blind: dict[tuple[int, str], bool] = {}
        self._policy_pers: dict[int, tuple[bool, CompiledPolicy]] = {}
        self._layer_maps: dict[tuple[int, int], tuple] = {}
        self._listings: dict[int, tuple] = {}
        self._personal_st: dict[int, tuple[Any, bool]] = {}
        #: answers shared between principals (see "Shared answers" above)
        self._shared: dict[tuple, Any] = {}
        self._ctx_keys: dict[str, tuple] = {}
        #: every distinct share-key base -> its number (bases hold policies, so they stay alive)
        self._numbers: dict[tuple, int] = {}
        self._counter = itertools.count(1)
        self._ps_of: dict[str, PolicySet] = {}
        self._grants: dict[tuple[int, str], tuple[bool, tuple, PolicySet]] = {}
        self._lctx: dict[str, dict[str, Any]] = {}
        self._restrictions: dict[tuple[int, Any, str | None], tuple[int | None, CompiledPolicy]] = {}
        self.evaluations = 0
        #: questions whose answer was not shareable (see "Shared answers" above), counted
        self.unshared = 0
        #: the resources asked about while a check is recorded (see :meth:`recorded`)
        self._recording: list[str] | None = None
        self._frame_bases: dict[tuple[int, int], tuple[int | None, PolicySet, Any]] = {}
        self._org_keys: frozenset[str] | None = None
        self._facts: dict[tuple[str, str], tuple | None] = {}
        self._policy_keys: dict[int, tuple[frozenset[str], CompiledPolicy]] = {}

    # -------------------------------------------------------------- prefilter
    def _statement_actions(self, st: Any) -> frozenset[str]:
        """The universe actions that ``st``'s Action (or NotAction) element applies to; the
        same for every statement that writes the same element, so kept per process."""
        am = st.actions
        if am is None:
            return frozenset()
        raw = st.raw.get("NotAction" if st.not_action else "Action") if isinstance(st.raw, dict) else None
        written = tuple(raw) if isinstance(raw, list) and all(isinstance(x, str) for x in raw) else (
            (raw,) if isinstance(raw, str) else None)
        if written is None:
            return self._match_universe(st)
        key = (self._universe_number, st.not_action, written)
        hit = _STATEMENT_ACTIONS.get(key)
        if hit is None:
            if len(_STATEMENT_ACTIONS) >= STATEMENT_ACTIONS_LIMIT:
                _STATEMENT_ACTIONS.clear()
            hit = _STATEMENT_ACTIONS[key] = self._match_universe(st)
        return hit

    def _match_universe(self, st: Any) -> frozenset[str]:
        am = st.actions
        if am.match_all:
            hit = set(self.universe)
        elif am.prefixes is not None:
            hit = {a for pfx in am.prefixes for a in self._by_prefix.get(pfx, ()) if am.matches(a)}
        else:
            hit = {a for a in self.universe if am.matches(a)}
        return frozenset((self.universe - hit) if st.not_action else hit)

    def policy_allows(self, cp: CompiledPolicy) -> frozenset[str]:
        return self._policy_index(cp)[0]

    def _policy_index(self, cp: CompiledPolicy) -> tuple[frozenset[str], dict[str, tuple], frozenset[str]]:
        """Of ``cp``, over the universe: the actions its Allow statements name (the
        prefilter); each action -> the statements whose Action element applies to it (the
        engine's test: ``NotAction`` inverted; actions no statement applies to are left out);
        the actions one of whose applying statements is personal. One pass over the statements."""
        hit = self._policy_index_of.get(id(cp))
        if hit is None:
            allows: set[str] = set()
            applying: dict[str, tuple] = {}
            personal: set[str] = set()
            for st in cp.statements:
                acts = self._statement_actions(st)
                if st.effect == "Allow":
                    allows |= acts
                for a in acts:
                    applying[a] = applying.get(a, ()) + (st,)
                if acts and self._statement_personal(st):
                    personal |= acts  # (each statement is tested once, not once per action)
            if len(self._policy_index_of) >= SHARED_LIMIT:
                self._policy_index_of.clear()
            # the policy is held, so that its id is not reused while it is cached
            hit = self._policy_index_of[id(cp)] = (frozenset(allows), applying, frozenset(personal), cp)
        return hit[0], hit[1], hit[2]

    def candidate_actions(self, principal: Any) -> frozenset[str]:
        """Universe actions some identity Allow names (and the boundary, if any, allows)."""
        hit = self._candidates.get(principal.arn)
        if hit is None:
            hit = self._candidates[principal.arn] = self._candidate_actions(principal)
        return hit

    def _candidate_actions(self, principal: Any) -> frozenset[str]:
        ps = self.env.policy_set(principal.arn)
        acc: set[str] = set()
        for cp in ps.identity:
            acc |= self.policy_allows(cp)
        for b in ps.boundary:
            acc &= self.policy_allows(b)
        return frozenset(acc)

    def signature(self, principal: Any) -> tuple | None:
        """A key shared by principals whose answers are identical (same policies, same account,
        no policy that depends on who the principal is); None when answers are personal."""
        if principal.arn not in self._signatures:
            self._signatures[principal.arn] = self._signature(principal)
        return self._signatures[principal.arn]

    def _signature(self, principal: Any) -> tuple | None:
        ps = self.env.policy_set(principal.arn)
        pols = list(ps.identity) + list(ps.boundary) + [p for lvl in ps.scps for p in lvl]
        if any(self.personal(cp) for cp in pols):
            return None
        return (principal.account, principal.kind, principal.service_linked,
                tuple(id(c) for c in ps.identity), tuple(id(c) for c in ps.boundary))

    def resource_blind(self, ps: PolicySet, prefix: str) -> bool:
        """Can no statement in force for service ``prefix`` tell one resource from another?
        Every statement of ``ps`` that can match such an action has no Resource element or
        ``Resource: *`` (no NotResource, no policy variable) and no condition on a resource key.
        Then two resources of one account, region and context get the same answer."""
        for cp in ps.policies():
            key = (id(cp), prefix)
            hit = self._blind.get(key)
            if hit is None:
                hit = self._blind[key] = all(_resource_blind(st) for st in cp.statements_for(prefix))
            if not hit:
                return False
        return True

    def personal(self, cp: CompiledPolicy) -> bool:
        """Can ``cp``'s answer depend on who the principal is (a policy variable or a
        principal-specific key such as ``aws:PrincipalArn``)?"""
        personal = self._personal.get(id(cp))
        if personal is None:
            text = json.dumps(cp.doc).lower()
            personal = "${" in text or any(k in text for k in PERSONAL_KEYS)
            self._personal[id(cp)] = personal
        return personal

    # -------------------------------------------------------------- shared answers
    def _statement_personal(self, st: Any) -> bool:
        hit = self._personal_st.get(id(st))
        if hit is None:
            raw = st.raw
            text = json.dumps(raw, default=str).lower() if isinstance(raw, dict) else str(raw).lower()
            personal = "${" in text or any(k in text for k in PERSONAL_KEYS) or (
                isinstance(raw, dict) and ("NotPrincipal" in raw or raw.get("Principal", "*") not in ("*", {"AWS": "*"})))
            if len(self._personal_st) >= SHARED_LIMIT:
                self._personal_st.clear()
            # the statement is held, so that its id is not reused while it is cached
            hit = self._personal_st[id(st)] = (st, personal)
        return hit[1]

    def _policy_personal(self, cp: CompiledPolicy) -> bool:
        """Is one of ``cp``'s statements personal (see :meth:`_statement_personal`)?"""
        hit = self._policy_pers.get(id(cp))
        if hit is None:
            if len(self._policy_pers) >= SHARED_LIMIT:
                self._policy_pers.clear()
            # the policy is held, so that its id is not reused while it is cached
            hit = self._policy_pers[id(cp)] = (any(self._statement_personal(st) for st in cp.statements), cp)
        return hit[0]

    def _listing(self, ps: PolicySet) -> tuple[tuple, tuple]:
        """The layers of ``ps`` whose statements a share key lists per action, as their
        policies, and each policy's index (:meth:`_policy_index`). The boundary, SCP and RCP
        policies are part of a key's base (the objects themselves), so their statements are
        listed only when one of them is personal; the identity policies (different for nearly
        every principal) always are."""
        hit = self._listings.get(id(ps))
        if hit is None:
            shared = [g for g in (ps.boundary, *ps.scps, *ps.rcps) if any(self._policy_personal(cp) for cp in g)]
            listed = tuple(tuple(g) for g in (ps.identity, *shared))
            indexes = tuple(tuple(self._policy_index(cp)[1:] for cp in g) for g in listed)
            if len(self._listings) >= SHARED_LIMIT // 10:
                self._listings.clear()
            # the policy set is held, so that its id stays its own
            hit = self._listings[id(ps)] = (listed, indexes, ps)
        return hit[0], hit[1]

    def _layers(self, principal: Any, ps: PolicySet) -> tuple[int, tuple, tuple]:
        """For ``principal`` under ``ps``: the number standing for what every share key starts
        with (account, kind, impersonal context, the layers' shape), and :meth:`_listing`."""
        listed, indexes = self._listing(ps)
        memo = (id(ps), id(principal))
        hit = self._layer_maps.get(memo)
        if hit is None:
            base = (principal.account, principal.kind, principal.service_linked, self._context_key(principal.arn),
                    tuple(ps.boundary), ps.management_account_id, ps.scp_exempt, ps.rcp_exempt,
                    ps.resource_policy_required, tuple(map(tuple, ps.scps)), tuple(map(tuple, ps.rcps)),
                    ps.rcp_services)
            # a small stand-in for the base, so that hashing a share key stays cheap
            base_id = self._number(base)
            if len(self._layer_maps) >= SHARED_LIMIT // 10:
                self._layer_maps.clear()
            # the policy set and the principal are held, so that their ids stay theirs
            hit = self._layer_maps[memo] = (base_id, ps, principal)
        return hit[0], listed, indexes

    def share_key(self, principal: Any, ps: PolicySet, al: str) -> tuple | None:
        """What the engine's answer about action ``al`` (lowercase) can depend on, beyond the
        request's resource and context, for ``principal`` under ``ps``: the principal's
        account, kind and impersonal context, the layers' shape and, per listed layer, the
        statements whose Action applies (the objects themselves). None when the answer is
        personal (a resource-based or session policy, or an applying statement that can tell
        principals apart, see "Shared answers" above)."""
        if ps.resource or ps.session:
            return None
        base, listed, indexes = self._layers(principal, ps)
        layers = []
        if al in self.universe:
            for index in indexes:
                sts: tuple = ()
                for applying, personal in index:
                    if al in personal:
                        return None
                    found = applying.get(al)
                    if found:
                        sts += found
                layers.append(sts)
        else:  # an action outside the universe (the admin probe's permwise:AnyAction)
            for group in listed:
                sts = tuple(st for cp in group for st in cp.statements
                            if st.actions is not None and st.actions.matches(al) != st.not_action)
                if any(self._statement_personal(st) for st in sts):
                    return None
                layers.append(sts)
        return (base, al, tuple(layers))

    def policy_set_of(self, principal: Any) -> PolicySet:
        """The principal's policy set without a resource (memoised)."""
        ps = self._ps_of.get(principal.arn)
        if ps is None:
            ps = self._ps_of[principal.arn] = self.env.policy_set(principal.arn)
        return ps

    def group_key(self, principal: Any, tag: str, actions: frozenset[str]) -> tuple | None:
        """The :meth:`share_key` of every action of ``actions`` (lowercase, in the universe) at
        once, for a check named ``tag`` that asks only about them: equal keys mean every one of
        those share keys is equal. None when one of them is."""
        ps = self.policy_set_of(principal)
        if ps.resource or ps.session:
            return None
        base, listed, indexes = self._layers(principal, ps)
        parts: list[tuple[int, int]] = []
        for n, (group, index) in enumerate(zip(listed, indexes, strict=True)):
            for cp, (applying, personal) in zip(group, index, strict=True):
                r = self._restriction(cp, applying, personal, tag, actions)
                if r is None:
                    return None
                if r:
                    parts.append((n, r))
        return (base, tag, tuple(parts))

    def _number(self, value: tuple) -> int:
        """A number for ``value`` in this prober (a small stand-in for a key part holding
        statement objects, so that hashing a key stays cheap). Numbers are never reused: when
        the table is emptied, keys made with the old ones just stop matching."""
        hit = self._numbers.get(value)
        if hit is None:
            if len(self._numbers) >= SHARED_LIMIT:
                self._numbers.clear()
            hit = self._numbers[value] = next(self._counter)
        return hit

    def _restriction(self, cp: CompiledPolicy, applying: dict[str, tuple], personal: frozenset[str], tag: Any,
                     actions: frozenset[str], account: str | None = None) -> int | None:
        """``cp``'s applying statements of the actions of check ``tag``, as a number (0: none);
        None when one of them is personal. With ``account``, each statement is its template in
        that account's frame and the number is process-wide (:mod:`permwise.audit.frames`;
        None also when a statement has no template); without, the statements are the objects
        themselves and the number is this prober's. Memoised per policy, check and account."""
        memo = (id(cp), tag, account)
        hit = self._restrictions.get(memo)
        if hit is None:
            number: int | None = None
            if personal.isdisjoint(actions):
                small, big = (applying, actions) if len(applying) <= len(actions) else (actions, applying)
                found = []
                for a in sorted(x for x in small if x in big):
                    sts = applying[a] if account is None else tuple(
                        frames.statement_number(st, account) for st in applying[a])
                    if None in sts:
                        break
                    found.append((a, sts))
                else:
                    if not found:
                        number = 0
                    elif account is None:
                        number = self._number(("restriction", tuple(found)))
                    else:
                        number = frames.number(("restriction", tuple(found)))
            if len(self._restrictions) >= SHARED_LIMIT:
                self._restrictions.clear()
            # the policy is held, so that its id is not reused while it is cached
            hit = self._restrictions[memo] = (number, cp)
        return hit[0]

    # -------------------------------------------------------------- across accounts
    def frame_key(self, principal: Any, tag: int, actions: frozenset[str]) -> tuple | None:
        """:meth:`group_key` in the principal's account frame (:mod:`permwise.audit.frames`):
        equal for principals of two accounts whose statements for ``actions``, boundary, SCPs,
        RCPs and impersonal context are the same templates. ``tag``: a process-wide number of
        the check (:func:`permwise.audit.frames.number`). None when a part has no template."""
        ps = self.policy_set_of(principal)
        if ps.resource or ps.session:
            return None
        base = self._frame_base(principal, ps)
        if base is None:
            return None
        listed, indexes = self._listing(ps)
        parts: list[int] = []
        for n, (group, index) in enumerate(zip(listed, indexes, strict=True)):
            # the identity policies' statements for these actions are the key's parts; a
            # boundary, SCP or RCP layer is listed too when one of its statements is personal
            # (an SCP exempting a role by `aws:PrincipalArn`): its templates are in the base,
            # and only a personal statement applying to one of these actions stops the sharing
            for cp, (applying, personal) in zip(group, index, strict=True):
                r = self._restriction(cp, applying, personal, tag, actions, principal.account)
                if r is None:
                    return None
                if r and n == 0:
                    parts.append(r)
        return (base, tag, tuple(parts))

    def _frame_base(self, principal: Any, ps: PolicySet) -> int | None:
        """What every frame key of ``principal`` under ``ps`` starts with, as a process-wide
        number: the :meth:`_layers` base with each policy and value as its template."""
        memo = (id(ps), id(principal))
        hit = self._frame_bases.get(memo)
        if hit is None:
            acct = principal.account
            number: int | None = None
            ctx = self._frame_context(principal.arn, acct, self._keys_read(ps))
            boundary = frames.levels_template([ps.boundary], acct)
            scps = frames.levels_template(ps.scps, acct)
            rcps = frames.levels_template(ps.rcps, acct)
            mgmt = ps.management_account_id
            mgmt_t = frames.template(mgmt, acct) if mgmt else ""
            if None not in (ctx, boundary, scps, rcps, mgmt_t):
                number = frames.number((
                    "frame", principal.kind, principal.service_linked, ctx, boundary, mgmt_t, ps.scp_exempt,
                    ps.rcp_exempt, ps.resource_policy_required, scps, rcps,
                    tuple(sorted(ps.rcp_services)) if ps.rcp_services is not None else None, self.region,
                    self.partition))
            if len(self._frame_bases) >= SHARED_LIMIT // 10:
                self._frame_bases.clear()
            # the policy set and the principal are held, so that their ids stay theirs
            hit = self._frame_bases[memo] = (number, ps, principal)
        return hit[0]

    def _frame_context(self, arn: str, account: str, read: frozenset[str]) -> int | None:
        """The principal's impersonal context in its frame, as a number: only the keys a
        condition in force can read (``read``, see :meth:`_keys_read`); a key no condition
        names cannot change an answer (the engine reads the context through conditions; the
        witness pass only fills keys that conditions name)."""
        items = []
        for key, value in self.context(arn).items():
            k = key.lower()
            # (the keys that tell principals apart are left out, as in the share key's base: a
            # statement reading one is personal and shares nothing)
            if k not in read or any(k.startswith(pk) for pk in PERSONAL_KEYS):
                continue
            kt, vt = frames.template(k, account), frames.template(json.dumps(value, sort_keys=True, default=str), account)
            if kt is None or vt is None:
                return None
            items.append((kt, vt))
        return frames.number(("context", tuple(sorted(items))))

    def _keys_read(self, ps: PolicySet) -> frozenset[str]:
        """Condition keys (lowercase) that a statement of ``ps``'s identity policies or
        boundary, or of any SCP or RCP of the snapshot, names; and the principal's account,
        which the engine itself reads."""
        if self._org_keys is None:
            keys: set[str] = set()
            for op in getattr(self.env, "org_policies", {}).values():
                _condition_keys(op.document, keys)
            self._org_keys = frozenset(keys)
        keys = set(self._org_keys)
        keys.add("aws:principalaccount")
        for cp in (*ps.identity, *ps.boundary):
            hit = self._policy_keys.get(id(cp))
            if hit is None:
                found: set[str] = set()
                _condition_keys(cp.doc, found)
                hit = self._policy_keys[id(cp)] = (frozenset(found), cp)
            keys |= hit[0]
        return frozenset(keys)

    def resource_facts(self, principal: Any, resource: str) -> tuple | None:
        """What a question about ``resource`` reads beyond the frame key, in the principal's
        frame: the RCPs in force for it (by the resource's account) and the other flags of its
        policy set. None when a resource-based or session policy is in force (the answer is
        then not shared at all)."""
        # what is read here depends on the resource alone (its account's RCPs, its own
        # policy), not on the principal: kept per resource and frame account
        memo = (resource, principal.account)
        if memo in self._facts:
            return self._facts[memo]
        ps = self.env.policy_set(principal.arn, resource if resource != "*" else None)
        facts: tuple | None = None
        if not (ps.resource or ps.session):
            rcps = frames.levels_template(ps.rcps, principal.account)
            if rcps is not None:
                facts = (rcps, ps.rcp_exempt, ps.scp_exempt, ps.resource_policy_required, ps.s3_restrict_public,
                         tuple(sorted(ps.rcp_services)) if ps.rcp_services is not None else None)
        if len(self._facts) >= SHARED_LIMIT:
            self._facts.clear()
        self._facts[memo] = facts
        return facts

    def record(self) -> None:
        """Start recording the resources asked about (for :meth:`keep`)."""
        self._recording = []

    def recorded(self) -> list[str]:
        """Stop recording; the resources asked about since :meth:`record`."""
        out, self._recording = self._recording or [], None
        return out

    def keep(self, key: tuple, principal: Any, value: tuple[list[str], list[str]], resources: list[str]) -> None:
        """Remember a check's result ``(hits, notes)`` under frame key ``key`` for principals of
        other accounts, with the templates of the resources it asked about and their facts
        (nothing is kept when one of them has no template or no shareable facts)."""
        acct = principal.account
        facts = []
        for r in dict.fromkeys(resources):
            t = frames.template(r, acct)
            f = self.resource_facts(principal, r) if t is not None else None
            if f is None:
                return
            facts.append((t, f))
        hits, notes = value
        notes_t = [frames.template(n, acct) for n in notes]
        if None in notes_t:
            return
        frames.remember(key, (tuple(hits), tuple(notes_t), tuple(facts)))

    def reuse(self, key: tuple, principal: Any) -> tuple[list[str], list[str]] | None:
        """The result kept under frame key ``key``, in ``principal``'s account, when every
        resource it asked about has the same facts there; else None."""
        hit = frames.recall(key)
        if hit is None:
            return None
        hits, notes_t, facts = hit
        acct = principal.account
        for t, f in facts:
            if self.resource_facts(principal, frames.put_back(t, acct)) != f:
                return None
        return list(hits), [frames.put_back(n, acct) for n in notes_t]

    def _context_key(self, arn: str) -> tuple:
        """The principal's base context without the keys that tell principals apart (a
        statement reading those is personal, so they cannot change a shared answer)."""
        hit = self._ctx_keys.get(arn)
        if hit is None:
            hit = self._ctx_keys[arn] = tuple(sorted(
                (k.lower(), json.dumps(v, sort_keys=True, default=str)) for k, v in self.context(arn).items()
                if not any(k.lower().startswith(pk) for pk in PERSONAL_KEYS)))
        return hit

    def _remember(self, key: tuple, value: Any) -> None:
        if len(self._shared) >= SHARED_LIMIT:
            self._shared.clear()
        self._shared[key] = value

    # -------------------------------------------------------------- resources
    def sentinel(self, action: str, account: str) -> str:
        return sentinel_arn(action.lower(), account, self.partition, self.region)

    def may_allow(self, principal: Any, ps: PolicySet, al: str, resource: str) -> bool:
        """Can an identity ``Allow`` statement of ``ps`` whose Action applies to ``al``
        (lowercase) match ``resource``, conditions aside? When not, and ``ps`` has no
        resource-based or session policy, the engine's answer for a user or role is not
        ``allowed`` whatever the context: nothing else can grant (AWS "Policy evaluation
        logic": an identity-based policy must allow). A pruning, exact for that case."""
        key = (id(ps), al)
        hit = self._grants.get(key)
        if hit is None:
            anywhere, matchers = allow_resources(ps.identity, al)
            if len(self._grants) >= SHARED_LIMIT:
                self._grants.clear()
            # the policy set is held, so that its id is not reused while it is cached
            hit = self._grants[key] = (anywhere, matchers, ps)
        if hit[0] or principal.kind not in ("user", "role") or ps.resource or ps.session:
            return True
        if al == "sts:getcalleridentity":
            return True  # allowed with no policy at all (AWS STS API Reference, GetCallerIdentity)
        return any(rm.matches_static(resource) for rm in hit[1])

    def statement_resources(self, principal: Any, action: str) -> list[str]:
        """Concrete resources from the Resource patterns of the principal's Allow statements
        naming ``action`` (sorted, deduplicated)."""
        ps = self.env.policy_set(principal.arn)
        al = action.lower()
        prefix = al.partition(":")[0]
        out: set[str] = set()
        for cp in ps.identity:
            for st in cp.statements_for(prefix):
                if st.effect != "Allow" or st.actions is None or st.actions.matches(al) == st.not_action:
                    continue
                if st.resources is None or st.not_resource:
                    continue
                for pat in _list(st.raw.get("Resource")):
                    pat = str(pat)
                    if pat != "*" and "${" not in pat:
                        out.add(concretize(pat, principal.account, self.region, self.partition))
        return sorted(out)

    # -------------------------------------------------------------- evaluation
    def context(self, arn: str) -> dict[str, Any]:
        hit = self._ctx.get(arn)
        if hit is None:
            # keys nobody stated (MFA of a session, ...) are left out: audit asks what the
            # principal *can* do, and the witness pass supplies a satisfying value
            hit = self._ctx[arn] = self.env.request_context(arn, unknown_absent=True)
        return hit

    def _lower_context(self, arn: str) -> dict[str, Any]:
        hit = self._lctx.get(arn)
        if hit is None:
            hit = self._lctx[arn] = {k.lower(): v for k, v in self.context(arn).items()}
        return hit

    def witness(self, principal: Any, action: str, ctx: dict[str, Any], exclude: tuple[str, ...] = ()) -> dict[str, Any]:
        ps = self.env.policy_set(principal.arn)
        al = action.lower()
        prefix = al.partition(":")[0]
        have = {k.lower() for k in ctx}
        out: dict[str, Any] = {}
        for cp in list(ps.identity) + list(ps.boundary):
            for st in cp.statements_for(prefix):
                if st.effect != "Allow" or st.actions is None or st.actions.matches(al) == st.not_action:
                    continue
                for k, v in conditions_witness(st.raw.get("Condition") or {}, have, exclude).items():
                    out.setdefault(k, v)
        return out

    def ask(
        self,
        principal: Any,
        action: str,
        resource: str,
        *,
        policy_set: PolicySet | None = None,
        context: dict[str, Any] | None = None,
        witness: bool = True,
        exclude: tuple[str, ...] = (),
        resource_account: str | None = None,
    ) -> Outcome:
        """Is ``principal`` allowed ``action`` on ``resource``? (two passes, see module doc)"""
        return self._ask(principal, action, resource, policy_set, context, witness, exclude, resource_account)[0]

    def _ask(self, principal: Any, action: str, resource: str, policy_set: PolicySet | None,
             context: dict[str, Any] | None, witness: bool, exclude: tuple[str, ...],
             resource_account: str | None) -> tuple[Outcome, bool]:
        """:meth:`ask`, and whether its answer is shared by principals of the same share key."""
        if self._recording is not None:
            self._recording.append(resource)
        ps = policy_set or self.env.policy_set(principal.arn, resource if resource != "*" else None)
        al = action.lower()
        if not self.may_allow(principal, ps, al, resource):
            # no identity grant can match the resource: not allowed, without the engine (the
            # outcome follows from the applying statements and the resource, as shared answers do)
            return Outcome(False), True
        key = self.share_key(principal, ps, al)
        if key is not None:
            key = (key, resource, resource_account, witness, exclude,
                   json.dumps(context, sort_keys=True, default=str) if context else None)
            hit = self._shared.get(key)
            if hit is None:
                hit = self._decide(principal, action, resource, ps, context, witness, exclude, resource_account)
                self._remember(key, hit)
            return hit, True
        self.unshared += 1
        return self._decide(principal, action, resource, ps, context, witness, exclude, resource_account), False

    def _decide(self, principal: Any, action: str, resource: str, ps: PolicySet, context: dict[str, Any] | None,
                witness: bool, exclude: tuple[str, ...], resource_account: str | None) -> Outcome:
        # lowercase keys, as the engine keeps them (it then merges them without lowercasing)
        ctx = LowerKeys(self._lower_context(principal.arn))
        if context:
            for k, v in context.items():
                ctx[k.lower()] = v
        if "aws:requestedregion" not in ctx and regionless(resource):
            # global or region-less resources: the request is made in the snapshot's first region
            ctx["aws:requestedregion"] = self.region
        req = Request(principal=principal.arn, action=action, resource=resource,
                      resource_account=resource_account, context=ctx)
        self.evaluations += 1
        r = evaluate(ps, req, False)  # the decision and missing keys only: no explanation
        if r.decision == ALLOWED:
            return Outcome(True, {}, r.decision)
        if not witness or not r.missing_keys:
            return Outcome(False, {}, r.decision)
        w = self.witness(principal, action, ctx, exclude)
        if not w:
            return Outcome(False, {}, r.decision)
        ctx2 = LowerKeys(ctx)
        for k, v in w.items():
            ctx2[k.lower()] = v
        self.evaluations += 1
        r2 = evaluate(ps, Request(principal=principal.arn, action=action, resource=resource,
                                  resource_account=resource_account, context=ctx2), False)
        if r2.decision == ALLOWED:
            return Outcome(True, w, r2.decision)
        return Outcome(False, {}, r.decision)

    def can(self, principal: Any, action: str, *, witness: bool = True) -> Outcome:
        """Can the principal perform ``action`` on some resource of its account (the sentinel,
        then the resources its own grants name)?"""
        # the resources asked about follow from the share key (the sentinel of the account,
        # the applying Allow statements' patterns), so the whole answer is shared when every
        # question asked was
        ps = self.policy_set_of(principal)
        key = self.share_key(principal, ps, action.lower())
        if key is not None:
            key = ("can", key, witness)
            hit = self._shared.get(key)
            if hit is not None:
                if self._recording is not None:
                    self._recording.extend(hit[1])
                return hit[0]
        else:
            self.unshared += 1
        o, shared, asked = self._can(principal, action, witness)
        if key is not None and shared:
            self._remember(key, (o, asked))
        return o

    def _can(self, principal: Any, action: str, witness: bool) -> tuple[Outcome, bool, tuple[str, ...]]:
        """The outcome, whether every question was shareable, and the resources asked about."""
        resources = [self.sentinel(action, principal.account)]
        for r in self.statement_resources(principal, action):
            if r not in resources:
                resources.append(r)
        best: Outcome | None = None
        all_shared = True
        for n, res in enumerate(resources, 1):
            o, shared = self._ask(principal, action, res, None, None, witness, (), None)
            all_shared = all_shared and shared
            if o.allowed and not o.witness:
                return o, all_shared, tuple(resources[:n])
            if o.allowed and best is None:
                best = o
        return best or Outcome(False), all_shared, tuple(resources)


@lru_cache(maxsize=65536)
def sentinel_arn(action: str, account: str, partition: str, region: str) -> str:
    """The sentinel resource of ``action`` in ``account``: the catalog's ARN pattern of its
    first (required, else any) resource type with every name ``permwise-audit-probe``; ``*``
    for an action without resource types. Memoised: the catalog is built once a process."""
    cat = catalog.get_catalog()
    act = cat.action(action)
    if act is not None and act.resources:
        rts = cat.action_resource_types(act)
        chosen = next((rt for ar, rt in rts if rt is not None and ar.required), None) or next(
            (rt for _, rt in rts if rt is not None), None)
        if chosen is not None:
            return chosen.template({"Partition": partition, "Region": region, "Account": account}, default=PROBE_NAME)
    return "*"


def _condition_keys(doc: Any, out: set[str]) -> None:
    """Add to ``out`` the condition keys (lowercase) that the policy document ``doc`` names."""
    sts = doc.get("Statement") if isinstance(doc, dict) else None
    for st in sts if isinstance(sts, list) else [sts]:
        cond = st.get("Condition") if isinstance(st, dict) else None
        if isinstance(cond, dict):
            for block in cond.values():
                if isinstance(block, dict):
                    out.update(str(k).lower() for k in block)


def _resource_blind(st: Any) -> bool:
    rm = st.resources
    if rm is not None and (st.not_resource or not rm.match_all or rm.templates):
        return False
    return not any("resource" in c.key for c in st.conditions)


def _list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def regionless(resource: str) -> bool:
    """Does ``resource`` name no region (a global or region-less resource, or no ARN at all)?"""
    arn = Arn.parse(resource)
    return arn is None or not arn.region
