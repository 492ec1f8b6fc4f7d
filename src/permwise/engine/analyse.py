"""Analyse: the per-layer results of one request, computed once.

For each layer in force (every RCP level, every SCP level, the resource-based policy, the
identity-based policies, the permissions boundary, the session policy) :func:`analyse` finds the
statements that match the request and their effect, after deciding which layers apply at all
(the scope: SCPs skip the management account, service-linked roles and non-IAM callers; RCPs
skip unsupported services, the management account's resources, ...). Every policy is scanned
once; the matching ``Deny`` statements of every layer are collected in one list.

The result, :class:`Analysis`, is what :mod:`permwise.engine.decision` orders into a decision (AWS's
flowchart) and :mod:`permwise.engine.explain` turns into :class:`~permwise.engine.reasons.Reason`
objects. Nothing here reads the clock or the catalog: the request carries its instant
(``Request.at``) and the policy set the RCP-supported services (``PolicySet.rcp_services``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from permwise.engine.compile import CompiledPolicy, CompiledStatement, compile_policy
from permwise.engine.conditions import CompiledCondition
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
from permwise.engine.reasons import Rule
from permwise.engine.scope import rcp_exempt_account, scp_exemption

FULL_ACCESS_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_ACCESS_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}

@dataclass(slots=True)
class Request:
    """One request. ``principal``: an IAM ARN (user, role, ``assumed-role`` session,
    ``federated-user``, ``root``), an account id, a service (``lambda.amazonaws.com``), a SAML/OIDC
    provider, a canonical user id, or ``*``/``anonymous``. ``context``: condition keys (any case)
    to values or lists; they override the derived defaults (see ``permwise.engine.context``).
    ``at``: the instant of the request (``aws:CurrentTime``/``aws:EpochTime``), given by the
    caller (one instant per run, ``--at``); None: the time keys are absent unless ``context``
    states them (the engine never reads the clock)."""

    principal: str
    action: str
    resource: str = "*"
    resource_account: str | None = None
    context: dict[str, Any] | None = None
    principal_tags: dict[str, Any] | None = None
    #: ``KeyManager`` of a KMS key resource (``AWS`` or ``CUSTOMER``, from ``DescribeKey``):
    #: RCPs do not apply to AWS managed keys
    resource_key_manager: str | None = None
    at: datetime | None = None


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
    ``rcp_services``: the service prefixes whose resources RCPs apply to (AWS Organizations, "List
    of AWS services that support RCPs"): the catalog's list, passed in by the caller
    (``get_catalog().rcp_supported_services()``, the list the policy linter uses too); required
    when ``rcps`` are given (ValueError otherwise).
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
        "rcp_services",
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
        rcp_services: Collection[str] | None = None,
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
        if rcp_services is None and self.rcps:
            raise ValueError("a PolicySet with RCPs needs `rcp_services` (the services RCPs apply to: "
                             "permwise.catalog.get_catalog().rcp_supported_services())")
        self.rcp_services = frozenset(rcp_services or ())
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


def _default_policy(doc: dict[str, Any], name: str, kind: str) -> CompiledPolicy:
    key = f"{kind}:{name}"
    p = _DEFAULT_CACHE.get(key)
    if p is None:
        p = _DEFAULT_CACHE[key] = compile_policy(doc, name=name, kind=kind, level=None)
    return p


def _levels(levels: list[list[CompiledPolicy]], kind: str, default_doc: dict[str, Any], default_name: str,
            always_default: bool) -> list[tuple[str, list[CompiledPolicy], CompiledPolicy | None]]:
    """[(level name, policies, full_access_default)] with AWS's default full-access policy."""
    out = []
    n = len(levels)
    for i, pols in enumerate(levels):
        name: str | None = next((p.level for p in pols if p.level), None)
        if name is None:
            name = "root" if i == 0 else ("account" if i == n - 1 else f"ou {i}")
        default = always_default or not pols
        out.append((name, pols, _default_policy(default_doc, default_name, kind) if default else None))
    return out


class _Acc:
    __slots__ = ("missing", "errors", "misses")

    def __init__(self, misses: list[tuple[CompiledStatement, CompiledCondition]] | None) -> None:
        self.missing: set[str] = set()
        self.errors: list[str] = []
        #: when explaining: every Allow statement that matched but for a condition, with it
        self.misses = misses


