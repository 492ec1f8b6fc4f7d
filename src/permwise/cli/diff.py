"""``permwise diff OLD NEW``: the access NEW grants that OLD does not (offline check-no-new-access)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Annotated

import typer

from permwise.cli.output import emit
from permwise.cli.options import DiffFormat, FailOn, Format, FormatOpt, LevelFailOn, PolicyType

from permwise.errors import InputError


def _git_old(path: str, ref: str, type_: str | None):
    """The version of ``path`` at git ``ref`` (None when the file is new there)."""
    from permwise.policy import parse
    from permwise.sources import parse_text

    p = Path(path)
    try:
        proc = subprocess.run(["git", "-C", str(p.parent or "."), "show", f"{ref}:./{p.name}"],
                              capture_output=True, text=True, check=False)
    except OSError as exc:
        raise InputError(f"cannot run git: {exc}", file=path, hint="install git, or pass OLD and NEW files") from None
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
        if "exists on disk, but not in" in err or "does not exist in" in err:
            return None
        raise InputError(f"git cannot read `{ref}`: {err or 'git show failed'}", file=path,
                         hint="run inside a git work tree with a valid --base ref")
    return parse(parse_text(proc.stdout, f"{ref}:{path}"), type_)


def _docs(paths: list[str], type_: str | None):
    from permwise.cli.validate import expand_paths
    from permwise.policy import parse

    return [parse(p, type_) for p in expand_paths(paths)]


def _one_type(docs: list, given: str | None) -> str:
    if given:
        return given
    types = sorted({d.type for d in docs})
    if len(types) > 1:
        raise InputError(f"the policies are of different types ({', '.join(types)})",
                         hint="compare policies of one type, or pass --type")
    return types[0] if types else "identity"


def diff_command(
    paths: Annotated[list[str], typer.Argument(help="OLD and NEW: policy files, directories of them, or two snapshot directories. With --base: the NEW files only.", show_default=False)],
    type_: Annotated[PolicyType | None, typer.Option("--type", "-t", help="Policy type of both sides; detected when omitted (it must agree).", show_default=False)] = None,
    fmt: Annotated[DiffFormat, FormatOpt] = Format.text,
    fail_on: Annotated[LevelFailOn, typer.Option("--fail-on", help="Exit 1 when NEW grants new access at or above this access level (list < read < tagging < write < permissions-management).")] = FailOn.list_,
    principal: Annotated[list[str] | None, typer.Option("--principal", help="Snapshots: compare only these principals (ARN or name); default every principal of NEW.", show_default=False)] = None,
    base: Annotated[str | None, typer.Option("--base", help="Compare each file given with its version at this git ref (a file new there is compared with no policy).", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the report to this file (atomically).", show_default=False)] = None,
) -> None:
    """Show the access NEW grants that OLD does not, and the access it removes.

    Decided through the engine over the catalog's actions (wildcards and NotAction expanded) and the resources the policies name, with conditions: new access that holds only under a condition says so. Offline equivalent of IAM Access Analyzer's check-no-new-access.

    Exit 0 when NEW grants nothing OLD did not (a reordered or narrowed policy), 1 when it grants new access at or above --fail-on, 2 on bad input.

    Examples:

        permwise diff old/policy.json new/policy.json

        permwise diff --fail-on write --format sarif main-policies/ pr-policies/ > diff.sarif

        permwise diff --base origin/main policies/deploy.json

        permwise diff snapshot-monday/ snapshot-friday/ --principal arn:aws:iam::111122223333:role/deploy
    """
    from permwise import __version__
    from permwise.gates.diff import DiffResult, diff_files, diff_snapshots, is_snapshot
    from permwise.report.diff import render_diff

    t = type_.value if type_ else None
    results: list[DiffResult] = []
    if base is not None:
        from permwise.cli.validate import expand_paths

        for p in expand_paths(paths):
            new = _docs([p], t)
            old_doc = _git_old(p, base, t)
            kind = _one_type(new + ([old_doc] if old_doc else []), t)
            results.append(diff_files([old_doc] if old_doc else [], new, kind))
    else:
        if len(paths) != 2:
            raise InputError(f"diff takes OLD and NEW, got {len(paths)} path{'s' if len(paths) != 1 else ''}",
                             hint="permwise diff OLD NEW, or permwise diff --base REF FILE...")
        old_p, new_p = paths
        snap = [is_snapshot(old_p), is_snapshot(new_p)]
        if all(snap):
            results.append(diff_snapshots(old_p, new_p, principal))
        elif any(snap):
            raise InputError("one side is a snapshot and the other is not", file=old_p if snap[0] else new_p,
                             hint="compare two snapshots, or two sets of policy files")
        else:
            if principal:
                raise InputError("--principal applies to snapshots", hint="drop --principal when comparing policy files")
            old, new = _docs([old_p], t), _docs([new_p], t)
            results.append(diff_files(old, new, _one_type(old + new, t)))
    res = results[0] if len(results) == 1 else _merge(results)
    text = render_diff(fmt.value, res, __version__)
    emit(text, out)
    if res.fails(fail_on.value):
        raise typer.Exit(1)


def _merge(results: list):
    from permwise.gates.diff import Change, DiffResult

    types = sorted({r.policy_type for r in results})
    m = DiffResult(types[0] if len(types) == 1 else "mixed", [x for r in results for x in r.old],
                   [x for r in results for x in r.new])
    for r in results:
        m.added += r.added
        m.removed += r.removed
        m.requests += r.requests
    m.added.sort(key=Change.sort_key)
    m.removed.sort(key=Change.sort_key)
    return m


def register(app: typer.Typer) -> None:
    app.command("diff")(diff_command)
