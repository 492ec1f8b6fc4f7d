"""Location-aware loading of JSON and YAML documents.

Every layer that reads a user's file goes through :func:`load_source` so that a finding or an
error can name ``file:line:column`` and a JSON pointer. Data is parsed with a fast parser
(orjson); the pointer-to-position map is built lazily, only when something needs a location.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
import yaml.cyaml

from permwise.errors import InputError

#: Default ceiling for a single input file. AWS's largest policy is about 10 KB; a snapshot file
#: can be large, so callers that read snapshots pass a bigger limit.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024

#: Environment variable that replaces every file size limit (bytes, or with a K, M or G suffix).
MAX_SIZE_ENV = "PERMWISE_MAX_FILE_SIZE"

#: Deepest nesting of arrays/objects (JSON) or sequences/mappings (YAML) accepted in any input.
#: The deepest real document permwise reads (a condition inside a policy inside a role inside
#: authorization details) is about 10 levels; deeper input is hostile or broken, and would
#: otherwise exhaust Python's recursion limit in readers written for real documents.
MAX_DEPTH = 64

Position = tuple[int, int]


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


@dataclass(frozen=True)
class Duplicate:
    """A key given twice in one object: ``pointer`` names the value that was kept (the second)."""

    pointer: str
    key: str
    first: Position | None
    second: Position | None

    def message(self) -> str:
        where = f" (first at line {self.first[0]}, column {self.first[1]})" if self.first else ""
        return f"duplicate key `{self.key}`{where}; a reader keeps only one of them"


@dataclass
class Source:
    """A parsed document with its origin: ``data`` plus ``locate(pointer)``."""

    path: str
    text: str
    data: Any
    fmt: str = "json"
    #: keys that occur twice in one object: a JSON/YAML reader silently keeps only the last one
    duplicates: list[Duplicate] = field(default_factory=list)
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


def size_limit(default: int) -> int:
    """``default``, or the limit set in ``$PERMWISE_MAX_FILE_SIZE`` (e.g. ``64M``)."""
    raw = os.environ.get(MAX_SIZE_ENV, "").strip()
    if not raw:
        return default
    m = re.fullmatch(r"(\d+)\s*([kKmMgG]?)[bB]?", raw)
    if not m:
        raise InputError(f"`{MAX_SIZE_ENV}={raw}` is not a size",
                         hint="give bytes or a number with K, M or G, e.g. `512M`")
    return int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)

_OS_ERRORS = {
    errno.ENOENT: ("no such file", "check the path"),
    errno.EACCES: ("permission denied", "check the file's permissions"),
    errno.EPERM: ("permission denied", "check the file's permissions"),
    errno.ENAMETOOLONG: ("file name too long", "a path component is limited to 255 bytes"),
    errno.ELOOP: ("too many levels of symbolic links", "a symbolic link points to itself"),
    errno.ENOTDIR: ("a component of the path is not a directory", "check the path"),
    errno.EIO: ("input/output error while reading", "check the disk or network file system"),
    errno.EISDIR: ("is a directory, not a file", "give the path of a file"),
}


def _shown(path: str) -> str:
    """The path as it appears in a message: one line, at most 200 characters."""
    text = path.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= 200 else text[:100] + "…" + text[-60:]


def os_error(exc: OSError, path: str) -> InputError:
    """An operating-system error as one line naming the file (never a traceback)."""
    message, hint = _OS_ERRORS.get(exc.errno or -1, (f"cannot read file: {(exc.strerror or str(exc)).lower()}", None))
    return InputError(message, file=_shown(path), hint=hint)


def _not_regular(path: str, mode: int) -> InputError | None:
    for test, kind in _KINDS:
        if test(mode):
            if kind == "a directory":
                return InputError("is a directory, not a file", file=_shown(path), hint="give the path of a file")
            link = ""
            try:
                if os.path.islink(path):
                    link = f" (a symbolic link to `{_shown(os.path.realpath(path))}`)"
            except OSError:
                pass
            return InputError(f"is {kind}{link}, not a regular file", file=_shown(path),
                              hint="permwise reads only regular files (and `-` for stdin)")
    return None


def read_bytes(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The input gate: the bytes of a regular file (or ``-`` for stdin), with one-line errors.

    The file is opened with ``O_NONBLOCK`` and checked with ``fstat`` before anything is read, so
    a named pipe never blocks and ``/dev/zero`` (or a symbolic link to it) is refused by name,
    not read until memory runs out. At most ``max_bytes`` (or ``$PERMWISE_MAX_FILE_SIZE``) are read.
    """
    limit = size_limit(max_bytes)
    shown = "<stdin>" if path == "-" else _shown(path)
    too_large = (f"file is too large (more than {limit:,} bytes)", f"check that this is the right file, "
                 f"or raise the limit with `{MAX_SIZE_ENV}` (e.g. `{MAX_SIZE_ENV}=2G`)")
    if path == "-":
        try:
            raw = sys.stdin.buffer.read(limit + 1)
        except OSError as exc:
            raise os_error(exc, "<stdin>") from None
        if len(raw) > limit:
            raise InputError(too_large[0], file=shown, hint=too_large[1])
        return raw
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL byte
        if isinstance(exc, ValueError):
            raise InputError("file name contains a NUL byte", file=_shown(path)) from None
        raise os_error(exc, path) from None
    try:
        st = os.fstat(fd)
        refused = _not_regular(path, st.st_mode)
        if refused is not None:
            raise refused
        if st.st_size > limit:
            raise InputError(f"file is too large ({st.st_size:,} bytes; the limit is {limit:,})",
                             file=shown, hint=too_large[1])
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(max(st.st_size - total, 0), limit + 1 - total) or 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # the file grew while we read it, or /proc-like size 0
                raise InputError(too_large[0], file=shown, hint=too_large[1])
        return b"".join(chunks)
    except OSError as exc:
        raise os_error(exc, path) from None
    finally:
        os.close(fd)


