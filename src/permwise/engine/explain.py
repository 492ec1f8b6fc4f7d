"""Explain: the structured reasons of a decision (:class:`~permwise.engine.reasons.Reason`).

:func:`explain` reads the :class:`~permwise.engine.analyse.Analysis` of a request and the
:class:`~permwise.engine.decision.Outcome` the order gave, and lists, as data, what decided: every
matching ``Deny`` of an explicit deny; the layers without an allow of an implicit deny; for an
allow, the statement that allowed at each layer that had to allow. Layers that did not apply and
AWS's special rules come as ``not-applicable`` and ``note`` reasons. No sentence is built here:
:mod:`permwise.report.reasons` renders a reason in English.

A reason about a statement depends only on the statement, so it is built once and kept on the
statement (``CompiledStatement.reason_cache``).
"""

from __future__ import annotations

from permwise.engine.analyse import Analysis, on_role
from permwise.engine.compile import CompiledPolicy, CompiledStatement
from permwise.engine.decision import Outcome, Path
from permwise.engine.matching import MATCH_ACCOUNT, MATCH_EXACT, MATCH_ROLE, ROOT
from permwise.engine.reasons import ConditionMiss, Grant, Reason, ReasonKind, Rule

# enum members bound once (an enum attribute lookup costs more than a global one)
_ALLOW, _DENY, _NO_ALLOW = ReasonKind.ALLOW, ReasonKind.EXPLICIT_DENY, ReasonKind.NO_ALLOW
_NOTE, _NOT_APPLICABLE = ReasonKind.NOTE, ReasonKind.NOT_APPLICABLE
_ALLOW_STATEMENT, _DENY_STATEMENT, _RESOURCE_GRANT = Rule.ALLOW_STATEMENT, Rule.DENY_STATEMENT, Rule.RESOURCE_GRANT
_NO_LEVEL_ALLOW, _NO_IDENTITY_ALLOW = Rule.NO_LEVEL_ALLOW, Rule.NO_IDENTITY_ALLOW
_NO_BOUNDARY_ALLOW, _NO_SESSION_ALLOW = Rule.NO_BOUNDARY_ALLOW, Rule.NO_SESSION_ALLOW
_LEVEL_RULES = ((Rule.RCP_LEVEL_ALLOW, "rcp:"), (Rule.SCP_LEVEL_ALLOW, "scp:"))


def _statement(kind: ReasonKind, rule: Rule, s: CompiledStatement, key: str, level: str | None = None,
               grant: Grant | None = None) -> Reason:
    """The reason naming statement ``s``, cached on it under ``key`` (one key per rule, level
    and grant)."""
    cache = s.reason_cache
    r = cache.get(key)
    if r is None:
        p = s.policy
        r = cache[key] = Reason(kind, rule, p.kind, p.name, level if level is not None else p.level, s.sid,
                                s.index, s.effect, s.pointer, p.level, grant=grant)
    return r


def _allow(s: CompiledStatement) -> Reason:
    r = s.reason_cache.get("allow")
    return r if r is not None else _statement(_ALLOW, _ALLOW_STATEMENT, s, "allow")


def _names(pols: list[CompiledPolicy]) -> tuple[str, ...]:
    return tuple([p.name for p in pols])


def _miss(a: Analysis, pols: list[CompiledPolicy]) -> ConditionMiss | None:
    """The condition that kept ``pols`` (a layer without an allow) from allowing, if one did."""
    if not a.misses or not pols:
        return None
    hit = next(((s, c) for s, c in a.misses if s.policy in pols), None)
    if hit is None:
        return None
    s, c = hit
    return ConditionMiss(s.policy.name, s.sid, s.index, s.pointer, c.pointer, c.operator, c.key_written,
                         c.raw_values, a.ctx.get(c.key))


