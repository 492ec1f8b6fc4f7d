"""Problems found in a manifest or a deployment config, each with ``file:line:col`` and a pointer.

One :class:`Problem` is one line of output. ``permwise manifest validate`` prints all of them;
every other command raises the first error as an :class:`~permwise.errors.InputError` (one line,
exit 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from permwise.catalog import closest
from permwise.diagnostics import Diagnostic
from permwise.errors import InputError
from permwise.sources import Source, join_pointer


#: Parts of pydantic's error ``loc`` that name a union member, not a field.
_UNION_TAG = re.compile(r"^(str|int|float|bool|(list|dict|literal|union)\[.*\]|function-.*)$")


@dataclass(slots=True, init=False)
class Problem(Diagnostic):
    """One problem of a manifest or config, on ``validate``'s scale (``error`` or ``warning``);
    ``hint`` is the diagnostic's ``fix``. Problems have no rule code."""

    def __init__(self, message: str, pointer: str = "", hint: str | None = None, severity: str = "error",
                 file: str | None = None, line: int | None = None, column: int | None = None) -> None:
        Diagnostic.__init__(self, "", severity, message, pointer, hint, file, line, column)

    @property
    def hint(self) -> str | None:
        return self.fix

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_error(self) -> InputError:
        return InputError(self.message, file=self.file, line=self.line, column=self.column,
                          pointer=self.pointer or None, hint=self.hint)

    def one_line(self) -> str:
        text = self.to_error().one_line()
        return text if self.is_error else f"warning: {text}"

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file or "", self.line or 0, self.column or 0, self.pointer, self.message)


def at(source: Source | None, message: str, pointer: str = "", hint: str | None = None,
       severity: str = "error") -> Problem:
    """A problem located in ``source`` at ``pointer`` (line and column looked up)."""
    pos = source.locate(pointer) if source is not None else None
    return Problem(message, pointer, hint, severity, source.path if source else None,
                   pos[0] if pos else None, pos[1] if pos else None)


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names allowed at ``loc`` (for 'did you mean'), best effort."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", {})
        if part in fields:
            ann = fields[part].annotation
            current = _inner_model(ann)
        else:
            current = _inner_model(current)  # dict of models: the key is a name
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _inner_model(ann: Any) -> Any:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def from_validation_error(exc: ValidationError, source: Source, model: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into located problems in our message style."""
    out: list[Problem] = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and _UNION_TAG.match(p)))
        pointer = join_pointer("", *loc) if loc else ""
        kind = err["type"]
        field = str(loc[-1]) if loc else ""
        hint = None
        if kind == "extra_forbidden":
            msg = f"unknown field `{field}`"
            guess = closest(field, _field_names(model, loc), cutoff=0.6)
            hint = f"did you mean `{guess}`?" if guess else "remove it or check the spelling"
        elif kind == "missing":
            parent = join_pointer("", *loc[:-1]) if len(loc) > 1 else ""
            out.append(at(source, f"missing required field `{field}`", parent,
                          "see docs/manifests.md for the format"))
            continue
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            msg = f"`{err.get('input')}` is not allowed for `{field}`; expected {expected}"
        elif kind == "string_pattern_mismatch":
            msg = f"`{err.get('input')}` is not a valid `{field}` (must match `{err.get('ctx', {}).get('pattern')}`)"
        elif kind == "string_type":
            msg = f"`{field}` must be a string, not `{err.get('input')!r}`"
            hint = "quote the value in YAML"
        elif kind == "value_error":
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
        elif kind in ("too_short", "list_type", "dict_type", "model_type"):
            msg = f"`{field or 'document'}`: {err['msg'][:1].lower()}{err['msg'][1:]}"
        else:
            msg = f"`{field or 'document'}`: {err['msg'][:1].lower()}{err['msg'][1:]}"
        out.append(at(source, msg.rstrip("."), pointer, hint))
    return out
