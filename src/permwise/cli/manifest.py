"""``permwise manifest list|show|validate``: the requirement manifests."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from permwise.cli.options import ManifestArg

from permwise.catalog import get_catalog
from permwise.report.console import plain_table
from permwise.wording import plural


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        name="manifest",
        help="List, show and validate requirement manifests (a tool's commands and the permissions each needs).\n\n"
        "Example: permwise manifest show runbooks",
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @group.command("list")
    def list_(
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    ) -> None:
        """List the bundled manifests: name, tool, version, commands, profiles.

        Example: permwise manifest list
        """
        from permwise.requirements import bundled_names, load_manifest

        rows = []
        for name in bundled_names():
            m = load_manifest(name)
            rows.append({"name": name, "tool": m.tool.name, "version": m.tool.version,
                         "commands": len(m.commands), "profiles": sorted(m.profiles)})
        if json_out:
            typer.echo(json.dumps(rows, indent=2))
            return
        typer.echo(plain_table([[str(r["name"]), str(r["tool"]), str(r["version"]), str(r["commands"]),
                                 ", ".join(r["profiles"])] for r in rows],  # type: ignore[arg-type]
                          ["NAME", "TOOL", "VERSION", "COMMANDS", "PROFILES"]))

    @group.command("show")
    def show(
        manifest: ManifestArg,
        expand: Annotated[bool, typer.Option("--expand", help="List every action a pattern expands to.")] = False,
    ) -> None:
        """Print a manifest's commands with their profile, access, SCP risk and actions.

        Example: permwise manifest show runbooks
        """
        from permwise.requirements import load_manifest

        m = load_manifest(manifest)
        cat = get_catalog()
        out = [f"{m.tool.name} {m.tool.version}" + (f": {m.tool.description}" if m.tool.description else ""), "", "profiles:"]
        for name in sorted(m.profiles):
            p = m.profiles[name]
            extra = ", ".join(x for x in (p.env_var and f"${p.env_var}", p.account_kind) if x)
            out.append(f"  {name}" + (f" ({extra})" if extra else "") + f": {p.description}")
        out.append("")
        out.append("commands:")
        for c in sorted(m.commands, key=lambda c: c.id):
            total = {a.key for perm in c.permissions for pat in perm.actions for a in cat.expand(pat)}
            managed = ", ".join(c.managed_policies) or "-"
            out.append(f"  {c.id}  [{c.profile}, {c.access}, SCP risk {c.scp_risk.level}, managed: {managed}]  {plural(len(total), 'action')}")
            for perm in c.permissions:
                for pat in perm.actions:
                    n = len(cat.expand(pat))
                    wild = "*" in pat or "?" in pat
                    note = f"  ({plural(n, 'action')}{', wildcard intended' if perm.wildcard_intended else ''})" if wild else ""
                    out.append(f"      {pat}{note}")
                    if expand and n > 1:
                        out.extend(f"          {a.key}" for a in cat.expand(pat))
                if perm.resources:
                    out.append(f"        on {', '.join(perm.resources)}")
                if perm.conditions:
                    out.append(f"        when {json.dumps(perm.conditions, sort_keys=True)}")
        typer.echo("\n".join(out))

    @group.command("validate")
    def validate(
        manifest: Annotated[str, typer.Argument(help="Manifest file path or bundled name.")],
    ) -> None:
        """Check a manifest: the schema, every action against the catalog ("did you mean"), every
        resource template against the action's resource types, and unknown variables. Prints every
        problem on one line (FILE:LINE:COL: message) and exits 2 when there is an error.

        Example: permwise manifest validate my-tool.yaml
        """
        from permwise.requirements import check_manifest

        report = check_manifest(manifest)
        for p in report.problems:
            typer.echo(p.one_line())
        errors, warnings = len(report.errors), len(report.warnings)
        if errors:
            typer.echo(f"permwise: error: `{report.path}`: {plural(errors, 'error')}, {plural(warnings, 'warning')}", err=True)
            raise typer.Exit(2)
        m = report.manifest
        assert m is not None
        cat = get_catalog()
        actions = {a.key for c in m.commands for perm in c.permissions for pat in perm.actions for a in cat.expand(pat)}
        typer.echo(f"ok: {report.path}: {plural(len(m.commands), 'command')}, {plural(len(m.profiles), 'profile')}, "
                   f"{plural(len(actions), 'action')}, {plural(warnings, 'warning')}")

    app.add_typer(group)
