"""How gaps (units whose results are unknown, see docs/scale.md) are shown: first, in the
terminal and in JSON."""

from __future__ import annotations

from typing import Any

def print_gaps(console: Any, gaps: list[Any]) -> None:
    """Gaps first: accounts whose results are unknown."""
    if not gaps:
        return
    from permwise.wording import plural

    accounts = sorted({a for g in gaps for a in g.accounts})
    console.print(f"[bold red]UNKNOWN[/bold red] results for {plural(len(accounts), 'account')}: "
                  f"{plural(len(gaps), 'unit')} failed twice; nothing below covers them")
    for g in gaps:
        console.print(f"  [red]unknown[/red]  {g.unit}  accounts {', '.join(g.accounts) or '-'}: {g.error}",
                      markup=True, highlight=False)
    console.print()


def json_with_gaps(text: str, gaps: list[Any]) -> str:
    """The JSON report with ``"gaps"`` first (only when there are gaps: the report is otherwise
    unchanged)."""
    if not gaps:
        return text
    import orjson

    data = orjson.loads(text)
    out = {"gaps": [g.to_dict() for g in gaps], **data}
    return orjson.dumps(out, option=orjson.OPT_INDENT_2).decode() + "\n"
