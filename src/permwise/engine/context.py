"""The request context: what AWS derives for a request, filled before evaluation.

Every default below can be overridden by the caller's ``context`` (a key given by the caller
always wins). Key names are case-insensitive (AWS "AWS global condition context keys"), so the
engine stores them lowercase.

=============================  ==================================================================
key                            default
=============================  ==================================================================
aws:PrincipalArn               the principal's ARN; for a role session the *role* ARN
                               (``arn:aws:iam::<acct>:role/<name>``, path unknown: pass it in
                               ``context`` when a policy matches on the path); for the root user
                               ``arn:aws:iam::<acct>:root``. Absent for services and anonymous.
aws:PrincipalAccount           the account of the principal ARN
aws:PrincipalType              ``User``, ``AssumedRole``, ``FederatedUser``, ``Account`` (root);
                               ``Anonymous`` for ``*``/``anonymous``. Absent for services.
aws:username                   the IAM user's friendly name (IAM users only)
aws:userid                     root: the account id; federated user: ``<acct>:<name>``. For users
                               and roles the unique id (``AIDA…``/``AROA…:session``) is not known
                               offline: pass it in ``context`` when policies use it.
aws:PrincipalIsAWSService      ``true`` for a service principal (``*.amazonaws.com``), else
                               ``false``
aws:PrincipalServiceName       the service principal's name (service principals only)
aws:ResourceAccount            ``resource_account`` of the request, else the account field of
                               the resource ARN (absent when neither is known, e.g. S3 ARNs)
aws:RequestedRegion            the region field of the resource ARN, when it has one
aws:CurrentTime / aws:EpochTime  the request's instant (``Request.at``, UTC), ISO 8601 / epoch seconds;
                               absent when the caller gives no instant
aws:SecureTransport            ``true``
aws:PrincipalTag/<key>         each of the request's ``principal_tags``
=============================  ==================================================================

Keys AWS sets only in some requests (``aws:MultiFactorAuthPresent``, ``aws:SourceIp``,
``aws:PrincipalOrgID``, ``aws:SourceVpce``, service keys, resource and request tags) are never
invented by :func:`build_context`: when a condition needs one that is absent, the key is reported
in ``Result.missing_keys``.

The **request-context model** (:func:`derived_context`, below) is the fuller picture: the keys
AWS always or usually sends for a principal kind and credential type, built from what a snapshot
knows (:class:`PrincipalFacts`, :class:`ResourceFacts`) and what only the user knows
(:class:`Runtime`, the deployment config's ``runtime``). ``check``, ``audit``,
``who-can-assume`` and ``simulate`` flag mode use it; ``simulate --jsonl`` uses it only when a
case asks (``derive_context``). A key the model cannot know (source IP, VPC endpoint, MFA of a
session, session tags, the session name) is *unknown* (:class:`Unknown`), never silently absent:
see :mod:`permwise.engine.depends`. The table of every key is docs/context.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from permwise.catalog.arn import Arn, arn_account, arn_region
from permwise.engine.matching import (
    ANONYMOUS,
    FEDERATED_USER,
    ROLE,
    ROOT,
    SERVICE,
    SESSION,
    USER,
    PrincipalInfo,
    parse_principal,
)

PRINCIPAL_TYPES = {
    USER: "User",
    ROLE: "AssumedRole",
    SESSION: "AssumedRole",
    FEDERATED_USER: "FederatedUser",
    ROOT: "Account",
    ANONYMOUS: "Anonymous",
}

_instant_memo: list[Any] = [None, "", 0]  # [the last instant, its ISO text, its epoch seconds]


def _instant(at: datetime) -> tuple[str, int]:
    """``aws:CurrentTime`` and ``aws:EpochTime`` of ``at`` (the last one is kept: a run has one)."""
    memo = _instant_memo
    if memo[0] is not at:
        epoch = int(at.timestamp())
        memo[1] = datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        memo[2] = epoch
        memo[0] = at
    return memo[1], memo[2]


def _principal_context(pi: PrincipalInfo) -> dict[str, Any]:
    """The keys derived from the principal alone (cached on the PrincipalInfo)."""
    base = pi.context_cache
    if base is not None:
        return base
    ctx: dict[str, Any] = {"aws:securetransport": "true"}
    kind = pi.kind
    if kind == SERVICE:
        ctx["aws:principalisawsservice"] = "true"
        ctx["aws:principalservicename"] = pi.arn
    else:
        ctx["aws:principalisawsservice"] = "false"
    ptype = PRINCIPAL_TYPES.get(kind)
    if ptype:
        ctx["aws:principaltype"] = ptype
    if pi.account:
        ctx["aws:principalaccount"] = pi.account
        if kind == SESSION or kind == ROLE:
            ctx["aws:principalarn"] = pi.role_arn
        elif kind in (USER, ROOT, FEDERATED_USER):
            ctx["aws:principalarn"] = pi.arn
        if kind == USER:
            ctx["aws:username"] = pi.name
        elif kind == ROOT:
            ctx["aws:userid"] = pi.account
        elif kind == FEDERATED_USER:
            ctx["aws:userid"] = f"{pi.account}:{pi.name}"
    pi.context_cache = ctx
    return ctx


def build_context(
    pi: PrincipalInfo,
    resource: str,
    resource_account: str | None,
    context: dict[str, Any] | None,
    principal_tags: dict[str, Any] | None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The full request context (lowercase keys) for one request. ``at``: the request's instant
    (``aws:CurrentTime``, ``aws:EpochTime``), given by the caller; None: no time keys (unless
    ``context`` has them)."""
    if type(context) is LowerKeys and "aws:currenttime" in context and not principal_tags:
        # a caller that built the whole context (``check``, from the request-context model):
        # only what it left out is derived
        ctx = _principal_context(pi).copy()
        ctx.update(context)
        if "aws:resourceaccount" not in ctx:
            racct = resource_account or arn_account(resource)
            if racct:
                ctx["aws:resourceaccount"] = racct
        if "aws:requestedregion" not in ctx and resource.startswith("arn:"):
            region = arn_region(resource)
            if region:
                ctx["aws:requestedregion"] = region
        return ctx
    ctx = _principal_context(pi).copy()
    if at is not None:
        ctx["aws:currenttime"], ctx["aws:epochtime"] = _instant(at)
    racct = resource_account
    arn = Arn.parse(resource)
    if arn is not None:
        if not racct and arn.account:
            racct = arn.account
        if arn.concrete_region:
            ctx["aws:requestedregion"] = arn.concrete_region
    if racct:
        ctx["aws:resourceaccount"] = racct
    if principal_tags:
        for k, v in principal_tags.items():
            ctx["aws:principaltag/" + str(k).lower()] = v
    if context:
        if type(context) is LowerKeys:
            ctx.update(context)
        else:
            for k, v in context.items():
                ctx[str(k).lower()] = v
    return ctx


