"""``check``: can each command of a manifest run in an environment, and if not, what blocks it.

For every command, :func:`permwise.requirements.plan` gives the required requests (every action
expanded against the catalog, on the resources ``generate`` would scope). Each one is evaluated
by the engine under the principal the deployment config maps the command's profile to, with the
policies the snapshot puts in force (``env.policy_set``). A command is

* ``ready`` when every required request is allowed,
* ``partial`` when some are allowed and some are denied,
* ``blocked`` when none is allowed,
* ``conditional`` when its decisions turn on a key nobody stated (the source IP, the VPC
  endpoint, whether the session has MFA, session tags, the session name: the deployment
  config's ``runtime``) and no other denial blocks it: ``conditions`` says which key, which
  statement and the value that flips it ("ready only if called from VPC endpoint vpce-…"),
* ``unresolved`` when its principal is not in the snapshot.

Each denied request has a *deciding layer* (the first reason the engine gives: an explicit deny
names its policy, statement and, for SCPs, the OU or account it is attached to; an implicit deny
names the layer without an allow) and denied requests with the same deciding layer are grouped
into one :class:`Blocker` with one :class:`Fix`.

The request context is the request-context model (docs/context.md,
:func:`permwise.engine.context.derived_context`): what the snapshot knows about the principal (a
role ARN stands for a session of the role: ``aws:PrincipalArn`` with its path, ``aws:userid``,
``aws:MultiFactorAuthPresent``, ``aws:TokenIssueTime``, organization id and paths, tags) and
the resource (account, organization, tags), what the config's ``runtime`` states, the context
that satisfies the manifest's own conditions (``satisfying_context``), and
``aws:RequestedRegion``: the global service's region (IAM: us-east-1), else the permission's
or the command's region, else the region of the resource ARN, else each configured region in turn.
Every request (allowed ones too) is reported with its decision, region and the keys it
depended on.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from permwise.catalog.arn import account_id, arn_region
from permwise.engine import (
    ALLOWED,
    EXPLICIT_DENY,
    CompiledStatement,
    Reason,
    ReasonKind,
    Request,
    Result,
    Rule,
    evaluate,
)
from permwise.engine.context import (
    GLOBAL_ENDPOINT_REGIONS,
    LowerKeys,
    Runtime,
    Unknown,
    call_keys,
)
from permwise.engine.depends import (
    Dependency,
    depended_keys,
    evaluate_known,
    may_depend,
    referenced_keys,
)
from permwise.environment import Environment, Problem
from permwise.errors import InputError
from permwise.requirements.config import config_source
from permwise.requirements.model import DeploymentConfig, Manifest
from permwise.requirements.plan import CommandPlan, RequiredRequest, plan
from permwise.wording import plural

READY, PARTIAL, BLOCKED, UNRESOLVED = "ready", "partial", "blocked", "unresolved"
CONDITIONAL = "conditional"
STATUS_ORDER = (BLOCKED, UNRESOLVED, PARTIAL, CONDITIONAL, READY)
STATUSES = (READY, CONDITIONAL, PARTIAL, BLOCKED, UNRESOLVED)
CHECK_FORMAT = "permwise-check/1"

Progress = Callable[[int], None]


@dataclass(slots=True)
class RequestResult:
    action: str
    resource: str
    region: str | None
    decision: str
    layer: str | None = None  # deciding layer of a denial
    policy: str | None = None
    level: str | None = None
    missing_keys: tuple[str, ...] = ()
    #: condition keys the decision rested on (allowed requests too)
    keys: tuple[str, ...] = ()
    #: unknown keys the decision turns on
    depends_on: tuple[Dependency, ...] = ()
    #: every denying policy as data (kind, name, arn, sid, level), the deciding one first
    policies: tuple[dict, ...] = ()
    #: every denying organization level as data (type, id, name), root first
    levels: tuple[dict, ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.depends_on)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action, "resource": self.resource, "region": self.region, "decision": self.decision,
            "layer": self.layer, "policy": self.policy, "level": self.level, "missing_keys": list(self.missing_keys),
            "keys": list(self.keys), "depends_on": [d.to_dict() for d in self.depends_on],
            "policies": list(self.policies), "levels": list(self.levels),
        }


@dataclass
class Fix:
    """What to change so that the blocked actions are allowed.

    ``kind``: ``identity-allow`` (add ``statement`` to the principal's policies),
    ``scp-exception`` / ``rcp-exception`` (replace the deny statement with ``statement``, which
    exempts the tool's principal; for the security team), ``scp-allow`` (an SCP level has no
    allow: attach FullAWSAccess or add ``statement``), ``boundary-allow`` / ``boundary-change``,
    ``identity-deny-change``, ``resource-allow`` / ``resource-deny-change``.
    """

    kind: str
    target: str
    audience: str
    summary: str
    statement: dict

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target, "audience": self.audience, "summary": self.summary,
                "statement": self.statement}


@dataclass
class Blocker:
    """One deciding layer and every action of the command it denies."""

    layer: str  # scp | rcp | boundary | identity | session | resource | trust
    decision: str  # explicitDeny | implicitDeny
    policy: str | None
    level: str | None
    sid: str | None
    pointer: str | None
    #: the engine's deciding reason of the group's first request (None: the engine gave none);
    #: :func:`permwise.report.check.blocker_message` words it
    reason: Reason | None
    actions: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    fix: Fix | None = None
    #: every denying policy of its requests as data, and every denying level (type, id, name)
    policies: list[dict] = field(default_factory=list)
    levels: list[dict] = field(default_factory=list)

    @property
    def title(self) -> str:
        """``SCP `DenyGuardDuty` at ou-... (Workloads)``, ``missing identity allow``..."""
        what = {"scp": "SCP", "rcp": "RCP", "boundary": "permissions boundary", "identity": "identity policy",
                "session": "session policy", "resource": "resource policy", "trust": "trust policy"}.get(self.layer, self.layer)
        if self.decision == EXPLICIT_DENY:
            s = f"explicit deny in {what} `{self.policy}`"
            if self.sid:
                s += f" statement `{self.sid}`"
            if self.level:
                s += f" attached to {self.level}"
            return s
        if self.layer == "identity":
            return "no identity policy allows"
        if self.layer in ("scp", "rcp"):
            return f"no {what} allows at {self.level}"
        if self.layer == "boundary":
            return f"permissions boundary `{self.policy}` does not allow" if self.policy else "permissions boundary does not allow"
        return f"no {what} allows"

    def to_dict(self) -> dict[str, Any]:
        """The blocker as data; the report layer adds its ``message`` (the reason in words)."""
        return {
            "layer": self.layer, "decision": self.decision, "policy": self.policy, "level": self.level,
            "sid": self.sid, "pointer": self.pointer, "title": self.title,
            "actions": self.actions, "resources": self.resources,
            "fix": self.fix.to_dict() if self.fix else None,
            "policies": self.policies, "levels": self.levels,
        }


@dataclass
class CommandResult:
    id: str
    name: str
    group: str
    profile: str
    access: str
    account: str | None
    principal: str | None
    scp_risk: str
    status: str
    required_actions: list[str]
    denied: list[RequestResult]
    blockers: list[Blocker]
    allowed_requests: int
    total_requests: int
    notes: list[str] = field(default_factory=list)
    account_name: str = ""
    #: allowed requests as evaluated, (action, resource, region, missing keys, allowing
    #: statements, dependencies): turned
    #: into :class:`RequestResult` only when asked (:attr:`requests`), so a terminal check pays
    #: nothing for listing them
    allowed_raw: list[tuple] = field(default_factory=list, repr=False)
    #: the unknown keys the command's decisions turn on, grouped (see :func:`_conditions`)
    conditions: list[dict] = field(default_factory=list)
    #: the status with every unknown key at its base value
    base_status: str = ""
    #: why SCPs never restrict the command's principal (``Rule.SCP_MANAGEMENT_ACCOUNT`` or
    #: ``Rule.SCP_SERVICE_LINKED_ROLE``) when a note names the SCPs it escapes, else None
    scp_exemption: Rule | None = None

    @property
    def requests(self) -> list[RequestResult]:
        """Every request with its decision, region and the keys it depended on (allowed ones
        too), sorted by action, resource and region."""
        out = [RequestResult(a, r, region, ALLOWED, None, None, None, tuple(missing),
                             tuple(depended_keys(Result(ALLOWED, [], missing, [], allows))), deps)
               for a, r, region, missing, allows, deps in self.allowed_raw]
        out += self.denied
        out.sort(key=lambda d: (d.action.lower(), d.resource, d.region or ""))
        return out

    @property
    def blocked_actions(self) -> list[str]:
        return sorted({d.action for d in self.denied}, key=str.lower)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "group": self.group, "profile": self.profile, "access": self.access,
            "account": self.account, "account_name": self.account_name, "principal": self.principal, "scp_risk": self.scp_risk, "status": self.status,
            "required_actions": len(self.required_actions), "blocked_actions": self.blocked_actions,
            "requests": {"total": self.total_requests, "allowed": self.allowed_requests,
                         "denied": len(self.denied)},
            "blockers": [b.to_dict() for b in self.blockers],
            "denied": [d.to_dict() for d in self.denied],
            "notes": self.notes,
            "base_status": self.base_status or self.status,
            "conditions": self.conditions,
            "request_results": [r.to_dict() for r in self.requests],
        }


@dataclass
class CheckReport:
    tool: str
    tool_version: str
    snapshot: str
    config: str | None
    commands: list[CommandResult]
    excess: list[Any] = field(default_factory=list)  # list[excess.ProfileExcess]
    problems: list[Problem] = field(default_factory=list)
    #: the run's one instant (``aws:CurrentTime``), ISO 8601
    at: str | None = None
    #: what the config states about the tool's requests, per profile (None: nothing)
    runtime: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for c in self.commands:
            out[c.status] += 1
        return out

    def worst(self) -> str:
        statuses = {c.status for c in self.commands}
        for s in STATUS_ORDER:
            if s in statuses:
                return s
        return READY

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": CHECK_FORMAT,
            "manifest": {"name": self.tool, "version": self.tool_version},
            "snapshot": self.snapshot,
            "config": self.config,
            "at": self.at,
            "runtime": self.runtime,
            "summary": {**self.counts(), "commands": len(self.commands)},
            "commands": [c.to_dict() for c in self.commands],
            "excess": [e.to_dict() for e in self.excess],
            "problems": [
                {"code": p.code, "file": p.file, "pointer": p.pointer, "message": p.message, "subject": p.subject}
                for p in self.problems
            ],
        }


# ---------------------------------------------------------------------------------------------


def regions_for(resource: str, regions: list[str], action: str = "", pinned: str | None = None) -> list[str | None]:
    """``aws:RequestedRegion`` values a request is evaluated under: a global service's one
    region (docs/context.md), else the permission's own region, else the region of the
    resource ARN, else each of ``regions`` (the command's or the config's)."""
    g = GLOBAL_ENDPOINT_REGIONS.get(action.partition(":")[0].lower()) if action else None
    if g:
        return [g]
    if pinned:
        return [pinned]
    r = arn_region(resource)
    if r:
        return [r]
    return list(regions) if regions else [None]


def evaluate_request(
    env: Environment,
    principal: str,
    req: RequiredRequest,
    region: str | None,
    default_account: str | None,
    base_context: dict[str, Any] | None = None,
    explain: bool = True,
) -> Result:
    """Evaluate one required request as the tool would send it (``explain=False``: the
    engine's decision-only path, no reasons)."""
    racct = env.resource_account(req.resource) or account_id(req.resource) or default_account
    ps = env.policy_set(principal, req.resource, racct)
    ctx = dict(base_context) if base_context is not None else env.request_context(principal)
    ctx.update(call_keys(req.action, req.resource, region, env.resource_facts(req.resource, racct)))
    if req.conditions:
        ctx.update(req.context())
    return evaluate(ps, Request(principal=principal, action=req.action, resource=req.resource,
                                resource_account=racct, context=ctx), explain)


def runtime_for(config: DeploymentConfig | None, profile: str, at: Any = None) -> Runtime:
    """What the config states about a profile's requests: its ``runtime`` over the config's."""
    rt = Runtime(at=at)
    if config is None:
        return rt
    for block in (config.runtime, (config.profiles.get(profile).runtime if config.profiles.get(profile) else None)):
        if block is not None:
            rt = rt.merged(Runtime(block.source_ip, block.vpc_endpoint, block.vpc, block.mfa, block.session_name,
                                   dict(block.session_tags) if block.session_tags is not None else None))
    return rt


def runtime_dict(config: DeploymentConfig | None) -> dict[str, Any]:
    """The stated runtime for the report: ``{"all": {...}, "profiles": {name: {...}}}``."""
    if config is None:
        return {}
    out: dict[str, Any] = {}
    if config.runtime is not None:
        out["all"] = config.runtime.model_dump(exclude_none=True)
    per = {n: pc.runtime.model_dump(exclude_none=True) for n, pc in sorted(config.profiles.items()) if pc.runtime}
    if per:
        out["profiles"] = per
    return out


def _deciding_reason(res: Result) -> Reason | None:
    want = ReasonKind.EXPLICIT_DENY if res.decision == EXPLICIT_DENY else ReasonKind.NO_ALLOW
    for r in res.reasons:
        if r.kind == want:
            return r
    skip = (ReasonKind.ALLOW, ReasonKind.NOT_APPLICABLE, ReasonKind.NOTE)
    return next((r for r in res.reasons if r.kind not in skip), None)


def check_plans(
    env: Environment,
    plans: list[CommandPlan],
    *,
    progress: Progress | None = None,
    principal_override: str | None = None,
    config: DeploymentConfig | None = None,
) -> list[CommandResult]:
    """Evaluate every command plan against ``env`` (``config``: its ``runtime`` states what only
    the user knows; without it every such key is unknown)."""
    out = []
    for cp in plans:
        principal = principal_override or cp.principal
        out.append(_check_command(env, cp, principal, progress, runtime_for(config, cp.profile, env.at)))
    return out


def total_work(plans: list[CommandPlan]) -> int:
    return sum(len(cp.requests) * max(1, len(cp.regions)) for cp in plans)


_WORDS_KEYS = {"aws:multifactorauthpresent", "aws:sourcevpce", "aws:sourceip", "aws:sourcevpc", "aws:userid"}


def condition_phrase(key: str, value: Any) -> str:
    """Words for "the unknown key has this value": ``the session has MFA``, ``called from VPC
    endpoint vpce-1``..."""
    k = key.lower()
    if k == "aws:multifactorauthpresent":
        return "the session has MFA" if str(value).lower() == "true" else "the session has no MFA"
    if k == "aws:sourcevpce":
        return f"called from VPC endpoint {value}" if value is not None else "called without a VPC endpoint"
    if k == "aws:sourcevpc":
        return f"called from VPC {value}" if value is not None else "called from outside a VPC"
    if k == "aws:sourceip":
        return f"called from source IP {value}" if value is not None else "called without a public source IP"
    if k == "aws:userid":
        return f"the session's aws:userid is `{value}` (session name)"
    if k.startswith("aws:principaltag/"):
        tag = key.split("/", 1)[1]
        return f"the session carries tag {tag}={value}" if value is not None else f"the session has no tag {tag}"
    if k.startswith("aws:resourcetag/"):
        tag = key.split("/", 1)[1]
        return f"the resource has tag {tag}={value}" if value is not None else f"the resource has no tag {tag}"
    return f"`{key}` is `{value}`" if value is not None else f"`{key}` is absent"


def _conditions(requests: list[tuple[str, tuple]], denied_total: int, base_status: str) -> list[dict]:
    """The command's dependencies on unknown keys (``(action, dependencies)`` per request),
    grouped by key, flipping value and statement, each with a message ("ready only if the
    session has MFA", "blocked unless ...")."""
    groups: dict[tuple, dict] = {}
    for action, deps in requests:
        for d in deps:
            k = (d.key.lower(), str(d.value), d.decision, d.flipped, d.policy, d.sid)
            g = groups.get(k)
            if g is None:
                g = groups[k] = {**d.to_dict(), "actions": set(), "requests": 0}
            g["actions"].add(action)
            g["requests"] += 1
    out = []
    for g in groups.values():
        g["actions"] = sorted(g["actions"], key=str.lower)
        phrase = condition_phrase(g["key"], g["value"])
        if g["decision"] == ALLOWED:
            g["message"] = f"denied if {phrase}"
            g["summary"] = f"ready unless {phrase}" if base_status == READY else f"more denied if {phrase}"
        else:
            g["message"] = f"allowed only if {phrase}"
            if g["requests"] == denied_total:
                g["summary"] = ("ready only if " if base_status != BLOCKED else "blocked unless ") + phrase
            else:
                g["summary"] = f"{plural(g['requests'], 'denied request')} allowed only if {phrase}"
        out.append(g)
    out.sort(key=lambda g: (g["key"].lower(), str(g["value"]), g["statement"]["policy"] or "", g["statement"]["sid"] or ""))
    return out


#: context keys the engine itself reads, whatever the policies test; and key families whose
#: members a policy may test under another spelling of the tag key
_ENGINE_KEYS = frozenset({"aws:principalarn", "aws:principalaccount", "aws:resourceaccount", "aws:currenttime"})
_FAMILIES = ("aws:principaltag/", "aws:resourcetag/")
_RESOURCE_TAGS = {"aws:resourcetag/": Unknown("aws:ResourceTag/")}


def _check_command(env: Environment, cp: CommandPlan, principal: str | None, progress: Progress | None,
                   runtime: Runtime | None = None) -> CommandResult:
    cmd = cp.command
    actions = sorted({r.action for r in cp.requests}, key=str.lower)
    base = dict(id=cmd.id, name=cmd.name, group=cmd.group, profile=cp.profile, access=cmd.access,
                account=cp.account, account_name=(env.accounts[cp.account].name if cp.account in env.accounts else ""),
                principal=principal, scp_risk=cmd.scp_risk.level, required_actions=actions)
    if principal is None or env.principal(principal) is None:
        if progress:
            progress(len(cp.requests) * max(1, len(cp.regions)))
        why = (f"profile `{cp.profile}` has no principal in the config" if principal is None
               else f"principal `{principal}` is not in the snapshot")
        return CommandResult(**base, status=UNRESOLVED, denied=[], blockers=[], allowed_requests=0,
                             total_requests=len(cp.requests), notes=[why])
    notes = []
    pacct = env.principal(principal).account  # type: ignore[union-attr]
    if cp.account and pacct != cp.account:
        notes.append(f"the config maps profile `{cp.profile}` to account {cp.account} but its principal is in "
                     f"account {pacct}")
    incomplete = False
    for prob in env.principal_problems(principal):
        notes.append(f"policy set incomplete: {prob.message}")
        incomplete = True
    ctx0, unknown = env.request_model(principal, "", "*", runtime=runtime)
    ctx0.pop("aws:RequestedRegion", None)
    ctx0 = LowerKeys((k.lower(), v) for k, v in ctx0.items())
    denied: list[RequestResult] = []
    every: list[tuple] = []
    groups: dict[tuple, tuple[Blocker, list[tuple[RequiredRequest, Result]]]] = {}
    allowed = total = 0
    # the resource keys are the same for every principal: kept on the environment for the run
    rfacts: dict[tuple, Any] = env.check_resource_keys
    pcache: dict[int, tuple] = {}  # policy set id -> (probe?, keys its policies read, base context)
    dcache: dict[tuple, tuple] = {}  # deny statements -> (deciding statement, policy refs, levels)
    for req in cp.requests:
        racct = env.resource_account(req.resource) or account_id(req.resource) or cp.account
        ps = env.policy_set(principal, req.resource, racct)
        rkey = (req.resource, racct)
        rhit = rfacts.get(rkey)
        if rhit is None:  # the resource's keys (account, organization, tags), lowercase
            rf = env.resource_facts(req.resource, racct)
            rhit = rfacts[rkey] = ([(k.lower(), v) for k, v in call_keys("", req.resource, None, rf).items()],
                                   rf.tags is None and req.resource != "*")
            if len(rfacts) > 200_000:
                rfacts.clear()
        rkeys, tags_unknown = rhit
        stated = {k.lower(): v for k, v in req.context().items()} if req.conditions else None
        unk = unknown
        if stated and unknown:  # keys the manifest's own conditions state are not unknown
            low = {k.lower() for k in stated}
            unk = {k: u for k, u in unknown.items() if k not in low}
        # the context of this policy set: only the keys its policies can read (the others cannot
        # change the decision), so a large context costs nothing where no policy tests it
        hit = pcache.get(id(ps))
        if hit is None:
            refs = referenced_keys(ps) | _ENGINE_KEYS
            hit = pcache[id(ps)] = (bool(unknown) and may_depend(ps, unknown), refs,
                                    LowerKeys((k, v) for k, v in ctx0.items() if k in refs or k.startswith(_FAMILIES)))
        probe, refs, base_ctx = hit
        if unk is not unknown:
            probe = bool(unk) and may_depend(ps, unk)
        if tags_unknown and may_depend(ps, _RESOURCE_TAGS):
            # the snapshot does not know this resource's tags: a tag a policy tests is unknown
            unk = {**unk, **_RESOURCE_TAGS}
            probe = True
        for region in regions_for(req.resource, cp.regions, req.action, req.region):
            total += 1
            ctx = LowerKeys(base_ctx)
            if rkeys:
                ctx.update((k, v) for k, v in rkeys if k in refs)
            if region:  # regions_for gives the region the call goes to (global services included)
                ctx["aws:requestedregion"] = region
            if stated:
                ctx.update(stated)
            rq = Request(principal=principal, action=req.action, resource=req.resource, resource_account=racct,
                         context=ctx)
            # decision only (no reasons built); the deciding layer comes with it
            if probe:
                res, dl = evaluate_known(ps, rq, unk)
                deps = tuple(dl)
            else:
                res, deps = evaluate(ps, rq, False), ()
            if res.decision == ALLOWED:
                allowed += 1
                every.append((req.action, req.resource, region, res.missing_keys, res.allow_statements, deps))
                continue
            keys = tuple(depended_keys(res))
            layer = res.deny_layer or "unknown"
            dkey = (res.deny_level, *map(id, res.deny_statements))
            dhit = dcache.get(dkey)
            if dhit is None:
                if res.decision == EXPLICIT_DENY and res.deny_statements:
                    s = res.deny_statements[0]  # the deciding statement (the first explicit-deny reason)
                    ident = (s.policy.name, s.policy.level, s.sid, s.index)
                    prefs = tuple(env.policy_ref(d.policy.name, d.policy.kind, d.sid, d.policy.level)
                                  for d in res.deny_statements)
                    lv = tuple(dict.fromkeys(d.policy.level for d in res.deny_statements if d.policy.level))
                else:  # an implicit deny names a layer (and an SCP/RCP level), no statement
                    ident = (None, res.deny_level, None, None)
                    prefs = ()
                    lv = (res.deny_level,) if res.deny_level else ()
                levels = tuple(x for x in (env.node_ref(v) for v in lv) if x is not None)
                dhit = dcache[dkey] = (ident, prefs, levels)
            (policy, level, sid, index), prefs, levels = dhit
            rr = RequestResult(req.action, req.resource, region, res.decision, layer, policy, level,
                               tuple(res.missing_keys), keys, deps, prefs, levels)
            denied.append(rr)
            key = (res.decision, layer, policy, level, sid, index)
            if key not in groups:
                # the first request of a group is explained in full for the blocker's message
                reason = _deciding_reason(evaluate(ps, rq))
                groups[key] = (Blocker(layer, res.decision, policy, level, sid,
                                       reason.pointer if reason else None, reason), [])
            groups[key][1].append((req, res))
        if progress:
            progress(max(1, len(cp.regions)))
    blockers = []
    for blocker, items in groups.values():
        blocker.actions = sorted({r.action for r, _ in items}, key=str.lower)
        blocker.resources = sorted({r.resource for r, _ in items})
        blocker.fix = make_fix(env, principal, blocker, items)
        seen_p: dict[tuple, dict] = {}
        seen_l: dict[str, dict] = {}
        for _r, res in items:
            for d in res.deny_statements:
                ref = env.policy_ref(d.policy.name, d.policy.kind, d.sid, d.policy.level)
                seen_p.setdefault((ref["kind"], ref["name"], ref["arn"], ref["sid"], d.policy.level), ref)
                lr = env.node_ref(d.policy.level)
                if lr is not None:
                    seen_l.setdefault(lr["id"], lr)
            if res.decision != EXPLICIT_DENY and res.deny_level:
                lr = env.node_ref(res.deny_level)
                if lr is not None:
                    seen_l.setdefault(lr["id"], lr)
        blocker.policies = list(seen_p.values())
        blocker.levels = list(seen_l.values())
        blockers.append(blocker)
    blockers.sort(key=lambda b: (b.decision != EXPLICIT_DENY, b.layer, b.policy or "", b.level or "", b.sid or ""))
    if not denied:
        # a policy set the snapshot cannot vouch for (absent policies, an account in no OU, a
        # collection error, an incomplete snapshot) is never reported ready: its answer is unknown
        status = UNRESOLVED if incomplete else READY
    elif allowed == 0:
        status = BLOCKED
    else:
        status = PARTIAL
    base_status = status
    conditions = _conditions([(x[0], x[5]) for x in every if x[5]] + [(r.action, r.depends_on) for r in denied],
                             sum(1 for r in denied), base_status)
    if conditions and not any(not d.conditional for d in denied):
        # every denial (if any) turns on an unknown key, or an allow does: never a silent
        # ready or blocked that rests on a key nobody stated
        status = CONDITIONAL
    denied.sort(key=lambda d: (d.action.lower(), d.resource, d.region or ""))
    return CommandResult(**base, status=status, denied=denied, blockers=blockers, allowed_requests=allowed,
                         total_requests=total, notes=notes, allowed_raw=every, conditions=conditions,
                         base_status=base_status)


# ---------------------------------------------------------------------------------------------
# fixes


def _sid(*parts: str) -> str:
    text = " ".join(parts)
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", text) if w)[:100] or "Permwise"


def allow_statements(items: Iterable[tuple[RequiredRequest, Result]], sid: str,
                     principal: str | None = None) -> list[dict]:
    """Minimal Allow statements for the requests: actions that share the same resources and
    conditions go into one statement."""
    by_action: dict[str, tuple[set[str], str, dict]] = {}
    for req, _ in items:
        entry = by_action.get(req.action)
        if entry is None:
            entry = by_action[req.action] = (set(), req.conditions_key, dict(req.conditions))
        entry[0].add(req.resource)
    groups: dict[tuple, list[str]] = {}
    conds: dict[tuple, dict] = {}
    for action, (res_set, ckey, cond) in by_action.items():
        k = (tuple(sorted(res_set)), ckey)
        groups.setdefault(k, []).append(action)
        conds[k] = cond
    out = []
    for i, (k, acts) in enumerate(sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1]))):
        resources = list(k[0])
        st: dict[str, Any] = {"Sid": sid + (str(i + 1) if len(groups) > 1 else ""), "Effect": "Allow"}
        if principal:
            st["Principal"] = {"AWS": principal}
        st["Action"] = sorted(acts, key=str.lower) if len(acts) > 1 else acts[0]
        st["Resource"] = resources if len(resources) > 1 else resources[0]
        if conds[k]:
            st["Condition"] = {op: dict(block) for op, block in conds[k].items()}
        out.append(st)
    return out


