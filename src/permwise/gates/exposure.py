"""Who outside the zone of trust does one resource-based or trust policy let in? (single policy)

Kept apart from the rest of the gates so that any analysis of resource policies (``validate``,
the custom ``--no-public`` check, an environment-wide access analysis) asks the same question
the same way. Decided through the engine, statement by statement:

* **public**: an *outsider* (a role in account ``999988887777``, organization
  ``o-permwiseoutside``, whose own identity policy allows everything, as an outsider's would) is
  allowed one of the statement's actions on one of its resources. Keys that bind the caller's
  identity or source (``aws:PrincipalOrgID``, ``aws:PrincipalAccount``, ``aws:PrincipalArn``,
  ``aws:SourceArn``, ``aws:SourceAccount``, ``aws:SourceOrgID``...) are never given values the
  policy wants, so a condition on them closes the door. Other keys (MFA, TLS, tags, request
  parameters) are set to values the Allow wants: an outsider can arrange them.
  ``limited_by`` lists the network keys (``aws:SourceIp``, ``aws:SourceVpc``,
  ``aws:SourceVpce``, ``aws:VpcSourceIp``) the allow needed: a network boundary, not an identity.
* **cross-account**: a principal the statement names (AWS account, user or role ARN) in an
  account outside the zone is allowed; ``limited_by`` lists the condition keys it needed
  (``sts:ExternalId``, sources, network).
* **organization**: ``Principal: *`` limited by ``aws:PrincipalOrgID`` / ``aws:PrincipalOrgPaths``
  to organizations that are not in a *given* zone.

Named accounts are judged only when the owner is known (``owner_known``: a zone was given, or
the policy's resources name an account). Only actions that fit the statement's resources (by the
catalog's resource types) are asked. A Deny statement of the same policy that blocks the outsider takes the exposure away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise import catalog
from permwise.engine import CompiledPolicy, CompiledStatement, PolicySet, compile_policy
from permwise.gates.probe import (
    BINDING_KEYS,
    HOLDER_CONTEXT,
    NETWORK_KEYS,
    OUTSIDE_ACCOUNT,
    OUTSIDE_ORG,
    arn_account,
    ask,
    concretize,
)
from permwise.gates.zone import Zone

OUTSIDER = f"arn:aws:iam::{OUTSIDE_ACCOUNT}:role/permwise-outsider"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
MAX_ACTIONS = 64
_PRINCIPAL_KEYS = ("aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username", "aws:userid")


@dataclass(slots=True)
class Exposure:
    kind: str  # "public" | "cross-account" | "organization"
    statement: CompiledStatement
    who: str  # "*", an account id, an ARN, an organization id
    account: str | None
    actions: list[str] = field(default_factory=list)
    limited_by: list[str] = field(default_factory=list)
    when: str = ""

    @property
    def pointer(self) -> str:
        return self.statement.pointer


def _list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _statement_actions(st: CompiledStatement) -> list[str]:
    raw = st.raw if isinstance(st.raw, dict) else {}
    key = "NotAction" if st.not_action else "Action"
    pats = [str(x) for x in _list(raw.get(key)) if isinstance(x, str)]
    if not pats:
        return []
    acts = catalog.get_catalog().expand_many(pats, not_action=st.not_action)
    keys = [a.key for a in acts]
    if not keys and not st.not_action:  # unknown to the catalog: ask with the names as written
        keys = [p for p in pats if "*" not in p and "?" not in p]
    return keys


def _statement_resources(st: CompiledStatement, owner: str, kind: str) -> list[str]:
    if kind == "trust":
        return [f"arn:aws:iam::{owner}:role/permwise-probe"]
    raw = st.raw if isinstance(st.raw, dict) else {}
    if st.not_resource or "Resource" not in raw:
        return ["*"]
    out = []
    for r in _list(raw.get("Resource")):
        if isinstance(r, str):
            c = concretize(r, owner)
            if c not in out:
                out.append(c)
    return out or ["*"]


def named_aws(st: CompiledStatement) -> list[str]:
    raw = st.raw if isinstance(st.raw, dict) else {}
    pr = raw.get("Principal")
    if not isinstance(pr, dict):
        return []
    return [str(v) for v in _list(pr.get("AWS")) if isinstance(v, str) and v != "*"]


def _is_open(st: CompiledStatement) -> bool:
    """Principal ``*`` / ``AWS: *`` / NotPrincipal."""
    raw = st.raw if isinstance(st.raw, dict) else {}
    if "NotPrincipal" in raw:
        return True
    pr = raw.get("Principal")
    if pr == "*":
        return True
    return isinstance(pr, dict) and "*" in [str(v) for v in _list(pr.get("AWS"))]


def _org_values(st: CompiledStatement) -> list[str]:
    raw = st.raw if isinstance(st.raw, dict) else {}
    cond = raw.get("Condition")
    out: list[str] = []
    if isinstance(cond, dict):
        for block in cond.values():
            if isinstance(block, dict):
                for k, v in block.items():
                    if str(k).lower() == "aws:principalorgid":
                        out += [str(x) for x in _list(v)]
                    elif str(k).lower() == "aws:principalorgpaths":
                        out += [str(x).split("/", 1)[0] for x in _list(v)]
    return sorted({o for o in out if o.startswith("o-") and "*" not in o and "?" not in o})


def principal_request(value: str) -> str:
    if value.isdigit() or value.endswith(":root"):
        acct = value if value.isdigit() else arn_account(value) or value
        return f"arn:aws:iam::{acct}:role/permwise-outsider"
    return value


def _fits(action: str, patterns: list[str]) -> bool:
    """Does one of the Resource patterns fit one of the action's resource types (catalog)?"""
    cat = catalog.get_catalog()
    act = cat.action(action)
    if act is None:
        return True
    if act.wildcard_only:
        return "*" in patterns
    return any(p == "*" or cat.resource_types_matching(act, p) for p in patterns)


