"""Manifest validation: schema, catalog, templates, variables; one line per problem with file:line.

Each bad case is the small good manifest `fixtures/mini.yaml` with one edit; the expected line is
found from the edited text (the line holding the marker), never read back from the tool.
"""

from __future__ import annotations

import re

import pytest

from requirements_support import MINI, run_cli, run_script
from permwise.errors import InputError
from permwise.requirements import check_manifest, load_manifest

GOOD = MINI.read_text()


def edit(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


# (id, edited text, marker on the expected line, message fragment, hint fragment)
CASES = [
    # Schema: an unknown field is a typo, with the close field name suggested.
    ("unknown-field", edit("        justification: list instances, VPCs and buckets",
                           "        justificaton: list instances, VPCs and buckets"),
     "justificaton:", "unknown field `justificaton`", "did you mean `justification`?"),
    # Schema: access must be read or write.
    ("bad-access", edit("    access: read\n    description: discover", "    access: readonly\n    description: discover"),
     "access: readonly", "`readonly` is not allowed for `access`", None),
    # Schema: a required field is missing (reported at the parent mapping).
    ("missing-scp-risk", edit("    scp_risk: {level: low, reason: read operations are rarely denied by SCPs}\n", ""),
     "  - id: inventory.collect", "missing required field `scp_risk`", None),
    # Schema: YAML reads 0.1 as a number; the tool version must be a string.
    ("version-number", edit('version: "0.1"', "version: 0.1"), "version: 0.1", "`version` must be a string",
     "quote the value"),
    # Service Authorization Reference: `s3:PutEncryption` is not an S3 action; the real one is
    # PutEncryptionConfiguration (the runbooks seed's typo).
    ("unknown-action", edit("s3:PutEncryptionConfiguration]", "s3:PutEncryption]"),
     "s3:PutEncryption]", "unknown action `s3:PutEncryption`", "did you mean `s3:PutEncryptionConfiguration`?"),
    # The service prefix of AWS Compute Optimizer is `compute-optimizer` (seed wrote computeoptimizer).
    ("unknown-service", edit("actions: [guardduty:List*]", "actions: [computeoptimizer:Get*]"),
     "computeoptimizer:Get*", "unknown service prefix `computeoptimizer`", "did you mean `compute-optimizer:Get*`?"),
    # A pattern that matches no action of the service.
    ("empty-pattern", edit("actions: [guardduty:List*]", "actions: [guardduty:Lsit*]"),
     "guardduty:Lsit*", "`guardduty:Lsit*` matches no action of `guardduty`", None),
    # Template variables must be built in or declared under `variables`.
    ("unknown-variable", edit('resources: ["arn:{partition}:s3:::{prefix}-{env}-*"]',
                              'resources: ["arn:{partition}:s3:::{prefx}-{env}-*"]'),
     "{prefx}", "unknown variable `{prefx}`", "did you mean `{prefix}`?"),
    # Service Authorization Reference, "Resource types defined by Amazon S3": bucket actions take
    # `arn:${Partition}:s3:::${BucketName}`; an object ARN (with `/`) is not a bucket.
    ("template-wrong-type", edit('resources: ["arn:{partition}:s3:::{prefix}-{env}-*"]',
                                 'resources: ["arn:{partition}:ec2:{region}:{account}:volume/*"]'),
     "volume/*", "fits no resource type", None),
    # Commands run under declared profiles only.
    ("undeclared-profile", edit("    profile: management\n", "    profile: managment\n"),
     "profile: managment", "undeclared profile `managment`", "did you mean `management`?"),
    # IAM condition keys: `ec2:ResourceTag/${TagKey}` exists; `ec2:ResourceTags/...` does not.
    ("unknown-condition-key", edit('"ec2:ResourceTag/Environment"', '"ec2:ResourceTags/Environment"'),
     "ec2:ResourceTags/Environment", "unknown condition key `ec2:ResourceTags/Environment`", None),
    # IAM JSON policy elements, condition operators: StringEquals, not StringEqual.
    ("unknown-operator", edit("StringEquals:", "StringEqual:"), "StringEqual:", "unknown condition operator `StringEqual`",
     "did you mean `StringEquals`?"),
    ("duplicate-id", edit("  - id: operate.s3-create-bucket", "  - id: operate.ec2-start"),
     "  - id: operate.ec2-start\n    name: operate s3", "duplicate command id `operate.ec2-start`", None),
]


def _line_of(text: str, marker: str) -> int:
    idx = text.rfind(marker) if marker.startswith("  - id: operate.ec2-start\n") else text.index(marker)
    # the value's line: for a mapping key marker the problem sits on that line
    line = text.count("\n", 0, idx) + 1
    return line


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_manifest_one_line_with_location(tmp_path, case):
    name, text, marker, message, hint = case
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    report = check_manifest(str(path))
    assert report.errors, f"{name}: no error found"
    first = report.errors[0]
    matching = [p for p in report.errors if message in p.message]
    assert matching, [p.one_line() for p in report.errors]
    p = matching[0]
    assert p.file == str(path)
    assert p.line == _line_of(text, marker), p.one_line()
    if hint:
        assert p.hint and hint in p.hint, p.hint
    assert "\n" not in p.one_line()
    assert first.one_line().startswith(f"{path}:")
    # every other command loading the same file stops at the first problem, one line
    with pytest.raises(InputError) as exc:
        load_manifest(str(path))
    assert exc.value.one_line().startswith(f"{path}:{report.errors[0].line}:")


@pytest.mark.parametrize("case", CASES[:6], ids=[c[0] for c in CASES[:6]])
def test_validate_cli_prints_every_problem_and_exits_2(tmp_path, case):
    name, text, marker, message, _ = case
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    code, out, err = run_cli("manifest", "validate", str(path))
    assert code == 2
    lines = [ln for ln in out.splitlines() if ln]
    assert any(message in ln for ln in lines)
    assert all(re.match(rf"^(warning: )?{re.escape(str(path))}:\d+:\d+: ", ln) for ln in lines), lines
    assert re.search(r"\d+ errors?,", err) and len(err.strip().splitlines()) == 1


def test_validate_reports_all_problems_at_once(tmp_path):
    text = edit("s3:PutEncryptionConfiguration]", "s3:PutEncryption]").replace("{prefix}-{env}", "{prefx}-{env}")
    path = tmp_path / "two.yaml"
    path.write_text(text)
    code, out, _ = run_cli("manifest", "validate", str(path))
    assert code == 2
    assert "s3:PutEncryption`" in out and "{prefx}" in out


def test_other_commands_print_first_problem_and_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(edit("s3:PutEncryptionConfiguration]", "s3:PutEncryption]"))
    proc = run_script("generate", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"permwise: error: {path}:")
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_good_manifest_validates(cli):
    code, out, _ = cli("manifest", "validate", str(MINI))
    assert code == 0 and out.startswith("ok: ")


def test_wildcard_only_action_with_template_is_a_warning(tmp_path):
    # Service Authorization Reference: ec2:DescribeInstances has no resource types, so it can
    # only be granted on "*"; a template given for it is ignored (warning, not error).
    path = tmp_path / "w.yaml"
    path.write_text(edit("actions: [ec2:StartInstances, ec2:StopInstances]",
                         "actions: [ec2:StartInstances, ec2:StopInstances, ec2:DescribeInstances]"))
    report = check_manifest(str(path))
    assert not report.errors
    assert any("ec2:DescribeInstances" in w.message and "`*`" in w.message for w in report.warnings)


def test_unknown_bundled_name_suggests(cli):
    code, _, err = cli("manifest", "show", "runbook")
    assert code == 2 and "unknown manifest `runbook`" in err and "did you mean `runbooks`?" in err


def test_bundled_manifests_validate_clean():
    from permwise.requirements import bundled_names

    names = bundled_names()
    assert "runbooks" in names
    for name in names:
        report = check_manifest(name)
        assert not report.errors, [p.one_line() for p in report.errors]


def test_manifest_list_and_show(cli):
    from permwise.requirements import bundled_names

    code, out, _ = cli("manifest", "list")
    assert code == 0
    for name in bundled_names():
        assert re.search(rf"^{re.escape(name)}\s", out, re.M)
    m = load_manifest("runbooks")
    code, out, _ = cli("manifest", "show", "runbooks")
    assert code == 0
    for c in m.commands:
        assert f"  {c.id}  [{c.profile}, {c.access}, SCP risk {c.scp_risk.level}" in out