def _exemptions(a: Analysis) -> list[Reason]:
    """The layers that do not apply (SCPs, RCPs, a public bucket policy), and why."""
    if a.scp_exemption is None and a.rcp_exemption is None and not a.public_restricted:
        return []
    out = []
    mgmt = a.ps.management_account_id
    if a.scp_exemption is not None:
        acct = mgmt if a.scp_exemption is Rule.SCP_MANAGEMENT_ACCOUNT else None
        out.append(Reason(_NOT_APPLICABLE, a.scp_exemption, "scp", account=acct))
    if a.rcp_exemption is not None:
        acct = mgmt if a.rcp_exemption is Rule.RCP_MANAGEMENT_ACCOUNT else None
        service = a.prefix if a.rcp_exemption is Rule.RCP_UNSUPPORTED_SERVICE else None
        out.append(Reason(_NOT_APPLICABLE, a.rcp_exemption, "rcp", account=acct, service=service))
    if a.public_restricted:
        out.append(Reason(_NOT_APPLICABLE, Rule.S3_RESTRICT_PUBLIC_BUCKETS, "resource"))
    return out


def _organization_allows(a: Analysis) -> list[Reason]:
    out = []
    for (rule, prefix), levels in zip(_LEVEL_RULES, (a.rcp_levels, a.scp_levels)):
        for name, _pols, allows in levels:
            out.append(_statement(_ALLOW, rule, allows[0][0], prefix + name, name))
    return out


def _organization_failures(a: Analysis) -> list[Reason]:
    out = []
    for what, levels in (("rcp", a.rcp_levels), ("scp", a.scp_levels)):
        for name, pols, allows in levels:
            if not allows:
                out.append(Reason(_NO_ALLOW, _NO_LEVEL_ALLOW, what, level=name, action=a.action,
                                  policies=_names(pols), condition=_miss(a, pols)))
    return out


def _identity_allows(a: Analysis) -> list[Reason]:
    out = [_allow(s) for s, _ in a.id_allows]
    if a.pi.kind == ROOT and not a.id_allows:
        out.append(Reason(_NOTE, Rule.ROOT_FULL_ACCESS, "identity"))
    if a.b_allows:
        out.append(_allow(a.b_allows[0][0]))
    if a.s_allows:
        out.append(_allow(a.s_allows[0][0]))
    return out


def _identity_failures(a: Analysis, id_ok: bool) -> list[Reason]:
    out = []
    ps, action, resource = a.ps, a.action, a.resource
    if not id_ok:
        out.append(Reason(_NO_ALLOW, _NO_IDENTITY_ALLOW, "identity", action=action, resource=resource,
                          policies=_names(ps.identity), condition=_miss(a, ps.identity)))
    if not a.b_ok:
        out.append(Reason(_NO_ALLOW, _NO_BOUNDARY_ALLOW, "boundary", action=action, resource=resource,
                          policies=_names(ps.boundary), condition=_miss(a, ps.boundary)))
    if not a.s_ok:
        out.append(Reason(_NO_ALLOW, _NO_SESSION_ALLOW, "session", action=action, resource=resource,
                          policies=_names(ps.session), condition=_miss(a, ps.session)))
    return out


def _no_resource(a: Analysis) -> Reason:
    ps = a.ps
    trust = any(p.kind == "trust" for p in ps.resource) or on_role(a.action.partition(":")[0].lower(), a.resource)
    rule = Rule.NO_TRUST_POLICY_ALLOW if trust else Rule.NO_RESOURCE_POLICY_ALLOW
    return Reason(_NO_ALLOW, rule, "resource", action=a.action, principal=a.request.principal,
                  policies=_names(ps.resource), condition=_miss(a, a.resource_policies))


def _cross(a: Analysis) -> Reason:
    return Reason(_NOTE, Rule.CROSS_ACCOUNT, account=a.p_account, resource_account=a.r_account)


def _grants(a: Analysis, grant: Grant, *strengths: str) -> list[Reason]:
    key = "grant:" + grant
    return [_statement(_ALLOW, _RESOURCE_GRANT, s, key, grant=grant) for s, st in a.res_allows if st in strengths]


def _special(a: Analysis, o: Outcome) -> list[Reason]:
    if a.special is Rule.ROOT_CANNOT_ASSUME_ROLE:
        return [Reason(_NO_ALLOW, Rule.ROOT_CANNOT_ASSUME_ROLE, "principal")]
    return [Reason(_NOTE, Rule.CALLER_IDENTITY_ALWAYS_ALLOWED, "identity")]


def _explicit_deny(a: Analysis, o: Outcome) -> list[Reason]:
    return [_statement(_DENY, _DENY_STATEMENT, s, "deny") for s in a.denies]