def exception_statement(raw: dict, principal: str) -> dict:
    """The Deny statement ``raw`` with an ``ArnNotLike aws:PrincipalArn`` exception for
    ``principal`` (added to an existing exception list when there is one)."""
    st = copy.deepcopy(raw)
    cond = st.setdefault("Condition", {})
    op_key = next((k for k in cond if k.lower() == "arnnotlike"), "ArnNotLike")
    block = cond.setdefault(op_key, {})
    key = next((k for k in block if k.lower() == "aws:principalarn"), "aws:PrincipalArn")
    cur = block.get(key, [])
    cur = [cur] if isinstance(cur, str) else list(cur)
    if principal not in cur:
        cur.append(principal)
    block[key] = cur
    return st


def _without_actions(raw: dict, actions: list[str]) -> dict | None:
    """``raw`` with ``actions`` removed from its literal ``Action`` list, or None when they are
    matched through wildcards (then an exception is the smaller change)."""
    acts = raw.get("Action")
    if acts is None:
        return None
    lst = [acts] if isinstance(acts, str) else list(acts)
    low = {a.lower() for a in actions}
    kept = [a for a in lst if a.lower() not in low]
    if len(kept) + len(low) != len(lst) or any("*" in a or "?" in a for a in lst if a.lower() in low):
        return None
    if not kept:
        return {}
    st = copy.deepcopy(raw)
    st["Action"] = kept if len(kept) > 1 else kept[0]
    return st


