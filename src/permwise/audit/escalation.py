"""Privilege escalation: can a principal that is not an administrator become one?

**Admin power** (the goal), decided through the engine with the principal's SCPs, boundary and
policies: the principal is allowed both

1. ``permwise:AnyAction`` on ``*``: an action that exists in no service, so only a grant of
   ``"Action": "*"`` (or a ``NotAction`` that leaves everything else) can match it, and
2. ``iam:AttachRolePolicy`` on a role of its own account: it can hand out any managed policy.

``PowerUserAccess`` (``NotAction: iam:*``) passes (1) but not (2): not admin.

**Primitives** (``data/guardrails/escalation.yaml``), each decided through the engine on the
real resource: the principal's own ARN (``self``), the customer-managed policies attached to it
(``self-policy``), its groups (``self-group``), other groups (``join-group``, only when that
group's policies give admin power), other users (``credentials``), roles that are admin-capable
(``trust``: ``iam:UpdateAssumeRolePolicy`` on that role), roles it can assume (``modify-role``),
and roles that trust a compute service (``passrole``: ``iam:PassRole`` on *that* role with
``iam:PassedToService`` set, plus every action of one alternative, e.g. ``lambda:CreateFunction``
+ ``lambda:InvokeFunction``). A ``PassRole`` limited to one role reaches only that role, and only
if its trust policy trusts the service. EC2 also needs the role in an instance profile (it has
one in ``InstanceProfileList``, or the caller may create one and add the role to it).

``trust`` and ``passrole`` edges lead to roles worth reaching: admin-capable ones, and roles that
can move on (assume another role, or hold an action of a credentials, trust, PassRole or
modify-role edge), so "pass a role to Lambda, that role creates keys for an admin user" is one
path.

A principal with a permissions boundary does not gain admin power by attaching policies to
itself (the boundary still caps it) unless it can also remove or replace its own boundary.

**Paths.** Edges: ``sts:AssumeRole`` (engine-decided, see :mod:`permwise.audit.graph`),
``credentials``, ``trust`` and ``passrole`` primitives. A principal escalates when a path leads
to a principal that is admin or has a self-escalation primitive, and the path uses at least one
escalation primitive (a plain chain of ``sts:AssumeRole`` into an admin role is access someone
granted on purpose; ``permwise who-can-assume`` lists it). One finding per principal, with the
shortest path (breadth-first, at most 4 hops), rule = the first primitive on the path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from permwise.audit.config import AuditConfig
from permwise.audit.graph import AssumeGraph
from permwise.audit.model import SEVERITY_RANK, Finding, Step
from permwise.audit.probe import Prober
from permwise.audit.registry import escalation_data
from permwise.audit.trust import trust_entries
from permwise.catalog.arn import Arn
from permwise.engine import PolicySet, compile_policy

ANY_ACTION = "permwise:AnyAction"
_UNSET = object()
MAX_DEPTH = 4


def escalation_actions() -> set[str]:
    acts = {"iam:attachrolepolicy", "iam:passrole", "sts:assumerole", "iam:deleterolepermissionsboundary",
            "iam:putrolepermissionsboundary", "iam:deleteuserpermissionsboundary", "iam:putuserpermissionsboundary",
            "iam:createinstanceprofile", "iam:addroletoinstanceprofile"}
    for p in escalation_data():
        acts.update(a.lower() for a in p.get("actions", []))
        for alt in p.get("alternatives", []):
            acts.update(a.lower() for a in alt)
    return acts


class EscalationAnalyzer:
    def __init__(self, env: Any, prober: Prober, graph: AssumeGraph, config: AuditConfig) -> None:
        self.env = env
        self.prober = prober
        self.graph = graph
        self.config = config
        self.primitives = [p for p in escalation_data() if config.enabled(p["id"])]
        self._by_id = {p["id"]: p for p in escalation_data()}
        self._admin: dict[str, bool] = {}
        self._admin_sig: dict[tuple, bool] = {}
        self._self: dict[str, tuple[str, str] | None] = {}
        self._edges: dict[str, list[Step]] = {}
        self._can_cache: dict[tuple, bool] = {}
        self._plans: dict[tuple[str, str], Any] = {}
        self._worth: dict[str, bool] = {}
        self._worth_roles: dict[str, list[Any]] = {}
        self._service_roles: dict[str, list[Any]] | None = None
        self._passrole_cache: dict[tuple[str, str], list[Any]] = {}
        self._group_admin: dict[str, bool] = {}
        #: actions of the edges a role can take onward (credentials, trust, passrole, modify-role)
        self._edge_actions = frozenset(
            a.lower() for prim in self.primitives if prim["kind"] in ("credentials", "trust", "passrole", "modify-role")
            for a in list(prim.get("actions", [])) + (["iam:PassRole"] if prim["kind"] == "passrole" else []))

    # ---------------------------------------------------------------- admin power
    def _role_sentinel(self, account: str) -> str:
        return f"arn:{self.env.partition}:iam::{account}:role/permwise-audit-probe"

    def is_admin(self, p: Any) -> bool:
        hit = self._admin.get(p.arn)
        if hit is not None:
            return hit
        sig = self.prober.signature(p)
        if sig is not None and sig in self._admin_sig:
            res = self._admin_sig[sig]
        else:
            ps = self.env.policy_set(p.arn)
            res = (self.prober.ask(p, ANY_ACTION, "*", policy_set=ps).allowed
                   and self.prober.ask(p, "iam:AttachRolePolicy", self._role_sentinel(p.account), policy_set=ps).allowed)
            if sig is not None:
                self._admin_sig[sig] = res
        self._admin[p.arn] = res
        return res

    def _group_is_admin(self, group: Any, member: Any) -> bool:
        hit = self._group_admin.get(group.arn)
        if hit is None:
            pols = [compile_policy(ip.document, name=f"inline:group/{group.name}/{ip.name}") for ip in group.inline_policies]
            for arn in group.managed_policy_arns:
                mp = self.env.managed_policies.get(arn)
                if mp is not None:
                    pols.append(compile_policy(mp.document, name=arn))
            ps = PolicySet(identity=pols, scps=self.env.scp_chain(member.account) if member.account != self.env.management_account_id else [],
                           management_account_id=self.env.management_account_id)
            hit = (self.prober.ask(member, ANY_ACTION, "*", policy_set=ps, witness=False).allowed
                   and self.prober.ask(member, "iam:AttachRolePolicy", self._role_sentinel(member.account), policy_set=ps,
                                       witness=False).allowed)
            self._group_admin[group.arn] = hit
        return hit

    # ---------------------------------------------------------------- self escalation
    def _plan(self, p: Any, al: str) -> tuple[PolicySet, bool] | None:
        """``p``'s policy set and whether it is resource-blind for ``al``'s service; None when
        ``al`` is not a candidate action of ``p`` (implicitly denied). Memoised per principal."""
        key = (p.arn, al)
        hit = self._plans.get(key, _UNSET)
        if hit is _UNSET:
            hit = None
            if al in self.prober.candidate_actions(p):
                ps = self.env.policy_set(p.arn)
                hit = (ps, self.prober.resource_blind(ps, al.partition(":")[0]))
            if len(self._plans) >= 200_000:
                self._plans.clear()
            self._plans[key] = hit
        return hit  # type: ignore[return-value]

    def _can(self, p: Any, action: str, resource: str, context: dict | None = None) -> bool:
        al = action.lower()
        plan = self._plan(p, al)
        if plan is None:
            return False
        ps, blind = plan
        if not self.prober.may_allow(p, ps, al, resource):
            return False  # no identity grant can match the resource (see Prober.may_allow)
        # when nothing in force for this service tells resources apart, every resource of one
        # account and region (same context) gets the same answer: ask the engine once
        key = None
        if blind:
            arn = Arn.parse(resource)
            where = (arn.region, arn.account) if arn is not None else (resource,)
            key = (p.arn, al, where, tuple(sorted((context or {}).items())))
            hit = self._can_cache.get(key)
            if hit is not None:
                return hit
        ok = self.prober.ask(p, action, resource, policy_set=ps, context=context).allowed
        if key is not None:
            self._can_cache[key] = ok
        return ok

    def _can_fn(self, p: Any, action: str, context: dict | None = None) -> Callable[[str], bool]:
        """``resource -> self._can(p, action, resource, context)``, cheap to call many times:
        when the plan is resource-blind, every resource of one region and account gets the
        answer ``_can`` gives the first of them (its own cache key), remembered here."""
        plan = self._plan(p, action.lower())
        if plan is None:
            return lambda resource: False
        if not plan[1]:
            return lambda resource: self._can(p, action, resource, context)
        seen: dict[tuple, bool] = {}

        def can(resource: str) -> bool:
            arn = Arn.parse(resource)
            where = (arn.region, arn.account) if arn is not None else (resource,)
            hit = seen.get(where)
            if hit is None:
                hit = seen[where] = self._can(p, action, resource, context)
            return hit

        return can

    def _boundary_removable(self, p: Any) -> bool:
        if not p.boundary_arn:
            return True
        kind = "Role" if p.kind == "role" else "User"
        return (self._can(p, f"iam:Delete{kind}PermissionsBoundary", p.arn)
                or self._can(p, f"iam:Put{kind}PermissionsBoundary", p.arn))

    def self_escalation(self, p: Any) -> tuple[str, str] | None:
        """(primitive id, detail) of the first primitive that lets ``p`` grant itself admin."""
        if p.arn in self._self:
            return self._self[p.arn]
        found: tuple[str, str] | None = None
        if self._boundary_removable(p):
            groups = [self.env._groups_by_name.get((p.account, g)) for g in p.groups] if p.kind == "user" else []
            groups = [g for g in groups if g is not None]
            for prim in self.primitives:
                kind = prim["kind"]
                if kind == "self" and prim.get("applies_to") == p.kind:
                    a = prim["actions"][0]
                    if self._can(p, a, p.arn):
                        found = (prim["id"], f"`{a}` on itself")
                elif kind == "self-policy":
                    a = prim["actions"][0]
                    arns = list(p.managed_policy_arns) + [m for g in groups for m in g.managed_policy_arns]
                    for arn in sorted(set(arns)):
                        if ":iam::aws:policy/" not in arn and self._can(p, a, arn):
                            found = (prim["id"], f"`{a}` on `{arn}`, attached to it")
                            break
                elif kind == "self-group" and p.kind == "user":
                    a = prim["actions"][0]
                    for g in groups:
                        if self._can(p, a, g.arn):
                            found = (prim["id"], f"`{a}` on its group `{g.name}`")
                            break
                elif kind == "join-group" and p.kind == "user":
                    a = prim["actions"][0]
                    for g in sorted(self.env.groups.values(), key=lambda g: g.arn):
                        if g.account == p.account and g.name not in p.groups and self._can(p, a, g.arn) \
                                and self._group_is_admin(g, p):
                            found = (prim["id"], f"`{a}` on the administrator group `{g.name}`")
                            break
                if found:
                    break
        self._self[p.arn] = found
        return found

    def admin_capable(self, p: Any) -> bool:
        return self.is_admin(p) or self.self_escalation(p) is not None

    def worth_reaching(self, r: Any) -> bool:
        """Is role ``r`` a useful next hop: admin-capable, able to assume a role, or holding an
        action of an escalation edge (credentials of others, trust rewrites, PassRole, ...)?
        A cheap filter (candidate actions, cached); the search decides the rest."""
        hit = self._worth.get(r.arn)
        if hit is None:
            hit = self._worth[r.arn] = (self.admin_capable(r) or bool(self.graph.forward(r.arn))
                                        or bool(self.prober.candidate_actions(r) & self._edge_actions))
        return hit

    def _roles_worth_reaching(self, account: str) -> list[Any]:
        """The roles of ``account`` that are not service-linked and worth reaching, in the
        snapshot's order (each test depends on the role alone, so it is made once per role)."""
        hit = self._worth_roles.get(account)
        if hit is None:
            hit = self._worth_roles[account] = [r for r in self.env.roles() if r.account == account
                                                and not r.service_linked and self.worth_reaching(r)]
        return hit

    def _instance_profile(self, p: Any, role: Any) -> str | None:
        """How ``p`` gets ``role`` onto an instance: an instance profile that already holds it
        (``InstanceProfileList`` of the role in authorization-details), or ``p`` may create one
        and add the role to it. None when neither."""
        profiles = sorted(str(ip.get("InstanceProfileName", "")) for ip in role.raw.get("InstanceProfileList") or []
                          if isinstance(ip, dict))
        if profiles:
            return f"instance profile `{profiles[0]}`"
        ip_arn = f"arn:{self.env.partition}:iam::{p.account}:instance-profile/permwise-audit-probe"
        if self._can(p, "iam:CreateInstanceProfile", ip_arn) and self._can(p, "iam:AddRoleToInstanceProfile", ip_arn):
            return "a new instance profile: `iam:CreateInstanceProfile` + `iam:AddRoleToInstanceProfile`"
        return None

    # ---------------------------------------------------------------- edges
    def _roles_trusting(self, service: str) -> list[Any]:
        if self._service_roles is None:
            m: dict[str, list[Any]] = {}
            for r in self.env.roles():
                for e in trust_entries(r.trust_policy):
                    if e.effect == "Allow" and e.type == "Service" and e.allows("sts:AssumeRole"):
                        m.setdefault(e.value, []).append(r)
            self._service_roles = m
        return self._service_roles.get(service, [])

    def _passrole_targets(self, service: str, account: str) -> list[Any]:
        """The roles of ``account`` that trust ``service`` and are worth reaching, in the order
        of :meth:`_roles_trusting` (each test depends on the role alone: made once per role,
        not once per principal that may pass roles)."""
        key = (service, account)
        hit = self._passrole_cache.get(key)
        if hit is None:
            hit = self._passrole_cache[key] = [r for r in self._roles_trusting(service)
                                               if r.account == account and self.worth_reaching(r)]
        return hit

    def edges(self, p: Any) -> list[Step]:
        """One-step moves from ``p``: assume, credentials, trust and passrole."""
        hit = self._edges.get(p.arn)
        if hit is not None:
            return hit
        out: list[Step] = []
        for r in self.graph.forward(p.arn):
            out.append(Step(p.arn, r, "sts:AssumeRole"))
        cand = self.prober.candidate_actions(p)
        for prim in self.primitives:
            kind = prim["kind"]
            if kind == "credentials":
                a = prim["actions"][0]
                if a.lower() not in cand:
                    continue
                can_a = self._can_fn(p, a)
                for u in self.env.users():
                    if u.arn != p.arn and u.account == p.account and can_a(u.arn):
                        out.append(Step(p.arn, u.arn, prim["id"], f"`{a}` on user `{u.name}`"))
            elif kind == "trust":
                a = prim["actions"][0]
                if a.lower() not in cand:
                    continue
                targets = [r for r in self._roles_worth_reaching(p.account) if r.arn != p.arn]
                plan = self._plan(p, a.lower())
                if plan is None:
                    continue
                if plan[1] and targets:
                    # resource-blind: ``_can`` gives every role ARN of one account (same region
                    # and account, no context) one answer, so it is asked once
                    hits = targets if self._can(p, a, targets[0].arn) else []
                else:
                    hits = [r for r in targets if self._can(p, a, r.arn)]
                out.extend(Step(p.arn, r.arn, prim["id"], f"`{a}` on role `{r.name}`") for r in hits)
            elif kind == "passrole":
                if "iam:passrole" not in cand:
                    continue
                alts = [alt for alt in prim["alternatives"] if all(x.lower() in cand for x in alt)]
                alt_ok = next((alt for alt in alts if all(self.prober.can(p, x).allowed for x in alt)), None)
                if alt_ok is None:
                    continue
                svc = prim["service"]
                can_pass = self._can_fn(p, "iam:PassRole", {"iam:PassedToService": svc})
                for r in self._passrole_targets(svc, p.account):
                    if r.arn == p.arn or not can_pass(r.arn):
                        continue
                    how = " + ".join(f"`{x}`" for x in alt_ok)
                    if prim.get("requires_instance_profile"):
                        profile = self._instance_profile(p, r)
                        if profile is None:
                            continue
                        how += f" ({profile})"
                    out.append(Step(p.arn, r.arn, prim["id"], f"`iam:PassRole` on `{r.name}` to {svc} with {how}"))
        # modify-role: attach/put on a role it can assume
        for prim in self.primitives:
            if prim["kind"] != "modify-role":
                continue
            fns = {a: self._can_fn(p, a) for a in prim["actions"]}
            for r_arn in self.graph.forward(p.arn):
                for a in prim["actions"]:
                    if fns[a](r_arn):
                        out.append(Step(p.arn, r_arn, prim["id"], f"`{a}` on `{r_arn.rsplit('/', 1)[-1]}`, then assume it"))
                        break
        self._edges[p.arn] = out
        return out

    # ---------------------------------------------------------------- search
    def find_path(self, p: Any) -> list[Step] | None:
        me = self.self_escalation(p)
        if me is not None:
            return [Step(p.arn, p.arn, me[0], me[1])]
        queue: deque[tuple[str, list[Step]]] = deque([(p.arn, [])])
        seen = {p.arn}
        while queue:
            arn, path = queue.popleft()
            if len(path) >= MAX_DEPTH:
                continue
            node = self.env.principal(arn)
            if node is None:
                continue
            for st in self.edges(node):
                if st.target in seen:
                    continue
                seen.add(st.target)
                tgt = self.env.principal(st.target)
                if tgt is None:
                    continue
                new = path + [st]
                uses_primitive = any(s.via != "sts:AssumeRole" for s in new)
                if self.is_admin(tgt):
                    if uses_primitive:
                        return new
                    continue  # intended access to an admin role: not an escalation
                me = self.self_escalation(tgt)
                if me is not None:
                    return new + [Step(tgt.arn, tgt.arn, me[0], me[1])]
                queue.append((st.target, new))
        return None

    def path_severity(self, path: list[Step]) -> str:
        """The lowest severity among the primitives on ``path`` (a chain is as certain as its
        weakest link); see the header of ``escalation.yaml``."""
        sevs = [self._by_id[s.via]["severity"] for s in path if s.via in self._by_id]
        return min(sevs, key=SEVERITY_RANK.__getitem__) if sevs else "high"

    def check(self, p: Any) -> Finding | None:
        if p.service_linked and not self.config.include_service_linked_roles:
            return None
        if self.is_admin(p):
            return None
        path = self.find_path(p)
        if not path:
            return None
        first = next(s for s in path if s.via != "sts:AssumeRole")
        prim = self._by_id[first.via]
        if self.config.is_authorized(prim["id"], p.arn, p.tags):
            return None
        hops = " -> ".join(
            f"[{s.detail}]" if s.source == s.target else f"{_short(s.target)} ({s.detail or s.via})" for s in path)
        detail = f"can gain administrator power: {_short(p.arn)} -> {hops}"
        return Finding(
            rule_id=prim["id"], severity=self.config.severity.get(prim["id"], self.path_severity(path)), subject=p.arn,
            account=p.account, message=f"{p.kind} `{p.name}` {detail}", detail=detail, file=p.origin.file,
            pointer=p.origin.pointer,
            fix="remove the escalation permission (" + first.detail + ") or scope it to resources that grant nothing more",
            path=path, actions=[],
        )


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1] if ":role/" in arn or ":user/" in arn else arn