class LowerKeys(dict[str, Any]):
    """A request context whose keys are already lowercase (the engine's form): merged without
    lowercasing each key again (callers that build many contexts, such as ``check``)."""

    __slots__ = ()


# =============================================================================================
# The request-context model
# =============================================================================================

#: AWS's page for every ``aws:`` key below
GLOBAL_KEYS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
#: AWS's page listing the services whose control plane (their API endpoint) sits in one region
GLOBAL_SERVICES_PAGE = "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html"

#: ``aws:RequestedRegion`` of the global services: service prefix -> the one region every call
#: of the service goes to, in the ``aws`` partition. From AWS's "Global services" page (AWS Fault
#: Isolation Boundaries: "partitional services" and "global services in the edge network", each
#: with the region of its control plane) and the ``aws:RequestedRegion`` entry of the global
#: condition keys page ("IAM calls are always made to the us-east-1 Region"). One table, one
#: source: a service not listed here is regional and is called in the configured region.
GLOBAL_ENDPOINT_REGIONS: dict[str, str] = {
    "iam": "us-east-1",  # AWS IAM
    "organizations": "us-east-1",  # AWS Organizations
    "account": "us-east-1",  # AWS Account Management
    "route53": "us-east-1",  # Amazon Route 53 (control plane)
    "cloudfront": "us-east-1",  # Amazon CloudFront
    "waf": "us-east-1",  # AWS WAF Classic (global)
    "shield": "us-east-1",  # AWS Shield Advanced
    "globalaccelerator": "us-west-2",  # AWS Global Accelerator
    "networkmanager": "us-west-2",  # AWS Network Manager
    "route53-recovery-control-config": "us-west-2",  # Route 53 Application Recovery Controller
    "route53-recovery-readiness": "us-west-2",  # Route 53 Application Recovery Controller
}


