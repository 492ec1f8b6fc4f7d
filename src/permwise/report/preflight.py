"""Renderer of ``permwise preflight``: the profiles table, the routing table, and a verdict line."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from permwise.wording import noun, plural

_STYLE = {"ok": "green", "skip": "dim", "warn": "yellow", "fail": "red", "error": "bold red"}


def render(report: Any, console: Console) -> None:
    """A compact table per section; details and fixes as lines below it (they never wrap into
    narrow columns)."""
    table = Table(title="profiles" + (f" (manifest {report.manifest})" if report.manifest else ""), title_justify="left")
    for col in ("profile", "variable", "aws profile", "account", "verdict"):
        table.add_column(col, no_wrap=True)
    for p in report.profiles:
        style = _STYLE.get(p.status, "")
        table.add_row(p.name, p.env_var or "-", p.aws_profile or "-", p.account or "-", f"[{style}]{p.verdict}[/]")
    console.print(table)
    for p in report.profiles:
        console.print(f"{p.name}: {p.message}", markup=False)
        for note in p.notes:
            console.print(f"  note: {note}", markup=False)
        if p.fix and p.status not in ("ok",):
            console.print(f"  fix: {p.fix}", markup=False)
    if report.management_account:
        line = f"management account: {report.management_account}"
        if report.delegated_administrators is not None:
            line += "; delegated administrators: " + (", ".join(report.delegated_administrators) or "none")
        console.print(line)
    if report.routes:
        routes = Table(title="routing: command -> profile -> account", title_justify="left")
        for col in ("command", "profile", "account", "needs", "verdict"):
            routes.add_column(col, no_wrap=True)
        for r in report.routes:
            style = _STYLE.get(r.status, "")
            routes.add_row(r.command, r.profile, r.account or "-", r.needs, f"[{style}]{r.verdict}[/]")
        console.print(routes)
        for r in report.routes:
            if r.status in ("ok", "skip"):
                continue
            console.print(f"{r.command}: {r.verdict}: {r.message}", markup=False)
            if r.fix:
                console.print(f"  fix: {r.fix}", markup=False)
    failed = sum(1 for p in report.profiles if p.status in ("fail", "error")) + sum(
        1 for r in report.routes if r.status in ("fail", "error")
    )
    warned = sum(1 for p in report.profiles if p.status == "warn") + sum(1 for r in report.routes if r.status == "warn")
    if failed:
        console.print(f"preflight failed: {plural(failed, 'verdict')} {noun(failed, 'needs', 'need')} a fix" + (f", {plural(warned, 'warning')}" if warned else ""))
    else:
        console.print("preflight passed" + (f" with {plural(warned, 'warning')}" if warned else ""))
