"""Help and wording: help paragraphs are wrapped by rich (never hard-wrapped mid-sentence by the
docstring's own line breaks), counts read as English, and messages have no stray spaces."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from permwise.cli.main import app, reflow_help
from permwise.wording import noun, plural

SRC = Path(__file__).resolve().parents[2] / "src" / "permwise"


def _commands(group=app, prefix=()):
    for info in group.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        yield (*prefix, name), info.help or info.callback.__doc__ or ""
    for sub in group.registered_groups:
        yield from _commands(sub.typer_instance, (*prefix, sub.name or sub.typer_instance.info.name))


COMMANDS = sorted(_commands(), key=lambda c: c[0])


def test_every_verb_is_covered():
    names = {c[0][0] for c in COMMANDS}
    assert {"check", "generate", "audit", "preflight", "simulate", "manifest"} <= names


@pytest.mark.parametrize(("path", "doc"), COMMANDS, ids=[" ".join(c[0]) for c in COMMANDS])
def test_help_paragraphs_are_not_hard_wrapped(path, doc):
    """At 2,000 columns every prose paragraph of a command's help fits on one line; a docstring
    line break kept by rich would split it mid-sentence."""
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "2000", "TERMINAL_WIDTH": "2000"})
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    for para in inspect.cleandoc(doc).split("\n\n"):
        if any(line.startswith(" ") for line in para.splitlines()):
            continue  # an indented example keeps its lines
        words = " ".join(para.split())
        if "[" in words:  # rich markup changes the text; covered by the others
            continue
        assert any(words in line for line in lines), f"paragraph split across lines: {words[:80]}"


def test_reflow_keeps_indented_examples():
    text = "First line\ncontinues here.\n\nExample:\n\n    permwise a \\\n      --b c\n"
    assert reflow_help(text) == "First line continues here.\n\nExample:\n\n    permwise a \\\n      --b c"


def test_plural_and_noun():
    assert plural(1, "profile") == "1 profile"
    assert plural(2, "profile") == "2 profiles"
    assert plural(0, "policy") == "0 policies"
    assert plural(1234, "action") == "1,234 actions"
    assert noun(1, "has") == "has" and noun(3, "has") == "have"


# a count pasted before a plural noun: "{n} profiles" prints "1 profiles"
COUNT_PLURAL = re.compile(r"\{(?:len\([^{}]*\)|[a-z_]+)\} (?:profiles|commands|actions|findings|files|policies|"
                          r"statements|principals|problems|errors|warnings|verdicts|gaps|rules|paths)\b")
HEDGED = re.compile(r"\{[^{}]+\} [a-z ]+\(s\)")  # "{n} finding(s)": say it properly


def test_no_count_is_glued_to_a_fixed_plural():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name.startswith("_build"):
            continue  # a maintainer script, not user output
        if path.name == "compile.py":
            continue  # a debugging __repr__
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if COUNT_PLURAL.search(line) or HEDGED.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == []


def test_manifest_validate_says_1_profile(tmp_path):

    m = tmp_path / "one.yaml"
    m.write_text(_one_profile_manifest())
    result = CliRunner().invoke(app, ["manifest", "validate", str(m)])
    assert "1 profile," in result.output and "1 profiles" not in result.output, result.output
    assert "1 command," in result.output and "1 action," in result.output


def _one_profile_manifest() -> str:
    """The bundled `permwise` manifest cut down to its first profile and first command."""
    import yaml

    from permwise.requirements.manifest import manifest_path

    doc = yaml.safe_load(Path(manifest_path("permwise")).read_text())
    first = doc["commands"][0]
    doc["commands"] = [first]
    doc["profiles"] = {first["profile"]: doc["profiles"][first["profile"]]}
    first["permissions"] = first["permissions"][:1]
    first["permissions"][0]["actions"] = first["permissions"][0]["actions"][:1]
    return yaml.safe_dump(doc, sort_keys=False)


def test_default_credentials_wording():
    from permwise.aws.session import describe_failure
    from botocore.exceptions import NoCredentialsError

    line = describe_failure(NoCredentialsError(), profile=None, endpoint_url=None)
    assert "credentials has" not in line and line.startswith("the default credential chain has no valid credentials")


def test_boundary_capping_a_resource_policy_allow_is_explained_as_the_boundary():
    """IAM User Guide, "Policy evaluation logic" (resource-based policies and permissions
    boundaries): within one account a resource-based policy that names the role ARN still needs the
    role's permissions boundary to allow. The deny is the boundary's, and the explanation must say
    so first, not blame a missing identity-based allow."""
    from permwise.engine import PolicySet, Request, compile_policy, evaluate

    role = "arn:aws:iam::111122223333:role/app"
    res = compile_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": role},
                          "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}, kind="resource", name="bucket")
    bound = compile_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*",
                            "Resource": "*"}]}, kind="boundary", name="ec2-only")
    r = evaluate(PolicySet(resource=res, boundary=bound),
                 Request(principal=role, action="s3:GetObject", resource="arn:aws:s3:::b/k", resource_account="111122223333"))
    assert r.decision == "implicitDeny"
    from permwise.report.reasons import result_dict

    d = result_dict(r)
    messages = [x["message"] for x in d["reasons"]]
    assert not any(m.startswith("no identity-based policy allows") for m in messages), messages
    assert any("boundary" in m and "does not allow" in m for m in messages)
    assert any("capped by the role's permissions boundary" in m for m in messages)


def test_demo_reports_have_no_space_before_punctuation(capsys):
    """No message leaves a blank where a value was missing ("management account ." / " ,")."""
    from permwise.cli.main import main

    texts = []
    for argv in (["check", "-v"], ["check", "--format", "markdown"], ["audit"]):
        try:
            main(argv)
        except SystemExit:
            pass
        texts.append(capsys.readouterr().out)
    for text in texts:
        for line in text.splitlines():
            assert not re.search(r"\w \.(\s|$)|\w ,\s", line), line
