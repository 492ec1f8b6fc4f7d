"""Build a :class:`PolicyDocument` from a file, a :class:`Source` or an in-memory dict.

Parsing never fails on grammar: a malformed statement is kept and reported by validation. It
fails (``InputError``, exit 2) only when the input is not a JSON/YAML object at all.

Type detection (when no type is given), in this order:

1. a statement with ``Principal`` or ``NotPrincipal`` whose actions are all role-trust actions
   (``sts:AssumeRole*``, ``sts:TagSession``, ``sts:SetSourceIdentity``, ``sts:SetContext``),
   at least one of them an ``sts:AssumeRole*`` action -> ``trust``;
2. any other statement with ``Principal`` or ``NotPrincipal`` -> ``resource``;
3. otherwise -> ``identity``.

SCPs, RCPs, permissions boundaries and session policies look like identity or resource policies
and are never guessed: pass ``type=``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from permwise.errors import InputError
from permwise.policy.model import ATTACHMENTS, POLICY_TYPES, PolicyDocument, Statement
from permwise.sources import Source, load_source

#: Actions that belong in a role trust policy (lower case).
TRUST_ACTIONS = frozenset({
    "sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity",
    "sts:tagsession", "sts:setsourceidentity", "sts:setcontext",
})

#: What to call a JSON value in messages.
def json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def check_type(type_: str | None) -> str | None:
    if type_ is None or type_ in POLICY_TYPES:
        return type_
    t = type_.strip().lower()
    aliases = {"permissions-boundary": "boundary", "permission-boundary": "boundary",
               "assume-role": "trust", "service-control": "scp", "resource-control": "rcp"}
    t = aliases.get(t, t)
    if t not in POLICY_TYPES:
        raise InputError(
            f"unknown policy type `{type_}`",
            hint="use one of " + ", ".join(f"`{p}`" for p in POLICY_TYPES),
        )
    return t


def detect_type(statements: list[Statement]) -> str:
    """The documented detection rule (module docstring)."""
    with_principal = [s for s in statements if s.principal_key]
    if not with_principal:
        return "identity"
    acts = [a.lower().strip() for s in with_principal for a in s.action_values()]
    if acts and all(a in TRUST_ACTIONS or (a.startswith("sts:assumerole") and "*" in a) for a in acts) and any(
        a.startswith("sts:assumerole") for a in acts
    ):
        return "trust"
    return "resource"


def statement_list(data: dict[str, Any]) -> tuple[list[Any], bool]:
    """The Statement element of a policy object read as a list, and whether it was one object
    (a missing or malformed element reads as no statement; validation reports it)."""
    raw = data.get("Statement")
    single = isinstance(raw, dict)
    return ([raw] if single else raw if isinstance(raw, list) else []), single


def build(data: Any, type_: str | None = None, *, name: str = "<policy>", source: Source | None = None,
          attached_as: str | None = None) -> PolicyDocument:
    """Model ``data`` (already loaded). ``data`` must be a JSON object."""
    if not isinstance(data, dict):
        where = source.path if source is not None else name
        raise InputError(
            f"expected a policy document (a JSON object with `Statement`), found {json_type_name(data)}",
            file=where, line=1 if source is not None else None, column=1 if source is not None else None,
            hint="a policy file holds one object like {\"Version\": \"2012-10-17\", \"Statement\": [...]}",
        )
    if attached_as is not None and attached_as not in ATTACHMENTS:
        raise InputError(f"unknown attachment `{attached_as}`",
                         hint="use one of " + ", ".join(f"`{a}`" for a in ATTACHMENTS))
    raw_statements, single = statement_list(data)
    t = check_type(type_)
    doc = PolicyDocument(
        type=t or "identity", data=data, raw_statements=raw_statements, single=single,
        version=data.get("Version"), id=data.get("Id"), name=name, source=source, type_detected=t is None,
        attached_as=attached_as,
    )
    if t is None:
        doc.type = detect_type(doc.statements)
    return doc


def parse(source: Source | str | Path | dict[str, Any], type: str | None = None, *, name: str | None = None,
          attached_as: str | None = None, duplicates: str = "error") -> PolicyDocument:
    """Parse a policy from a path (``-`` is stdin), a :class:`Source` or a dict.

    Raises :class:`InputError` for unreadable input or a top level that is not an object. A key
    given twice in one object is an error (a decision must never rest on "the last one wins");
    ``duplicates="keep"`` is for ``validate``, which reports them as findings (P011).
    """
    if isinstance(source, PolicyDocument):
        return source
    if isinstance(source, (str, Path)):
        source = load_source(str(source), duplicates=duplicates)
    if isinstance(source, Source):
        return build(source.data, type, name=name or source.path, source=source, attached_as=attached_as)
    return build(source, type, name=name or "<policy>", attached_as=attached_as)
