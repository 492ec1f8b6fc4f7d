"""``permwise rules``: every rule of the audit registry."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from permwise.cli.options import Format, FormatOpt, TextOrJson


def register(app: typer.Typer) -> None:
    @app.command("rules")
    def rules(
        fmt: Annotated[TextOrJson, FormatOpt] = Format.text,
        family: Annotated[str | None, typer.Option("--family", help="Only guardrail, escalation, trust or audit rules.")] = None,
    ) -> None:
        """List every audit rule with its id, check kind and severity: the 95 guardrails (IAM-*
        and SCP-*, advisory ones included), the privilege-escalation primitives (PRIVESC-*), the
        trust-policy rules (TRUST-*) and the audit's own (AUDIT-*).

        Example: permwise rules --format json --family trust
        """
        from permwise.audit.registry import FAMILY_ORDER, all_rules
        from permwise.errors import InputError
        from permwise.report.audit import rules_json, rules_table

        items = all_rules()
        if family is not None:
            if family not in FAMILY_ORDER:
                raise InputError(f"unknown rule family `{family}`", hint="use one of: " + ", ".join(FAMILY_ORDER))
            items = [r for r in items if r.family == family]
        if fmt == Format.json:
            sys.stdout.write(rules_json(items))
        else:
            from permwise.report.console import make_console

            rules_table(items, make_console())