def read_text(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read a file (or ``-`` for stdin) as UTF-8 text with one-line errors for every failure."""
    shown = "<stdin>" if path == "-" else _shown(path)
    raw = read_bytes(path, max_bytes=max_bytes)
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


def parse_text(text: str, path: str = "<input>", fmt: str | None = None, *, duplicates: str = "error") -> Source:
    """Parse JSON or YAML text into a :class:`Source`; errors name the line and column.

    Every document passes the same structural gate: nesting at most :data:`MAX_DEPTH` deep, no
    YAML aliases, and no key given twice in one object. ``duplicates="error"`` (configs,
    manifests, snapshots, policies given to ``simulate``) raises :class:`InputError` naming both
    occurrences; ``duplicates="keep"`` records them in ``Source.duplicates`` for a caller that
    reports them as findings (``validate``).
    """
    fmt = fmt or _detect_format(path, text)
    if not text.strip():
        raise InputError("file is empty", file=path, hint="expected a JSON or YAML document")
    if fmt == "json":
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise _json_error(text, path, exc) from None
        src = Source(path=path, text=text, data=data, fmt=fmt)
        if isinstance(data, (dict, list)):
            # the structure gate at C speed (the one --jsonl uses per line); positions are
            # looked for only in a file that fails it
            problem = json_bytes_problem(text.encode("utf-8"), data)
            deep = json_too_deep(text, data) if problem == "deep" else None
            if deep is not None:
                raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=path, line=deep[0],
                                 column=deep[1], hint="no permwise input is nested this deep; check the file")
            if problem == "duplicate":
                src.duplicates = _json_duplicates(text)
    else:
        data, dups = _load_yaml(text, path)
        src = Source(path=path, text=text, data=data, fmt=fmt, duplicates=dups)
    if src.duplicates and duplicates == "error":
        d = src.duplicates[0]
        raise InputError(d.message(), file=path, line=d.second[0] if d.second else None,
                         column=d.second[1] if d.second else None, pointer=d.pointer,
                         hint="remove one of them")
    return src


def load_source(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, fmt: str | None = None,
                duplicates: str = "error") -> Source:
    """Read and parse ``path`` (``-`` is stdin) through the input gate."""
    display = "<stdin>" if path == "-" else _shown(path)
    return parse_text(read_text(path, max_bytes=max_bytes), display, fmt, duplicates=duplicates)


# --------------------------------------------------------------------------------------------
# JSON structure checks, at C speed on the fast path (regular expressions and orjson only).

_STRING_FAST = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_STRING_FAST_B = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """True when parsed ``data`` nests lists/objects deeper than ``limit`` (no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        for child in (value.values() if type(value) is dict else value):
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def json_too_deep(text: str, data: Any = None, limit: int = MAX_DEPTH) -> Position | None:
    """``(line, column)`` where valid JSON ``text`` first nests deeper than ``limit``, else None."""
    if data is not None and not too_deep(data, limit):
        return None
    depth = 0
    in_str = esc = False
    line, col = 1, 0
    for ch in text:  # only for a document that is too deep: find where
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return (line, col)
        elif ch in "]}":
            depth -= 1
    return None


_SPACE_COLON = re.compile(r'"[ \t\r\n]+:')


def json_has_duplicates(text: str, data: Any) -> bool:
    """True when an object in valid JSON ``text`` repeats a key (the parsed ``data`` lost one).

    A parser keeps one key per duplicate, so ``data`` re-serialized has fewer keys than the text.
    Fast path (C speed): count ``":`` in both. orjson writes every key as ``"key":`` and escapes
    a quote inside a string as ``\\"`` just as the text must, so the counts differ exactly when a
    key was dropped, unless the text spells a quote or colon as ``\\u`` escape or puts white
    space before a colon; then the exact count runs: outside strings every ``:`` separates a key
    from its value, so the keys are the colons left once strings are removed.
    """
    if "\\u" not in text and not _SPACE_COLON.search(text):
        return text.count('":') != orjson.dumps(data).count(b'":')
    keys = _STRING_FAST.sub("", text).count(":")
    if not keys:
        return False
    return _STRING_FAST_B.sub(b"", orjson.dumps(data)).count(b":") != keys


#: brackets as parentheses; every byte but brackets and quotes deleted (bytes.translate)
_BRACKETS = bytes.maketrans(b"[{]}", b"(())")
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'[]{}"')))
_ESCAPE_B = re.compile(rb"\\.", re.S)