def requested_region(action: str, resource: str, default: str | None) -> str | None:
    """``aws:RequestedRegion`` of a call: the global service's region (:data:`GLOBAL_ENDPOINT_REGIONS`),
    else the region field of the resource ARN, else ``default`` (the configured region)."""
    prefix = action.partition(":")[0].lower()
    g = GLOBAL_ENDPOINT_REGIONS.get(prefix)
    if g is not None:
        return g
    r = arn_region(resource) if resource and resource != "*" else None
    if r:
        return r
    return default


# ---------------------------------------------------------------------------------------------
# the instant


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant (``2026-01-01T00:00:00Z``, a date, or epoch seconds) as UTC;
    ValueError when it is none of these."""
    t = str(text).strip()
    if t.isdigit():
        return datetime.fromtimestamp(int(t), timezone.utc)
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    d = datetime.fromisoformat(t)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.astimezone(timezone.utc).replace(microsecond=0)


def instant_keys(at: datetime) -> dict[str, Any]:
    return {"aws:CurrentTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "aws:EpochTime": str(int(at.timestamp()))}


# ---------------------------------------------------------------------------------------------
# facts and runtime

TEMPORARY = "temporary"  # role sessions, federated users: STS credentials
LONG_TERM = "long-term"  # IAM users and the root user: access keys


@dataclass(frozen=True, slots=True)
class Runtime:
    """What only the user knows about the tool's own requests (deployment config ``runtime``,
    for all profiles or per profile). ``None`` means *not stated*: the key is unknown, and a
    decision that turns on it is conditional."""

    source_ip: str | None = None
    vpc_endpoint: str | None = None  # aws:SourceVpce
    vpc: str | None = None  # aws:SourceVpc
    mfa: bool | None = None  # the session was created with MFA
    session_name: str | None = None
    session_tags: Mapping[str, str] | None = None  # None: not stated (unknown); {}: none
    at: datetime | None = None

    def merged(self, other: Runtime | None) -> Runtime:
        """This runtime with ``other``'s stated fields on top (per-profile over all)."""
        if other is None:
            return self
        kw = {f: getattr(other, f) if getattr(other, f) is not None else getattr(self, f)
              for f in ("source_ip", "vpc_endpoint", "vpc", "mfa", "session_name", "session_tags", "at")}
        return Runtime(**kw)


@dataclass(frozen=True, slots=True)
class PrincipalFacts:
    """What a snapshot (or a case) knows about the requesting principal. ``arn``: the request's
    principal (a user, role, ``assumed-role`` session, federated-user or root ARN, an account
    id, or a service name). A role ARN stands for a session of that role (the tool's own calls).
    ``role_arn``: the role's ARN *with its path* (for sessions); ``unique_id``: ``AIDA…`` /
    ``AROA…`` (from authorization details)."""

    arn: str
    unique_id: str | None = None
    role_arn: str | None = None
    org_id: str | None = None
    org_paths: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ResourceFacts:
    """What a snapshot knows about the resource: its account, that account's organization and
    path, and its tags."""

    account: str | None = None
    org_id: str | None = None
    org_paths: tuple[str, ...] = ()
    tags: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Unknown:
    """A key nobody stated. ``base``: the value the decision is made with (``None``: absent);
    ``probes``: values it may also have (besides the values policies test, which are probed
    too); ``prefix``: only policy values starting with it are possible (``aws:userid`` of a
    session: the role's unique id). The words for a key live in
    :func:`permwise.report.reasons.unknown_words`."""

    key: str
    base: Any = None
    probes: tuple[Any, ...] = ()
    prefix: str | None = None


def _session_kind(pi: PrincipalInfo) -> bool:
    return pi.kind in (ROLE, SESSION)