def _applies(s: CompiledStatement, al: str, resource: str, ctx: dict[str, Any], pi: PrincipalInfo, acc: _Acc,
             has_boundary: bool) -> str | None:
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
            matched = pm.match(pi)
            if matched is None:
                return None
            strength = matched
    conds = s.conditions
    if conds:
        deny = s.effect == "Deny"
        n_err = len(acc.errors)
        for i, c in enumerate(conds):
            if not c.evaluate(ctx, acc.missing, acc.errors, deny):
                if acc.misses is not None and not deny:
                    acc.misses.append((s, c))
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


def _scan(policies: list[CompiledPolicy], prefix: str, al: str, resource: str, ctx: dict[str, Any],
          pi: PrincipalInfo, acc: _Acc, has_boundary: bool,
          denies: list[CompiledStatement]) -> list[tuple[CompiledStatement, str]]:
    """Append matching Deny statements to ``denies``; return matching Allow statements."""
    allows: list[tuple[CompiledStatement, str]] = []
    for p in policies:
        hit = p._by_prefix.get(prefix)
        for s in p.statements_for(prefix, al) if hit is None else hit:
            am = s.actions  # inlined ActionMatcher.matches (hot path); set for every indexed statement
            m = am.match_all or al in am.literals or am.partial(al)  # type: ignore[union-attr]
            if m == s.not_action:
                continue
            if s.always:
                strength = MATCH_EXACT
            else:
                applies = _applies(s, al, resource, ctx, pi, acc, has_boundary)
                if applies is None:
                    continue
                strength = applies
            if s.effect == "Deny":
                denies.append(s)
            else:
                allows.append((s, strength))
    return allows


#: condition keys whose fixed values make a bucket-policy statement non-public (Amazon S3 User
#: Guide, "Blocking public access to your Amazon S3 storage", "The meaning of 'public'")
_NON_PUBLIC_KEYS = frozenset({
    "aws:sourceip", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner",
    "aws:sourceaccount", "aws:userid", "aws:principalaccount", "aws:principalarn", "aws:principalorgid",
    "aws:principalorgpaths", "s3:dataaccesspointarn", "s3:dataaccesspointaccount",
})
_POSITIVE_FIXED = ("stringequals", "stringequalsignorecase", "arnequals", "stringlike", "arnlike", "ipaddress")


def statement_is_public(raw: dict[str, Any]) -> bool:
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




# --------------------------------------------------------------------------------------------
# the analysis of one request

#: actions with a rule of their own that no policy can change (lowercase)
_SPECIAL = frozenset({"sts:getcalleridentity", "sts:assumerole"})

GET_CALLER_IDENTITY_PAGE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"
ASSUME_ROLE_PAGE = "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"

#: the order in which matching Deny statements are reported: the deciding one first
_DENY_ORDER = {"rcp": 0, "scp": 1, "resource": 2, "trust": 2, "identity": 3, "boundary": 4, "session": 5}

_NON_IAM = (SERVICE, ANONYMOUS, WEB_IDENTITY, CANONICAL)

#: one SCP/RCP level as analysed: (level name, its own policies, the matching Allow statements)
LevelResult = tuple[str, list[CompiledPolicy], list[tuple[CompiledStatement, str]]]


