"""Escaping of untrusted strings, one helper per output format.

Names, Sids, descriptions, tags, ARNs and messages that quote them come from files the user did
not write (an organization's SCPs, a vendor's role, a manifest): every renderer passes them
through the helper of its format before they reach the output.

* terminal (and ``--out`` text reports): control characters (C0 except none, DEL, C1) are shown as
  visible ``\\x1b``-style escapes, so an escape sequence can never set the window title, clear the
  screen or draw an OSC-8 link; :func:`terminal_markup` also escapes rich markup (``[link=...]``)
  for strings placed where rich parses markup. :class:`~permwise.report.console.make_console`
  applies :func:`terminal` to every segment as a second line of defence and drops hyperlink
  styles (permwise draws none).
* Markdown: :func:`md_text` escapes HTML and Markdown syntax (so `<script>`, `<img onerror>`,
  headings, emphasis, links and `javascript:` URLs stay text); :func:`md_code` makes a code span
  that no backtick inside can end; both keep table cells to one line with `|` escaped.
* JSON and SARIF: unchanged (a JSON serializer escapes what JSON needs; consumers must escape
  for their own output). HTML has its own escaping in Jinja2 autoescape (report/html.py).
"""

from __future__ import annotations

import re

from rich.markup import escape as _rich_escape

#: C0 controls, DEL and C1 controls; plus the Unicode bidirectional overrides and isolates that
#: can make a terminal or a Markdown viewer show text in another order than it is ("Trojan Source")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_KEEP_NL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    ch = m.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``)."""
    s = str(text)
    return (CONTROL_KEEP_NL if keep_newlines else _CONTROL).sub(_visible, s)


def terminal_markup(text: object) -> str:
    """:func:`terminal`, then rich markup escaped: for strings rich will parse as markup."""
    return _rich_escape(terminal(text))


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


# ---------------------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#!|~])")
_MD_LINE_START = re.compile(r"^([-+]|\d+[.)])(?=\s)")
_JS_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data)\s*:")


def md_text(text: object, *, strip: bool = True) -> str:
    """Plain text for a Markdown paragraph, heading, list item or table cell (one line).

    HTML is escaped (``&``, ``<``, ``>``, quotes) so no tag or entity is interpreted; every
    Markdown punctuation character is backslash-escaped so no emphasis, heading, list, table
    cell break or link can form; ``javascript:`` (and ``vbscript:``, ``data:``) lose their colon
    to an entity, so no viewer turns them into a link either.
    """
    s = _CONTROL.sub(" ", str(text))
    s = s.strip() if strip else s
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_LINE_START.sub(r"\\\1", _MD_SPECIAL.sub(r"\\\1", s))
    return _JS_SCHEME.sub(lambda m: m.group(1) + "&#58;", s)


def md_code(text: object, *, table: bool = True) -> str:
    """An inline code span that shows ``text`` verbatim and cannot be broken out of.

    The fence is one backtick longer than the longest run inside; in a table cell ``|`` is
    escaped (GitHub splits cells on it even inside code spans). Newlines become spaces.
    """
    s = _CONTROL.sub(" ", str(text))
    if table:
        s = s.replace("|", "\\|")
    runs = [len(r) for r in re.findall(r"`+", s)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if runs else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_message(text: object) -> str:
    """A permwise message for Markdown: its `backticked` parts become code spans, the rest
    :func:`md_text`. Whatever a quoted name holds (backticks included), each piece is escaped,
    so the worst a hostile name can do is move a code span's edge."""
    parts = _CONTROL.sub(" ", str(text)).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: the last one is text
        parts[-2:] = [parts[-2] + "`" + parts[-1]]
    return "".join(md_code(p) if i % 2 else md_text(p, strip=False) for i, p in enumerate(parts)).strip()


def md_fence(text: str, lang: str = "") -> list[str]:
    """Lines of a fenced code block whose fence no run of backticks inside can close."""
    runs = [len(r) for r in re.findall(r"`{3,}", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return [fence + lang, CONTROL_KEEP_NL.sub(" ", text), fence]
