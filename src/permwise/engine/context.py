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
aws:CurrentTime / aws:EpochTime  the evaluation time (UTC), ISO 8601 / epoch seconds
aws:SecureTransport            ``true``
aws:PrincipalTag/<key>         each of the request's ``principal_tags``
=============================  ==================================================================

Keys AWS sets only in some requests (``aws:MultiFactorAuthPresent``, ``aws:SourceIp``,
``aws:PrincipalOrgID``, ``aws:SourceVpce``, service keys, resource and request tags) are never
invented: when a condition needs one that is absent, the key is reported in
``Result.missing_keys``.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from permwise.engine.matching import (
    ANONYMOUS,
    FEDERATED_USER,
    ROLE,
    ROOT,
    SERVICE,
    SESSION,
    USER,
    PrincipalInfo,
)

PRINCIPAL_TYPES = {
    USER: "User",
    ROLE: "AssumedRole",
    SESSION: "AssumedRole",
    FEDERATED_USER: "FederatedUser",
    ROOT: "Account",
    ANONYMOUS: "Anonymous",
}

_clock: list = [None, None, None]  # [second, iso, epoch]


def _now() -> tuple[str, int]:
    sec = int(time.time())
    if _clock[0] != sec:
        _clock[0] = sec
        _clock[1] = datetime.fromtimestamp(sec, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        _clock[2] = sec
    return _clock[1], _clock[2]


def arn_account(arn: str) -> str | None:
    if not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[4]:
        return parts[4]
    return None


def arn_region(arn: str) -> str | None:
    if not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[3] and parts[3] != "*":
        return parts[3]
    return None


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
) -> dict[str, Any]:
    """The full request context (lowercase keys) for one request."""
    iso, epoch = _now()
    ctx = _principal_context(pi).copy()
    ctx["aws:currenttime"] = iso
    ctx["aws:epochtime"] = epoch
    racct = resource_account
    if resource.startswith("arn:"):
        parts = resource.split(":", 5)
        if len(parts) == 6:
            if not racct and parts[4]:
                racct = parts[4]
            if parts[3] and parts[3] != "*":
                ctx["aws:requestedregion"] = parts[3]
    if racct:
        ctx["aws:resourceaccount"] = racct
    if principal_tags:
        for k, v in principal_tags.items():
            ctx["aws:principaltag/" + str(k).lower()] = v
    if context:
        for k, v in context.items():
            ctx[str(k).lower()] = v
    return ctx
