"""``permwise actions``: expand action patterns against the catalog, or explain one action."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer

from permwise.cli.options import ActionsFormat, Format
from rich.console import Console
from rich.text import Text

from permwise.catalog import ACCESS_LEVEL_ORDER, Action, get_catalog
from permwise.catalog.describe import action_details, action_summary
from permwise.catalog.model import parse_access_level
from permwise.catalog.suggest import suggest_name
from permwise.errors import InputError
from permwise.report import actions as rep


def register(app: typer.Typer) -> None:
    app.command("actions")(actions)


def actions(
    patterns: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATTERN", help="Action patterns: `ec2:Describe*`, `*:Get*`, `s3:?etObject`."),
    ] = None,
    not_action: Annotated[
        bool,
        typer.Option("--not-action", help="Print the complement: every action a NotAction with these patterns covers."),
    ] = False,
    access_level: Annotated[
        list[str] | None,
        typer.Option(
            "--access-level",
            "-l",
            help="Keep actions that have this access level (repeatable): list, read, write, tagging, "
            "permissions-management. Matches any level of an action's full set.",
        ),
    ] = None,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Print everything known about each named action instead of a list."),
    ] = False,
    fmt: Annotated[
        ActionsFormat,
        typer.Option("--format", "-f", case_sensitive=False, help="table (default), text (tab-separated) or json."),
    ] = Format.table,
) -> None:
    """Expand action patterns to the actions they match, with access level and resource types.

    Examples:

        permwise actions 'ec2:Describe*' --access-level list

        permwise actions 's3:*' --not-action --format json

        permwise actions --explain s3:GetObject

    Matching is case-insensitive; `*` is any run of characters and `?` one character. A pattern that matches nothing (unknown service, misspelled action) is an input error: one line with a "did you mean", exit code 2.
    """
    cat = get_catalog()
    pats = [p.strip() for p in (patterns or []) if p.strip()]
    if not pats:
        raise InputError(
            "no action pattern given", hint="for example `permwise actions 'ec2:Describe*'` or `permwise actions --explain s3:GetObject`"
        )
    problems = [(p, msg) for p in pats if (msg := cat.diagnose_action(p, with_suggestion=False))]
    if problems:
        pattern, msg = problems[0]
        more = f" (and {len(problems) - 1} more pattern{'s' if len(problems) > 2 else ''} matching nothing)" if len(problems) > 1 else ""
        guess = cat.suggest_action(pattern)
        if guess:
            hint = f"did you mean `{guess}`?"
        elif "condition key" in msg:
            hint = "condition keys belong in a statement's Condition element"
        else:
            hint = "`permwise actions 'SERVICE:*'` lists a service's actions"
        raise InputError(msg + more, hint=hint)

    if explain:
        _explain(cat, pats, fmt)
        return

    levels = _parse_levels(access_level or [])
    found = cat.expand_many(pats, not_action=not_action)
    if levels:
        found = [a for a in found if a.access_levels & levels]
    found.sort(key=lambda a: a.key.lower())
    count_line = rep.count_line(len(found), pats, not_action, levels)

    if fmt == Format.json:
        doc = {
            "patterns": pats,
            "not_action": not_action,
            "access_levels": [lvl for lvl in ACCESS_LEVEL_ORDER if lvl in levels],
            "count": len(found),
            "actions": [action_summary(a) for a in found],
        }
        _write_json(doc)
    elif fmt == Format.text:
        out = sys.stdout
        for a in found:
            out.write(f"{a.key}\t{rep.levels_text(a)}\t{rep.types_text(a)}\n")
        typer.echo(count_line, err=True)
    else:
        console = Console(highlight=False)
        if found:
            rows = [(a.key, rep.levels_text(a), rep.types_text(a)) for a in found]
            rep.print_table(console, ("Action", "Access level", "Resource types"), rows)
            console.print(Text(rep.LEGEND, style="dim"), soft_wrap=True)
        console.print(Text(count_line), soft_wrap=True)


# ---------------------------------------------------------------------------- helpers


def _parse_levels(raw: list[str]) -> frozenset[str]:
    out = set()
    for item in raw:
        for part in item.split(","):
            if not part.strip():
                continue
            level = parse_access_level(part)
            if level is None:
                names = [lvl.lower().replace(" ", "-") for lvl in ACCESS_LEVEL_ORDER]
                guess = suggest_name(part.strip().lower().replace(" ", "-"), names)
                levels_txt = ", ".join(f"`{n}`" for n in names)
                raise InputError(
                    f"unknown access level `{part.strip()}`",
                    hint=f"did you mean `{guess}`? levels: {levels_txt}" if guess else f"use one of {levels_txt}",
                )
            out.add(level)
    return frozenset(out)


def _write_json(doc: Any) -> None:
    sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")


def _explain(cat, pats: list[str], fmt: Format) -> None:
    chosen: list[Action] = []
    for p in pats:
        if "*" in p or "?" in p:
            n = len(cat.expand(p))
            raise InputError(
                f"--explain takes action names, not patterns: `{p}` matches {n:,} actions",
                hint=f"list them with `permwise actions '{p}'`",
            )
        act = cat.action(p)
        assert act is not None  # diagnose_action passed
        if act not in chosen:
            chosen.append(act)
    details = [action_details(cat, a) for a in chosen]
    if fmt == Format.json:
        _write_json(details[0] if len(details) == 1 else details)
        return
    if fmt == Format.text:
        sys.stdout.write("\n\n".join("\n".join(rep.explain_lines(d)) for d in details) + "\n")
        return
    console = Console(highlight=False)
    for i, d in enumerate(details):
        if i:
            console.print()
        rep.explain_rich(console, d)


