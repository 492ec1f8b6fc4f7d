"""Renderers of ``permwise collect``'s summary: JSON, and a table per account with its gaps."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from permwise.wording import plural

def summary_json(result: Any) -> dict[str, Any]:
    return {
        "snapshot": str(result.out),
        "caller": {"account": result.caller_account, "arn": result.caller_arn},
        "management_account": result.management_account,
        "organization": result.organization,
        "regions": result.regions,
        "accounts": [
            {
                "account": a.account_id,
                "name": a.name,
                "status": a.status,
                "principals": a.principals,
                "resource_policies": a.resource_policies,
                "errors": a.errors,
            }
            for a in result.accounts
        ],
        "errors": [{**e.as_json(), "Kind": e.kind} for e in result.errors],
    }


def render_summary(result: Any, console: Console) -> None:
    console.print(
        f"snapshot [bold]{result.out}[/]: organization {result.organization}, caller {result.caller_account}, "
        f"management account {result.management_account or '-'}, regions {', '.join(result.regions)}"
    )
    table = Table(show_lines=False)
    for col in ("account", "name", "status", "principals", "resource policies", "errors"):
        table.add_column(col)
    for a in result.accounts:
        style = {"collected": "green", "skipped": "cyan", "partial": "yellow", "failed": "red"}.get(a.status, "")
        table.add_row(
            a.account_id, a.name, f"[{style}]{a.status}[/]", str(a.principals), str(a.resource_policies), str(a.errors)
        )
    console.print(table)
    if not result.errors:
        console.print("no gaps: every account, region and call succeeded")
        return
    kinds: dict[str, int] = {}
    for e in result.errors:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    console.print(
        f"{plural(len(result.errors), 'gap')} ("
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        + f"), also in {result.out / 'errors.json'} (re-run to retry them):",
        markup=False,
    )
    for e in result.errors:
        console.print(
            f"  gap [{e.kind}]: account {e.account or '-'} region {e.region or '-'} {e.service}:{e.operation} "
            f"{e.code}: {e.message}",
            markup=False,
        )
