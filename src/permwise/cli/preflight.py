"""``permwise preflight``: check that the credential profiles reach the right accounts."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from permwise.cli.options import EndpointUrlOpt
from rich.console import Console

from permwise.errors import InputError
from permwise.report.preflight import render as render_preflight
from permwise.report.console import summary_console

def register(app: typer.Typer) -> None:
    @app.command("preflight")
    def preflight_cmd(
        manifest: Annotated[
            str | None,
            typer.Argument(help="Manifest (bundled name such as `runbooks`, or a YAML file): adds the command routing table."),
        ] = None,
        profile_management: Annotated[
            str | None, typer.Option("--profile-management", help="Profile of the management account [env: AWS_MANAGEMENT_PROFILE].")
        ] = None,
        profile_operations: Annotated[
            str | None, typer.Option("--profile-operations", help="Profile of the operations account [env: AWS_OPERATIONS_PROFILE].")
        ] = None,
        profile_billing: Annotated[
            str | None, typer.Option("--profile-billing", help="Profile of the billing (payer) account [env: AWS_BILLING_PROFILE].")
        ] = None,
        profile_workload: Annotated[
            str | None, typer.Option("--profile-workload", help="Profile of a workload account [env: AWS_PROFILE].")
        ] = None,
        config: Annotated[
            str | None,
            typer.Option("--config", "-c", help="Deployment config (the one given to generate and check): each profile's "
                         "live account must be the account it names."),
        ] = None,
        endpoint_url: EndpointUrlOpt = None,
        output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    ) -> None:
        """Verify that each profile reaches the account it should, before a session.

        Profiles come from AWS_MANAGEMENT_PROFILE, AWS_OPERATIONS_PROFILE, AWS_BILLING_PROFILE and AWS_PROFILE (or the --profile-* options) and the AWS config files. Calls sts:GetCallerIdentity per profile and organizations:DescribeOrganization; the management profile must be the organization's management account, and management, operations and billing must be different accounts. With a MANIFEST, every command is routed command -> profile -> account and flagged when that account cannot serve it (Organizations APIs outside the management account and delegated administrators, CROSS_ACCOUNT_SILENT_ZERO; Cost Explorer from a member account). With --config, each profile must also reach the account the deployment config names for it.

        Exit 0 all good (warnings allowed), 1 a verdict failed, 2 bad usage or a profile that cannot be checked (missing profile, bad credentials, unreachable endpoint).

        Example:

            AWS_MANAGEMENT_PROFILE=acmeManagement AWS_BILLING_PROFILE=acmeBilling permwise preflight runbooks
        """
        from permwise.aws.preflight import preflight

        if output_format not in ("text", "json"):
            raise InputError(f"unknown format `{output_format}`", hint="use --format text or --format json")
        overrides = {
            "management": profile_management,
            "operations": profile_operations,
            "billing": profile_billing,
            "workload": profile_workload,
        }
        expected = None
        if config is not None:
            from permwise.requirements import load_config

            expected = {name: pc.account for name, pc in load_config(config).profiles.items()}
        report = preflight({k: v for k, v in overrides.items() if v}, manifest=manifest, endpoint_url=endpoint_url,
                           expected_accounts=expected)
        if output_format == "json":
            typer.echo(json.dumps(report.as_json(), indent=2, sort_keys=True))
        else:
            render_preflight(report, summary_console())
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        for p in report.errors():
            err.print(
                f"permwise: error: profile `{p.aws_profile}` ({p.env_var or p.name}): {p.message}"
                + (f"; hint: {p.fix}" if p.fix else ""),
                markup=False,
            )
        if report.exit_code:
            raise typer.Exit(report.exit_code)


