"""The one place terminal renderers get their :class:`rich.console.Console`.

Rich renders at 80 columns when its output is not a terminal (a pipe, a CI log, a file), and its
tables then cut identifiers with "…" (`stat…`, `managem…`, account ids): a report pasted into a
ticket would lie by omission. :func:`make_console` keeps the terminal's own width on a TTY and
otherwise renders at ``$COLUMNS`` when set (the user asked for that width), else at
:data:`PIPE_WIDTH` columns. Renderers additionally mark identifier columns ``no_wrap`` so that,
at any width, a narrow table wraps free text rather than cutting an id.
"""

from __future__ import annotations

import os
import sys
from typing import IO

from rich.console import Console
from rich.segment import Segment

from permwise.report.escape import CONTROL_KEEP_NL, terminal


class SafeConsole(Console):
    """A console that can never emit a control sequence that came from data.

    Every text segment has its control characters (other than the newlines rich itself lays out)
    shown as visible escapes, and hyperlink styles are dropped: permwise draws no links, so a
    link can only come from markup injected through a name in a file. Renderers still escape
    strings themselves (report/escape.py); this is the second line of defence.
    """

    def render(self, renderable, options=None):  # type: ignore[no-untyped-def]
        for seg in super().render(renderable, options):
            if seg.control is not None:
                yield seg
                continue
            text, style = seg.text, seg.style
            if CONTROL_KEEP_NL.search(text):
                text = terminal(text, keep_newlines=True)
            if style is not None and style.link:
                style = style.update_link(None)
            yield Segment(text, style, None) if (text is not seg.text or style is not seg.style) else seg

#: width used when the output is not a terminal and $COLUMNS is not set
PIPE_WIDTH = 120


def output_width(stream: IO[str] | None) -> int | None:
    """``None`` (let rich ask the terminal) on a TTY, else ``$COLUMNS`` or :data:`PIPE_WIDTH`."""
    try:
        tty = bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        tty = False
    if tty:
        return None
    cols = os.environ.get("COLUMNS", "").strip()
    if cols.isdigit() and int(cols) > 0:
        return int(cols)
    return PIPE_WIDTH


def make_console(stderr: bool = False, *, soft_wrap: bool = False, record: bool = False,
                 file: IO[str] | None = None, width: int | None = None) -> Console:
    """A console for a CLI verb: no syntax highlighting, identifiers never cut.

    ``stderr`` writes to standard error (warnings, progress). ``file`` (with ``record=True``)
    renders into a buffer for ``--out FILE``; ``width`` overrides the width decision.
    """
    stream = file if file is not None else (sys.stderr if stderr else sys.stdout)
    w = width if width is not None else output_width(stream)
    return SafeConsole(stderr=stderr, file=file, width=w, highlight=False, soft_wrap=soft_wrap, record=record)


#: width of the ``collect`` and ``preflight`` summaries when the output is not a terminal
SUMMARY_PIPE_WIDTH = 200


def summary_console() -> Console:
    """The stdout console of the ``collect`` and ``preflight`` summaries: the terminal's own width
    on a TTY, else :data:`SUMMARY_PIPE_WIDTH` columns so table cells are never cut in CI logs and
    files (unlike :func:`make_console`, ``$COLUMNS`` is not consulted)."""
    probe = Console()
    return SafeConsole(highlight=False, soft_wrap=True, width=None if probe.is_terminal else SUMMARY_PIPE_WIDTH)


def columns_fit(console: Console, rows: list[tuple[str, ...]], *, slack: int) -> bool:
    """Whether identifier columns can keep every value on one line: the widest value of each
    column, with cell padding, plus ``slack`` cells for the rest of the table, fits the console.
    Renderers pass the answer as ``no_wrap`` (with ``overflow="fold"``): when it is false the
    values fold onto a next line instead of being cut with "…"."""
    if not rows:
        return True
    widths = [max(len(r[i]) for r in rows) + 3 for i in range(len(rows[0]))]
    return sum(widths) + slack <= console.width


def plain_table(rows: list[list[str]], header: list[str]) -> str:
    """Columns as wide as their longest cell, a dashed rule under the header, no trailing spaces."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths)).rstrip()]
    lines += [fmt.format(*r).rstrip() for r in rows]
    return "\n".join(lines)
