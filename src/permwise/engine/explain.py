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
from permwise.engine.reasons import Grant, Reason, ReasonKind, Rule

_ALLOW, _DENY, _NO_ALLOW = ReasonKind.ALLOW, ReasonKind.EXPLICIT_DENY, ReasonKind.NO_ALLOW
_NOTE, _NOT_APPLICABLE = ReasonKind.NOTE, ReasonKind.NOT_APPLICABLE


def _statement(kind: ReasonKind, rule: Rule, s: CompiledStatement, level: str | None = None,
               grant: Grant | None = None) -> Reason:
    """The reason naming statement ``s`` (cached on it)."""
    key = (rule, level, grant)
    cache = s.reason_cache
    r = cache.get(key)
    if r is None:
        p = s.policy
        r = cache[key] = Reason(kind, rule, p.kind, p.name, level if level is not None else p.level, s.sid,
                                s.index, s.effect, s.pointer, p.level, grant=grant)
    return r


def _allow(s: CompiledStatement) -> Reason:
    return _statement(_ALLOW, Rule.ALLOW_STATEMENT, s)


def _names(pols: list[CompiledPolicy]) -> tuple[str, ...]:
    return tuple(p.name for p in pols)


def _exemptions(a: Analysis) -> list[Reason]:
    """The layers that do not apply (SCPs, RCPs, a public bucket policy), and why."""
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
    for rule, levels in ((Rule.RCP_LEVEL_ALLOW, a.rcp_levels), (Rule.SCP_LEVEL_ALLOW, a.scp_levels)):
        for name, _pols, allows in levels:
            out.append(_statement(_ALLOW, rule, allows[0][0], name))
    return out


def _organization_failures(a: Analysis) -> list[Reason]:
    out = []
    for what, levels in (("rcp", a.rcp_levels), ("scp", a.scp_levels)):
        for name, pols, allows in levels:
            if not allows:
                out.append(Reason(_NO_ALLOW, Rule.NO_LEVEL_ALLOW, what, level=name, action=a.action,
                                  policies=_names(pols)))
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
        out.append(Reason(_NO_ALLOW, Rule.NO_IDENTITY_ALLOW, "identity", action=action, resource=resource,
                          policies=_names(ps.identity)))
    if not a.b_ok:
        out.append(Reason(_NO_ALLOW, Rule.NO_BOUNDARY_ALLOW, "boundary", action=action, resource=resource,
                          policies=_names(ps.boundary)))
    if not a.s_ok:
        out.append(Reason(_NO_ALLOW, Rule.NO_SESSION_ALLOW, "session", action=action, resource=resource,
                          policies=_names(ps.session)))
    return out


def _no_resource(a: Analysis) -> Reason:
    ps = a.ps
    trust = any(p.kind == "trust" for p in ps.resource) or on_role(a.action.partition(":")[0].lower(), a.resource)
    rule = Rule.NO_TRUST_POLICY_ALLOW if trust else Rule.NO_RESOURCE_POLICY_ALLOW
    return Reason(_NO_ALLOW, rule, "resource", action=a.action, principal=a.request.principal,
                  policies=_names(ps.resource))


def _cross(a: Analysis) -> Reason:
    return Reason(_NOTE, Rule.CROSS_ACCOUNT, account=a.p_account, resource_account=a.r_account)


def _grants(a: Analysis, grant: Grant, *strengths: str) -> list[Reason]:
    return [_statement(_ALLOW, Rule.RESOURCE_GRANT, s, grant=grant) for s, st in a.res_allows if st in strengths]


def explain(a: Analysis, o: Outcome) -> list[Reason]:
    """The reasons of outcome ``o`` of analysis ``a``, in a fixed order: what decided first,
    then the layers that did not apply and the notes."""
    path = o.path
    if path is Path.SPECIAL:
        if a.special is Rule.ROOT_CANNOT_ASSUME_ROLE:
            return [Reason(_NO_ALLOW, Rule.ROOT_CANNOT_ASSUME_ROLE, "principal")]
        return [Reason(_NOTE, Rule.CALLER_IDENTITY_ALWAYS_ALLOWED, "identity")]
    if path is Path.EXPLICIT_DENY:
        return [_statement(_DENY, Rule.DENY_STATEMENT, s) for s in a.denies]
    notes = _exemptions(a)
    if path is Path.ORGANIZATION_NO_ALLOW:
        return _organization_failures(a) + notes
    # the requests that got past the organization policies: a denial lists what failed, an
    # allow every level and layer that allowed
    if path is Path.NON_IAM_NO_ALLOW or path is Path.RESOURCE_POLICY_REQUIRED:
        return [_no_resource(a)] + notes
    if path is Path.CROSS_ACCOUNT_NO_ALLOW:
        head = [_no_resource(a)] if a.best is None else []
        return head + _identity_failures(a, a.id_ok) + [_cross(a)] + notes
    if path is Path.ROLE_ARN_CAPPED:
        rule = Rule.ROLE_ARN_GRANT_CAPPED if a.id_ok else Rule.ROLE_ARN_GRANT_CAPPED_NO_IDENTITY
        return (_grants(a, Grant.ROLE_ARN_CAPPED, MATCH_ROLE) + _identity_failures(a, True)
                + [Reason(_NOTE, rule, o.layer)] + notes)
    if path is Path.IDENTITY_NO_ALLOW:
        tail = [_no_resource(a)] if a.resource_policies and a.best is None else []
        return _identity_failures(a, a.id_ok) + tail + notes
    out = _organization_allows(a)
    if path is Path.NON_IAM_GRANT:
        out += _grants(a, Grant.PRINCIPAL, MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT)
    elif path is Path.CROSS_ACCOUNT_ALLOW:
        out += _grants(a, Grant.CROSS_ACCOUNT, MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT) + _identity_allows(a)
    elif path is Path.OWN_ARN_GRANT:
        out += _grants(a, Grant.OWN_ARN, MATCH_EXACT)
    elif path is Path.ROLE_ARN_GRANT:
        out += _grants(a, Grant.ROLE_ARN, MATCH_ROLE) + [_allow(s) for s, _ in a.b_allows[:1] + a.s_allows[:1]]
    else:  # Path.IDENTITY_ALLOW
        if a.res_required:
            out += _grants(a, Grant.ACCOUNT, MATCH_ACCOUNT)
        out += _identity_allows(a)
    out += notes
    if path is Path.IDENTITY_ALLOW and not a.resource_policies and (a.prefix == "kms" or on_role(a.prefix, a.resource)):
        rule = Rule.KEY_POLICY_NOT_GIVEN if a.prefix == "kms" else Rule.TRUST_POLICY_NOT_GIVEN
        out.append(Reason(_NOTE, rule, "resource"))
    return out
