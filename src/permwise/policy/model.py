"""The policy AST: one tree of a policy document, read by validation, lint, the engine's
compiler (:mod:`permwise.engine.compile`), ``generate`` and ``diff``.

A :class:`PolicyDocument` is built leniently from any JSON object (:mod:`permwise.policy.parser`):
malformed parts are kept as they are (``raw``) and reported by validation, never raised. Every node
keeps its location: the JSON pointer (``/Statement/2/Action/4``) always, and the line and column
of the file it came from through :meth:`PolicyDocument.locate` (found from the pointer when
asked). Elements that hold values (Action, Resource, Principal) are read as tuples of
:class:`Item` (value + pointer).

Statements are built on first use (:meth:`PolicyDocument.statement`): the engine evaluates a batch
of fresh policies by building only the statements that can name the asked service
(:func:`may_name_service`), so the tree costs nothing for the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from permwise.sources import Source, join_pointer


class PolicyKind(str, Enum):
    """The policy types, as used across permwise (policy layer, engine, CLI ``--type``)."""

    identity = "identity"
    resource = "resource"
    trust = "trust"
    scp = "scp"
    rcp = "rcp"
    boundary = "boundary"
    session = "session"


#: Policy types (the values of :class:`PolicyKind`, in its order).
POLICY_TYPES: tuple[str, ...] = tuple(k.value for k in PolicyKind)

#: AWS Organizations policy types (their own size rule and grammar).
ORG_TYPES: frozenset[str] = frozenset({PolicyKind.scp.value, PolicyKind.rcp.value})

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


def _items(value: Any, pointer: str) -> tuple[Item, ...]:
    if isinstance(value, list):
        return tuple(Item(v, join_pointer(pointer, i)) for i, v in enumerate(value))
    if isinstance(value, str):
        return (Item(value, pointer),)
    return ()


def _principal(value: Any, pointer: str) -> Any:
    if value == "*":
        return "*"
    if isinstance(value, dict):
        return {k: _items(v, join_pointer(pointer, k)) for k, v in value.items()}
    return None


class Statement:
    """One statement: which elements it has and their values, with its JSON pointer.

    ``action_key`` is ``"Action"`` or ``"NotAction"`` (the first present; ``None`` when neither);
    likewise ``resource_key`` and ``principal_key``. :meth:`element` gives an element's value as
    written; ``actions``, ``resources`` and ``principal`` the values as :class:`Item` (built on
    first read)."""

    __slots__ = ("index", "pointer", "raw", "sid", "effect", "action_key", "resource_key", "principal_key",
                 "condition", "_actions", "_resources", "_principal")

    def __init__(self, raw: Any, index: int, pointer: str) -> None:
        self.index = index
        self.pointer = pointer
        self.raw = raw
        self._actions: tuple[Item, ...] | None = None
        self._resources: tuple[Item, ...] | None = None
        self._principal: Any = None
        if isinstance(raw, dict):
            self.sid: Any = raw.get("Sid")
            self.effect: Any = raw.get("Effect")
            # the first of each pair present is the key
            self.action_key: str | None = "Action" if "Action" in raw else "NotAction" if "NotAction" in raw else None
            self.resource_key: str | None = (
                "Resource" if "Resource" in raw else "NotResource" if "NotResource" in raw else None)
            self.principal_key: str | None = (
                "Principal" if "Principal" in raw else "NotPrincipal" if "NotPrincipal" in raw else None)
            self.condition: Any = raw.get("Condition")
        else:
            self.sid = self.effect = self.condition = None
            self.action_key = self.resource_key = self.principal_key = None

    @property
    def is_object(self) -> bool:
        return isinstance(self.raw, dict)

    def has(self, key: str) -> bool:
        """Is element ``key`` written (whatever its value)?"""
        return isinstance(self.raw, dict) and key in self.raw

    def element(self, key: str | None) -> Any:
        """The value of element ``key`` as written (``None`` when absent)."""
        return self.raw.get(key) if key is not None and isinstance(self.raw, dict) else None

    @property
    def actions(self) -> tuple[Item, ...]:
        if self._actions is None:
            self._actions = self._items(self.action_key)
        return self._actions

    @property
    def resources(self) -> tuple[Item, ...]:
        if self._resources is None:
            self._resources = self._items(self.resource_key)
        return self._resources

    def _items(self, key: str | None) -> tuple[Item, ...]:
        return _items(self.raw[key], join_pointer(self.pointer, key)) if key else ()

    @property
    def principal(self) -> Any:
        """Normalised principal: ``"*"`` or ``{"AWS": (Item, ...), "Service": (...), ...}``."""
        k = self.principal_key
        if k and self._principal is None:
            self._principal = _principal(self.raw[k], join_pointer(self.pointer, k))
        return self._principal

    @property
    def is_allow(self) -> bool:
        return bool(self.effect == "Allow")

    @property
    def is_deny(self) -> bool:
        return bool(self.effect == "Deny")

    def action_values(self) -> list[str]:
        return [i.value for i in self.actions if isinstance(i.value, str)]

    def resource_values(self) -> list[str]:
        return [i.value for i in self.resources if isinstance(i.value, str)]

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<Statement {self.pointer} {self.effect}>"


def may_name_service(raw: Any, prefix: str) -> bool:
    """Can the statement ``raw`` (as written) match an action of service ``prefix`` (lowercase)?

    Read from the text without building the statement: a valid ``Effect`` and an ``Action`` naming
    that service, a service wildcard or ``*``, or any ``NotAction``. The engine's service index."""
    if not isinstance(raw, dict) or raw.get("Effect") not in ("Allow", "Deny"):
        return False  # an invalid statement never matches
    if "Action" in raw:
        vals = raw["Action"]
    elif "NotAction" in raw:
        return True
    else:
        return False
    for v in vals if isinstance(vals, list) else (vals,):
        if not isinstance(v, str):
            continue
        svc, sep, _ = v.partition(":")
        if not sep or "*" in svc or "?" in svc or svc.lower() == prefix:
            return True
    return False


@dataclass(slots=True)
class PolicyDocument:
    """A parsed policy: what it says, its type, and where it came from.

    ``raw_statements`` is the Statement element read as a list (``single`` when it was one
    object); :attr:`statements` builds every statement, :meth:`statement` one."""

    type: str
    data: Any
    raw_statements: list[Any] = field(default_factory=list)
    single: bool = False
    version: Any = None
    id: Any = None
    name: str = "<policy>"
    source: Source | None = None
    #: True when the type was detected rather than given
    type_detected: bool = False
    #: where the policy is attached (decides the size limit): managed, user, group, role
    attached_as: str | None = None
    _built: list[Statement | None] = field(default_factory=list, repr=False)

    def statement(self, i: int) -> Statement:
        built = self._built
        if not built:
            built.extend([None] * len(self.raw_statements))
        s = built[i]
        if s is None:
            s = built[i] = Statement(self.raw_statements[i], i, "/Statement" if self.single else f"/Statement/{i}")
        return s

    @property
    def statements(self) -> list[Statement]:
        return [self.statement(i) for i in range(len(self.raw_statements))]

    @property
    def has_version(self) -> bool:
        return isinstance(self.data, dict) and "Version" in self.data

    def locate(self, pointer: str) -> tuple[int, int] | None:
        return self.source.locate(pointer) if self.source is not None else None