def json_bytes_problem(raw: bytes, data: Any, dump_colons: int | None = None, limit: int = MAX_DEPTH) -> str | None:
    """The structure checks of :func:`too_deep` and :func:`json_has_duplicates` on valid JSON
    bytes ``raw`` already parsed into ``data``, at C speed: ``"deep"``, ``"duplicate"`` or None.

    ``dump_colons``: ``orjson.dumps(data).count(b":")`` when the caller has it (else computed).
    As with the exact checks, depth is that of ``data`` and is checked first.

    Duplicates: orjson never escapes a colon, so the dump of ``data`` has one colon per key plus
    those inside strings; the text has the same unless a key was dropped, or a ``\\u`` escape
    spells a colon (then the exact scan of :func:`json_has_duplicates` runs).
    Depth: the bytes reduced to brackets and quotes (escapes removed first, so a quote always
    opens or closes a string), strings removed, then innermost ``()`` pairs peeled once per
    level: the text nests deeper than ``limit`` exactly when ``limit`` peels leave something."""
    if b"\\" in raw:
        if b"\\u" in raw:
            text = raw.decode("utf-8")
            if too_deep(data, limit):
                return "deep"
            return "duplicate" if json_has_duplicates(text, data) else None
        raw = _ESCAPE_B.sub(b"", raw)  # an escaped character never opens, closes or nests
    colons = raw.count(b":")
    # `""` is an empty string or a string's end next to the next one's start: removing it
    # keeps every byte outside strings; what stays between the remaining quotes is inside
    p = raw.translate(_BRACKETS, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in p:
        p = b"".join(p.split(b'"')[::2])
    if p.count(b"(") > limit:
        for _ in range(limit):
            p = p.replace(b"()", b"")
            if not p:
                break
        else:  # the text is too deep; so is the data unless a repeated key took the deep part
            return "deep" if too_deep(data, limit) else "duplicate"
    if dump_colons is None:
        dump_colons = orjson.dumps(data).count(b":")
    return "duplicate" if dump_colons != colons else None


def check_json_text(text: str, what: str = "document") -> Any:
    """Parse JSON text embedded in another file (an SCP's ``Content``) through the same gate.

    Returns the data; raises ``ValueError`` with a one-line reason.
    """
    data = orjson.loads(text)
    if isinstance(data, (dict, list)):
        problem = json_bytes_problem(text.encode("utf-8"), data)
        if problem == "deep":
            raise ValueError(f"{what} is nested more than {MAX_DEPTH} levels deep")
        if problem == "duplicate":
            d = _json_duplicates(text)[0]
            raise ValueError(f"{what} has a duplicate key `{d.key}` at `{d.pointer}`")
    return data


def first_json_duplicate(text: str) -> Duplicate | None:
    """The first repeated key of valid JSON ``text`` (call after :func:`json_bytes_problem`)."""
    dups = _json_duplicates(text)
    return dups[0] if dups else None


def _json_duplicates(text: str) -> list[Duplicate]:
    dups: list[Duplicate] = []
    _json_positions(text, dups)
    return dups


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


class _GateComposer:
    """The YAML reader of every permwise input: no aliases, at most :data:`MAX_DEPTH` levels.

    An alias (``*name``) is refused when it is composed, before anything is expanded, so a
    300-byte "billion laughs" document fails at once instead of growing to gigabytes. No
    manifest, config, suppression file or policy has a use for aliases: write the value out.
    """

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"YAML alias `*{event.anchor}` is not accepted in permwise inputs "
                "(aliases can expand to gigabytes); write the value out", event.start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class _GateLoader(_GateComposer, _Loader):
    pass


if yaml.__with_libyaml__:
    class _FastGateLoader(_GateComposer, yaml.composer.Composer, yaml.cyaml.CParser,  # type: ignore[misc]
                          yaml.resolver.Resolver):
        """The same gate and composer, reading events from libyaml's C parser: scanning and
        parsing are most of the time of a YAML file in pure Python (0.45 s of a manifest's
        0.5 s). The composer, and so the alias and depth checks, stay the Python ones above."""

        def __init__(self, stream: str) -> None:
            yaml.cyaml.CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        # the resolver rules of _Loader (YAML 1.2-like booleans, no timestamps)
        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # pragma: no cover - PyYAML built without libyaml
    _FastGateLoader = None  # type: ignore[assignment,misc]


def _compose(text: str, path: str) -> yaml.Node | None:
    if _FastGateLoader is not None:
        fast = _FastGateLoader(text)
        try:
            return fast.get_single_node()
        except yaml.YAMLError:
            pass  # the pure-Python reader below words the error (and its hint) as users know it
        finally:
            fast.dispose()
    loader = _GateLoader(text)
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
        if "alias" in problem or "levels deep" in problem:
            msg = problem
        else:
            msg = f"invalid YAML: {problem}"
        raise InputError(
            msg, file=path,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None, hint=hint,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=path) from None
    except RecursionError:  # defensive: the depth limit above makes this unreachable
        raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=path) from None
    finally:
        loader.dispose()


