"""``permwise simulate``: decide requests as AWS would, and say why.

Three modes: one request from flags (readable explanation), ``--json FILE`` (one case), and
``--jsonl FILE`` (a batch: one case per line in, one ``{"id", "decision", "reasons"}`` per line
out, same order). The work is done by :mod:`permwise.engine`; this module parses options and
renders.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import orjson
import typer

from permwise.cli.batch import parse_at, run_jsonl
from permwise.cli.options import AtOpt, Format, TextOrJson
from permwise.engine import PolicySet, Request, compile_policy, evaluate
from permwise.engine.cases import CaseError, case_from_dict
from permwise.errors import InputError
from permwise.report.reasons import dependency_dict, result_dict, unknown_words
from permwise.report.simulate import render_text


#: Policy grammar findings that mean a wrong JSON type (a number for `Statement`, an object for
#: `Action`, a number for `Version`, a malformed `Condition` block). IAM refuses to store such a
#: policy, so simulating it would answer a question AWS never asks: the file is bad input.
_TYPE_ERRORS = frozenset({"P004", "P008", "P103", "P120"})


def _load_doc(path: str, kind: str = "identity") -> dict:
    from permwise.sources import load_source

    src = load_source(path)
    if not isinstance(src.data, dict):
        raise InputError(
            "a policy document must be a JSON or YAML object",
            file=src.path,
            hint='expected `{"Version": "2012-10-17", "Statement": [...]}`',
        )
    from permwise.policy import findings_for, parse
    from permwise.policy.validate import locate

    bad = [f for f in findings_for(parse(src, kind), lint_catalog=False) if f.code in _TYPE_ERRORS]
    if bad:
        first = locate(parse(src, kind), bad)[0]
        raise InputError(first.message, file=src.path, line=first.line, column=first.column,
                         pointer=first.pointer or None,
                         hint=f"check it with `permwise validate {path}`")
    return src.data


def _rcp_services() -> frozenset[str]:
    from permwise.catalog import get_catalog

    return get_catalog().rcp_supported_services()


def _compile(path: str, kind: str, level: str | None = None):
    doc = _load_doc(path, kind)
    try:
        return compile_policy(doc, name=path, kind=kind, level=level)
    except InputError as exc:
        raise InputError(exc.message, file=path, hint=exc.hint) from None


def _levels(specs: list[str], kind: str) -> list[list]:
    out = []
    n = len(specs)
    for i, spec in enumerate(specs):
        name = "root" if i == 0 else ("account" if i == n - 1 else f"ou {i}")
        label, sep, rest = spec.partition("=")
        if sep and label and "/" not in label and "," not in label:
            name, spec = label, rest  # NAME=F1,F2 names the level
        files = [f for f in spec.split(",") if f]
        out.append([_compile(f, kind, name) for f in files])
    return out


def _pairs(items: list[str], flag: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"`{flag} {item}` must be KEY=VALUE", hint=f"e.g. `{flag} aws:SourceIp=10.0.0.1`")
        val: Any = value
        if value.startswith("["):
            try:
                val = orjson.loads(value)
            except orjson.JSONDecodeError:
                raise InputError(
                    f"`{flag} {item}`: value is not a JSON list",
                    hint=f'write a list as JSON, e.g. `{flag} aws:TagKeys=["a","b"]`',
                ) from None
        if key in out:  # a repeated key makes a multivalued key
            prev = out[key]
            out[key] = (prev if isinstance(prev, list) else [prev]) + (val if isinstance(val, list) else [val])
        else:
            out[key] = val
    return out


def register(app: typer.Typer) -> None:
    @app.command("simulate")
    def simulate(
        principal: Annotated[str | None, typer.Option("--principal", "-p", help="Principal ARN (user, role, assumed-role session, root), account id, service (lambda.amazonaws.com) or `anonymous`.")] = None,
        action: Annotated[str | None, typer.Option("--action", "-a", help="Action, e.g. `s3:GetObject`.")] = None,
        resource: Annotated[str, typer.Option("--resource", "-r", help="Resource ARN, or `*`.")] = "*",
        resource_account: Annotated[str | None, typer.Option("--resource-account", help="Account owning the resource (for ARNs without one, such as S3).")] = None,
        context: Annotated[list[str] | None, typer.Option("--context", "-c", help="Context key KEY=VALUE (repeat; a repeated key or a JSON list makes a multivalued key).")] = None,
        principal_tag: Annotated[list[str] | None, typer.Option("--principal-tag", help="Principal tag KEY=VALUE (sets aws:PrincipalTag/KEY).")] = None,
        identity_policy: Annotated[list[str] | None, typer.Option("--identity-policy", "-i", help="Identity-based policy file, JSON or YAML (repeat).")] = None,
        boundary: Annotated[str | None, typer.Option("--boundary", help="Permissions boundary policy file.")] = None,
        session_policy: Annotated[str | None, typer.Option("--session-policy", help="Session policy file.")] = None,
        scp: Annotated[list[str] | None, typer.Option("--scp", help="One SCP level, root first (repeat per level); several files in one level: F1,F2; name it: ou-workloads=F1,F2.")] = None,
        rcp: Annotated[list[str] | None, typer.Option("--rcp", help="One RCP level, root first (repeat per level); several files: F1,F2; name it: NAME=F1,F2.")] = None,
        resource_policy: Annotated[str | None, typer.Option("--resource-policy", help="Resource-based policy file (bucket policy, key policy, ...).")] = None,
        trust_policy: Annotated[str | None, typer.Option("--trust-policy", help="Role trust policy file (for sts:AssumeRole*).")] = None,
        management_account: Annotated[str | None, typer.Option("--management-account", help="Management account id: SCPs/RCPs do not apply to it.")] = None,
        json_case: Annotated[str | None, typer.Option("--json", help="Evaluate one case from a JSON/YAML file (the --jsonl case format).")] = None,
        jsonl: Annotated[str | None, typer.Option("--jsonl", help="Evaluate a batch: one JSON case per line (`-` for stdin); one result per line out.")] = None,
        output: Annotated[str | None, typer.Option("--output", "-o", help="Write --jsonl results to this file (atomically) instead of stdout.")] = None,
        fmt: Annotated[TextOrJson, typer.Option("--format", "-f", help="Output for a single request: text or json.")] = Format.text,
        details: Annotated[bool, typer.Option("--details", help="Add missing_keys and errors to JSON results.")] = False,
        allow_unknown_action: Annotated[bool, typer.Option("--allow-unknown-action", help="Decide an --action the pinned catalog does not know (a brand-new action) instead of refusing it.")] = False,
        derive_context: Annotated[bool, typer.Option("--derive-context", help="--json/--jsonl: fill the request-context model's keys (docs/context.md) in every case; a case's own context still wins. Without it a case's context is taken as given (a case can ask with `derive_context`).")] = False,
        at: AtOpt = None,
        jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Processes for --jsonl (default: every core); output is identical for any number.")] = None,
    ) -> None:
        """Decide one request (or a batch) as AWS would, and explain the decision.

        Example:

            permwise simulate --principal arn:aws:iam::111122223333:user/alice \\
              --action s3:GetObject --resource arn:aws:s3:::bucket/key \\
              --identity-policy read.json --scp root.json --scp ou.json,deny.json

        Batch: permwise simulate --jsonl cases.jsonl > results.jsonl
        """
        if jsonl is not None or json_case is not None:
            given = [flag for flag, value in (
                ("--principal", principal), ("--action", action), ("--resource-account", resource_account),
                ("--context", context), ("--principal-tag", principal_tag), ("--identity-policy", identity_policy),
                ("--boundary", boundary), ("--session-policy", session_policy), ("--scp", scp), ("--rcp", rcp),
                ("--resource-policy", resource_policy), ("--trust-policy", trust_policy),
                ("--management-account", management_account)) if value]
            if resource != "*":
                given.append("--resource")
            if given:
                mode = "--jsonl" if jsonl is not None else "--json"
                raise InputError(f"`{given[0]}` cannot be used with `{mode}`: the case file holds the whole request",
                                 hint=f"put it in the case file, or leave out `{mode}`")
        if output is not None and jsonl is None:
            raise InputError("`--output` writes `--jsonl` results only", hint="add `--jsonl FILE`, or redirect stdout")
        from permwise.clock import now_instant

        instant = parse_at(at) if at else now_instant()  # the run's one instant
        if jsonl is not None:
            if json_case is not None:
                raise InputError("`--json` and `--jsonl` cannot be used together", hint="pick one")
            run_jsonl(jsonl, output, details, jobs, derive_context, instant)
            return
        if json_case is not None:
            from permwise.sources import load_source

            src = load_source(json_case)
            try:
                from permwise.catalog import get_catalog

                _cid, ps, req = case_from_dict(src.data, derive=derive_context, at=instant,
                                               rcp_services=get_catalog().rcp_supported_services())
            except CaseError as exc:
                raise InputError(str(exc), file=src.path, hint="see `permwise simulate --help` and docs/simulate.md") from None
        else:
            if not principal or not action:
                raise InputError(
                    "`--principal` and `--action` are required",
                    hint="or pass a case file with `--json FILE` / a batch with `--jsonl FILE`",
                )
            from permwise.engine import parse_principal

            if parse_principal(principal).kind == "unknown":
                raise InputError(
                    f"`--principal {principal}` is not a principal AWS could send",
                    hint="give an ARN (arn:aws:iam::111122223333:role/NAME, ...:user/NAME, "
                    "arn:aws:sts::111122223333:assumed-role/NAME/SESSION), an account id, a service "
                    "such as lambda.amazonaws.com, or `anonymous`",
                )
            if action.count(":") != 1 or not all(action.split(":")):
                raise InputError(f"`--action {action}` is not an action",
                                 hint="write it as `service:ActionName`, e.g. `s3:GetObject`")
            if not allow_unknown_action:  # a typo would be "decided" against policies that never name it
                from permwise.catalog import get_catalog

                cat = get_catalog()
                problem = cat.diagnose_action(action, with_suggestion=False)
                if problem is not None:
                    guess = cat.suggest_action(action)
                    raise InputError(problem, hint=(f"did you mean `{guess}`? " if guess else "")
                                     + "or pass --allow-unknown-action to decide it anyway")
            trust = _compile(trust_policy, "trust") if trust_policy else None
            res = _compile(resource_policy, "resource") if resource_policy else None
            if trust and res:
                raise InputError("`--resource-policy` and `--trust-policy` cannot be used together", hint="a request has one resource")
            ps = PolicySet(
                identity=[_compile(f, "identity") for f in identity_policy or []],
                boundary=_compile(boundary, "boundary") if boundary else None,
                session=_compile(session_policy, "session") if session_policy else None,
                scps=_levels(scp or [], "scp"),
                rcps=_levels(rcp or [], "rcp"),
                rcp_services=_rcp_services() if rcp else None,
                resource=trust or res,
                management_account_id=management_account,
            )
            # flag mode: the request-context model fills the keys AWS sends (docs/context.md);
            # --context wins over them
            from permwise.engine.context import PrincipalFacts, ResourceFacts, Runtime, derived_context
            from permwise.engine.depends import evaluate_known

            given = _pairs(context or [], "--context")
            tags = _pairs(principal_tag or [], "--principal-tag") or None
            derived, unknown = derived_context(
                PrincipalFacts(principal, tags=dict(tags or {})), action, resource,
                resource_facts=ResourceFacts(resource_account), runtime=Runtime(at=instant))
            low = {k.lower() for k in given}
            ctx = {**{k: v for k, v in derived.items() if k.lower() not in low}, **given}
            req = Request(
                principal=principal,
                action=action,
                resource=resource,
                resource_account=resource_account,
                context=ctx,
                principal_tags=tags,
                at=instant,
            )
            _res, deps = evaluate_known(ps, req, {k: u for k, u in unknown.items() if k not in low})
            result = evaluate(ps, req)
            if fmt == Format.json:
                rec = result_dict(result)
                rec["depends_on"] = [dependency_dict(d) for d in deps]
                sys.stdout.buffer.write(orjson.dumps(rec, option=orjson.OPT_INDENT_2) + b"\n")
                return
            from permwise.report.console import make_console

            text = render_text(result, req)
            for d in deps:
                text += (f"\n  [cyan]depends[/]  {d.decision} with `{d.key}` "
                         f"{'absent' if d.base_value is None else repr(d.base_value)}, {d.flipped} with "
                         f"{'it absent' if d.value is None else repr(d.value)} (nobody stated {unknown_words(d.key)}; pass --context)")
            make_console(soft_wrap=True).print(text)
            return
        result = evaluate(ps, req)
        if fmt == Format.json:
            rec = result_dict(result)
            sys.stdout.buffer.write(orjson.dumps(rec, option=orjson.OPT_INDENT_2) + b"\n")
            return
        from permwise.report.console import make_console

        make_console(soft_wrap=True).print(render_text(result, req))
