"""Location-aware loading of JSON and YAML documents.

Every layer that reads a user's file goes through :func:`load_source` so that a finding or an
error can name ``file:line:column`` and a JSON pointer. Data is parsed with a fast parser
(orjson); the pointer-to-position map is built lazily, only when something needs a location.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from permwise.errors import InputError

#: Default ceiling for a single input file. AWS's largest policy is about 10 KB; a snapshot file
#: can be large, so callers that read snapshots pass a bigger limit.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024

Position = tuple[int, int]


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


@dataclass
class Source:
    """A parsed document with its origin: ``data`` plus ``locate(pointer)``."""

    path: str
    text: str
    data: Any
    fmt: str = "json"
    _positions: dict[str, Position] | None = field(default=None, repr=False)

    def locate(self, pointer: str) -> Position | None:
        """1-based ``(line, column)`` of the value at ``pointer``, or of its nearest ancestor."""
        if self._positions is None:
            self._positions = (
                _json_positions(self.text) if self.fmt == "json" else _yaml_positions(self.text)
            )
        p = pointer
        while True:
            if p in self._positions:
                return self._positions[p]
            if not p:
                return None
            p = p.rsplit("/", 1)[0]

    def error(self, message: str, pointer: str = "", hint: str | None = None) -> InputError:
        pos = self.locate(pointer)
        return InputError(
            message,
            file=self.path,
            line=pos[0] if pos else None,
            column=pos[1] if pos else None,
            pointer=pointer or None,
            hint=hint,
        )


def _detect_format(path: str, text: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    stripped = text.lstrip()
    return "json" if stripped[:1] in ("{", "[") else "yaml"


def read_text(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a file (or ``-`` for stdin) as UTF-8 text with one-line errors for every failure."""
    shown, path = ("<stdin>" if path == "-" else path), path
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(max_bytes + 1)
        else:
            p = Path(path)
            if p.is_dir():
                raise InputError("is a directory, not a file", file=shown)
            size = p.stat().st_size
            if size > max_bytes:
                raise InputError(
                    f"file is too large ({size:,} bytes; the limit is {max_bytes:,})",
                    file=shown,
                    hint="check that this is the right file",
                )
            raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=shown, hint="check the path") from None
    except PermissionError:
        raise InputError("permission denied", file=shown) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", file=shown) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=shown) from None
    if len(raw) > max_bytes:
        raise InputError(f"input is too large (more than {max_bytes:,} bytes)", file=shown)
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            "file starts with a UTF-8 byte order mark", file=shown, line=1, column=1,
            hint="save the file as UTF-8 without BOM (AWS rejects it too)",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError("file is not valid UTF-8", file=shown, line=line, column=col) from None


def parse_text(text: str, path: str = "<input>", fmt: str | None = None) -> Source:
    """Parse JSON or YAML text into a :class:`Source`; errors name the line and column."""
    fmt = fmt or _detect_format(path, text)
    if not text.strip():
        raise InputError("file is empty", file=path, hint="expected a JSON or YAML document")
    if fmt == "json":
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise _json_error(text, path, exc) from None
    else:
        data = _load_yaml(text, path)
    return Source(path=path, text=text, data=data, fmt=fmt)


def load_source(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, fmt: str | None = None) -> Source:
    """Read and parse ``path`` (``-`` is stdin)."""
    display = "<stdin>" if path == "-" else path
    return parse_text(read_text(path, max_bytes=max_bytes), display, fmt)


def _json_error(text: str, path: str, exc: orjson.JSONDecodeError) -> InputError:
    pos = getattr(exc, "pos", None)
    if pos is None:
        pos = len(text)
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    msg = str(exc.msg if hasattr(exc, "msg") else exc)
    msg = msg[:1].lower() + msg[1:]
    if pos >= len(text.rstrip()):
        msg = f"unexpected end of JSON (truncated?): {msg}"
    return InputError(f"invalid JSON: {msg}", file=path, line=line, column=col,
                      hint="fix the syntax at this position")


# --------------------------------------------------------------------------------------------
# YAML: YAML 1.2-like scalars (no dates, only true/false booleans) so that `Version: 2012-10-17`
# stays a string and `yes` stays `yes`.


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _compose(text: str, path: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").rstrip(".")
        hint = None
        if "'\\t'" in problem or "\t" in problem:
            hint = "YAML does not allow tabs for indentation; indent with spaces"
        elif "end of stream" in problem or "quoted scalar" in str(exc.context or ""):
            hint = "look for an unclosed quote or bracket above this line"
        raise InputError(
            f"invalid YAML: {problem}", file=path,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None, hint=hint,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=path) from None
    finally:
        loader.dispose()


def _load_yaml(text: str, path: str) -> Any:
    node = _compose(text, path)
    if node is None:
        raise InputError("file is empty", file=path)
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}", file=path,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
        ) from None


def _yaml_positions(text: str) -> dict[str, Position]:
    node = _compose(text, "<yaml>")
    out: dict[str, Position] = {}

    def walk(n: yaml.Node, ptr: str) -> None:
        out.setdefault(ptr, (n.start_mark.line + 1, n.start_mark.column + 1))
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                walk(v, join_pointer(ptr, k.value))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, join_pointer(ptr, i))

    if node is not None:
        walk(node, "")
    return out


# --------------------------------------------------------------------------------------------
# JSON positions: a small scanner over already-valid JSON (orjson parsed it), run only on demand.

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?[0-9][0-9.eE+-]*|true|false|null")


def _json_positions(text: str) -> dict[str, Position]:
    line_starts = [0]
    for m in re.finditer("\n", text):
        line_starts.append(m.end())

    import bisect

    def pos(i: int) -> Position:
        ln = bisect.bisect_right(line_starts, i)
        return (ln, i - line_starts[ln - 1] + 1)

    out: dict[str, Position] = {}
    n = len(text)

    def ws(i: int) -> int:
        return _WS.match(text, i).end()

    def value(i: int, ptr: str) -> int:
        i = ws(i)
        out[ptr] = pos(i)
        ch = text[i] if i < n else ""
        if ch == "{":
            i = ws(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                m = _STRING.match(text, i)
                key = orjson.loads(m.group(0))
                i = ws(m.end())  # at ':'
                i = value(i + 1, join_pointer(ptr, key))
                i = ws(i)
                if text[i] == ",":
                    i = ws(i + 1)
                    continue
                return i + 1
        if ch == "[":
            i = ws(i + 1)
            if text[i] == "]":
                return i + 1
            k = 0
            while True:
                i = value(i, join_pointer(ptr, k))
                k += 1
                i = ws(i)
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if ch == '"':
            return _STRING.match(text, i).end()
        m = _SCALAR.match(text, i)
        return m.end() if m else i + 1

    try:
        value(0, "")
    except (AttributeError, IndexError, orjson.JSONDecodeError):
        pass  # best effort: positions found so far are still right
    return out
