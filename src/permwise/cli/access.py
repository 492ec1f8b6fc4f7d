"""``permwise access``: who outside the zone of trust can reach each resource (external and public
access, as IAM Access Analyzer reports it), decided offline by the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from permwise.cli.output import emit
from permwise.cli.options import AccessFormat, DemoEnvOpt, FailOn, Format, FormatOpt, SeverityFailOn


ZoneOpt = Annotated[str | None, typer.Option(
    "--zone", "-z", help="Zone of trust: `account`, `organization` (default when the snapshot has one) or "
    "account and organization ids `111122223333,o-a1b2c3d4e5`.")]


def suppression_ids() -> list[str]:
    """Rule ids a suppressions file may name: the audit's and the access finding types."""
    from permwise.access import RULES
    from permwise.audit.registry import all_rules

    return [r.id for r in all_rules()] + [r.id for r in RULES]


def fails(result, fail_on: str) -> bool:
    from permwise.diagnostics import AUDIT_SCALE

    return AUDIT_SCALE.reached([f.severity for f in result.active + list(result.expired)], fail_on)


def register(app: typer.Typer) -> None:
    @app.command("access")
    def access(
        env: DemoEnvOpt = None,
        zone: ZoneOpt = None,
        suppressions: Annotated[Path | None, typer.Option("--suppressions", "-s", help="Suppressions file (rule, subject `RESOURCE PRINCIPAL` glob, reason, expires).")] = None,
        fmt: Annotated[AccessFormat, FormatOpt] = Format.terminal,
        fail_on: Annotated[SeverityFailOn, typer.Option("--fail-on", help="Exit 1 when an active finding at or above this severity remains.")] = FailOn.none,
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the report to this file (atomically).")] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show suppressed findings, notes and locations.")] = False,
    ) -> None:
        """External and public access: for every resource policy (S3 buckets and access points, KMS
        keys and grants, SQS, SNS, Lambda functions and layers, Secrets Manager, ECR, EFS,
        EventBridge, Backup, Glacier, OpenSearch) and every role trust policy, the principals
        outside the zone of trust that can act, with the actions by access level and the
        conditions that limit them. Decided by the engine with the resource policy, the RCPs of
        the resource's account and S3 Block Public Access; the caller's own SCPs are unknown.

        With no --env, analyses the bundled demo organization.

        Example: permwise access --env snapshot/ --zone organization --format sarif -o access.sarif --fail-on high
        """
        from permwise.access import analyze_access
        from permwise.audit import load_suppressions
        from permwise.environment import load_snapshot
        from permwise.report import access as rep
        from permwise.report.console import make_console

        snap: Path | None = env
        if env is None:
            from permwise.cli.audit import demo_paths

            snap = demo_paths()[0]
        assert snap is not None  # the demo's when no --env
        environment = load_snapshot(snap)
        sup = load_suppressions(str(suppressions) if suppressions else None, suppression_ids())
        err = make_console(stderr=True, soft_wrap=True)
        for p in environment.problems:
            err.print(f"permwise: warning: {snap}/{p.one_line()}", markup=False)
        result = analyze_access(environment, zone, sup)
        label = str(snap) if env is not None else "bundled demo organization"
        text: str | None
        if fmt == Format.json:
            text = rep.to_json(result, env_path=label)
        elif fmt == Format.sarif:
            from permwise import __version__

            text = rep.to_sarif(result, env_root=str(env) if env is not None else "demo/snapshot",
                                tool_version=__version__)
        elif fmt == Format.markdown:
            text = rep.to_markdown(result, env_path=label)
        elif fmt == Format.html:
            text = rep.to_html(result, environment=label, snapshot_created=environment.meta.get("created"))
        else:
            import io

            console = make_console() if out is None else make_console(record=True, width=140, file=io.StringIO())
            if env is None:
                console.print(f"analysing the {label} (use --env DIR for yours)")
            rep.render_text(result, console, verbose=verbose)
            text = console.export_text() if out is not None else None
        emit(text, out)
        if fails(result, fail_on.value):
            raise typer.Exit(1)
