"""Excess: what a profile's principal is allowed beyond what the tool's commands need.

Method (documented in ``docs/check.md``):

1. *Needed*: the union of the actions of every command whose profile resolves to the principal.
2. *Candidates* (the prefilter): every catalog action matched by the ``Action`` of some ``Allow``
   statement of the principal's identity policies (or *not* matched by its ``NotAction``). An
   action no Allow statement names can never be allowed, so nothing else is evaluated.
3. Each candidate that is not needed is evaluated by the engine with the principal's full policy
   set (boundary, SCPs, RCPs) on a *generic resource*: for each resource type of the action its
   catalog ARN pattern with the partition, the first configured region and the profile's account
   filled in and ``*`` for every name (``arn:aws:s3:::*``, ``arn:aws:ec2:ap-southeast-2:1111...:
   instance/*``), or ``*`` for actions without resource types. It counts as excess when one of them
   is allowed.

Limits: a grant scoped to named resources (``arn:aws:s3:::acme-*``) does not match the generic
``*`` name and is not counted; nor is a grant whose conditions need request keys the snapshot
cannot know (MFA, source IP, tags of a resource). Excess is therefore a lower bound of what the
principal can do beyond the tool's needs, focused on the broad grants that matter most.

Results are grouped by service and access level, Permissions management and Write first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from permwise.catalog import Action, get_catalog
from permwise.engine import ALLOWED, Request, evaluate
from permwise.environment import Environment
from permwise.requirements.model import DeploymentConfig
from permwise.requirements.plan import CommandPlan

#: display and sort order of access levels: the risky ones first
LEVEL_ORDER: tuple[str, ...] = ("Permissions management", "Write", "Tagging", "Read", "List")


def _level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


@dataclass
class ExcessGroup:
    service: str
    access_level: str
    actions: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "access_level": self.access_level, "count": len(self.actions),
                "actions": self.actions}


@dataclass
class ProfileExcess:
    principal: str
    account: str | None
    profiles: list[str]
    needed: int
    candidates: int
    groups: list[ExcessGroup] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(g.actions) for g in self.groups)

    def by_level(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for g in self.groups:
            out[g.access_level] = out.get(g.access_level, 0) + len(g.actions)
        return dict(sorted(out.items(), key=lambda kv: _level_rank(kv[0])))

    def to_dict(self) -> dict[str, Any]:
        return {"principal": self.principal, "account": self.account, "profiles": self.profiles,
                "needed": self.needed, "candidates": self.candidates, "excess": self.total,
                "by_level": [{"access_level": k, "count": v} for k, v in self.by_level().items()], "groups": [g.to_dict() for g in self.groups], "notes": self.notes}


def candidate_actions(env: Environment, principal: str) -> list[Action]:
    """Catalog actions some Allow statement of the principal's identity policies can match."""
    cat = get_catalog()
    found: dict[str, Action] = {}
    for ref in env.identity_policies(principal):
        if ref.kind != "identity":
            continue
        sts = ref.document.get("Statement", [])
        for st in sts if isinstance(sts, list) else [sts]:
            if not isinstance(st, dict) or st.get("Effect") != "Allow":
                continue
            if "Action" in st:
                pats = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
                for pat in pats:
                    if isinstance(pat, str):
                        for a in cat.expand(pat):
                            found[a.key.lower()] = a
            elif "NotAction" in st:
                pats = st["NotAction"] if isinstance(st["NotAction"], list) else [st["NotAction"]]
                for a in cat.expand_many([p for p in pats if isinstance(p, str)], not_action=True):
                    found[a.key.lower()] = a
    return [found[k] for k in sorted(found)]


def generic_resources(action: Action, partition: str, region: str, account: str) -> list[str]:
    """Generic resources to evaluate ``action`` on (see the module docstring)."""
    cat = get_catalog()
    out: list[str] = []
    values = {"Partition": partition, "Region": region, "Account": account}
    for _ar, rt in cat.action_resource_types(action):
        if rt is not None and rt.arn:
            arn = rt.template(values, default="*")
            if arn not in out:
                out.append(arn)
    return out or ["*"]


