"""``simulate --jsonl`` as a stream: one case per line in, one result per line out, same order.

Reading and writing go line by line, so memory stays bounded by the cases in flight (a few
MB beyond the largest case) whatever the size of the batch, and the first results appear while
the rest is still being read. With ``jobs > 1`` lines are cut into chunks (at most
:data:`CHUNK_LINES` lines or :data:`CHUNK_BYTES` bytes) evaluated by worker processes; chunks
are written back in input order, so the output is byte-identical for any number of jobs. A
batch smaller than one chunk runs in this process.

Every line stands alone: a line that is not valid UTF-8, not JSON, not a case, or longer than
:data:`MAX_LINE_BYTES` gets its own error record (``decision: "error"``) and the batch goes on.
Blank lines are skipped; a UTF-8 byte order mark before the first line is ignored. Only a batch
with no case at all, or one where not a single line is UTF-8 text (a binary file given by
mistake), is bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, BinaryIO

import orjson

from permwise.engine.cases import CaseError, case_from_dict, case_json, release
from permwise.engine.evaluate import evaluate
from permwise.report.reasons import error_record, result_record
from permwise.errors import InputError

CHUNK_LINES = 256
CHUNK_BYTES = 1 << 20
MAX_LINE_BYTES = 64 << 20
#: error records held back while no line has been UTF-8 text yet (a binary file is bad input,
#: not a batch of errors); past this many the batch is taken as a batch
MAX_PENDING = 10_000

Line = tuple[int, bytes]  # (line number, raw bytes)
#: a unit of work: lines, details, derive, the run's instant
Chunk = tuple[list[Line], bool, bool, datetime | None]


def _utf8_problem(line: bytes) -> str | None:
    bad = _utf8_column(line)
    return None if bad is None else f"not valid UTF-8 (byte 0x{line[bad - 1]:02x} at column {bad})"


def _utf8_column(line: bytes) -> int | None:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start + 1
    return None


def _gate(line: bytes, case: Any, dump_colons: int | None = None) -> None:
    """The input gate's checks for one parsed line (docs/bad-input.md): nesting depth and
    duplicate keys. A repeated key is never resolved silently (``"Effect": "Deny", ...,
    "Effect": "Allow"`` would otherwise decide as the last one). ``dump_colons``: the colons of
    the case's dump, when the caller has it (see :func:`permwise.sources.json_bytes_problem`)."""
    from permwise.sources import MAX_DEPTH, first_json_duplicate, json_bytes_problem

    problem = json_bytes_problem(line, case, dump_colons)
    if problem == "deep":
        raise CaseError(f"nested more than {MAX_DEPTH} levels deep")
    if problem == "duplicate":
        d = first_json_duplicate(line.decode("utf-8"))
        where = f" `{d.key}` at `{d.pointer}`" if d is not None else ""
        raise CaseError(f"duplicate key{where}: a reader keeps only one of them; remove the other")


def _rcp_services(case: Any) -> frozenset[str] | None:
    """The catalog's RCP-supported services, read only for a case that has RCPs."""
    if isinstance(case, dict) and case.get("rcps"):
        from permwise.catalog import get_catalog

        return get_catalog().rcp_supported_services()
    return None


def evaluate_line(lineno: int, line: bytes, details: bool = False, derive: bool = False,
                  at: datetime | None = None) -> bytes:
    """The output record (with its newline) for one non-blank input line. ``at``: the run's
    instant (the request's ``aws:CurrentTime`` unless the case's context states one)."""
    cid = None
    try:
        case = orjson.loads(line)
        parts = None
        if isinstance(case, dict):
            cid = case.get("id")
            # one dump serves the gate and the policy-set cache key: a colon count is additive
            # over a dump cut at its top-level entries
            parts = case_json(case)
        if isinstance(case, (dict, list)):
            _gate(line, case, parts[0].count(b":") + parts[1].count(b":") if parts is not None else None)
        _id, ps, req = case_from_dict(case, cache=True, strict_types=True, derive=derive,
                                      rcp_services=_rcp_services(case), at=at,
                                      policy_json=parts[0] if parts is not None else None)
        rec = result_record(cid, evaluate(ps, req), details)
        release(ps)
    except orjson.JSONDecodeError as exc:
        bad = _utf8_problem(line)
        rec = error_record(None, f"line {lineno}: {bad}" if bad else f"line {lineno}: not valid JSON ({exc})")
    except CaseError as exc:
        rec = error_record(cid, f"line {lineno}: {exc}")
    except Exception as exc:  # noqa: BLE001 - never stop a batch on one case
        rec = error_record(cid, f"line {lineno}: cannot evaluate this case ({type(exc).__name__}: {exc})")
    try:
        return orjson.dumps(rec) + b"\n"
    except TypeError:  # an id that is not JSON data cannot happen for parsed JSON; be safe
        return orjson.dumps(error_record(None, f"line {lineno}: cannot write this result")) + b"\n"


