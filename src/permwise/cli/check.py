"""``permwise check``: whether an environment lets each command of a tool run, and the fixes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from permwise.cli.output import emit
from permwise.report.gaps import json_with_gaps, print_gaps
from permwise.cli.options import CheckFormat, CommandsOpt, FailOn, Format, FormatOpt, ProfilesOpt, StatusFailOn
from permwise.cli.scale import SchedulerOpt


#: above this many evaluations a progress bar is shown (stderr, TTY only)
PROGRESS_THRESHOLD = 3000


def demo_paths() -> tuple[Path, Path]:
    """The bundled demo organization: (snapshot directory, deployment config)."""
    import permwise

    base = Path(permwise.__file__).parent / "data" / "demo"
    return base / "snapshot", base / "config.yaml"


class _WorkBar:
    """A bar of ``check``'s evaluations on stderr, started when ``check`` tells its total work
    and only on a terminal and above :data:`PROGRESS_THRESHOLD`."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int) -> None:
        if not sys.stderr.isatty() or total <= PROGRESS_THRESHOLD:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=self.console, transient=True)
        self.task = self.bar.add_task("check", total=total)
        self.bar.start()

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def __enter__(self) -> _WorkBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        manifest: Annotated[
            str | None,
            typer.Argument(help="Bundled manifest name (runbooks, ...) or file path. Omit everything for the demo."),
        ] = None,
        env: Annotated[
            Path | None, typer.Option("--env", "-e", help="Environment snapshot directory (see docs/snapshots.md).")
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option("--config", "-c", help="Deployment config (YAML) mapping each profile to an account and principal."),
        ] = None,
        commands: CommandsOpt = None,
        profile: ProfilesOpt = None,
        fmt: Annotated[CheckFormat, FormatOpt] = Format.terminal,
        fail_on: Annotated[
            StatusFailOn,
            typer.Option("--fail-on", help="Exit 1 when a command is blocked (or, with `partial`, partially blocked; "
                         "with `conditional`, also when it turns on a key the config does not state)."),
        ] = FailOn.none,
        no_excess: Annotated[
            bool, typer.Option("--no-excess", help="Skip the excess-permission analysis of each profile's principal.")
        ] = False,
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Write the report to this file (atomically) instead of stdout.")
        ] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every blocked action and excess group.")] = False,
        at: Annotated[
            str | None,
            typer.Option("--at", help="The instant requests are made at (aws:CurrentTime, aws:EpochTime), ISO 8601 "
                         "or epoch seconds; default: now. One instant for the whole run."),
        ] = None,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Processes to use (default: every core); the report is identical for any number.")] = None,
        scheduler: SchedulerOpt = None,
    ) -> None:
        """Check whether an environment lets each command of a tool run: every required action is
        evaluated, as AWS would, under the principal each profile resolves to (identity policies,
        permissions boundary, the SCP and RCP chain, resource policies). Commands are ready,
        partial or blocked; each blocked action names the deciding layer (the SCP and the OU it
        is attached to, a boundary, a deny statement, a missing allow) and the fix. Each
        profile's principal also gets its excess: what it may do beyond the commands' needs.

        With no arguments, runs the bundled runbooks manifest against the bundled demo
        organization (a management, billing, operations and two workload accounts).

        Example: permwise check runbooks --env snapshot/ --config deploy.yaml --fail-on blocked
        """
        from permwise.environment import load_snapshot
        from permwise.errors import InputError
        from permwise.report.check import render_json, render_markdown, render_terminal
        from permwise.report.console import make_console
        from permwise.requirements import load_config, load_manifest
        from permwise.cli.options import parse_at
        from permwise.requirements.check import check as run_check, fails

        demo = manifest is None and env is None and config is None
        if demo:
            snap, cfg_path = demo_paths()
            manifest_name = "runbooks"
            snapshot_label, config_label = "bundled demo organization", "bundled demo config"
        else:
            if manifest is not None:  # a misspelt manifest is the first thing to say (`check runbok`)
                from permwise.requirements.manifest import manifest_path

                manifest_path(manifest)
            if env is None or config is None:
                missing = " and ".join(n for n, v in (("--env", env), ("--config", config)) if v is None)
                raise InputError(f"missing {missing}",
                                 hint="pass MANIFEST --env DIR --config FILE, or no arguments at all for the demo")
            snap, cfg_path = env, config
            manifest_name = manifest or "runbooks"
            snapshot_label, config_label = str(env), str(config)

        m = load_manifest(manifest_name)
        cfg = load_config(str(cfg_path))
        from permwise.cli import scale as sc

        # an organization runs as per-account units (docs/scale.md): never whole in memory
        units = sc.use_units(env, scheduler)
        environment = None if units else load_snapshot(snap)
        gaps: list = []
        if at is not None and environment is not None:
            environment.at = parse_at(at)
        from permwise.parallel import settle_memory

        settle_memory()  # the loaded snapshot stays: keep the collector from re-scanning it
        err = make_console(stderr=True, soft_wrap=True)
        for p in environment.problems if environment is not None else []:
            err.print(f"permwise: warning: {snap}/{p.one_line()}", markup=False)

        if environment is not None:
            with _WorkBar(err) as bar:
                report = run_check(m, cfg, environment, commands=commands, profiles=profile, excess=not no_excess,
                                   progress=bar.advance, on_total=bar.start, snapshot_label=snapshot_label,
                                   config_label=config_label, jobs=jobs)
        else:
            report, gaps, environment = sc.check_units(m, cfg, snap, commands, profile, not no_excess, snapshot_label,
                                                       config_label, jobs, scheduler, err,
                                                       parse_at(at) if at is not None else None)

        if fmt == Format.json:
            text = json_with_gaps(render_json(report), gaps)
        elif fmt == Format.markdown:
            text = render_markdown(report, gaps=gaps)
        elif fmt == Format.html:
            from permwise.report.html import check_html

            text = check_html(report, verbose=verbose, snapshot_created=environment.meta.get("created"), gaps=gaps)
        else:
            if out is None:
                console = make_console()
                print_gaps(console, gaps)
                render_terminal(report, console, verbose=verbose)
                text = None
            else:
                import io

                console = make_console(record=True, width=120, file=io.StringIO())
                print_gaps(console, gaps)
                render_terminal(report, console, verbose=verbose)
                text = console.export_text()
        emit(text, out)
        if text is not None and out is not None:
            err.print(f"wrote {out}", markup=False)

        if fails(report, fail_on.value):
            raise typer.Exit(1)
