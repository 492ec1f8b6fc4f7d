"""``permwise who-can-assume``: every principal that can assume a role, and through what."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from permwise.cli.options import AtOpt, DemoEnvOpt, Format, FormatOpt, TextOrJson, parse_at


def register(app: typer.Typer) -> None:
    @app.command("who-can-assume")
    def who_can_assume(
        role: Annotated[str, typer.Argument(help="Role ARN, or a role name when it is unique in the snapshot.")],
        env: DemoEnvOpt = None,
        fmt: Annotated[TextOrJson, FormatOpt] = Format.text,
        depth: Annotated[int, typer.Option("--depth", min=1, max=8, help="Longest sts:AssumeRole chain to follow.")] = 4,
        at: AtOpt = None,
    ) -> None:
        """List every principal that can assume ROLE and how: the trust policy names it, names
        its account and its identity policy allows sts:AssumeRole (decided by the engine, SCPs
        included), `*`, an AWS service, a federated provider, an account outside the snapshot,
        or a chain of other roles (multi-hop).

        Example: permwise who-can-assume arn:aws:iam::555555555555:role/LambdaAdminExecutionRole --env snapshot/
        """
        import orjson

        from permwise.audit.escalation import escalation_actions
        from permwise.audit.graph import AssumeGraph
        from permwise.audit.probe import Prober
        from permwise.cli.audit import demo_paths
        from permwise.environment import load_snapshot
        from permwise.errors import InputError
        from permwise.report.audit import assumers_text

        snap = env if env is not None else demo_paths()[0]
        environment = load_snapshot(snap)
        if at is not None:
            environment.at = parse_at(at)
        target = environment.principal(role)
        if target is None and not role.startswith("arn:"):
            matches = [p for p in environment.roles() if p.name == role]
            if len(matches) > 1:
                raise InputError(f"role name `{role}` exists in {len(matches)} accounts",
                                 hint="pass the full ARN: " + ", ".join(p.arn for p in matches))
            target = matches[0] if matches else None
        if target is None or target.kind != "role":
            raise InputError(f"no role `{role}` in the snapshot `{snap}`",
                             hint="pass a role ARN listed in the snapshot's authorization-details")
        graph = AssumeGraph(environment, Prober(environment, escalation_actions()))
        entries = graph.who_can_assume(target, max_depth=depth)
        if fmt == Format.json:
            data = {"role": target.arn, "assumers": [e.to_dict() for e in entries]}
            sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        else:
            from permwise.report.console import make_console

            assumers_text(target.arn, entries, make_console())
