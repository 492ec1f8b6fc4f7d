"""``permwise generate``: least-privilege policies per profile from a requirement manifest."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from permwise.cli.options import CommandsOpt, Format, FormatOpt, GenerateFormat, ProfilesOpt
from permwise.wording import plural


class ScpStrategy(str, Enum):
    deny_list = "deny-list"
    allow_list = "allow-list"


def register(app: typer.Typer) -> None:
    @app.command("generate")
    def generate(
        manifest: Annotated[str, typer.Argument(help="Bundled manifest name (runbooks, permwise, ...) or file path.")],
        config: Annotated[
            str | None,
            typer.Option("--config", "-c", help="Deployment config (YAML): variables, regions, account per profile."),
        ] = None,
        commands: CommandsOpt = None,
        profile: ProfilesOpt = None,
        fmt: Annotated[GenerateFormat, FormatOpt] = Format.json,
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="Directory to write the files to (default: print to stdout).")
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
        no_compress: Annotated[
            bool, typer.Option("--no-compress", help="List every action; never compress to a wildcard.")
        ] = False,
        scp_strategy: Annotated[
            ScpStrategy,
            typer.Option("--scp-strategy", help="With --format scp-exception: how your SCPs are written. "
                         "deny-list (FullAWSAccess + Deny statements) gets a Deny-with-exception statement; "
                         "allow-list (only listed actions allowed) gets an Allow limited to the tool's role."),
        ] = ScpStrategy.deny_list,
        env: Annotated[
            Path | None,
            typer.Option("--env", "-e", help="With --format scp-exception: an environment snapshot; the output is then a "
                         "patch of the SCPs that actually block the commands there (the statement and the change)."),
        ] = None,
        attach: Annotated[
            bool,
            typer.Option("--attach", help="With --format cloudformation or terraform: also attach each profile's "
                         "policies to its principal from --config (an IAM role or user), or reference them from "
                         "its IAM Identity Center permission set (`permission_set` in the config)."),
        ] = False,
    ) -> None:
        """Generate the least-privilege policies each profile needs for the manifest's commands:
        only the required actions, scoped to resources wherever AWS supports it, split to the
        managed-policy size limit, validated before they are written.

        Without --config, `{account}` and `{region}` become `*` and other variables take the
        manifest's example. Without --out, the policy JSON is printed (one document, or an object
        of documents by policy name).

        Example: permwise generate runbooks --config examples/config/runbooks.yaml --format cloudformation --out policies/
        """
        from permwise.fsutil import atomic_write_many
        from permwise.requirements import load_config, load_manifest
        from permwise.requirements.formats import render
        from permwise.requirements.generate import generate_policies

        if out is not None and out.exists() and not out.is_dir():
            from permwise.errors import InputError

            raise InputError("`--out` must be a directory, and this is a file", file=str(out),
                             hint="give a directory (created when missing); each policy becomes one file in it")
        m = load_manifest(manifest)
        cfg = load_config(config) if config else None
        result = generate_policies(m, cfg, commands, profile, compress=not no_compress)
        permission_sets = {n: pc.permission_set for n, pc in cfg.profiles.items() if pc.permission_set} if cfg else {}
        if env is not None:
            rendered = _scp_patch(m, cfg, env, fmt, commands, profile)
        else:
            management = frozenset(n for n, p in m.profiles.items() if p.account_kind == "management")
            rendered = render(result, fmt.value, m.tool.name, m.tool.version, scp_strategy=scp_strategy.value,
                              attach=attach, permission_sets=permission_sets, management_profiles=management)
        for w in result.warnings:
            typer.echo(f"permwise: warning: {w}", err=True)
        if out is None:
            if fmt == Format.scp_exception:
                for note in rendered.notes:
                    typer.echo(note.rstrip(), err=True)
            typer.echo(rendered.stdout, nl=False)
            return
        written = atomic_write_many({out / name: text for name, text in sorted(rendered.files.items())}, force=force)
        for p in result.policies if fmt != Format.scp_exception else []:
            typer.echo(f"{p.name}: {plural(len(p.document['Statement']), 'statement')}, {p.size:,} of 6,144 characters", err=True)
        typer.echo(f"wrote {plural(len(written), 'file')} to {out}", err=True)


def _scp_patch(m, cfg, env: Path, fmt: Format, commands, profile):
    """``--format scp-exception --env``: run ``check`` and patch the SCP statements that block."""
    from permwise.environment import load_snapshot
    from permwise.errors import InputError
    from permwise.requirements.check import check
    from permwise.requirements.formats import render_scp_patch
    from permwise.requirements.scp_patch import scp_patches

    if fmt != Format.scp_exception:
        raise InputError("`--env` works with `--format scp-exception` only",
                         hint="to see what blocks each command, run `permwise check MANIFEST --env DIR --config FILE`")
    if cfg is None:
        raise InputError("`--env` needs `--config` (which principal each profile resolves to)",
                         hint="pass --config FILE with `profiles.NAME.principal`")
    snapshot = load_snapshot(str(env))
    report = check(m, cfg, snapshot, commands=commands, profiles=profile, excess=False)
    return render_scp_patch(m.tool.name, scp_patches(report, snapshot))