def credential_type(pi: PrincipalInfo) -> str | None:
    if pi.kind in (ROLE, SESSION, FEDERATED_USER):
        return TEMPORARY
    if pi.kind in (USER, ROOT):
        return LONG_TERM
    return None


def derived_context(
    principal: PrincipalFacts | str,
    action: str,
    resource: str = "*",
    *,
    region: str | None = None,
    resource_facts: ResourceFacts | None = None,
    runtime: Runtime | None = None,
) -> tuple[dict[str, Any], dict[str, Unknown]]:
    """The request context AWS sends for ``principal`` calling ``action`` on ``resource``
    (the keys of docs/context.md, written in AWS's case), and the keys that are unknown.

    ``region``: the configured region the tool calls (global services go to their own region,
    see :func:`requested_region`). ``runtime``: what the user stated; fields left ``None`` make
    their keys unknown, except ``runtime.at``, the request's instant, which the caller must give
    (``--at`` or the run's start: the engine never reads the clock); ValueError without it."""
    facts = principal if isinstance(principal, PrincipalFacts) else PrincipalFacts(str(principal))
    rt = runtime or Runtime()
    pi = parse_principal(facts.arn)
    kind = pi.kind
    ctx: dict[str, Any] = {"aws:SecureTransport": "true"}
    unknown: dict[str, Unknown] = {}
    at = rt.at
    if at is None:
        raise ValueError("derived_context needs the instant of the request (`Runtime.at`)")
    ctx.update(instant_keys(at))
    if kind == SERVICE:
        ctx["aws:PrincipalIsAWSService"] = "true"
        ctx["aws:PrincipalServiceName"] = facts.arn
    else:
        ctx["aws:PrincipalIsAWSService"] = "false"
        # the tool calls AWS directly: no service makes the call on its behalf
        ctx["aws:ViaAWSService"] = "false"
    ptype = PRINCIPAL_TYPES.get(kind)
    if ptype and kind != ANONYMOUS:
        ctx["aws:PrincipalType"] = ptype
    if pi.account and kind in (USER, ROLE, SESSION, FEDERATED_USER, ROOT):
        ctx["aws:PrincipalAccount"] = pi.account
        if kind in (ROLE, SESSION):
            ctx["aws:PrincipalArn"] = facts.role_arn or (pi.arn if kind == ROLE else pi.role_arn)
        else:
            ctx["aws:PrincipalArn"] = pi.arn
        if facts.org_id:
            ctx["aws:PrincipalOrgID"] = facts.org_id
            if facts.org_paths:
                ctx["aws:PrincipalOrgPaths"] = list(facts.org_paths)
    # identity keys
    if kind == USER:
        ctx["aws:username"] = pi.name
        if facts.unique_id:
            ctx["aws:userid"] = facts.unique_id
    elif kind == ROOT:
        ctx["aws:userid"] = pi.account
    elif kind == FEDERATED_USER:
        ctx["aws:userid"] = f"{pi.account}:{pi.name}"
    elif kind in (ROLE, SESSION):
        session = pi.session_name if kind == SESSION else rt.session_name
        if facts.unique_id:
            if session:
                ctx["aws:userid"] = f"{facts.unique_id}:{session}"
            else:
                ctx["aws:userid"] = f"{facts.unique_id}:{UNSTATED_SESSION}"
                unknown["aws:userid"] = Unknown("aws:userid", ctx["aws:userid"], (),
                                                f"{facts.unique_id}:")
    # tags: the principal's, then session tags on top (session tags win, AWS "Passing session tags")
    tags = dict(facts.tags)
    if _session_kind(pi):
        if rt.session_tags is not None:
            tags.update(rt.session_tags)
        else:
            unknown["aws:principaltag/"] = Unknown("aws:PrincipalTag/")
    for k, v in tags.items():
        ctx[f"aws:PrincipalTag/{k}"] = v
    # credentials
    ctype = credential_type(pi)
    if ctype == TEMPORARY:
        ctx["aws:TokenIssueTime"] = ctx["aws:CurrentTime"]
        if rt.mfa is None:
            ctx["aws:MultiFactorAuthPresent"] = "false"
            unknown["aws:multifactorauthpresent"] = Unknown(
                "aws:MultiFactorAuthPresent", "false", ("true",))
        else:
            ctx["aws:MultiFactorAuthPresent"] = "true" if rt.mfa else "false"
    elif ctype == LONG_TERM and rt.mfa:
        ctx["aws:MultiFactorAuthPresent"] = "true"
    # network origin
    if kind not in (SERVICE, ANONYMOUS):
        if rt.source_ip:
            ctx["aws:SourceIp"] = rt.source_ip
        if rt.vpc_endpoint:
            ctx["aws:SourceVpce"] = rt.vpc_endpoint
        if rt.vpc:
            ctx["aws:SourceVpc"] = rt.vpc
        stated = rt.source_ip or rt.vpc_endpoint or rt.vpc
        if not stated:
            unknown["aws:sourceip"] = Unknown("aws:SourceIp", None, ("192.0.2.1",))
            unknown["aws:sourcevpce"] = Unknown("aws:SourceVpce")
            unknown["aws:sourcevpc"] = Unknown("aws:SourceVpc")
        elif rt.vpc_endpoint and not rt.vpc:
            unknown["aws:sourcevpc"] = Unknown("aws:SourceVpc")
    ctx.update(call_keys(action, resource, region, resource_facts))
    return ctx, unknown


