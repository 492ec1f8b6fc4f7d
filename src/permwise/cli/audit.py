"""``permwise audit``: guardrails, privilege escalation and trust policies over an environment."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from permwise.cli.output import emit
from permwise.report.gaps import json_with_gaps, print_gaps
from permwise.cli.options import AtOpt, AuditFormat, DemoEnvOpt, FailOn, Format, FormatOpt, SeverityFailOn, parse_at
from permwise.cli.scale import SchedulerOpt


def demo_paths() -> tuple[Path, Path]:
    """The bundled demo organization and the audit config that goes with it."""
    import permwise

    base = Path(permwise.__file__).parent / "data"
    return base / "demo" / "snapshot", base / "guardrails" / "demo-audit-config.yaml"


def register(app: typer.Typer) -> None:
    @app.command("audit")
    def audit(
        env: DemoEnvOpt = None,
        config: Annotated[Path | None, typer.Option("--config", "-c", help="Audit config: authorized principals, SCP placeholders, approved accounts.")] = None,
        suppressions: Annotated[Path | None, typer.Option("--suppressions", "-s", help="Suppressions file (rule, subject, reason, expires).")] = None,
        fmt: Annotated[AuditFormat, FormatOpt] = Format.terminal,
        fail_on: Annotated[SeverityFailOn, typer.Option("--fail-on", help="Exit 1 when a finding at or above this severity remains.")] = FailOn.none,
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the report to this file (atomically).")] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the fix of each finding and timings.")] = False,
        access: Annotated[bool, typer.Option("--access", help="Add the external access section (what `permwise access` reports).")] = False,
        zone: Annotated[str | None, typer.Option("--zone", "-z", help="Zone of trust of the access section: `account`, `organization` or ids `111122223333,o-...`.")] = None,
        at: AtOpt = None,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Processes to use (default: every core); the findings are identical for any number.")] = None,
        scheduler: SchedulerOpt = None,
    ) -> None:
        """Audit an environment: every IAM-* guardrail (who besides the authorized principals can
        stop CloudTrail, delete KMS keys, ...), every SCP-* guardrail per member account,
        privilege-escalation paths (self-modification, credentials of others, trust rewrites,
        PassRole to compute services, across sts:AssumeRole hops) and trust policies (missing
        ExternalId, `*` principals, service confused deputy, unpinned OIDC). Every decision goes
        through the engine, so SCPs, boundaries and conditions count.

        With no --env, audits the bundled demo organization with its bundled audit config.

        Example: permwise audit --env snapshot/ --config audit.yaml --format sarif -o audit.sarif --fail-on high
        """
        from permwise.audit import load_config, load_suppressions, run_audit
        from permwise.diagnostics import AUDIT_SCALE
        from permwise.environment import load_snapshot
        from permwise.report.audit import render_text, to_json, to_sarif
        from permwise.report.console import make_console

        snap: Path | None = env
        cfg_path = config
        if env is None:
            snap, demo_cfg = demo_paths()
            cfg_path = config or demo_cfg
        from permwise.cli import scale as sc

        # an organization runs as per-account units (docs/scale.md): never whole in memory
        units = sc.use_units(env, scheduler)
        if units and access:
            from permwise.scale.location import is_remote

            if scheduler or is_remote(str(env)):
                raise typer.BadParameter("--access reads the whole snapshot at once, which a cluster run or a "
                                         "snapshot URL does not; run `permwise access` on a local copy",
                                         param_hint="--access")
            units = False  # a local snapshot: the access section needs it whole, so the audit loads it whole too
        assert snap is not None  # the demo's when no --env
        environment = None if units else load_snapshot(snap)
        gaps: list = []
        if at is not None and environment is not None:
            environment.at = parse_at(at)
        from permwise.parallel import settle_memory

        settle_memory()  # the loaded snapshot stays: keep the collector from re-scanning it
        cfg = load_config(str(cfg_path) if cfg_path else None)
        from permwise.cli.access import suppression_ids

        # one suppressions file serves `audit`, `audit --access` and `access`
        sup = load_suppressions(str(suppressions) if suppressions else None, suppression_ids())
        err = make_console(stderr=True, soft_wrap=True)
        for p in environment.problems if environment is not None else []:
            err.print(f"permwise: warning: {snap}/{p.one_line()}", markup=False)

        if environment is None:
            result, gaps, environment = sc.audit_units(snap, cfg, sup, jobs, scheduler, err,
                                                       parse_at(at) if at is not None else None)
        elif sys.stderr.isatty() and len(environment.principals()) > 200:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=err, transient=True) as prog:
                task = prog.add_task("audit", total=len(environment.principals()) * 2)
                result = run_audit(environment, cfg, sup, progress=lambda n, total: prog.update(task, completed=n),
                                   jobs=jobs)
        else:
            result = run_audit(environment, cfg, sup, jobs=jobs)

        access_result = None
        if access:
            from permwise.access import analyze_access

            access_result = analyze_access(environment, zone, sup)
            access_result.expired = []  # expired suppressions are reported once, by the audit
        elif zone is not None:
            raise typer.BadParameter("--zone needs --access", param_hint="--zone")
        label = str(snap) if env is not None else "bundled demo organization"
        streamed = units  # findings on disk (docs/scale.md): JSON and SARIF are written as they are read
        if fmt == Format.json and streamed:
            from permwise.report.audit import iter_json

            text = iter_json(result, env_path=label, gaps=gaps)
        elif fmt == Format.json:
            text = json_with_gaps(to_json(result, env_path=label), gaps)
            if access_result is not None:
                from permwise.report.access import merge_json

                text = merge_json(text, access_result, env_path=label)
        elif fmt == Format.sarif:
            from permwise import __version__

            if streamed:
                from permwise.report.audit import iter_sarif

                text = iter_sarif(result, env_root=str(snap), tool_version=__version__, gaps=gaps)
            else:
                text = to_sarif(result, env_root=str(snap), tool_version=__version__)  # real files, so viewers place findings
            if access_result is not None:
                from permwise.report.access import merge_sarif

                text = merge_sarif(text, access_result, env_root=str(snap), tool_version=__version__)
        elif fmt == Format.html:
            from permwise.report.html import audit_html

            text = audit_html(result, environment=label, verbose=verbose, snapshot_created=environment.meta.get("created"),
                              gaps=gaps)
            if access_result is not None:
                from permwise.report.access import access_section_html

                text = text.replace("</main>", access_section_html(access_result) + "</main>", 1)
        else:
            import io

            console = make_console() if out is None else make_console(record=True, width=140, file=io.StringIO())
            if env is None:
                console.print(f"auditing the {label} (use --env DIR for yours)")
            print_gaps(console, gaps)
            render_text(result, console, verbose=verbose)
            if access_result is not None:
                from permwise.report.access import render_text as access_text

                console.print()
                console.rule("External access", align="left")
                access_text(access_result, console, verbose=verbose)
            if verbose:
                console.print(f"[dim]{result.stats}[/dim]")
            text = console.export_text() if out is not None else None
        emit(text, out)
        if fail_on != FailOn.none and gaps:
            raise typer.Exit(1)  # unknown results never pass
        if fail_on != FailOn.none and AUDIT_SCALE.reached([f.severity for f in result.active], fail_on.value):
            raise typer.Exit(1)
        if access_result is not None:
            from permwise.cli.access import fails

            if fails(access_result, fail_on.value):
                raise typer.Exit(1)
        if fail_on != FailOn.none and environment.problems:
            # an inconsistent or partial snapshot: the findings may be incomplete, never "clean"
            raise typer.Exit(1)