class Analysis:
    """Everything :func:`analyse` found for one request: the scope (``special``,
    ``scp_exemption``, ``rcp_exemption``), each layer's matching statements (``rcp_levels``,
    ``scp_levels``, ``res_allows``, ``id_allows``, ``b_allows``, ``s_allows``, each Allow with
    its principal match strength; ``denies``: every matching Deny, the deciding one first) and,
    after :meth:`derive`, the facts derived from them that the decision reads (``id_ok``,
    ``b_ok``, ``s_ok``, ``identity_path``, ``best``, ``cross``, ``non_iam``, ``res_required``)."""

    __slots__ = (
        "ps", "request", "pi", "action", "prefix", "resource", "ctx", "special", "scp_exemption",
        "rcp_exemption", "rcp_levels", "scp_levels", "resource_policies", "res_allows", "public_restricted",
        "id_allows", "b_allows", "s_allows", "denies", "missing", "errors", "p_account", "r_account",
        "non_iam", "cross", "id_ok", "b_ok", "s_ok", "identity_path", "best", "res_required", "misses",
    )

    ps: PolicySet
    request: Request
    pi: PrincipalInfo
    action: str
    prefix: str
    resource: str
    ctx: dict[str, Any]
    #: an AWS rule no policy can change decides (sts:GetCallerIdentity, root and sts:AssumeRole)
    special: Rule | None
    #: why the SCPs / RCPs do not apply (None: they apply, or there are none)
    scp_exemption: Rule | None
    rcp_exemption: Rule | None
    rcp_levels: list[LevelResult]
    scp_levels: list[LevelResult]
    #: the resource-based policies that govern the request (a trust policy only for sts: actions)
    resource_policies: list[CompiledPolicy]
    res_allows: list[tuple[CompiledStatement, str]]
    #: S3 Block Public Access (RestrictPublicBuckets) took the public bucket policy's grants away
    public_restricted: bool
    id_allows: list[tuple[CompiledStatement, str]]
    b_allows: list[tuple[CompiledStatement, str]]
    s_allows: list[tuple[CompiledStatement, str]]
    denies: list[CompiledStatement]
    #: (explaining only) the Allow statements that matched all but a condition, with that
    #: condition, in scan order; None on the decision-only path
    misses: list[tuple[CompiledStatement, CompiledCondition]] | None
    missing: list[str]
    errors: list[str]
    p_account: str | None
    r_account: str | None
    #: a service, anonymous caller or web identity: no identity-based policies, no SCPs
    non_iam: bool
    #: principal and resource accounts known and different (an IAM principal)
    cross: bool
    id_ok: bool
    b_ok: bool
    s_ok: bool
    #: identity-based policies, boundary and session policy all allow
    identity_path: bool
    #: the strongest principal match of the resource-based grants (exact > role > account)
    best: str | None
    #: the resource-based policy must allow (trust and KMS key policies)
    res_required: bool

    def derive(self) -> None:
        """Fill the facts steps 4 and 5 of the decision read (``id_ok``, ``b_ok``, ``s_ok``,
        ``identity_path``, ``non_iam``, ``cross``, ``best``, ``res_required``). Called by the
        decision once no explicit deny and no organization level has decided (most denials
        never need them)."""
        ps = self.ps
        kind = self.pi.kind
        self.id_ok = id_ok = bool(self.id_allows) or kind == ROOT
        self.b_ok = b_ok = (not ps.boundary) or bool(self.b_allows)
        self.s_ok = s_ok = (not ps.session) or bool(self.s_allows)
        self.identity_path = id_ok and b_ok and s_ok
        self.non_iam = non_iam = kind in _NON_IAM or (kind == UNKNOWN and not self.pi.account)
        p_account, r_account = self.p_account, self.r_account
        self.cross = p_account is not None and r_account is not None and p_account != r_account and not non_iam
        best = None
        res_allows = self.res_allows
        if res_allows:
            strengths = {st for _s, st in res_allows}
            best = next((m for m in (MATCH_EXACT, MATCH_ROLE, MATCH_ACCOUNT) if m in strengths), None)
        self.best = best
        res_required = False
        res_pols = self.resource_policies
        if res_pols:
            required = ps.resource_policy_required
            if required is None:
                prefix = self.prefix
                res_required = (any(p.kind == "trust" for p in res_pols) or prefix == "kms"
                                or on_role(prefix, self.resource))
            else:
                res_required = required
        self.res_required = res_required

    @property
    def id_layer(self) -> str:
        """The first identity-side layer without an allow."""
        return "identity" if not self.id_ok else ("boundary" if not self.b_ok else "session")


def on_role(prefix: str, resource: str) -> bool:
    """An STS action (``sts:AssumeRole*``, ``sts:TagSession``, ...) on an IAM role: the role's
    resource-based policy is its trust policy, which must allow (AWS "IAM roles": a role trust
    policy is a required resource-based policy; "Policy evaluation logic": a role can be assumed
    only if its trust policy allows, even within one account)."""
    return prefix == "sts" and ":role/" in resource and resource.startswith("arn:") and ":iam::" in resource


