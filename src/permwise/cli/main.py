"""Entry point of the ``permwise`` console script.

Each verb lives in its own module exposing ``register(app)``; :mod:`permwise.cli.app` wires them
together. This module handles ``--debug``, runs a plain ``simulate --jsonl`` batch without
building the typer app (:mod:`permwise.cli.batch`), and turns
:class:`~permwise.errors.PermwiseError` into one line on stderr with exit code 2 (a traceback
only with ``--debug``). It imports neither typer nor rich until they are needed.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

from permwise.errors import PermwiseError

def __getattr__(name: str) -> Any:
    # `from permwise.cli.main import app`: the whole CLI, built on first use
    if name == "app":
        from permwise.cli.app import app_for

        return app_for([])
    if name in ("VERBS", "reflow_help", "build_app", "app_for", "version_text"):
        from permwise.cli import app as app_module

        return getattr(app_module, name)
    raise AttributeError(name)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; bad input becomes one line on stderr and exit code 2."""
    args = list(argv if argv is not None else sys.argv[1:])
    # --debug is global: accepted before or after the verb (`permwise audit --env x --debug`), so
    # it is taken out here, before click parses the verb's own options; after `--` it is an argument
    cut = args.index("--") if "--" in args else len(args)
    debug_flag = "--debug" in args[:cut]
    argv = [a for a in args[:cut] if a != "--debug"] + args[cut:]
    debug = debug_flag or bool(os.environ.get("PERMWISE_DEBUG"))
    try:
        from permwise.cli.batch import fast_batch

        rv = 0 if fast_batch(argv) else _run_app(argv, debug)
    except PermwiseError as exc:
        if debug:
            raise
        _fail(str(exc))
    except KeyboardInterrupt:
        _interrupted()
    except Exception as exc:  # noqa: BLE001 - exit 1 means findings only: anything else is exit 2
        if debug:
            raise
        _fail(unexpected_error_line(exc))
    # typer.Exit(code) comes back as a return value in non-standalone mode; exit like click would
    sys.exit(rv if isinstance(rv, int) and not isinstance(rv, bool) else 0)


def _interrupted() -> NoReturn:
    """Ctrl-C: exit 130 now. The exit handlers run (temporary files and spills are removed),
    but no thread is joined: a process pool whose workers were stopped mid-run can leave its
    manager thread waiting forever to flush work to workers that are gone (CPython 3.11), and
    the interpreter's own exit would wait for it. A Ctrl-C must never hang."""
    import atexit

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed pipe must not stop the exit
            pass
    atexit._run_exitfuncs()
    os._exit(130)


def _run_app(argv: list[str], debug: bool) -> Any:
    import typer
    from typer._click import exceptions as click_exc  # typer vendors click; its usage errors live here

    from permwise.cli.app import app_for

    try:
        # standalone_mode=False: click's usage errors come back to us, so that they too are ONE
        # line on stderr with exit code 2 (click's own rendering is a multi-line box)
        return app_for(argv)(args=argv, prog_name="permwise", standalone_mode=False)
    except click_exc.NoArgsIsHelpError:
        sys.exit(2)  # the group printed its help already
    except click_exc.ClickException as exc:
        if debug:
            raise
        _fail(usage_error_line(exc, argv))
    except typer.Abort:  # click's form of Ctrl-C
        _interrupted()


def _fail(line: str) -> None:
    from rich.console import Console

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
