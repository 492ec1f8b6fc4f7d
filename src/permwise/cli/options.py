"""CLI options and arguments shared by several verbs, declared once as typed ``Annotated`` aliases.

Typer copies the ``OptionInfo`` of an alias for each command, so one alias can serve many verbs.
Only declarations that are the same everywhere they are used live here; an option whose help
differs between verbs stays in its verb module.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from permwise.cli.batch import parse_at  # noqa: F401 - re-exported for the verbs
from permwise.diagnostics import AUDIT_SCALE, VALIDATE_SCALE
from permwise.policy.model import PolicyKind


class Format(str, Enum):
    """Every output format of permwise. A verb offers the subset it writes (:func:`offered`)."""

    terminal = "terminal"
    text = "text"
    table = "table"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    html = "html"
    cloudformation = "cloudformation"
    terraform = "terraform"
    scp_exception = "scp-exception"


class FailOn(str, Enum):
    """Every ``--fail-on`` level: the audit's severities (``audit``, ``access``), ``validate``'s
    severities, ``check``'s command statuses and ``diff``'s access levels; ``none`` never fails."""

    none = "none"
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"
    error = "error"
    warning = "warning"
    suggestion = "suggestion"
    partial = "partial"
    blocked = "blocked"
    conditional = "conditional"
    list_ = "list"
    read = "read"
    tagging = "tagging"
    write = "write"
    permissions_management = "permissions-management"


def offered(name: str, whole: type[Enum], *values: str) -> Any:
    """The choices one verb offers of ``whole``, in this order, as an enum typer can show and check
    (members compare equal to ``whole``'s by value: ``fmt == Format.json``)."""
    return Enum(name, [(whole(v).name, v) for v in values], type=str)  # type: ignore[misc]


if TYPE_CHECKING:  # every subset is, to the type checker, the concept it is taken from
    AccessFormat: TypeAlias = Format
    AuditFormat: TypeAlias = Format
    CheckFormat: TypeAlias = Format
    DiffFormat: TypeAlias = Format
    DocsFormat: TypeAlias = Format
    GenerateFormat: TypeAlias = Format
    ActionsFormat: TypeAlias = Format
    ValidateFormat: TypeAlias = Format
    TextOrJson: TypeAlias = Format
    SeverityFailOn: TypeAlias = FailOn
    ValidateFailOn: TypeAlias = FailOn
    StatusFailOn: TypeAlias = FailOn
    LevelFailOn: TypeAlias = FailOn
else:
    AccessFormat = offered("AccessFormat", Format, "terminal", "json", "sarif", "markdown", "html")
    AuditFormat = offered("AuditFormat", Format, "terminal", "json", "sarif", "html")
    CheckFormat = offered("CheckFormat", Format, "terminal", "json", "markdown", "html")
    DiffFormat = offered("DiffFormat", Format, "text", "json", "sarif", "markdown")
    DocsFormat = offered("DocsFormat", Format, "markdown")
    GenerateFormat = offered("GenerateFormat", Format, "json", "cloudformation", "terraform", "scp-exception")
    ActionsFormat = offered("ActionsFormat", Format, "table", "text", "json")
    ValidateFormat = offered("ValidateFormat", Format, "text", "json", "sarif")
    #: ``rules``, ``simulate`` and ``who-can-assume``
    TextOrJson = offered("TextOrJson", Format, "text", "json")
    #: ``audit`` and ``access`` (one severity scale: ``audit --access`` takes one --fail-on for both)
    SeverityFailOn = offered("SeverityFailOn", FailOn, "none", *AUDIT_SCALE.names)
    ValidateFailOn = offered("ValidateFailOn", FailOn, *VALIDATE_SCALE.names, "none")
    #: ``check``: a command status and every worse one
    StatusFailOn = offered("StatusFailOn", FailOn, "none", "partial", "blocked", "conditional")
    #: ``diff``: access levels, list < read < tagging < write < permissions-management
    LevelFailOn = offered("LevelFailOn", FailOn, "list", "read", "tagging", "write", "permissions-management", "none")

#: ``--format``/``-f`` with the usual help
FormatOpt = typer.Option("--format", "-f", help="Output format.")


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