# the denials that got past the organization policies list what failed; the notes come last


def _organization_no_allow(a: Analysis, o: Outcome) -> list[Reason]:
    return _organization_failures(a) + _exemptions(a)


def _no_resource_allow(a: Analysis, o: Outcome) -> list[Reason]:
    return [_no_resource(a)] + _exemptions(a)


def _cross_account_no_allow(a: Analysis, o: Outcome) -> list[Reason]:
    head = [_no_resource(a)] if a.best is None else []
    return head + _identity_failures(a, a.id_ok) + [_cross(a)] + _exemptions(a)


def _role_arn_capped(a: Analysis, o: Outcome) -> list[Reason]:
    rule = Rule.ROLE_ARN_GRANT_CAPPED if a.id_ok else Rule.ROLE_ARN_GRANT_CAPPED_NO_IDENTITY
    return (_grants(a, Grant.ROLE_ARN_CAPPED, MATCH_ROLE) + _identity_failures(a, True)
            + [Reason(_NOTE, rule, o.layer)] + _exemptions(a))


def _identity_no_allow(a: Analysis, o: Outcome) -> list[Reason]:
    tail = [_no_resource(a)] if a.resource_policies and a.best is None else []
    return _identity_failures(a, a.id_ok) + tail + _exemptions(a)


# an allow lists every organization level that allowed, then each layer that allowed


def _non_iam_grant(a: Analysis, o: Outcome) -> list[Reason]:
    return (_organization_allows(a) + _grants(a, Grant.PRINCIPAL, MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT)
            + _exemptions(a))


def _cross_account_allow(a: Analysis, o: Outcome) -> list[Reason]:
    return (_organization_allows(a) + _grants(a, Grant.CROSS_ACCOUNT, MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT)
            + _identity_allows(a) + _exemptions(a))


def _own_arn_grant(a: Analysis, o: Outcome) -> list[Reason]:
    return _organization_allows(a) + _grants(a, Grant.OWN_ARN, MATCH_EXACT) + _exemptions(a)


def _role_arn_grant(a: Analysis, o: Outcome) -> list[Reason]:
    caps = [_allow(s) for s, _ in a.b_allows[:1] + a.s_allows[:1]]
    return _organization_allows(a) + _grants(a, Grant.ROLE_ARN, MATCH_ROLE) + caps + _exemptions(a)


def _identity_allow(a: Analysis, o: Outcome) -> list[Reason]:
    out = _organization_allows(a)
    if a.res_required:
        out += _grants(a, Grant.ACCOUNT, MATCH_ACCOUNT)
    out += _identity_allows(a)
    out += _exemptions(a)
    if not a.resource_policies and (a.prefix == "kms" or on_role(a.prefix, a.resource)):
        # AWS also requires the key policy / trust policy, which was not given
        rule = Rule.KEY_POLICY_NOT_GIVEN if a.prefix == "kms" else Rule.TRUST_POLICY_NOT_GIVEN
        out.append(Reason(_NOTE, rule, "resource"))
    return out


_EXPLAIN = {
    Path.SPECIAL: _special,
    Path.EXPLICIT_DENY: _explicit_deny,
    Path.ORGANIZATION_NO_ALLOW: _organization_no_allow,
    Path.NON_IAM_GRANT: _non_iam_grant,
    Path.NON_IAM_NO_ALLOW: _no_resource_allow,
    Path.CROSS_ACCOUNT_ALLOW: _cross_account_allow,
    Path.CROSS_ACCOUNT_NO_ALLOW: _cross_account_no_allow,
    Path.OWN_ARN_GRANT: _own_arn_grant,
    Path.ROLE_ARN_GRANT: _role_arn_grant,
    Path.RESOURCE_POLICY_REQUIRED: _no_resource_allow,
    Path.IDENTITY_ALLOW: _identity_allow,
    Path.ROLE_ARN_CAPPED: _role_arn_capped,
    Path.IDENTITY_NO_ALLOW: _identity_no_allow,
}


def explain(a: Analysis, o: Outcome) -> list[Reason]:
    """The reasons of outcome ``o`` of analysis ``a``, in a fixed order: what decided first,
    then the layers that did not apply and the notes (one explainer per :class:`Path`)."""
    return _EXPLAIN[o.path](a, o)
