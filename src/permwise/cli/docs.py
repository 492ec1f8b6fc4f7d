"""``permwise docs``: a manifest's permission documentation, generated from the data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from permwise.cli.options import DocsFormat, Format, FormatOpt, ManifestArg


def register(app: typer.Typer) -> None:
    @app.command("docs")
    def docs(
        manifest: ManifestArg,
        fmt: Annotated[DocsFormat, FormatOpt] = Format.markdown,
        out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: stdout).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    ) -> None:
        """Write the permission documentation of a manifest: the permission matrix (command,
        profile, managed alternative, SCP risk), counts per service and access level, and one table
        per command with each permission's justification. Generated, so it never drifts.

        Example: permwise docs runbooks --format markdown --out docs/manifests/runbooks.md --force
        """
        from permwise.fsutil import atomic_write_many
        from permwise.report.markdown import render_manifest_docs
        from permwise.requirements import load_manifest

        m = load_manifest(manifest)
        text = render_manifest_docs(m, name=manifest if "/" not in manifest and not manifest.endswith((".yaml", ".yml", ".json")) else m.tool.name)
        if out is None:
            typer.echo(text, nl=False)
            return
        atomic_write_many({out: text}, force=force)
        typer.echo(f"wrote {out}", err=True)