def _deny_statement(items: list[tuple[RequiredRequest, Result]], blocker: Blocker) -> CompiledStatement | None:
    for _, res in items:
        for s in res.deny_statements:
            if s.policy.name == blocker.policy and (s.sid == blocker.sid) and s.policy.level == blocker.level:
                return s
    return None


def make_fix(env: Environment, principal: str, blocker: Blocker, items: list[tuple[RequiredRequest, Result]]) -> Fix | None:
    name = principal.rsplit("/", 1)[-1]
    layer = blocker.layer
    actions = blocker.actions
    if blocker.decision == EXPLICIT_DENY:
        s = _deny_statement(items, blocker)
        raw = s.raw if s is not None else None
        if raw is None:
            return None
        if layer in ("scp", "rcp"):
            where = f"{blocker.policy}` attached to {blocker.level}" if blocker.level else f"{blocker.policy}`"
            return Fix(f"{layer}-exception", f"{layer.upper()} `{where}", "security team",
                       f"replace statement {s.label} of {layer.upper()} `{blocker.policy}` with this one, which exempts "
                       f"`{principal}` (`ArnNotLike aws:PrincipalArn`)", exception_statement(raw, principal))
        removed = _without_actions(raw, actions)
        if layer == "boundary":
            if removed is not None:
                return Fix("boundary-change", f"permissions boundary `{blocker.policy}`", "IAM administrators",
                           f"remove {', '.join(f'`{a}`' for a in actions)} from statement {s.label} of the boundary"
                           + (" (the statement then denies nothing and can be deleted)" if removed == {} else ""),
                           removed)
            return Fix("boundary-change", f"permissions boundary `{blocker.policy}`", "IAM administrators",
                       f"statement {s.label} of the boundary denies through a wildcard; exempt `{name}` with this "
                       "statement, or use a boundary that does not deny these actions",
                       exception_statement(raw, principal))
        kind = "resource-deny-change" if layer in ("resource", "trust") else f"{layer}-deny-change"
        if removed is not None:
            return Fix(kind, f"{layer} policy `{blocker.policy}`", "policy owner",
                       f"remove {', '.join(f'`{a}`' for a in actions)} from statement {s.label}", removed)
        return Fix(kind, f"{layer} policy `{blocker.policy}`", "policy owner",
                   f"statement {s.label} denies these actions; exempt `{name}` with this statement",
                   exception_statement(raw, principal))
    # implicit deny: add an allow where it is missing
    if layer == "identity":
        sts = allow_statements(items, _sid("Allow", name, "missing"))
        return Fix("identity-allow", f"`{principal}`", "role owner",
                   "add to the principal's identity policy", sts[0] if len(sts) == 1 else {"Statement": sts})
    if layer == "boundary":
        sts = allow_statements(items, _sid("Boundary", "allow", name))
        return Fix("boundary-allow", f"permissions boundary of `{principal}`", "IAM administrators",
                   "add to the permissions boundary policy (a boundary caps what identity policies can grant)",
                   sts[0] if len(sts) == 1 else {"Statement": sts})
    if layer in ("scp", "rcp"):
        sts = allow_statements([(r, res) for r, res in items], _sid(layer.upper(), "allow", name))
        for st in sts:
            st["Resource"] = "*"
        return Fix(f"{layer}-allow", f"{layer.upper()} level {blocker.level}", "security team",
                   f"no {layer.upper()} attached at {blocker.level} allows these actions; attach "
                   f"{'FullAWSAccess' if layer == 'scp' else 'RCPFullAWSAccess'} there or add this statement to an "
                   f"{layer.upper()} attached there", sts[0] if len(sts) == 1 else {"Statement": sts})
    if layer in ("resource", "trust"):
        sts = allow_statements(items, _sid("Allow", name), principal=principal)
        return Fix("resource-allow", "the resource-based policy", "resource owner",
                   "add to the resource-based policy (cross-account access needs both sides to allow)",
                   sts[0] if len(sts) == 1 else {"Statement": sts})
    return None


