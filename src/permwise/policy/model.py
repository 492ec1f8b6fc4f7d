"""The policy document model: small, read-only records that keep JSON pointers.

A :class:`PolicyDocument` is built leniently from any JSON object: malformed parts are kept as
they are (``raw``) and reported by validation, never raised. Elements that hold values
(Action, Resource, ...) are normalised to tuples of :class:`Item` (value + pointer), so that a
finding can point at ``/Statement/2/Action/4`` without re-walking the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise.sources import Source

#: Policy types, as used across permwise (same names as ``permwise.engine`` kinds).
POLICY_TYPES: tuple[str, ...] = ("identity", "resource", "trust", "scp", "rcp", "boundary", "session")

#: Human names for messages and docs.
TYPE_NAMES = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "trust": "role trust policy",
    "scp": "service control policy (SCP)",
    "rcp": "resource control policy (RCP)",
    "boundary": "permissions boundary",
    "session": "session policy",
}

#: Where a policy of a given type is attached decides its size limit (see P002).
ATTACHMENTS: tuple[str, ...] = ("managed", "user", "group", "role")

STATEMENT_ELEMENTS: tuple[str, ...] = (
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
    "Resource", "NotResource", "Condition",
)
TOP_LEVEL_ELEMENTS: tuple[str, ...] = ("Version", "Id", "Statement")


@dataclass(frozen=True, slots=True)
class Item:
    """One string value of an element and where it is."""

    value: Any
    pointer: str


@dataclass(slots=True)
class Statement:
    index: int
    pointer: str
    raw: Any
    sid: Any = None
    effect: Any = None
    #: ``"Action"`` or ``"NotAction"`` (``None`` when missing or both present)
    action_key: str | None = None
    actions: tuple[Item, ...] = ()
    resource_key: str | None = None
    resources: tuple[Item, ...] = ()
    principal_key: str | None = None
    #: normalised principal: ``"*"`` or ``{"AWS": (Item, ...), "Service": (...), ...}``
    principal: Any = None
    condition: Any = None

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def is_deny(self) -> bool:
        return self.effect == "Deny"

    def action_values(self) -> list[str]:
        return [i.value for i in self.actions if isinstance(i.value, str)]

    def resource_values(self) -> list[str]:
        return [i.value for i in self.resources if isinstance(i.value, str)]


@dataclass(slots=True)
class PolicyDocument:
    """A parsed policy: what it says, its type, and where it came from."""

    type: str
    data: Any
    statements: list[Statement] = field(default_factory=list)
    version: Any = None
    id: Any = None
    name: str = "<policy>"
    source: Source | None = None
    #: True when the type was detected rather than given
    type_detected: bool = False
    #: where the policy is attached (decides the size limit): managed, user, group, role
    attached_as: str | None = None

    @property
    def has_version(self) -> bool:
        return isinstance(self.data, dict) and "Version" in self.data

    def locate(self, pointer: str) -> tuple[int, int] | None:
        return self.source.locate(pointer) if self.source is not None else None
