"""Renderer of ``permwise simulate`` for one request: the decision and its reasons (rich markup)."""

from __future__ import annotations

from permwise.engine import Request, Result
from permwise.report.reasons import render_reason


def render_text(result: Result, request: Request) -> str:
    """A readable explanation (plain text with rich markup)."""
    from rich.markup import escape

    colour = {"allowed": "green", "explicitDeny": "red", "implicitDeny": "yellow"}.get(result.decision, "white")
    lines = [
        f"[bold {colour}]{result.decision}[/]  {escape(request.action)} on {escape(request.resource)}"
        f"  by {escape(request.principal)}"
    ]
    marks = {"allow": "[green]allow[/]", "explicit-deny": "[red]deny[/]", "no-allow": "[yellow]no allow[/]",
             "not-applicable": "[dim]skipped[/]", "note": "[dim]note[/]"}
    for r in result.reasons:
        lines.append(f"  {marks.get(r.kind, r.kind)}  {escape(render_reason(r))}")
    if result.missing_keys:
        lines.append("  [dim]missing context keys that could change the result:[/] "
                     + escape(", ".join(result.missing_keys)))
    for e in result.errors:
        lines.append(f"  [magenta]error[/]  {escape(e)}")
    return "\n".join(lines)
