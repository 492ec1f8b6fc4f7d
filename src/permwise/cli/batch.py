"""The ``simulate --jsonl`` batch path, kept free of typer, rich and pydantic.

A batch is the one command that programs run again and again (a CI gate, a differential test),
so its start-up is part of its speed: building the typer app imports pydantic to make a type
adapter for each of ``simulate``'s 22 options, about 0.15 s of a 0.3 s start. :func:`fast_batch`
recognises the plain shapes of a batch command line (``simulate --jsonl FILE`` with ``-o``,
``--jobs``, ``--details``, ``--derive-context``, ``--at``, each at most once, values as separate
words) and runs it directly; every other command line, including any usage error, goes through
typer as before, so help, errors and their wording have one source. Both paths call
:func:`run_jsonl`.
"""

from __future__ import annotations

import sys
from typing import Any

from permwise.errors import InputError

_FLAGS = {"--details": "details", "--derive-context": "derive"}
_VALUES = {"--jsonl": "jsonl", "--output": "output", "-o": "output", "--jobs": "jobs", "-j": "jobs", "--at": "at"}


def fast_batch(argv: list[str]) -> bool:
    """Run ``argv`` (without the program name) here if it is a plain ``simulate --jsonl`` batch;
    False (nothing done) for anything else."""
    if argv[:1] != ["simulate"]:
        return False
    opts: dict[str, Any] = {}
    words = iter(argv[1:])
    for word in words:
        if word in _FLAGS and _FLAGS[word] not in opts:
            opts[_FLAGS[word]] = True
        elif word in _VALUES and _VALUES[word] not in opts:
            value = next(words, None)
            if value is None or (value.startswith("-") and value != "-" and not value.lstrip("-").isdigit()):
                return False  # a missing value: typer words that error
            opts[_VALUES[word]] = value
        else:
            return False  # --help, a repeated or unknown option, --name=value: typer decides
    if "jsonl" not in opts:
        return False
    jobs = opts.get("jobs")
    if jobs is not None:
        try:
            jobs = int(jobs)
        except ValueError:
            return False
    from permwise.clock import now_instant

    at = opts.get("at")
    instant = parse_at(at) if at else now_instant()  # the run's one instant
    run_jsonl(opts["jsonl"], opts.get("output"), bool(opts.get("details")), jobs, bool(opts.get("derive")), instant)
    return True


def parse_at(text: str):
    """``--at`` as a UTC datetime; bad input is one line (exit 2)."""
    from permwise.engine.context import parse_instant
    from permwise.errors import InputError

    try:
        return parse_instant(text)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"`--at {text}` is not an instant",
                         hint="give ISO 8601 (2026-01-31T12:00:00Z) or epoch seconds") from None


def open_input(path: str):
    """The binary stream of ``path`` (``-``: stdin); only regular files (a FIFO or device would
    hang or never end), with one-line errors for an unreadable file."""
    shown = "<stdin>" if path == "-" else path
    if path == "-":
        return sys.stdin.buffer
    import os
    import stat

    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise InputError("is a directory, not a file", file=shown, hint="give a .jsonl file, or `-` for stdin")
        if not stat.S_ISREG(st.st_mode):
            raise InputError("is not a regular file (a named pipe or device)", file=shown,
                             hint="give a .jsonl file, or stream the cases into `--jsonl -`")
        return open(path, "rb")  # noqa: SIM115 - closed by the caller
    except FileNotFoundError:
        raise InputError("no such file", file=shown, hint="check the path") from None
    except PermissionError:
        raise InputError("permission denied", file=shown, hint="check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=shown, hint="check the path") from None


def _regular(fh) -> bool:
    import os
    import stat

    try:
        return stat.S_ISREG(os.fstat(fh.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def run_jsonl(path: str, output: str | None, details: bool, jobs: int | None = 1, derive: bool = False,
              at: Any = None) -> None:
    """One result per non-blank line, in order, streamed (see :mod:`permwise.jsonl`). Lines are
    split on ``\\n`` only (a JSON string may hold U+2028 and friends), a UTF-8 byte order mark
    at the start of the batch is ignored, and any failure inside one line (not UTF-8, not
    JSON, not a case) becomes that line's error result: the batch always goes on."""
    from permwise.jsonl import run_stream
    from permwise.parallel import resolve_jobs

    n_jobs = resolve_jobs(jobs)
    shown = "<stdin>" if path == "-" else path
    fh = open_input(path)
    try:
        if output is None:
            out = sys.stdout.buffer
            interactive = path == "-" and not _regular(fh)

            def write(data: bytes) -> None:
                out.write(data)

            run_stream(fh, write, shown=shown, jobs=n_jobs, details=details, derive=derive,
                       flush=out.flush if interactive else None, at=at)
            out.flush()
            return
        from permwise.fsutil import AtomicStream

        with AtomicStream(output) as stream:
            run_stream(fh, stream.write, shown=shown, jobs=n_jobs, details=details, derive=derive, at=at)
            stream.commit()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=shown, hint="check the path") from None
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()