def _yaml_duplicates(node: yaml.Node) -> list[Duplicate]:
    """Keys repeated in one mapping, found without recursion."""
    out: list[Duplicate] = []
    stack: list[tuple[yaml.Node, str]] = [(node, "")]
    while stack:
        n, ptr = stack.pop()
        if isinstance(n, yaml.MappingNode):
            seen: dict[str, yaml.Node] = {}
            for k, v in n.value:
                key = str(k.value) if isinstance(k, yaml.ScalarNode) else None
                if key is not None:
                    if key in seen:
                        f = seen[key].start_mark
                        out.append(Duplicate(join_pointer(ptr, key), key, (f.line + 1, f.column + 1),
                                             (k.start_mark.line + 1, k.start_mark.column + 1)))
                    seen[key] = k
                    stack.append((v, join_pointer(ptr, key)))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((v, join_pointer(ptr, i)) for i, v in enumerate(n.value))
    out.sort(key=lambda d: d.second or (0, 0))
    return out


def _load_yaml(text: str, path: str) -> tuple[Any, list[Duplicate]]:
    node = _compose(text, path)
    if node is None:
        raise InputError("file is empty", file=path)
    dups = _yaml_duplicates(node)
    loader = _Loader("")
    try:
        return loader.construct_document(node), dups
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}", file=path,
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
        ) from None
    except RecursionError:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep", file=path) from None


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


def _json_positions(text: str, dups: list[Duplicate] | None = None) -> dict[str, Position]:
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
            seen: dict[str, Position] = {}
            while True:
                m = _STRING.match(text, i)
                key = orjson.loads(m.group(0))
                if dups is not None:
                    if key in seen:
                        dups.append(Duplicate(join_pointer(ptr, key), key, seen[key], pos(i)))
                    seen[key] = pos(i)
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
