"""Where a verb's output goes: a file written atomically (``--out``), or stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path


def emit(text: str | Iterable[str] | None, out: Path | str | None) -> None:
    """Write ``text`` (a string, or chunks of one streamed from disk) to ``out`` (atomically: all
    or nothing) or, without ``out``, to stdout; nothing when ``text`` is None (it was printed to
    the terminal already)."""
    if text is None:
        return
    if out is not None:
        from permwise.fsutil import atomic_write

        atomic_write(out, text)
    else:
        for chunk in [text] if isinstance(text, str) else text:
            sys.stdout.write(chunk)
