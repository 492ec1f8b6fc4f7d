"""Suite-wide rules: how tests reach the console script, and that a run leaves the checkout as it
found it.

A test that needs the ``permwise`` console script takes it from beside ``sys.executable`` (the
venv the suite runs in), never from ``PATH``: the README's Quick start never activates the venv,
so a bare ``permwise`` is either missing (FileNotFoundError) or, worse, some other installation
(``script_support.console_script``). Tests write only under tmp paths; the session hooks below
fail the run when it leaves a new file or directory in the checkout (``out/`` from a docs
example, a report written to the cwd, ...).
"""

from __future__ import annotations

import sys

import pytest

from script_support import checkout_leftovers


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller only (pytest-xdist)
        session.config._permwise_leftovers = checkout_leftovers()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = getattr(session.config, "_permwise_leftovers", None)
    if before is None:
        return
    new = sorted(checkout_leftovers() - before)
    if new:
        sys.stderr.write(
            "\npermwise tests: the run left new files in the checkout (tests must write under tmp "
            f"paths): {', '.join(new)}\n"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