# ---------------------------------------------------------------------------------------------


#: How a note about the SCP exemption starts (``CommandResult.scp_exemption`` says which rule).
SCP_EXEMPT_NOTE = "SCPs never apply to"


def _governs_member_accounts(env, op) -> bool:
    """True when some member account (SCPs apply to it) sits at or under one of the SCP's targets.
    An SCP on an empty OU (a `Suspended` OU waiting for accounts) restricts nobody today, so naming
    it beside a management-account command is noise."""
    mgmt = env.management_account_id
    targets = set(op.targets)
    return any(a.in_organization and a.id != mgmt and (a.id in targets or targets.intersection(a.parent_path))
               for a in env.accounts.values())


def note_scp_exemptions(env, plans, results) -> None:
    """Add a note to each command whose principal SCPs never restrict (the management account,
    a service-linked role) naming the organization's SCPs that would deny some of its actions
    if they applied there: why such a command is ready where a member account's would not be.
"""

    by_id = {cp.command.id: cp for cp in plans}
    cache: dict[tuple, list] = {}
    for res in results:
        cp = by_id.get(res.id)
        rule = env.scp_exemption_of(res.principal) if cp is not None and res.principal else None
        p = env.principal(res.principal) if rule is not None else None
        if p is None:
            continue
        base = env.request_context(res.principal)
        denied: dict[str, tuple[object, set[str]]] = {}
        for req in cp.requests:
            for region in regions_for(req.resource, cp.regions, req.action, req.region):
                ctx = dict(base)
                ctx.update(call_keys(req.action, req.resource, region, None))
                if req.conditions:
                    ctx.update(req.context())
                key = (res.principal, req.action, req.resource, region, req.conditions_key)
                hits = cache.get(key)
                if hits is None:
                    hits = cache[key] = env.scps_denying(res.principal, req.action, req.resource, ctx)
                for op, _sid in hits:
                    if _governs_member_accounts(env, op):
                        denied.setdefault(op.id, (op, set()))[1].add(req.action)
        if not denied:
            continue
        who = (f"the management account {env.account_label(p.account)}" if rule is Rule.SCP_MANAGEMENT_ACCOUNT
               else "service-linked roles")
        parts = []
        for op, acts in sorted(denied.values(), key=lambda v: v[0].name):
            where = ", ".join(env.node_label(t) for t in op.targets)
            shown = sorted(acts, key=str.lower)
            more = f" and {len(shown) - 6} more" if len(shown) > 6 else ""
            parts.append(f"`{op.name}` (attached to {where}), which denies {', '.join(shown[:6])}{more} in the "
                         "member accounts under it, does not apply here")
        res.notes.append(f"{SCP_EXEMPT_NOTE} {who}: " + "; ".join(parts))
        res.scp_exemption = rule


