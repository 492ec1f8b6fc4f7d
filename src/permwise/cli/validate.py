"""``permwise validate``: grammar, type rules and catalog lint for policy files."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from permwise.cli.options import FailOn, Format, FormatOpt, PolicyType, ValidateFailOn, ValidateFormat

from permwise.errors import InputError

POLICY_SUFFIXES = (".json", ".yaml", ".yml")


class Attachment(str, Enum):
    managed = "managed"
    user = "user"
    group = "group"
    role = "role"


def expand_paths(paths: list[str]) -> list[str]:
    """Files as given; directories searched recursively for *.json, *.yaml, *.yml (sorted)."""
    out: list[str] = []
    for p in paths:
        if p == "-":
            out.append(p)
            continue
        path = Path(p)
        if path.is_dir():
            found = sorted(
                str(f) for f in path.rglob("*")
                if f.is_file() and f.suffix.lower() in POLICY_SUFFIXES and not any(
                    part.startswith(".") for part in f.relative_to(path).parts)
            )
            if not found:
                raise InputError("directory has no .json, .yaml or .yml files", file=p,
                                 hint="pass policy files or a directory that contains them")
            out.extend(found)
        else:
            out.append(p)
    return out


def validate_command(
    files: Annotated[list[str] | None, typer.Argument(help="Policy files, directories (searched for *.json, *.yaml, *.yml) or `-` for stdin.", show_default=False)] = None,
    type_: Annotated[PolicyType | None, typer.Option("--type", "-t", help="Policy type; detected when omitted (Principal -> resource or trust, else identity).", show_default=False)] = None,
    fmt: Annotated[ValidateFormat, FormatOpt] = Format.text,
    fail_on: Annotated[ValidateFailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity.")] = FailOn.error,
    attached_as: Annotated[Attachment | None, typer.Option("--attached-as", help="Where an identity policy is attached (decides the size limit): managed (default), user, group or role inline.", show_default=False)] = None,
    grammar_only: Annotated[bool, typer.Option("--grammar-only", help="Skip the catalog lint (actions, resources, condition keys) and the security findings.")] = False,
    security: Annotated[bool, typer.Option("--security/--no-security", help="Security findings (full admin, privilege escalation, credentials, data, exposure, public and cross-account access, trust), decided through the engine.")] = True,
    zone: Annotated[list[str] | None, typer.Option("--zone", help="Accounts and organizations that are yours (12-digit ids, o-...; comma-separated or repeated): access for anyone else is external.", show_default=False)] = None,
    deny_actions: Annotated[list[str] | None, typer.Option("--deny-actions", help="Custom check: fail (DENIED-ACTION-ALLOWED) if any of these actions (comma-separated, wildcards allowed) is allowed.", show_default=False)] = None,
    resources: Annotated[list[str] | None, typer.Option("--resources", help="With --deny-actions: only on these resource ARNs (comma-separated); default any resource.", show_default=False)] = None,
    no_public: Annotated[bool, typer.Option("--no-public", help="Custom check: fail (NO-PUBLIC) if a resource or trust policy lets in anyone outside --zone.")] = False,
    env: Annotated[str | None, typer.Option("--env", help="Run --deny-actions/--no-public over a snapshot directory instead of (or besides) policy files.", show_default=False)] = None,
    principal: Annotated[list[str] | None, typer.Option("--principal", help="With --env: only these principals (ARN or name); default every user and role.", show_default=False)] = None,
) -> None:
    """Validate and lint IAM policy documents of every type.

    Checks the IAM JSON policy grammar, the rules of each policy type (SCP, RCP, trust policy and others), size limits counted as AWS counts them, and every action, resource and condition key against the catalog. Without --type, a policy with Principal is read as a trust policy (only sts role actions) or a resource policy, anything else as an identity policy; the summary line says which type was used.

    Exit 0 when clean, 1 when a finding is at or above --fail-on, 2 when an input is unreadable.

    Examples:

        permwise validate src/permwise/data/examples/identity-readonly.json

        permwise validate --type scp --format sarif policies/ > validate.sarif

        cat trust.json | permwise validate --type trust -

        permwise validate --zone 111122223333 --no-public --deny-actions iam:CreateUser,s3:DeleteBucket policies/

        permwise validate --env snapshot/ --no-public --zone o-a1b2c3d4e5 --deny-actions iam:PassRole
    """
    from permwise import __version__
    from permwise.policy import POLICY_RULES, Finding, at_or_above, parse, validate

    from permwise.report import render_findings

    from permwise.gates import Zone, gate_document, gate_rules, gate_snapshot

    zone_ = Zone.parse(zone)
    denied = None
    if deny_actions:
        from permwise.gates.custom import expand_denied

        denied = expand_denied(deny_actions)
    res_list = [r.strip() for raw in resources or [] for r in raw.split(",") if r.strip()] or None
    if not files and env is None:
        raise InputError("missing argument 'FILES...': give policy files, a directory, `-`, or --env SNAPSHOT",
                         hint="see `permwise validate --help`")
    if env is not None and not (denied or no_public):
        raise InputError("--env runs the custom checks: add --deny-actions and/or --no-public",
                         hint="see `permwise validate --help`")
    paths = expand_paths(files or [])
    if paths.count("-") > 1:
        raise InputError("stdin (`-`) can be read only once")
    findings: list[Finding] = []
    checked: list[str] = []
    types: dict[str, tuple[str, bool]] = {}
    unreadable = 0
    for p in paths:
        try:
            doc = parse(p, type_.value if type_ else None, attached_as=attached_as.value if attached_as else None,
                        duplicates="keep")  # reported as P011 findings
        except InputError as exc:
            unreadable += 1
            print(f"permwise: error: {exc}", file=sys.stderr)
            continue
        checked.append(doc.name)
        types[doc.name] = (doc.type, doc.type_detected)
        findings.extend(validate(doc, lint_catalog=not grammar_only))
        findings.extend(gate_document(doc, security=security and not grammar_only, zone=zone_, deny_actions=denied,
                                      resources=res_list, no_public=no_public))
    if env is not None:
        env_findings, env_files = gate_snapshot(env, principals=principal, zone=zone_, deny_actions=denied,
                                                resources=res_list, no_public=no_public)
        findings.extend(env_findings)
        checked.extend(env_files)
    if checked or fmt != Format.text:
        out = render_findings(fmt.value, findings, rules=[*POLICY_RULES, *gate_rules()], files=checked,
                              tool_version=__version__, types=types)
        sys.stdout.write(out)
    if unreadable:
        raise typer.Exit(2)
    if any(at_or_above(f.severity, fail_on.value) for f in findings):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