def analyze(cp: CompiledPolicy, kind: str, zone: Zone, owner: str, *, owner_known: bool = True) -> list[Exposure]:
    """Exposures of a compiled resource-based (``kind="resource"``) or trust (``"trust"``) policy
    whose resources belong to ``owner``; ``zone`` names the accounts and organizations that are
    ours (``owner`` always is)."""
    allow_all = compile_policy(ALLOW_ALL, name="outsider-identity", kind="identity")
    out: list[Exposure] = []
    zone_given = zone.given
    zone = zone.with_account(owner)
    for st in cp.statements:
        if st.effect != "Allow" or st.principal is None:
            continue
        actions = _statement_actions(st)
        raw = st.raw if isinstance(st.raw, dict) else {}
        if kind != "trust" and not st.not_resource and "Resource" in raw:
            pats = [str(x) for x in _list(raw.get("Resource")) if isinstance(x, str)]
            actions = [a for a in actions if _fits(a, pats)]
        actions = actions[:MAX_ACTIONS]
        resources = _statement_resources(st, owner, kind)
        if not actions:
            continue

        def probe(principal: str, ctx: dict[str, Any], exclude: tuple[str, ...]):
            ps = PolicySet(identity=[allow_all], resource=[cp])
            hits: list[str] = []
            first = None
            for a in actions:
                for r in resources:
                    o = ask(ps, principal, a, r, context={**HOLDER_CONTEXT, **ctx}, resource_account=owner,
                            exclude=exclude)
                    if o.allowed and any(s is st for s in o.allow_statements):
                        hits.append(a)
                        first = first or o
                        break
            return hits, first

        outsider_ctx = {"aws:PrincipalOrgID": OUTSIDE_ORG, "aws:PrincipalOrgPaths": [f"{OUTSIDE_ORG}/r-out/ou-out"]}
        if _is_open(st):
            hits, o = probe(OUTSIDER, outsider_ctx, BINDING_KEYS + NETWORK_KEYS)
            if hits:
                out.append(Exposure("public", st, "*", None, hits, [], o.when() if o else ""))
                continue
            hits, o = probe(OUTSIDER, outsider_ctx, BINDING_KEYS)
            if hits:
                lim = sorted(k for k in (o.witness if o else {}) if k.lower() in NETWORK_KEYS)
                out.append(Exposure("public", st, "*", None, hits, lim, o.when() if o else ""))
                continue
            if zone_given:
                for org in _org_values(st):
                    if org in zone.orgs:
                        continue
                    ctx = {"aws:PrincipalOrgID": org, "aws:PrincipalOrgPaths": [f"{org}/r-out/ou-out"]}
                    hits, o = probe(OUTSIDER, ctx, BINDING_KEYS)
                    if hits:
                        out.append(Exposure("organization", st, org, None, hits, [], o.when() if o else ""))
        for value in named_aws(st) if owner_known else []:
            acct = value if value.isdigit() and len(value) == 12 else arn_account(value)
            if acct is None or zone.has_account(acct):
                continue
            who = principal_request(value)
            hits, o = probe(who, {"aws:PrincipalOrgID": OUTSIDE_ORG}, BINDING_KEYS)
            if hits:
                out.append(Exposure("cross-account", st, value, acct, hits, [], o.when() if o else ""))
                continue
            hits, o = probe(who, {"aws:PrincipalOrgID": OUTSIDE_ORG}, _PRINCIPAL_KEYS)
            if hits:
                lim = sorted(o.witness) if o else []
                out.append(Exposure("cross-account", st, value, acct, hits, lim, o.when() if o else ""))
    return out
