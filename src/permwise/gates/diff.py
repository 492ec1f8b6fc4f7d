"""``permwise diff OLD NEW``: the access NEW grants that OLD does not, and the access it removes.

Offline equivalent of IAM Access Analyzer's check-no-new-access, decided through the engine:

* **Requests.** Actions: every catalog action some statement of either side names (wildcards and
  ``NotAction`` expanded through the catalog; for identity policies the Allow statements, since
  a Deny alone grants nothing). Resources, per action: the *sentinel* (any resource of the
  action's type, shown as ``*``) and every Resource/NotResource pattern of either side that fits
  the action's resource types (concretised: ``arn:aws:s3:::b/*`` -> ``arn:aws:s3:::b/permwise-probe``,
  shown as the pattern). Principals: the holder (identity-like policies); for resource and trust
  policies an outsider of another account and organization, a role of the owning account, and
  every principal either side names. Snapshots: each principal of NEW (or the one asked for),
  with its whole policy set (SCPs, boundary, groups) on both sides.
* **Conditions.** Each side is asked with :func:`permwise.gates.probe.ask` (pass 1: the holder's
  ordinary context; pass 2: witness values for the keys the Allow statements test). A NEW allow
  that needs a witness is asked of OLD under the same witness: new access *only when* the
  witness holds is reported as such. OLD allowing only under a condition that NEW dropped is
  new access ("OLD required ...").
* **What made it new**: OLD's explicit Deny (statement and location) that no longer applies, the
  condition keys OLD required, or that OLD had no statement allowing it; and NEW's statement that
  allows (file:line:col).

Exit status (CLI): 1 when some new access is at or above ``--fail-on`` (access levels ranked
list < read < tagging < write < permissions-management), else 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from permwise import catalog
from permwise.engine import CompiledPolicy, CompiledStatement, PolicySet, compile_policy
from permwise.errors import InputError
from permwise.gates import exposure as _exposure
from permwise.gates.probe import (
    HOLDER,
    HOLDER_CONTEXT,
    PROBE,
    Outcome,
    arn_account,
    ask,
    concretize,
    holder_account,
    resource_patterns,
    sentinel,
)

LEVELS = ("Permissions management", "Tagging", "Write", "Read", "List")
LEVEL_RANK = {"List": 0, "Read": 1, "Tagging": 2, "Write": 3, "Permissions management": 4}
FAIL_ON = {"list": 0, "read": 1, "tagging": 2, "write": 3, "permissions-management": 4}
_ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(slots=True)
class PolicyFile:
    """One policy of one side: its compiled form and how to locate a statement in its file."""

    name: str
    compiled: CompiledPolicy
    locate: Any = None  # pointer -> (line, col) | None
    base_pointer: str = ""

    def where(self, st: CompiledStatement) -> dict[str, Any]:
        ptr = self.base_pointer + st.pointer
        pos = self.locate(ptr) if self.locate is not None else None
        return {"file": self.name, "line": pos[0] if pos else None, "column": pos[1] if pos else None,
                "pointer": ptr, "sid": st.sid}


@dataclass(slots=True)
class Side:
    label: str  # "OLD" | "NEW"
    files: list[PolicyFile]
    #: principal -> PolicySet (built lazily); for files every principal shares the policies
    policy_set: Any = None

    def find(self, st: CompiledStatement) -> dict[str, Any] | None:
        for f in self.files:
            if st.policy is f.compiled:
                return f.where(st)
        return {"file": st.policy.name, "line": None, "column": None, "pointer": st.pointer, "sid": st.sid}


@dataclass(slots=True)
class Change:
    kind: str  # "added" | "removed"
    action: str
    level: str
    resource: str  # as shown: `*` or the pattern
    principal: str
    conditions: str  # "" unconditional, else "k=v, ..."
    reason: str
    location: dict[str, Any] | None = None  # NEW's allowing statement (added) / OLD's (removed)
    cause: dict[str, Any] | None = None  # OLD's deny statement, when that is what changed

    def sort_key(self) -> tuple:
        return (-LEVEL_RANK.get(self.level, -1), self.principal, self.action.lower(), self.resource, self.conditions)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"action": self.action, "access_level": self.level, "resource": self.resource,
                             "principal": self.principal, "conditions": self.conditions, "reason": self.reason}
        if self.location:
            d["location"] = self.location
        if self.cause:
            d["cause"] = self.cause
        return d


@dataclass(slots=True)
class DiffResult:
    policy_type: str
    old: list[str]
    new: list[str]
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    requests: int = 0

    def worst(self) -> int:
        return max((LEVEL_RANK.get(c.level, 0) for c in self.added), default=-1)

    def fails(self, fail_on: str) -> bool:
        if fail_on == "none":
            return False
        return self.worst() >= FAIL_ON[fail_on]

    def to_dict(self) -> dict[str, Any]:
        def count(cs: list[Change]) -> dict[str, int]:
            out = {lvl: 0 for lvl in LEVELS}
            for c in cs:
                out[c.level] = out.get(c.level, 0) + 1
            return out

        return {"version": 1, "policy_type": self.policy_type, "old": self.old, "new": self.new,
                "summary": {"added": len(self.added), "removed": len(self.removed),
                            "added_by_level": count(self.added), "removed_by_level": count(self.removed),
                            "requests": self.requests},
                "added": [c.to_dict() for c in self.added], "removed": [c.to_dict() for c in self.removed]}


# ------------------------------------------------------------------------------ the universe
def _list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def statement_actions(policies: list[CompiledPolicy], *, allow_only: bool) -> dict[str, str]:
    cat = catalog.get_catalog()
    out: dict[str, str] = {}
    for cp in policies:
        for st in cp.statements:
            if not isinstance(st.raw, dict) or (allow_only and st.effect != "Allow"):
                continue
            key = "NotAction" if st.not_action else "Action"
            pats = [str(x) for x in _list(st.raw.get(key)) if isinstance(x, str)]
            if not pats:
                continue
            for a in cat.expand_many(pats, not_action=st.not_action):
                out[a.key.lower()] = a.key
    return out


def _patterns(policies: list[CompiledPolicy]) -> list[str]:
    """The Resource strings of ``policies`` other than ``*``."""
    return [p for p in resource_patterns(policies) if p != "*"]


def _resources_for(action: str, patterns: list[str], account: str) -> list[tuple[str, str]]:
    """``(shown, concrete)`` resources to ask ``action`` on."""
    cat = catalog.get_catalog()
    act = cat.action(action)
    out = [("*", sentinel(action, account))]
    if act is None or act.wildcard_only:
        return out
    for p in patterns:
        if cat.resource_types_matching(act, p):
            c = concretize(p, account)
            if c not in [x[1] for x in out]:
                out.append((p, c))
    return out


# ------------------------------------------------------------------------------ comparing
def _why_not(o: Outcome, side: Side) -> tuple[str, dict[str, Any] | None]:
    if o.deny_statements:
        st = o.deny_statements[0]
        where = side.find(st)
        return (f"{side.label} denied it (statement {st.label} of `{st.policy.name}`); that Deny no longer applies",
                where)
    if o.missing_keys:
        keys = ", ".join(f"`{k}`" for k in sorted(o.missing_keys))
        return f"{side.label} allowed it only under a condition on {keys}, which NEW no longer requires", None
    return f"{side.label} had no statement allowing it", None


def compare(old: Side, new: Side, requests: list[tuple[str, str, str, str, dict[str, Any], str | None]],
            policy_type: str, old_names: list[str], new_names: list[str]) -> DiffResult:
    """``requests``: (principal, action, shown resource, concrete resource, context, resource account)."""
    cat = catalog.get_catalog()
    res = DiffResult(policy_type, old_names, new_names)
    for who, action, shown, concrete, ctx, racct in requests:
        ops = old.policy_set(who, concrete)
        nps = new.policy_set(who, concrete)
        n = ask(nps, who, action, concrete, context=ctx, resource_account=racct)
        o = ask(ops, who, action, concrete, context=ctx, resource_account=racct)
        res.requests += 2
        act = cat.action(action)
        level = act.access_level if act else "Unknown"
        if n.allowed:
            if n.conditional:
                o2 = ask(ops, who, action, concrete, context={**ctx, **n.witness}, resource_account=racct, witness=False)
                res.requests += 1
                if not o2.allowed:
                    why, cause = _why_not(o2, old)
                    if o.allowed:  # OLD allows under another condition only
                        why = f"OLD allowed it only when {o.when()}"
                    res.added.append(Change("added", action, level, shown, who, n.when(), why,
                                            new.find(n.allow_statements[0]) if n.allow_statements else None, cause))
            elif not o.allowed or o.conditional:
                if o.allowed:
                    why, cause = f"OLD allowed it only when {o.when()}; NEW without that condition", None
                else:
                    why, cause = _why_not(o, old)
                res.added.append(Change("added", action, level, shown, who, "", why,
                                        new.find(n.allow_statements[0]) if n.allow_statements else None, cause))
        if o.allowed and not n.allowed:
            if n.deny_statements:
                st = n.deny_statements[0]
                why = f"NEW denies it (statement {st.label} of `{st.policy.name}`)"
            elif n.missing_keys:
                why = "NEW allows it only under a condition on " + ", ".join(f"`{k}`" for k in sorted(n.missing_keys))
            else:
                why = "NEW has no statement allowing it"
            res.removed.append(Change("removed", action, level, shown, who, o.when(), why,
                                      old.find(o.allow_statements[0]) if o.allow_statements else None))
        elif o.allowed and n.allowed and n.conditional and not o.conditional:
            res.removed.append(Change("removed", action, level, shown, who, "",
                                      f"NEW allows it only when {n.when()}",
                                      old.find(o.allow_statements[0]) if o.allow_statements else None))
    res.added.sort(key=Change.sort_key)
    res.removed.sort(key=Change.sort_key)
    return res


# ------------------------------------------------------------------------------ policy files
def _kind(policy_type: str) -> str:
    return {"boundary": "boundary", "session": "session", "scp": "scp", "rcp": "rcp", "resource": "resource",
            "trust": "trust"}.get(policy_type, "identity")


def _has_allow(policies: list[CompiledPolicy]) -> bool:
    return any(st.effect == "Allow" for cp in policies for st in cp.statements)


def files_side(label: str, docs: list[Any], policy_type: str) -> Side:
    """A side from parsed :class:`~permwise.policy.PolicyDocument` objects."""
    kind = _kind(policy_type)
    files = [PolicyFile(d.name, compile_policy(d.data if isinstance(d.data, dict) else {}, name=d.name, kind=kind),
                        d.locate) for d in docs]
    pols = [f.compiled for f in files]
    allow_all = compile_policy(_ALLOW_ALL, name="(any identity allow)", kind="identity")
    cache: dict[str, PolicySet] = {}

    def ps(_who: str, _resource: str) -> PolicySet:
        hit = cache.get("x")
        if hit is None:
            if kind == "identity":
                hit = PolicySet(identity=pols)
            elif kind == "boundary":
                hit = PolicySet(identity=[allow_all], boundary=pols if pols else None)
            elif kind == "session":
                hit = PolicySet(identity=[allow_all], session=pols if pols else None)
            elif kind == "scp":
                level = pols if _has_allow(pols) else [compile_policy(_ALLOW_ALL, name="FullAWSAccess", kind="scp"), *pols]
                hit = PolicySet(identity=[allow_all], scps=[level])
            elif kind == "rcp":
                hit = PolicySet(identity=[allow_all], rcps=[pols], rcp_services=catalog.get_catalog().rcp_supported_services())
            else:
                hit = PolicySet(identity=[allow_all], resource=pols)
            cache["x"] = hit
        return hit

    return Side(label, files, ps)


def diff_files(old_docs: list[Any], new_docs: list[Any], policy_type: str, *, zone_accounts: tuple[str, ...] = ()) -> DiffResult:
    old = files_side("OLD", old_docs, policy_type)
    new = files_side("NEW", new_docs, policy_type)
    pols = [f.compiled for f in old.files + new.files]
    kind = _kind(policy_type)
    account = holder_account(pols, zone_accounts)
    allow_only = kind == "identity"
    actions = statement_actions(pols, allow_only=allow_only)
    patterns = _patterns(pols)
    requests: list[tuple[str, str, str, str, dict[str, Any], str | None]] = []
    if kind in ("resource", "trust"):
        whos = [_exposure.OUTSIDER, f"arn:aws:iam::{account}:role/{HOLDER}"]
        for cp in pols:
            for st in cp.statements:
                whos += [_exposure.principal_request(v) for v in _exposure.named_aws(st)]
                pr = st.raw.get("Principal") if isinstance(st.raw, dict) else None
                if isinstance(pr, dict):
                    for k in ("Service", "Federated"):
                        whos += [str(x) for x in _list(pr.get(k)) if isinstance(x, str)]
        whos = list(dict.fromkeys(whos))
        outsider_ctx = {**HOLDER_CONTEXT, "aws:PrincipalOrgID": _exposure.OUTSIDE_ORG}
        for a in sorted(actions.values(), key=str.lower):
            res_list = ([("role", f"arn:aws:iam::{account}:role/{PROBE}")] if kind == "trust"
                        else _resources_for(a, patterns, account))
            for who in whos:
                ctx = outsider_ctx if arn_account(who) != account else dict(HOLDER_CONTEXT)
                for shown, concrete in res_list:
                    requests.append((who, a, shown, concrete, ctx, account))
    else:
        who = f"arn:aws:iam::{account}:role/{HOLDER}"
        for a in sorted(actions.values(), key=str.lower):
            for shown, concrete in _resources_for(a, patterns, account):
                requests.append((who, a, shown, concrete, dict(HOLDER_CONTEXT), None))
    out = compare(old, new, requests, policy_type, [d.name for d in old_docs], [d.name for d in new_docs])
    if kind not in ("resource", "trust"):
        for c in out.added + out.removed:
            c.principal = ""
    return out


# ------------------------------------------------------------------------------ snapshots
def is_snapshot(path: str) -> bool:
    p = Path(path)
    return p.is_dir() and any((p / part).exists() for part in ("snapshot.json", "accounts", "organization"))


def _signature(ps: PolicySet) -> str:
    import json

    def docs(pols: list[CompiledPolicy]) -> list:
        return [getattr(cp, "doc", None) for cp in pols]

    return json.dumps([docs(ps.identity), docs(ps.boundary), docs(ps.session), [docs(lv) for lv in ps.scps],
                       [docs(lv) for lv in ps.rcps]], sort_keys=True, default=str)


def diff_snapshots(old_path: str, new_path: str, principals: list[str] | None) -> DiffResult:
    from permwise.environment import load_snapshot

    eo = load_snapshot(old_path)
    en = load_snapshot(new_path)
    chosen = [p for p in en.principals()]
    if principals:
        wanted = set(principals)
        chosen = [p for p in chosen if p.arn in wanted or p.name in wanted]
        found = {p.arn for p in chosen} | {p.name for p in chosen}
        miss = sorted(wanted - found)
        if miss:
            raise InputError(f"principal `{miss[0]}` is not in the NEW snapshot", file=new_path,
                             hint="give a user or role ARN or name listed by the snapshot")
    empty = PolicySet(identity=[])

    def side(label: str, env: Any) -> Side:
        def ps(who: str, resource: str) -> PolicySet:
            if env.principal(who) is None:
                return empty
            return env.policy_set(who, resource if resource != "*" else None)
        return Side(label, [], ps)

    old, new = side("OLD", eo), side("NEW", en)
    requests: list[tuple[str, str, str, str, dict[str, Any], str | None]] = []
    for p in chosen:
        if eo.principal(p.arn) is not None and _signature(old.policy_set(p.arn, "*")) == _signature(
                new.policy_set(p.arn, "*")) and eo.request_context(p.arn) == en.request_context(p.arn):
            continue  # the same documents in force on both sides: nothing can differ
        pols = list(new.policy_set(p.arn, "*").identity)
        if eo.principal(p.arn) is not None:
            pols += list(old.policy_set(p.arn, "*").identity)
        actions = statement_actions(pols, allow_only=True)
        patterns = _patterns(pols)
        ctx = {**HOLDER_CONTEXT, **en.request_context(p.arn)}
        for a in sorted(actions.values(), key=str.lower):
            for shown, concrete in _resources_for(a, patterns, p.account):
                requests.append((p.arn, a, shown, concrete, ctx, None))
    return compare(old, new, requests, "snapshot", [old_path], [new_path])
