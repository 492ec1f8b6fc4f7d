"""``check``: can each command of a manifest run in an environment, and if not, what blocks it.

For every command, :func:`permwise.requirements.plan` gives the required requests (every action
expanded against the catalog, on the resources ``generate`` would scope). Each one is evaluated
by the engine under the principal the deployment config maps the command's profile to, with the
policies the snapshot puts in force (``env.policy_set``). A command is

* ``ready`` when every required request is allowed,
* ``partial`` when some are allowed and some are denied,
* ``blocked`` when none is allowed,
* ``unresolved`` when its principal is not in the snapshot.

Each denied request has a *deciding layer* (the first reason the engine gives: an explicit deny
names its policy, statement and, for SCPs, the OU or account it is attached to; an implicit deny
names the layer without an allow) and denied requests with the same deciding layer are grouped
into one :class:`Blocker` with one :class:`Fix`.

The request context is what the snapshot knows (``env.request_context``: the principal's ARN,
organization id and paths, tags), the context that satisfies the manifest's own conditions
(``satisfying_context``), and ``aws:RequestedRegion``: the region of the resource ARN, or else
each configured region in turn.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from permwise.engine import (
    ALLOWED,
    EXPLICIT_DENY,
    CompiledStatement,
    Reason,
    Request,
    Result,
    evaluate,
)
from permwise.environment import Environment, Problem
from permwise.errors import InputError
from permwise.requirements.config import config_source
from permwise.requirements.model import DeploymentConfig, Manifest
from permwise.requirements.plan import CommandPlan, RequiredRequest, plan

READY, PARTIAL, BLOCKED, UNRESOLVED = "ready", "partial", "blocked", "unresolved"
STATUS_ORDER = (BLOCKED, UNRESOLVED, PARTIAL, READY)
CHECK_FORMAT = "permwise-check/1"

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class RequestResult:
    action: str
    resource: str
    region: str | None
    decision: str
    layer: str | None = None  # deciding layer of a denial
    policy: str | None = None
    level: str | None = None
    missing_keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action, "resource": self.resource, "region": self.region, "decision": self.decision,
            "layer": self.layer, "policy": self.policy, "level": self.level, "missing_keys": list(self.missing_keys),
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
    message: str
    actions: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    fix: Fix | None = None

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
        return {
            "layer": self.layer, "decision": self.decision, "policy": self.policy, "level": self.level,
            "sid": self.sid, "pointer": self.pointer, "title": self.title, "message": self.message,
            "actions": self.actions, "resources": self.resources,
            "fix": self.fix.to_dict() if self.fix else None,
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

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in (READY, PARTIAL, BLOCKED, UNRESOLVED)}
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
            "summary": {**self.counts(), "commands": len(self.commands)},
            "commands": [c.to_dict() for c in self.commands],
            "excess": [e.to_dict() for e in self.excess],
            "problems": [
                {"code": p.code, "file": p.file, "pointer": p.pointer, "message": p.message, "subject": p.subject}
                for p in self.problems
            ],
        }


# ---------------------------------------------------------------------------------------------


def _arn_region(resource: str) -> str | None:
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[3] and "*" not in parts[3] and "?" not in parts[3]:
        return parts[3]
    return None


def _arn_account(resource: str) -> str | None:
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[4].isdigit():
        return parts[4]
    return None


def regions_for(resource: str, regions: list[str]) -> list[str | None]:
    """``aws:RequestedRegion`` values a request is evaluated under."""
    r = _arn_region(resource)
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
    racct = env.resource_account(req.resource) or _arn_account(req.resource) or default_account
    ps = env.policy_set(principal, req.resource, racct)
    ctx = dict(base_context) if base_context is not None else env.request_context(principal)
    if req.conditions:
        ctx.update(req.context())
    if region:
        ctx.setdefault("aws:RequestedRegion", region)
    return evaluate(ps, Request(principal=principal, action=req.action, resource=req.resource,
                                resource_account=racct, context=ctx), explain)


def _deciding_reason(res: Result) -> Reason | None:
    want = "explicit-deny" if res.decision == EXPLICIT_DENY else "no-allow"
    for r in res.reasons:
        if r.kind == want:
            return r
    return next((r for r in res.reasons if r.kind not in ("allow", "not-applicable", "note")), None)


def check_plans(
    env: Environment,
    plans: list[CommandPlan],
    *,
    progress: Progress | None = None,
    principal_override: str | None = None,
) -> list[CommandResult]:
    """Evaluate every command plan against ``env``."""
    out = []
    for cp in plans:
        principal = principal_override or cp.principal
        out.append(_check_command(env, cp, principal, progress))
    return out


def total_work(plans: list[CommandPlan]) -> int:
    return sum(len(cp.requests) * max(1, len(cp.regions)) for cp in plans)


def _check_command(env: Environment, cp: CommandPlan, principal: str | None, progress: Progress | None) -> CommandResult:
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
    for prob in env.principal_problems(principal):
        notes.append(f"policy set incomplete: {prob.message}")
    ctx0 = env.request_context(principal)
    denied: list[RequestResult] = []
    groups: dict[tuple, tuple[Blocker, list[tuple[RequiredRequest, Result]]]] = {}
    allowed = total = 0
    for req in cp.requests:
        for region in regions_for(req.resource, cp.regions):
            total += 1
            # decision only (no reasons built); the deciding layer comes with it
            res = evaluate_request(env, principal, req, region, cp.account, ctx0, explain=False)
            if res.decision == ALLOWED:
                allowed += 1
                continue
            layer = res.deny_layer or "unknown"
            if res.decision == EXPLICIT_DENY and res.deny_statements:
                s = res.deny_statements[0]  # the deciding statement (the first explicit-deny reason)
                policy, level, sid, index = s.policy.name, s.policy.level, s.sid, s.index
            else:  # an implicit deny names a layer (and an SCP/RCP level), no statement
                policy, level, sid, index = None, res.deny_level, None, None
            denied.append(RequestResult(req.action, req.resource, region, res.decision, layer, policy, level,
                                        tuple(res.missing_keys)))
            key = (res.decision, layer, policy, level, sid, index)
            if key not in groups:
                # the first request of a group is explained in full for the blocker's message
                reason = _deciding_reason(evaluate_request(env, principal, req, region, cp.account, ctx0))
                groups[key] = (Blocker(layer, res.decision, policy, level, sid,
                                       reason.pointer if reason else None, reason.message if reason else "denied"),
                               [])
            groups[key][1].append((req, res))
        if progress:
            progress(max(1, len(cp.regions)))
    blockers = []
    for blocker, items in groups.values():
        blocker.actions = sorted({r.action for r, _ in items}, key=str.lower)
        blocker.resources = sorted({r.resource for r, _ in items})
        blocker.fix = make_fix(env, principal, blocker, items)
        blockers.append(blocker)
    blockers.sort(key=lambda b: (b.decision != EXPLICIT_DENY, b.layer, b.policy or "", b.level or "", b.sid or ""))
    if not denied:
        status = READY
    elif allowed == 0:
        status = BLOCKED
    else:
        status = PARTIAL
    denied.sort(key=lambda d: (d.action.lower(), d.resource, d.region or ""))
    return CommandResult(**base, status=status, denied=denied, blockers=blockers, allowed_requests=allowed,
                         total_requests=total, notes=notes)


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


#: How a note about the SCP exemption starts (renderers look for it to label the table cell).
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
        if cp is None or not res.principal or env.principal(res.principal) is None or not env.scp_exempt(res.principal):
            continue
        p = env.principal(res.principal)
        base = env.request_context(res.principal)
        denied: dict[str, tuple[object, set[str]]] = {}
        for req in cp.requests:
            for region in regions_for(req.resource, cp.regions):
                ctx = dict(base)
                if req.conditions:
                    ctx.update(req.context())
                if region:
                    ctx.setdefault("aws:RequestedRegion", region)
                key = (res.principal, req.action, req.resource, region, req.conditions_key)
                hits = cache.get(key)
                if hits is None:
                    hits = cache[key] = env.scps_denying(res.principal, req.action, req.resource, ctx)
                for op, _sid in hits:
                    if _governs_member_accounts(env, op):
                        denied.setdefault(op.id, (op, set()))[1].add(req.action)
        if not denied:
            continue
        who = (f"the management account {env.account_label(p.account)}" if not p.service_linked
               else "service-linked roles")
        parts = []
        for op, acts in sorted(denied.values(), key=lambda v: v[0].name):
            where = ", ".join(env.node_label(t) for t in op.targets)
            shown = sorted(acts, key=str.lower)
            more = f" and {len(shown) - 6} more" if len(shown) > 6 else ""
            parts.append(f"`{op.name}` (attached to {where}), which denies {', '.join(shown[:6])}{more} in the "
                         "member accounts under it, does not apply here")
        res.notes.append(f"{SCP_EXEMPT_NOTE} {who}: " + "; ".join(parts))


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
) -> CheckReport:
    """Run ``check`` for the selected commands; with ``excess`` also compute each profile
    principal's excess permissions (see :mod:`permwise.requirements.excess`).

    ``jobs`` (None: every core): with more than one, each principal's excess runs in a worker
    process while this one evaluates the commands; the report is identical for any value."""
    plans = plan(manifest, config, commands=commands, profiles=profiles)
    src = config_source(config)
    for cp in plans:
        if cp.principal is None:
            raise InputError(
                f"the config gives no `principal` for profile `{cp.profile}` (needed by `{cp.command.id}`)",
                file=src.path if src else None, pointer=f"/profiles/{cp.profile}",
                hint=f'add `principal: "arn:aws:iam::{cp.account}:role/NAME"` to profile `{cp.profile}`',
            )
    collect = None
    if excess:
        from permwise.parallel import resolve_jobs
        from permwise.requirements.excess import start_excess

        collect = start_excess(env, plans, config, resolve_jobs(jobs))
    results = check_plans(env, plans, progress=progress)
    note_scp_exemptions(env, plans, results)
    report = CheckReport(manifest.tool.name, manifest.tool.version, snapshot_label or str(env.root),
                         config_label or (src.path if src else None), results, problems=list(env.problems))
    if collect is not None:
        report.excess = collect()
    return report