def _special(al: str, pi: PrincipalInfo) -> Rule | None:
    """``sts:GetCallerIdentity`` needs no permission and cannot be denied (AWS STS API
    Reference, "GetCallerIdentity": "No permissions are required to perform this operation. If
    an administrator attaches a policy to your identity that explicitly denies access to the
    sts:GetCallerIdentity action, you can still perform this operation"). The root user cannot
    call ``sts:AssumeRole`` (AWS STS API Reference, "AssumeRole": the root user's credentials
    cannot be used to call it; use an IAM user or role)."""
    if al == "sts:getcalleridentity":
        return Rule.CALLER_IDENTITY_ALWAYS_ALLOWED
    if al == "sts:assumerole" and pi.kind == ROOT:
        return Rule.ROOT_CANNOT_ASSUME_ROLE
    return None


def _scp_exemption(ps: PolicySet, pi: PrincipalInfo, p_account: str | None, service_linked: bool) -> Rule | None:
    """Why SCPs do not apply to the request, or None (AWS Organizations, "Service control
    policies": SCPs affect only IAM users and roles of member accounts, never the management
    account, never service-linked roles)."""
    if ps.scp_exempt is not None:
        return Rule.SCP_EXEMPT_FORCED if ps.scp_exempt else None
    return scp_exemption(pi, ps.management_account_id, account=p_account, service_linked=service_linked)


def _rcp_exemption(ps: PolicySet, req: Request, al: str, prefix: str, resource: str, r_account: str | None,
                   service_linked: bool) -> Rule | None:
    """Why RCPs do not apply to the request, or None (AWS Organizations, "Resource control
    policies": RCPs apply to resources of RCP-supported services in member accounts; not to the
    management account's resources, not to requests by service-linked roles, not to a service
    assuming its service-linked role; AWS KMS, "Resource control policies in AWS KMS": not to
    ``kms:RetireGrant`` nor to AWS managed keys)."""
    if ps.rcp_exempt is not None:
        return Rule.RCP_EXEMPT_FORCED if ps.rcp_exempt else None
    if prefix not in ps.rcp_services:
        return Rule.RCP_UNSUPPORTED_SERVICE
    if rcp_exempt_account(r_account, ps.management_account_id):
        return Rule.RCP_MANAGEMENT_ACCOUNT
    if service_linked:
        return Rule.RCP_SERVICE_LINKED_ROLE
    if ":role/aws-service-role/" in resource and al.startswith("sts:assumerole"):
        return Rule.RCP_SERVICE_ASSUMES_ITS_ROLE
    if al == "kms:retiregrant":
        return Rule.RCP_KMS_RETIRE_GRANT
    if prefix == "kms" and (req.resource_key_manager or "").upper() == "AWS":
        return Rule.RCP_AWS_MANAGED_KEY
    return None


def _restrict_public(ps: PolicySet, pi: PrincipalInfo, ctx: dict[str, Any]) -> bool:
    """S3 Block Public Access ``RestrictPublicBuckets``: with a public bucket policy, only AWS
    service principals and principals of the bucket owner's account are granted by it (Amazon S3
    User Guide, "Blocking public access to your Amazon S3 storage": "restricts access to an
    access point or bucket with a public policy to only AWS service principals and authorized
    users within the bucket owner's account ... blocks all cross-account access"). True when
    the bucket policy's grants are taken away for this caller."""
    public = any(statement_is_public(s.raw) for p in ps.resource for s in p.statements)
    if not public or pi.kind == SERVICE:
        return False
    owner = ctx.get("aws:resourceaccount")
    return not (isinstance(owner, str) and pi.account is not None and pi.account == owner)


