"""Renderers of ``permwise actions``: the aligned table of actions, their count line, and the
explanation of one action (plain text, or with bold labels on a terminal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from permwise.catalog import ACCESS_LEVEL_ORDER, Action

LEGEND = 'type* = required resource type; - = wildcard-only action (needs Resource "*")'


WILDCARD_YES = 'yes: no resource types, use Resource "*"'


def levels_text(a: Action) -> str:
    others = [lvl for lvl in ACCESS_LEVEL_ORDER if lvl in a.access_levels and lvl != a.access_level]
    return a.access_level + (f" (+{', '.join(others)})" if others else "")


def types_text(a: Action) -> str:
    if a.wildcard_only:
        return "-"
    return ", ".join(r.name + ("*" if r.required else "") for r in a.resources)


def count_line(n: int, pats: list[str], not_action: bool, levels: frozenset[str]) -> str:
    noun = "action" if n == 1 else "actions"
    quoted = ", ".join(f"`{p}`" for p in pats)
    what = f"not matched by {quoted} (NotAction)" if not_action else f"matching {quoted}"
    level_txt = ""
    if levels:
        level_txt = " with access level " + " or ".join(lvl for lvl in ACCESS_LEVEL_ORDER if lvl in levels)
    return f"{n:,} {noun} {what}{level_txt}"


def print_table(console: Console, headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    """An aligned table: columns as wide as their longest cell, the last one wrapped at commas
    to the terminal width. Written by hand because rich's Table lays out about 1,500 rows a
    second, and ``--not-action`` prints over 20,000."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:-1])]
    indent = sum(widths) + 2 * len(widths)
    room = max(console.width - indent, 30)
    head = Text()
    for h, w in zip(headers[:-1], widths):
        head.append(h.ljust(w) + "  ", style="bold")
    head.append(headers[-1], style="bold")
    console.print(head, soft_wrap=True)
    console.print(Text("─" * min(console.width, indent + max(len(headers[-1]), *(len(r[-1]) for r in rows)))), soft_wrap=True)
    lines = []
    for r in rows:
        first = "".join(c.ljust(w) + "  " for c, w in zip(r[:-1], widths))
        wrapped = wrap_commas(r[-1], room)
        lines.append(first + wrapped[0])
        lines.extend(" " * indent + more for more in wrapped[1:])
    console.file.write("\n".join(lines) + "\n")  # plain text: no markup to process


def wrap_commas(text: str, room: int) -> list[str]:
    parts = text.split(", ")
    out, cur = [], ""
    for i, part in enumerate(parts):
        piece = part + ("," if i < len(parts) - 1 else "")
        if cur and len(cur) + 1 + len(piece) > room:
            out.append(cur)
            cur = piece
        else:
            cur = f"{cur} {piece}" if cur else piece
    out.append(cur)
    return out


def key_text(k: dict[str, Any]) -> str:
    if k["type"] is None:
        return f"{k['name']} (type unknown)"
    t = k["type"] + "".join(f"|{o}" for o in k.get("other_types", []))
    return f"{k['name']} ({t})"


def explain_lines(d: dict[str, Any]) -> list[str]:
    lines = [
        f"action:          {d['action']}",
        f"service:         {d['service_name']} (prefix {d['service']})",
        f"description:     {d['description']}",
        f"access level:    {d['access_level']} (all levels: {', '.join(d['access_levels'])})",
        f"wildcard-only:   {WILDCARD_YES if d['wildcard_only'] else 'no'}",
        f"resource types:  {len(d['resource_types']) or 'none'}",
    ]
    for r in d["resource_types"]:
        lines.append(f"  {r['name']} ({'required' if r['required'] else 'optional'})")
        lines.append(f"    arn:                {r['arn'] or '(not in the data)'}")
        if r["action_condition_keys"]:
            lines.append("    keys (this action): " + ", ".join(key_text(k) for k in r["action_condition_keys"]))
        if r["type_condition_keys"]:
            lines.append("    keys (the type):    " + ", ".join(key_text(k) for k in r["type_condition_keys"]))
        if r["dependent_actions"]:
            lines.append("    dependent actions:  " + ", ".join(r["dependent_actions"]))
    lines.append(f"condition keys:  {len(d['condition_keys']) or 'none'}")
    for k in d["condition_keys"]:
        lines.append(f"  {key_text(k)}")
    lines.append(f"dependent actions: {', '.join(d['dependent_actions']) or 'none'}")
    return lines


def explain_rich(console: Console, d: dict[str, Any]) -> None:
    """The text layout with the labels and the action name in bold (ARNs stay on one line)."""
    for line in explain_lines(d):
        label, sep, rest = line.partition(":")
        if sep and not line.startswith(" ") or line.lstrip().startswith(("arn:", "keys", "dependent")):
            text = Text(label + sep, style="bold")
            text.append(rest, style="bold" if label == "action" else "")
        else:
            text = Text(line)
        console.print(text, soft_wrap=True)