def _too_long(lineno: int) -> Line:
    # a marker line that cannot be JSON; evaluate_line turns it into an error record
    return lineno, b""


def read_lines(fh: BinaryIO) -> Iterator[Line]:
    """Non-blank lines with their numbers; over-long lines are yielded as ``(n, b"")``."""
    lineno = 0
    first = True
    while True:
        line = fh.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:  # skip the rest of the line without holding it
                rest = fh.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
            yield _too_long(lineno)
            first = False
            continue
        if first:
            first = False
            if line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
        if line.endswith(b"\n"):
            line = line[:-1]
        if not line or line.isspace():
            continue
        yield lineno, line


def _chunks(lines: Iterator[Line], details: bool, derive: bool, at: datetime | None) -> Iterator[Chunk]:
    chunk: list[Line] = []
    size = 0
    for item in lines:
        chunk.append(item)
        size += len(item[1])
        if len(chunk) >= CHUNK_LINES or size >= CHUNK_BYTES:
            yield chunk, details, derive, at
            chunk, size = [], 0
    if chunk:
        yield chunk, details, derive, at


def _record_for_special(lineno: int, line: bytes, at: datetime | None = None) -> bytes:
    if not line:
        return orjson.dumps(error_record(None, f"line {lineno}: longer than {MAX_LINE_BYTES:,} bytes, skipped")) + b"\n"
    return evaluate_line(lineno, line, at=at)


def run_stream(fh: BinaryIO, write: Callable[[bytes], None], *, shown: str, jobs: int = 1, details: bool = False,
               derive: bool = False, flush: Callable[[], None] | None = None, at: datetime | None = None) -> int:
    """Evaluate every case read from ``fh``, writing each result with ``write``; returns the
    number of cases. With ``jobs == 1`` each result is written (and ``flush`` called) as soon
    as its line is read, so a program can use ``simulate --jsonl - --jobs 1`` as a co-process;
    with more jobs results come a chunk at a time. Raises :class:`InputError` for a batch with no case or no UTF-8 line (in
    which case nothing has been written). ``at``: the run's one instant."""
    from permwise.parallel import settle_memory

    # a stream makes and drops compiled policies all along: collect them at the usual pace of
    # the older generations so memory stays flat, but scan the young one less often
    settle_memory(young=20_000, older=10)
    lines = read_lines(fh)
    # hold back the error records of leading undecodable lines until a line is UTF-8 text
    pending: list[bytes] = []
    first_bad: tuple[int, str, int | None] | None = None
    count = 0
    head: list[Line] = []
    for lineno, line in lines:
        count += 1
        bad = "longer than the line limit" if not line else _utf8_problem(line)
        if bad is None:
            head.append((lineno, line))
            break
        if first_bad is None:
            first_bad = (lineno, bad, _utf8_column(line) if line else None)
        pending.append(_record_for_special(lineno, line, at))
        if len(pending) >= MAX_PENDING:
            break
    if not head and len(pending) < MAX_PENDING:
        if first_bad is not None:
            lineno, bad, col = first_bad
            raise InputError(f"no line is UTF-8 text: line {lineno} is {bad}", file=shown, line=lineno, column=col,
                             hint="save the batch as UTF-8 text, one JSON case per line")
        raise InputError("file is empty: no cases to evaluate", file=shown,
                         hint="give one JSON case per line (see docs/simulate.md)")
    for rec in pending:
        write(rec)
    pending.clear()

    def rest() -> Iterator[Line]:
        nonlocal count
        yield from head
        for item in lines:
            count += 1
            yield item

    if jobs <= 1:  # line by line: each result is written as soon as its line is read
        for n, line in rest():
            write(evaluate_line(n, line, details, derive, at) if line else _record_for_special(n, line, at))
            if flush is not None:
                flush()
        return count
    chunks = _chunks(rest(), details, derive, at)
    first = next(chunks, None)
    if first is None:
        return count
    second = next(chunks, None)
    if second is None:  # smaller than one chunk: no pool
        write(evaluate_chunk(first))
        return count
    from permwise.parallel import ordered_map

    def all_chunks() -> Iterator[Chunk]:
        yield first
        yield second
        yield from chunks

    for out in ordered_map(evaluate_chunk, all_chunks(), jobs):
        write(out)
    return count


def evaluate_chunk(chunk: Chunk) -> bytes:
    """Results of a chunk of lines, joined (the unit of work of a worker process)."""
    lines, details, derive, at = chunk
    return b"".join(
        evaluate_line(n, line, details, derive, at) if line else _record_for_special(n, line, at) for n, line in lines
    )
