"""Policy variables (AWS "IAM policy elements: Variables and tags").

* ``${key}`` is replaced by the value of request-context key ``key`` (key names are
  case-insensitive); ``${key, 'default'}`` uses ``default`` when the key is absent.
* ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters ``*``, ``?`` and ``$``.
* Variables are honoured only when the policy's ``Version`` is ``2012-10-17``; in older (or
  absent) versions ``${aws:username}`` is literal text.
* Where: the resource part of ``Resource``/``NotResource`` ARNs (after the fifth colon) and the
  values of String and ARN condition operators. A variable *before* the fifth colon of an ARN
  (``arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:q``) cannot replace the service, region or
  account: permwise keeps it as literal text (so the pattern matches no real ARN) and reports it
  (``Template.error``; a statement error, and ``Result.errors`` when the statement is consulted). A substituted value is **literal**: a ``*`` coming from the request
  context is not a wildcard.
* A variable whose key is absent (and has no default) cannot be resolved; AWS says the match then
  fails and the statement is invalid. permwise: that Resource pattern matches nothing, and a
  condition using it evaluates to false (the statement does not apply). The key is reported in
  ``Result.missing_keys``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from permwise.engine.matching import glob_regex

_VAR = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}

#: a template part: ``str`` literal text, or ``(key_lower, key_as_written, default or None)``;
#: literal characters from ``${*}`` etc. are ``("", char, None)``
Part = str | tuple[str, str, str | None]


def has_variables(s: str) -> bool:
    return "${" in s and _VAR.search(s) is not None


@dataclass(frozen=True, slots=True)
class Template:
    """A string with policy variables, parsed once."""

    text: str
    parts: tuple[Part, ...]
    #: a problem found while parsing (a variable before the fifth colon of an ARN), else None
    error: str | None = None

    @property
    def keys(self) -> list[str]:
        return [p[1] for p in self.parts if isinstance(p, tuple) and p[0]]

    def _values(self, ctx: dict[str, Any], missing: set[str] | None) -> list[tuple[str, bool]] | None:
        """[(text, is_literal_from_variable)], or None when a variable cannot be resolved."""
        out: list[tuple[str, bool]] = []
        ok = True
        for p in self.parts:
            if isinstance(p, str):
                out.append((p, False))
                continue
            key, written, default = p
            if not key:  # ${*} ${?} ${$}
                out.append((written, True))
                continue
            v = ctx.get(key)
            if isinstance(v, list):
                v = v[0] if len(v) == 1 else None
            if v is None or v == []:
                if default is not None:
                    out.append((default, True))
                    continue
                if missing is not None:
                    missing.add(written)
                ok = False
                continue
            if isinstance(v, bool):
                v = "true" if v else "false"
            out.append((str(v), True))
        return out if ok else None

    def resolve(self, ctx: dict[str, Any], missing: set[str] | None = None) -> str | None:
        """The plain substituted string (for equality operators), or None if unresolvable."""
        vals = self._values(ctx, missing)
        if vals is None:
            return None
        return "".join(t for t, _ in vals)

    def resolve_glob(
        self, ctx: dict[str, Any], arn: bool, missing: set[str] | None = None
    ) -> re.Pattern[str] | StarGlob | None:
        """A matcher (``fullmatch``) where the template's own ``*``/``?`` are wildcards and
        substituted values are literal; ``arn=True`` applies ARN segment rules (see ``matching``).
        A regular expression only when a :class:`StarGlob` cannot say it."""
        vals = self._values(ctx, missing)
        if vals is None:
            return None
        return _compile_parts(tuple(vals), arn)


class StarGlob:
    """A resolved pattern whose only wildcard is ``*``, matched with string methods: the same
    answers as the regular expression :func:`_compile_parts` would build, without compiling one
    per request (a template resolves to new text for every principal).

    ``segments``: the ARN's head parts (where ``*`` never crosses a ``:``) and its tail, each a
    tuple of the literal pieces between its stars. No head part holds a ``:``, so in a match
    the first colons of the text are exactly the separators: the text is split at them and each
    part matched alone (in a part without ``:``, ``[^:]*`` is ``.*``)."""

    __slots__ = ("segments",)

    def __init__(self, segments: tuple[tuple[str, ...], ...]) -> None:
        self.segments = segments

    def fullmatch(self, text: str) -> bool | None:
        """True when the whole of ``text`` matches, else None (as ``re.Pattern.fullmatch``)."""
        segs = self.segments
        parts = text.split(":", len(segs) - 1) if len(segs) > 1 else [text]
        if len(parts) != len(segs):
            return None
        for pieces, part in zip(segs, parts):
            if not _star_match(pieces, part):
                return None
        return True


def _star_match(pieces: tuple[str, ...], s: str) -> bool:
    """``s`` matches literal ``pieces`` joined by ``.*`` (each middle piece placed leftmost)."""
    if len(pieces) == 1:
        return s == pieces[0]
    first, last = pieces[0], pieces[-1]
    end = len(s) - len(last)
    if end < len(first) or not s.startswith(first) or not s.endswith(last):
        return False
    pos = len(first)
    for mid in pieces[1:-1]:
        i = s.find(mid, pos, end)
        if i < 0:
            return False
        pos = i + len(mid)
    return True


def _star_glob(vals: tuple[tuple[str, bool], ...], arn_aware: bool, n_parts: int) -> StarGlob | None:
    """The :class:`StarGlob` of resolved ``vals``, or None when it needs a regular expression
    (a ``?`` wildcard, or a substituted value with a ``:`` inside an ARN head part)."""
    segments: list[list[str]] = [[""]]
    colons = 0
    for text, literal in vals:
        if literal:
            if arn_aware and colons < n_parts and ":" in text:
                return None
            segments[-1][-1] += text
            continue
        for ch in text:
            if ch == "*":
                segments[-1].append("")
            elif ch == "?":
                return None
            elif ch == ":" and arn_aware and colons < n_parts:
                colons += 1
                segments.append([""])
            else:
                segments[-1][-1] += ch
    return StarGlob(tuple(tuple(seg) for seg in segments))


@lru_cache(maxsize=16384)
def _compile_parts(vals: tuple[tuple[str, bool], ...], arn: bool) -> re.Pattern[str] | StarGlob:
    # count the colons of the pattern's own text to know whether it is a six-part ARN
    own = "".join(t if not lit else "x" for t, lit in vals)
    arn_aware = arn and own.startswith("arn:")
    n_parts = min(own.count(":"), 5)  # colons before the tail part
    star = _star_glob(vals, arn_aware, n_parts)
    return star if star is not None else _parts_regex(vals, arn_aware, n_parts)


def _parts_regex(vals: tuple[tuple[str, bool], ...], arn_aware: bool, n_parts: int) -> re.Pattern[str]:
    out: list[str] = []
    colons = 0
    for text, literal in vals:
        if literal:
            out.append(re.escape(text))
            continue
        for ch in text:
            if ch in "*?":
                head = arn_aware and colons < n_parts
                if ch == "*":
                    out.append("[^:]*" if head else ".*")
                else:
                    out.append("[^:]" if head else ".")
            else:
                if ch == ":":
                    colons += 1
                out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def parse_template(text: str, resource_arn: bool = False) -> Template:
    """Parse ``text``. With ``resource_arn`` (a ``Resource``/``NotResource`` value), a variable
    before the fifth colon of an ``arn:`` pattern is kept as literal text and reported in
    :attr:`Template.error` (AWS "IAM policy elements: Variables and tags": in ``Resource`` a
    variable may only be used in the resource part of the ARN). Colons inside ``${...}`` do not
    count."""
    parts: list[Part] = []
    pos = 0
    arn = resource_arn and text.startswith("arn:")
    colons = 0
    head_vars: list[str] = []
    for m in _VAR.finditer(text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
            if arn:
                colons += text.count(":", pos, m.start())
        pos = m.end()
        if arn and colons < 5:
            head_vars.append(m.group(0))
            parts.append(m.group(0))  # literal text, never substituted
            continue
        inner = m.group(1).strip()
        if inner in _SPECIAL:
            parts.append(("", _SPECIAL[inner], None))
        else:
            key, sep, default = inner.partition(",")
            key = key.strip()
            dflt: str | None = None
            if sep:
                d = default.strip()
                if len(d) >= 2 and d[0] == d[-1] and d[0] in "'\"":
                    d = d[1:-1]
                dflt = d
            parts.append((key.lower(), key, dflt))
    if pos < len(text):
        parts.append(text[pos:])
    error = None
    if head_vars:
        names = ", ".join(f"`{v}`" for v in head_vars)
        error = (f"policy variable {names} in `{text}` is before the fifth colon of the ARN; variables are "
                 "only substituted in the resource part, so it is kept as literal text and matches no real ARN")
    if head_vars:
        parts = _merge_literals(parts)
    return Template(text, tuple(parts), error)


def _merge_literals(parts: list[Part]) -> list[Part]:
    out: list[Part] = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + p
        else:
            out.append(p)
    return out


def literal_glob(text: str) -> str:
    """Regex source for a pattern without variables (helper for tests and callers)."""
    return glob_regex(text)