def require_principals(plans: list[CommandPlan], config: DeploymentConfig) -> None:
    """Refuse a plan whose profile names no principal (one line: the config's file and pointer)."""
    src = config_source(config)
    for cp in plans:
        if cp.principal is None:
            raise InputError(
                f"the config gives no `principal` for profile `{cp.profile}` (needed by `{cp.command.id}`)",
                file=src.path if src else None, pointer=f"/profiles/{cp.profile}",
                hint=f'add `principal: "arn:aws:iam::{cp.account}:role/NAME"` to profile `{cp.profile}`',
            )


def check(
    manifest: Manifest,
    config: DeploymentConfig,
    env: Environment,
    *,
    commands: Iterable[str] | None = None,
    profiles: Iterable[str] | None = None,
    excess: bool = True,
    progress: Progress | None = None,
    snapshot_label: str | None = None,
    config_label: str | None = None,
    jobs: int | None = 1,
    on_total: Progress | None = None,
) -> CheckReport:
    """Run ``check`` for the selected commands; with ``excess`` also compute each profile
    principal's excess permissions (see :mod:`permwise.requirements.excess`).

    ``on_total`` is told the whole work (evaluations) once the commands are planned, before
    ``progress`` is told each part done, so a progress bar needs no plan of its own.

    ``jobs`` (None: every core): with more than one, each principal's excess runs in a worker
    process while this one evaluates the commands; the report is identical for any value."""
    plans = plan(manifest, config, commands=commands, profiles=profiles)
    require_principals(plans, config)
    src = config_source(config)
    collect = None
    if excess:
        from permwise.parallel import resolve_jobs
        from permwise.requirements.excess import start_excess

        collect = start_excess(env, plans, config, resolve_jobs(jobs))
    if on_total is not None:
        on_total(total_work(plans))
    results = check_plans(env, plans, progress=progress, config=config)
    note_scp_exemptions(env, plans, results)
    report = CheckReport(manifest.tool.name, manifest.tool.version, snapshot_label or str(env.root),
                         config_label or (src.path if src else None), results, problems=list(env.problems),
                         at=env.at.strftime("%Y-%m-%dT%H:%M:%SZ"), runtime=runtime_dict(config))
    if collect is not None:
        report.excess = collect()
    return report


#: ``--fail-on`` of ``check``: the command statuses each level fails on (a status and every worse one)
FAIL_ON_STATUSES: dict[str, frozenset[str]] = {
    "none": frozenset(),
    "blocked": frozenset({BLOCKED, UNRESOLVED}),
    "partial": frozenset({BLOCKED, UNRESOLVED, PARTIAL}),
    "conditional": frozenset({BLOCKED, UNRESOLVED, PARTIAL, CONDITIONAL}),
}


def fails(report: CheckReport, fail_on: str) -> bool:
    """True when a command's status is one ``fail_on`` fails on (exit status 1 of the CLI)."""
    return any(c.status in FAIL_ON_STATUSES[fail_on] for c in report.commands)