def call_keys(action: str, resource: str, region: str | None, rf: ResourceFacts | None) -> dict[str, Any]:
    """The keys of one call: ``aws:RequestedRegion`` and the resource's account, organization
    and tags."""
    ctx: dict[str, Any] = {}
    rr = requested_region(action, resource, region) if action else region
    if rr:
        ctx["aws:RequestedRegion"] = rr
    racct = (rf.account if rf else None) or arn_account(resource)
    if racct and racct.isdigit():
        ctx["aws:ResourceAccount"] = racct
    if rf is not None:
        if rf.org_id:
            ctx["aws:ResourceOrgID"] = rf.org_id
            if rf.org_paths:
                ctx["aws:ResourceOrgPaths"] = list(rf.org_paths)
        for k, v in (rf.tags or {}).items():
            ctx[f"aws:ResourceTag/{k}"] = v
    return ctx


#: the session name a role session is evaluated with when nobody stated it (``aws:userid`` is
#: then unknown: a decision that turns on the session name is conditional)
UNSTATED_SESSION = "permwise-unstated-session"


def facts_from_dict(d: Mapping[str, Any] | None, principal: str) -> tuple[PrincipalFacts, ResourceFacts, Runtime, str | None]:
    """Facts, runtime and region from a ``simulate`` case's ``derive_context`` object (see
    docs/simulate.md): ``principal_id``, ``role_arn``, ``org_id``, ``org_paths``,
    ``resource_org_id``, ``resource_org_paths``, ``resource_tags``, ``region``, ``at``,
    ``source_ip``, ``vpc_endpoint``, ``vpc``, ``mfa``, ``session_name``, ``session_tags``.
    ValueError for a bad value."""
    d = dict(d or {})

    def paths(v: Any) -> tuple[str, ...]:
        if v is None:
            return ()
        return tuple(str(x) for x in (v if isinstance(v, list) else [v]))

    at = parse_instant(str(d["at"])) if d.get("at") is not None else None
    mfa = d.get("mfa")
    if mfa is not None and not isinstance(mfa, bool):
        raise ValueError("`derive_context.mfa` must be true or false")
    pf = PrincipalFacts(principal, d.get("principal_id"), d.get("role_arn"), d.get("org_id"),
                        paths(d.get("org_paths")), dict(d.get("principal_tags") or {}))
    rf = ResourceFacts(d.get("resource_account"), d.get("resource_org_id"), paths(d.get("resource_org_paths")),
                       dict(d["resource_tags"]) if d.get("resource_tags") is not None else None)
    st = d.get("session_tags")
    rt = Runtime(d.get("source_ip"), d.get("vpc_endpoint"), d.get("vpc"), mfa, d.get("session_name"),
                 dict(st) if st is not None else None, at)
    return pf, rf, rt, d.get("region")