def excess_for_principal(
    env: Environment,
    principal: str,
    needed: Iterable[str],
    *,
    account: str | None = None,
    region: str | None = None,
    partition: str = "aws",
    profiles: Iterable[str] = (),
) -> ProfileExcess:
    p = env.principal(principal)
    need = {a.lower() for a in needed}
    acct = account or (p.account if p else "*")
    region = region or (env.regions[0] if env.regions else "us-east-1")
    result = ProfileExcess(principal, acct, sorted(set(profiles)), len(need), 0)
    if p is None:
        result.notes.append(f"principal `{principal}` is not in the snapshot")
        return result
    cands = candidate_actions(env, principal)
    result.candidates = len(cands)
    ctx = env.request_context(principal)
    ctx["aws:RequestedRegion"] = region
    groups: dict[tuple[str, str], list[str]] = {}
    for a in cands:
        if a.key.lower() in need:
            continue
        for res in generic_resources(a, partition, region, acct):
            racct = env.resource_account(res) or acct
            ps = env.policy_set(principal, res, racct)
            # only the decision is needed: the engine's decision-only path builds no reasons
            r = evaluate(ps, Request(principal=principal, action=a.key, resource=res, resource_account=racct,
                                     context=ctx), explain=False)
            if r.decision == ALLOWED:
                groups.setdefault((a.service, a.access_level), []).append(a.key)
                break
    result.groups = [
        ExcessGroup(svc, level, sorted(acts, key=str.lower))
        for (svc, level), acts in sorted(groups.items(), key=lambda kv: (_level_rank(kv[0][1]), kv[0][0]))
    ]
    return result


def excess_for_plans(env: Environment, plans: list[CommandPlan], config: DeploymentConfig | None) -> list[ProfileExcess]:
    """One :class:`ProfileExcess` per distinct principal of the plans, sorted by principal."""
    return [excess_for_principal(env, *args, **kw) for args, kw in _excess_work(plans, config)]


#: what forked workers inherit (set just before the pool starts)
_SHARED: dict[str, Any] = {}


def _excess_worker(work: tuple[tuple, dict]) -> ProfileExcess:
    args, kw = work
    return excess_for_principal(_SHARED["env"], *args, **kw)


def start_excess(env: Environment, plans: list[CommandPlan], config: DeploymentConfig | None,
                 jobs: int = 1) -> Callable[[], list[ProfileExcess]]:
    """Start :func:`excess_for_plans` in ``jobs - 1`` worker processes (one principal each) so
    the caller's process can do other work meanwhile (``check`` evaluates the commands); the
    returned function waits and gives the same list as :func:`excess_for_plans`. With one job
    the work is done in this process when the function is called."""
    work = _excess_work(plans, config)
    n = min(max(1, jobs - 1), len(work))
    if jobs <= 1 or not work:
        return lambda: excess_for_plans(env, plans, config)
    from permwise.parallel import make_pool

    _SHARED["env"] = env
    pool = make_pool(n)
    futures = [pool.submit(_excess_worker, w) for w in work]

    def collect() -> list[ProfileExcess]:
        try:
            return [f.result() for f in futures]
        finally:
            pool.shutdown(cancel_futures=True)
            _SHARED.clear()

    return collect


def _excess_work(plans: list[CommandPlan], config: DeploymentConfig | None) -> list[tuple[tuple, dict]]:
    by_principal: dict[str, tuple[set[str], set[str], str | None]] = {}
    for cp in plans:
        if not cp.principal:
            continue
        needed, profs, _ = by_principal.setdefault(cp.principal, (set(), set(), cp.account))
        needed.update(r.action for r in cp.requests)
        profs.add(cp.profile)
    region = config.regions[0] if config is not None and config.regions else None
    partition = config.partition if config is not None else "aws"
    return [
        ((principal, sorted(needed)), dict(account=acct, region=region, partition=partition, profiles=sorted(profs)))
        for principal, (needed, profs, acct) in sorted(by_principal.items())
    ]
