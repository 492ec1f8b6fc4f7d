"""``permwise collect``: read a live AWS Organization into an environment snapshot (read-only)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from permwise.cli.options import EndpointUrlOpt
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from permwise.errors import InputError
from permwise.report.collect import render_summary, summary_json
from permwise.report.console import summary_console


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    return items or None


class _Bar:
    """Adapter from collect's progress events to a rich progress bar on stderr.

    The bar starts with the first event, so a run that stops before collecting anything (bad
    credentials, unreachable endpoint) prints nothing but its one error line.
    """

    def __init__(self, console: Console) -> None:
        self.p = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = self.p.add_task("collecting", total=None)
        self.started = False

    def total(self, units: int) -> None:
        if not self.started:
            self.p.start()
            self.started = True
        self.p.update(self.task, total=units)

    def advance(self, description: str) -> None:
        self.p.update(self.task, advance=1, description=description)

    def stop(self) -> None:
        if self.started:
            self.p.stop()


def register(app: typer.Typer) -> None:
    @app.command("collect")
    def collect_cmd(
        out: Annotated[Path, typer.Option("--out", "-o", help="Snapshot directory to write (created if missing).")],
        profile: Annotated[
            str | None,
            typer.Option(
                "--profile",
                help="AWS profile of the management or delegated administrator account "
                "(default: $AWS_MANAGEMENT_PROFILE, then the default credential chain).",
            ),
        ] = None,
        regions: Annotated[
            str | None, typer.Option("--regions", help="Comma-separated regions for regional resource policies (default: the profile's region).")
        ] = None,
        role_name: Annotated[
            str, typer.Option("--role-name", help="Role assumed in each member account.")
        ] = "OrganizationAccountAccessRole",
        accounts: Annotated[
            str | None, typer.Option("--accounts", help="Comma-separated account ids to collect (default: every active account).")
        ] = None,
        concurrency: Annotated[int, typer.Option("--concurrency", help="Units of work (an account's IAM, S3, or one region) collected in parallel, across accounts and regions (1-64).")] = 4,
        refresh: Annotated[bool, typer.Option("--refresh", help="Collect this run's organization, accounts and regions again, even where an earlier run finished.")] = False,
        endpoint_url: EndpointUrlOpt = None,
        output_format: Annotated[str, typer.Option("--format", help="Summary format: text or json.")] = "text",
        no_progress: Annotated[bool, typer.Option("--no-progress", help="Do not draw the progress bar.")] = False,
    ) -> None:
        """Collect IAM, the Organizations tree, SCPs, RCPs and resource policies into a snapshot.

        Read-only: permwise only calls Get/List/Describe APIs, sts:GetCallerIdentity and sts:AssumeRole (see `permwise generate permwise`). Member accounts are read through --role-name assumed from --profile (the management account or a delegated administrator). A re-run resumes; every failed account, region or call is listed in the summary and in errors.json.

        Exit 0 when the snapshot is complete, 1 when it has gaps (errors.json), 2 for bad usage, a missing profile, bad credentials or an unreachable endpoint.

        Example:

            permwise collect --out snap --profile acme-management --regions us-east-1,eu-west-1
        """
        from permwise.aws.collect import collect

        if output_format not in ("text", "json"):
            raise InputError(f"unknown format `{output_format}`", hint="use --format text or --format json")
        err = Console(stderr=True, highlight=False)
        # the four-profile contract routes Organizations APIs to the management profile, so that is
        # the default; AWS_PROFILE names the workload profile there and would read no organization
        profile = profile or os.environ.get("AWS_MANAGEMENT_PROFILE") or None
        kwargs = dict(
            profile=profile,
            regions=_split(regions),
            role_name=role_name,
            accounts=_split(accounts),
            concurrency=concurrency,
            refresh=refresh,
            endpoint_url=endpoint_url,
        )
        if no_progress:
            result = collect(out, **kwargs)
        else:
            bar = _Bar(err)
            try:
                result = collect(out, progress=bar, **kwargs)
            finally:
                bar.stop()
        if output_format == "json":
            typer.echo(json.dumps(summary_json(result), indent=2, sort_keys=True))
        else:
            render_summary(result, summary_console())
        if result.errors:
            raise typer.Exit(1)


