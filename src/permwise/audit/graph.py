"""Who can assume which role: ``sts:AssumeRole`` edges decided through the engine (the caller's
identity side and the role's trust policy, with SCPs), plus the non-IAM ways in (services,
federated providers, outside accounts, ``*``).

A trust statement names principals in four ways; candidates are found cheaply, then decided by
the engine (``Environment.policy_set(caller, role)`` puts the trust policy in as the resource
policy):

* ``principal``: the ARN of a user or role of the snapshot; same account: the trust alone
  grants, cross-account: the caller's identity policies must allow too;
* ``account``: an account id or ``arn:aws:iam::ACCOUNT:root``: every principal of that account
  whose identity policies name ``sts:AssumeRole`` is a candidate (the account delegates to its
  own policies);
* ``public``: ``*``: every principal of the snapshot is a candidate, and the entry itself is
  listed;
* ``service`` / ``federated`` / ``external``: listed as they are (nothing to evaluate offline).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from permwise.audit.probe import Prober, allow_resources
from permwise.audit.trust import trust_entries

ASSUME = "sts:AssumeRole"


def condition_notes(conditions: dict[str, Any]) -> tuple[str, ...]:
    """The trust statement's conditions, one note each (``if StringLike
    token.actions.githubusercontent.com:sub = repo:acme/*``), or ``no condition``: for entries
    the engine cannot decide offline (services, federation, outside accounts) the conditions are
    what stands between the role and the caller."""
    out: list[str] = []
    for op in sorted(conditions or {}):
        block = conditions[op]
        if not isinstance(block, dict):
            continue
        for key in sorted(block):
            vals = block[key] if isinstance(block[key], list) else [block[key]]
            out.append(f"if {op} {key} = {', '.join(str(v) for v in vals)}")
    return tuple(out) or ("no condition",)


@dataclass(frozen=True, slots=True)
class Assumer:
    principal: str  # ARN, service name, provider ARN, account id or "*"
    via: str  # principal | account | public | service | federated | external
    statement: int
    notes: tuple[str, ...] = ()
    path: tuple[str, ...] = ()  # for multi-hop: the roles in between, nearest to the caller first

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"principal": self.principal, "via": self.via, "statement": self.statement}
        if self.notes:
            d["notes"] = list(self.notes)
        if self.path:
            d["path"] = list(self.path)
        return d


@dataclass(slots=True)
class AssumeGraph:
    env: Any
    prober: Prober
    _direct: dict[str, list[Assumer]] = field(default_factory=dict)
    _forward: dict[str, list[str]] | None = None
    _by_account: dict[str, list[Any]] | None = None
    _decisions: dict[tuple, tuple[bool, tuple[str, ...]]] = field(default_factory=dict)
    _trust_keys: dict[str, str] = field(default_factory=dict)
    _assume_grants: dict[str, tuple[bool, tuple]] = field(default_factory=dict)

    def _assumers_of_account(self, account: str) -> list[Any]:
        if self._by_account is None:
            self._by_account = {}
            for p in self.env.principals():
                if "sts:assumerole" in self.prober.candidate_actions(p):
                    self._by_account.setdefault(p.account, []).append(p)
        return self._by_account.get(account, [])

    def _trust_key(self, role: Any) -> str:
        tk = self._trust_keys.get(role.arn)
        if tk is None:
            tk = self._trust_keys[role.arn] = _doc_key(role.trust_policy)
        return tk

    def _decide(self, caller: Any, role: Any) -> tuple[bool, tuple[str, ...]]:
        # The same caller asking to assume two roles of one account whose trust policies are the
        # same text gets the same answer when nothing in force for `sts:` actions looks at
        # which role it is: every statement that can match has `Resource: *` (or none) and no
        # condition on a resource key (checked on the policy set before an answer is kept).
        # Then the engine is asked once per (caller, account, trust text), not once per role (a
        # role trusting its account otherwise costs one evaluation per principal of the
        # account, for every such role)
        key = (caller.arn, role.account, self._trust_key(role))
        hit = self._decisions.get(key)
        if hit is not None:
            return hit
        ps = self.env.policy_set(caller.arn, role.arn)
        o = self.prober.ask(caller, ASSUME, role.arn, policy_set=ps, resource_account=role.account)
        out = (o.allowed, tuple(o.notes))
        if self.prober.resource_blind(ps, "sts"):
            self._decisions[key] = out
        return out

    def _may_allow_assume(self, caller: Any, role_arn: str) -> bool:
        if caller.kind not in ("role", "user"):
            return True
        grants = self._assume_grants.get(caller.arn)
        if grants is None:
            grants = self._assume_grants[caller.arn] = allow_resources(self.env.policy_set(caller.arn).identity,
                                                                        "sts:assumerole")
        return grants[0] or any(rm.matches_static(role_arn) for rm in grants[1])

    def direct(self, role: Any) -> list[Assumer]:
        """Principals and other entities that can assume ``role`` in one step."""
        hit = self._direct.get(role.arn)
        if hit is not None:
            return hit
        out: dict[tuple[str, str], Assumer] = {}
        for e in trust_entries(role.trust_policy):
            if e.effect != "Allow" or not (e.allows(ASSUME) or e.allows("sts:AssumeRoleWithWebIdentity")
                                           or e.allows("sts:AssumeRoleWithSAML")):
                continue
            if e.type == "Service":
                out.setdefault((e.value, "service"), Assumer(e.value, "service", e.index, condition_notes(e.conditions)))
                continue
            if e.type == "Federated":
                out.setdefault((e.value, "federated"), Assumer(e.value, "federated", e.index,
                                                               condition_notes(e.conditions)))
                continue
            if e.type == "*" or (e.type == "AWS" and e.value == "*"):
                out.setdefault(("*", "public"), Assumer("*", "public", e.index))
                cands = [p for p in self.env.principals() if "sts:assumerole" in self.prober.candidate_actions(p)]
                via = "public"
            elif e.type == "AWS" and e.is_account_root:
                acct = e.account or ""
                if acct not in self.env.accounts or not self.env.accounts[acct].has_iam:
                    out.setdefault((acct, "external"), Assumer(acct, "external", e.index, (
                        "any principal of that account its administrators allow",) + condition_notes(e.conditions)))
                    continue
                cands = self._assumers_of_account(acct)
                if _account_only_trust(role.trust_policy):
                    # a trust policy naming only accounts delegates to the caller's own
                    # policies: a caller none of whose identity Allow statements can match
                    # `sts:AssumeRole` on this role's ARN (conditions aside) is implicitly
                    # denied, so the engine is asked only about the others
                    cands = [c for c in cands if self._may_allow_assume(c, role.arn)]
                via = "account"
            elif e.type == "AWS":
                p = self.env.principal(e.value)
                if p is None:
                    acct = e.account or ""
                    note = "not in the snapshot" if acct in self.env.accounts else "outside the snapshot"
                    out.setdefault((e.value, "external"), Assumer(e.value, "external", e.index,
                                                                  (note,) + condition_notes(e.conditions)))
                    continue
                cands = [p]
                via = "principal"
            else:
                continue
            decisions, tk = self._decisions, self._trust_key(role)
            for c in cands:
                if c.arn == role.arn or (c.arn, "principal") in out or (c.arn, "account") in out or (c.arn, "public") in out:
                    continue
                # ``_decide``'s own cache, read here first: most callers were asked already
                known = decisions.get((c.arn, role.account, tk))
                ok, notes = known if known is not None else self._decide(c, role)
                if ok:
                    out[(c.arn, via)] = Assumer(c.arn, via, e.index, notes)
        res = sorted(out.values(), key=lambda a: (a.via, a.principal))
        self._direct[role.arn] = res
        return res

    def forward(self, principal_arn: str) -> list[str]:
        """Roles ``principal_arn`` can assume in one step (builds the whole graph once)."""
        if self._forward is None:
            fwd: dict[str, list[str]] = {}
            for r in self.env.roles():
                for a in self.direct(r):
                    if a.via in ("principal", "account", "public") and a.principal.startswith("arn:"):
                        fwd.setdefault(a.principal, []).append(r.arn)
            self._forward = {k: sorted(v) for k, v in fwd.items()}
        return self._forward.get(principal_arn, [])

    def who_can_assume(self, role: Any, max_depth: int = 4) -> list[Assumer]:
        """Everything that can assume ``role``: direct entries, then principals that reach it
        through other roles (``via="multi-hop"``, with the roles in between)."""
        result: dict[tuple[str, str], Assumer] = {}
        for a in self.direct(role):
            result[(a.principal, a.via)] = a
        seen = {role.arn} | {a.principal for a in result.values()}
        queue: deque[tuple[str, tuple[str, ...]]] = deque((a.principal, (a.principal,)) for a in self.direct(role) if a.principal.startswith("arn:"))
        while queue:
            arn, path = queue.popleft()
            if len(path) >= max_depth:
                continue
            mid = self.env.principal(arn)
            if mid is None or mid.kind != "role":
                continue
            for a in self.direct(mid):
                if a.principal in seen:
                    continue
                seen.add(a.principal)
                hop = Assumer(a.principal, "multi-hop", a.statement, a.notes, path)
                if a.via in ("service", "federated", "external", "public"):
                    hop = Assumer(a.principal, f"multi-hop ({a.via})", a.statement, a.notes, path)
                result[(a.principal, hop.via)] = hop
                if a.principal.startswith("arn:"):
                    queue.append((a.principal, (a.principal,) + path))
        order = {"principal": 0, "account": 1, "public": 2, "service": 3, "federated": 4, "external": 5}
        return sorted(result.values(), key=lambda a: (order.get(a.via, 6), a.via, a.principal))


def _doc_key(doc: Any) -> str:
    import json

    return json.dumps(doc, sort_keys=True, default=str)


def _account_only_trust(doc: Any) -> bool:
    """Every principal the trust policy names is an account (id or root ARN): no ``*``, no
    principal ARN, no NotPrincipal. Such a policy grants nothing by itself to an IAM principal;
    the caller's identity policies must allow (AWS "Policy evaluation logic", a resource-based
    policy naming the account delegates to IAM policies)."""
    if not isinstance(doc, dict):
        return False
    sts = doc.get("Statement")
    for st in sts if isinstance(sts, list) else [sts]:
        if not isinstance(st, dict) or "NotPrincipal" in st or not isinstance(st.get("Principal"), dict):
            return False
        aws = st["Principal"].get("AWS", [])
        for v in aws if isinstance(aws, list) else [aws]:
            v = str(v)
            if not ((v.isdigit() and len(v) == 12) or (v.startswith("arn:") and v.endswith(":root") and "${" not in v)):
                return False
    return True
