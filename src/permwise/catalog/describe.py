"""Plain-data views of catalog actions, for renderers (``permwise actions``, JSON output, docs).

Everything here is sorted and JSON-ready (``str``, ``bool``, ``list``, ``dict``).
"""

from __future__ import annotations

from typing import Any

from permwise.catalog.model import ACCESS_LEVEL_ORDER, Action
from permwise.catalog.store import Catalog


def sorted_levels(levels: frozenset[str] | set[str]) -> list[str]:
    """Access levels most privileged first (:data:`ACCESS_LEVEL_ORDER`), unknown names last."""
    rank = {lvl: i for i, lvl in enumerate(ACCESS_LEVEL_ORDER)}
    return sorted(levels, key=lambda lvl: (rank.get(lvl, len(rank)), lvl))


def action_summary(action: Action) -> dict[str, Any]:
    """One row of an expansion: key, access level (primary and full set), resource types."""
    return {
        "action": action.key,
        "access_level": action.access_level,
        "access_levels": sorted_levels(action.access_levels),
        "resource_types": [{"name": r.name, "required": r.required} for r in action.resources],
        "wildcard_only": action.wildcard_only,
    }


def _key_info(cat: Catalog, name: str) -> dict[str, Any]:
    key = cat.condition_key(name)
    if key is None:
        return {"name": name, "type": None, "multivalued": None, "description": ""}
    info: dict[str, Any] = {
        "name": name,
        "type": key.type,
        "multivalued": key.multivalued,
        "description": key.description,
    }
    if key.other_types:
        info["other_types"] = list(key.other_types)
    return info


def action_details(cat: Catalog, action: Action) -> dict[str, Any]:
    """Everything the catalog knows about one action (what ``permwise actions --explain`` shows)."""
    svc = cat.service(action.service)
    resource_types = []
    for res, rt in cat.action_resource_types(action):
        resource_types.append(
            {
                "name": res.name,
                "required": res.required,
                "arn": rt.arn if rt else None,
                # keys the Service Authorization Reference lists on this action's row for the type
                "action_condition_keys": [_key_info(cat, k) for k in res.condition_keys],
                # keys that describe the resource type itself
                "type_condition_keys": [_key_info(cat, k) for k in (rt.condition_keys if rt else ())],
                "dependent_actions": list(res.dependent_actions),
            }
        )
    return {
        "action": action.key,
        "service": action.service,
        "service_name": svc.name if svc else action.service,
        "description": action.description,
        "access_level": action.access_level,
        "access_levels": sorted_levels(action.access_levels),
        "raw_access_level": action.raw_access_level,
        "wildcard_only": action.wildcard_only,
        "resource_types": resource_types,
        "condition_keys": [_key_info(cat, k) for k in action.condition_keys],
        "dependent_actions": list(action.dependent_actions),
    }
