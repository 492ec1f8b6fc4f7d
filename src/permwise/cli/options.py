"""CLI options and arguments shared by several verbs, declared once as typed ``Annotated`` aliases.

Typer copies the ``OptionInfo`` of an alias for each command, so one alias can serve many verbs.
Only declarations that are the same everywhere they are used live here; an option whose help
differs between verbs stays in its verb module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from permwise.policy.model import PolicyKind

#: ``--type`` of ``validate`` and ``diff``: the policy types of the policy layer
PolicyType = PolicyKind

#: a bundled manifest name or a file path (``docs``, ``manifest show``)
ManifestArg = Annotated[str, typer.Argument(help="Bundled manifest name or file path.")]

#: ``--commands`` of ``generate`` and ``check``
CommandsOpt = Annotated[
    list[str] | None,
    typer.Option("--commands", help="Only these commands: ids, groups or globs (repeat or comma-separate)."),
]

#: ``--profile`` of ``generate`` and ``check``
ProfilesOpt = Annotated[list[str] | None, typer.Option("--profile", help="Only these profiles (repeat or comma-separate).")]

#: ``--env`` of ``audit`` and ``who-can-assume``: omitted means the bundled demo organization
DemoEnvOpt = Annotated[
    Path | None, typer.Option("--env", "-e", help="Environment snapshot directory. Omit for the bundled demo.")
]

#: ``--endpoint-url`` of ``collect`` and ``preflight``
EndpointUrlOpt = Annotated[
    str | None,
    typer.Option("--endpoint-url", envvar="PERMWISE_AWS_ENDPOINT_URL", help="Send every AWS call to this endpoint (an emulator)."),
]

#: ``--at`` of ``check``, ``audit``, ``who-can-assume`` and ``simulate``: the run's one instant
AtOpt = Annotated[
    str | None,
    typer.Option("--at", help="The instant requests are made at (aws:CurrentTime, aws:EpochTime, aws:TokenIssueTime): "
                 "ISO 8601 or epoch seconds; default: now. One instant for the whole run."),
]


def parse_at(text: str):
    """``--at`` as a UTC datetime; bad input is one line (exit 2)."""
    from permwise.engine.context import parse_instant
    from permwise.errors import InputError

    try:
        return parse_instant(text)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"`--at {text}` is not an instant",
                         hint="give ISO 8601 (2026-01-31T12:00:00Z) or epoch seconds") from None