def analyse(ps: PolicySet, req: Request, explain: bool = False) -> Analysis:
    """The per-layer results of ``req`` against ``ps`` (see :class:`Analysis`); ``explain``:
    also keep the near misses (``misses``) an explanation reports."""
    a = Analysis()
    pi = parse_principal(req.principal)
    action = req.action
    al = action.lower()
    prefix = al.partition(":")[0]
    resource = req.resource if req.resource is not None else "*"
    ctx = build_context(pi, resource, req.resource_account, req.context, req.principal_tags, req.at)
    a.ps = ps
    a.request = req
    a.pi = pi
    a.action = action
    a.prefix = prefix
    a.resource = resource
    a.ctx = ctx
    special = _special(al, pi) if al in _SPECIAL else None
    a.special = special
    if special is not None:  # AWS's special authorization rules: no policy is read
        a.scp_exemption = a.rcp_exemption = None
        a.rcp_levels, a.scp_levels, a.resource_policies = [], [], []
        a.res_allows, a.id_allows, a.b_allows, a.s_allows = [], [], [], []
        a.denies, a.missing, a.errors, a.misses = [], [], [], []
        a.public_restricted = False
        a.p_account = a.r_account = None
        return a

    a.misses = [] if explain else None
    acc = _Acc(a.misses)
    has_boundary = bool(ps.boundary)
    denies: list[CompiledStatement] = []
    principal_arn = ctx.get("aws:principalarn")
    service_linked = pi.service_linked or (
        isinstance(principal_arn, str) and ":role/aws-service-role/" in principal_arn
    )
    p_account = ctx.get("aws:principalaccount") if pi.account else None
    r_account = ctx.get("aws:resourceaccount")
    if not isinstance(r_account, str):
        r_account = None

    # --- which organization policies apply ------------------------------------------------
    scp_levels = ps._scp_levels
    a.scp_exemption = None
    if scp_levels:
        a.scp_exemption = _scp_exemption(ps, pi, p_account, service_linked)
        if a.scp_exemption is not None:
            scp_levels = []
    rcp_levels = ps._rcp_levels
    a.rcp_exemption = None
    if rcp_levels:
        a.rcp_exemption = _rcp_exemption(ps, req, al, prefix, resource, r_account, service_linked)
        if a.rcp_exemption is not None:
            rcp_levels = []

    # --- scan every applicable policy once ------------------------------------------------
    rcp_results: list[LevelResult] = []
    for name, pols, default in rcp_levels:
        allows = _scan(pols, prefix, al, resource, ctx, pi, acc, has_boundary, denies)
        if default is not None and not allows:
            allows = _scan([default], prefix, al, resource, ctx, pi, acc, has_boundary, denies)
        rcp_results.append((name, pols, allows))
    scp_results: list[LevelResult] = []
    for name, pols, default in scp_levels:
        use = pols if default is None else [default]
        scp_results.append((name, pols, _scan(use, prefix, al, resource, ctx, pi, acc, has_boundary, denies)))
    res_pols = ps.resource
    if res_pols and prefix != "sts" and any(p.kind == "trust" for p in res_pols):
        # a role's trust policy governs only the STS actions on the role (AWS "IAM roles",
        # "Role trust policy"); iam:GetRole on the role is decided by identity policies
        res_pols = [p for p in res_pols if p.kind != "trust"]
    res_allows = _scan(res_pols, prefix, al, resource, ctx, pi, acc, has_boundary, denies) if res_pols else []
    public_restricted = False
    if res_allows and ps.s3_restrict_public and prefix == "s3" and _restrict_public(ps, pi, ctx):
        res_allows, public_restricted = [], True
    id_allows = _scan(ps.identity, prefix, al, resource, ctx, pi, acc, has_boundary, denies)
    b_allows = _scan(ps.boundary, prefix, al, resource, ctx, pi, acc, has_boundary, denies) if has_boundary else []
    s_allows = _scan(ps.session, prefix, al, resource, ctx, pi, acc, has_boundary, denies) if ps.session else []
    if len(denies) > 1:
        denies.sort(key=lambda s: _DENY_ORDER.get(s.policy.kind, 9))

    a.rcp_levels = rcp_results
    a.scp_levels = scp_results
    a.resource_policies = res_pols
    a.res_allows = res_allows
    a.public_restricted = public_restricted
    a.id_allows = id_allows
    a.b_allows = b_allows
    a.s_allows = s_allows
    a.denies = denies
    a.missing = sorted(acc.missing)
    a.errors = list(dict.fromkeys(acc.errors)) if acc.errors else []
    a.p_account = p_account
    a.r_account = r_account

    return a
