"""`permwise actions`, through typer's CliRunner and through the installed console script.

Facts asserted come from the Service Authorization Reference (Amazon S3 and Amazon EC2 pages):
s3:GetObject is a Read action on the `object` and `accesspointobject` resource types (neither
required), with the `s3:TlsVersion` (Numeric) condition key; ec2:DescribeInstances has no
resource type (wildcard-only); iam:PassRole requires the `role` type. Exit codes follow DESIGN.md:
2 for bad input (unknown service, a pattern that matches nothing), never 1.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from typer.testing import CliRunner

from permwise.catalog import get_catalog
from permwise.cli.main import app
from permwise.errors import InputError

runner = CliRunner()


def _script() -> str:
    """The console script beside this interpreter (the Quick start never puts it on PATH)."""
    from script_support import console_script

    return console_script()


def run(*args: str):
    return runner.invoke(app, ["actions", *args])


# ---------------------------------------------------------------------------- listing


def test_table_lists_action_level_and_types_with_a_count_line():
    res = run("s3:?etObject", "ec2:DescribeInstances")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    row = next(line for line in lines if "s3:GetObject" in line)
    assert "Read" in row and "object" in row and "accesspointobject" in row
    wild = next(line for line in lines if "ec2:DescribeInstances" in line)
    assert "List" in wild and wild.rstrip().endswith("-")  # wildcard-only
    assert lines[-1] == "2 actions matching `s3:?etObject`, `ec2:DescribeInstances`"


def test_text_format_is_tab_separated_with_the_count_on_stderr():
    res = run("iam:PassRole", "s3:GetObject", "--format", "text")
    assert res.exit_code == 0
    rows = [line.split("\t") for line in res.stdout.splitlines()]
    assert rows == [["iam:PassRole", "Write", "role*"], ["s3:GetObject", "Read", "accesspointobject, object"]]
    assert res.stderr.strip() == "2 actions matching `iam:PassRole`, `s3:GetObject`"


def test_json_output_matches_the_catalog_expansion():
    res = run("ec2:Describe*", "--format", "json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    keys = [a["action"] for a in doc["actions"]]
    assert doc["count"] == len(keys) > 100
    assert all(k.startswith("ec2:Describe") for k in keys)
    assert keys == sorted(keys, key=str.lower)
    assert doc["patterns"] == ["ec2:Describe*"] and doc["not_action"] is False


def test_combined_levels_show_primary_and_full_set():
    res = run("iam:PutRolePolicy", "--format", "json")
    (a,) = json.loads(res.stdout)["actions"]
    assert a["access_level"] == "Permissions management"
    assert a["access_levels"] == ["Permissions management", "Write"]
    assert a["resource_types"] == [{"name": "role", "required": True}]
    text = run("iam:PutRolePolicy", "--format", "text").stdout
    assert "Permissions management (+Write)" in text


def test_not_action_prints_the_complement():
    everything = len(get_catalog().all_actions())
    s3 = len(json.loads(run("s3:*", "-f", "json").stdout)["actions"])
    doc = json.loads(run("s3:*", "--not-action", "-f", "json").stdout)
    assert doc["not_action"] is True
    assert doc["count"] == everything - s3
    assert not any(a["action"].startswith("s3:") for a in doc["actions"])
    table = run("s3:*", "--not-action")
    assert "(NotAction)" in table.stdout.splitlines()[-1]


def test_access_level_filter_keeps_matching_levels_only():
    doc = json.loads(run("iam:*", "--access-level", "permissions-management", "-f", "json").stdout)
    assert doc["count"] > 10
    assert all("Permissions management" in a["access_levels"] for a in doc["actions"])
    both = json.loads(run("iam:*", "-l", "list", "-l", "read", "-f", "json").stdout)
    assert {a["access_level"] for a in both["actions"]} == {"List", "Read"}
    # "write" matches any action whose full set has Write (Permissions management, Write too)
    write = json.loads(run("iam:*", "-l", "write", "-f", "json").stdout)
    assert "Permissions management" in {a["access_level"] for a in write["actions"]}


def test_filter_that_leaves_nothing_is_not_an_error():
    res = run("s3:GetObject", "--access-level", "tagging")
    assert res.exit_code == 0
    assert res.stdout.strip() == "0 actions matching `s3:GetObject` with access level Tagging"


# ---------------------------------------------------------------------------- errors (exit 2)


def _input_error(res) -> str:
    assert isinstance(res.exception, InputError), res.output
    return str(res.exception)


def test_unknown_service_is_an_input_error_with_did_you_mean():
    msg = _input_error(run("computeoptimizer:Get*"))
    assert "unknown service prefix `computeoptimizer`" in msg
    assert msg.endswith("; hint: did you mean `compute-optimizer:Get*`?")


def test_condition_key_used_as_action_is_an_input_error():
    msg = _input_error(run("s3:DataAccessPointAccount"))
    assert msg == ("`s3:DataAccessPointAccount` is a condition key (String), not an action; "
                   "hint: condition keys belong in a statement's Condition element")


def test_pattern_matching_nothing_is_an_input_error():
    msg = _input_error(run("s3:Get*", "s3:Frobnicate*"))
    assert "`s3:Frobnicate*` matches no action of service `s3`" in msg


def test_unknown_access_level_is_an_input_error():
    msg = _input_error(run("s3:*", "--access-level", "wirte"))
    assert msg.startswith("unknown access level `wirte`; hint: did you mean `write`?")


def test_missing_pattern_is_an_input_error():
    assert "no action pattern given" in _input_error(run())


def test_unknown_format_is_a_usage_error():
    res = run("s3:GetObject", "--format", "xml")
    assert res.exit_code == 2  # click usage error


# ---------------------------------------------------------------------------- explain


def test_explain_prints_everything_about_one_action():
    res = run("--explain", "s3:GetObject", "--format", "text")
    assert res.exit_code == 0
    out = res.stdout
    assert "service:         Amazon S3 (prefix s3)" in out
    assert "access level:    Read (all levels: Read)" in out
    assert "wildcard-only:   no" in out
    assert "object (optional)" in out
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in out
    assert "s3:TlsVersion (Numeric)" in out
    assert "dependent actions: none" in out


def test_explain_rich_and_json_agree():
    rich = run("--explain", "iam:PassRole")
    assert rich.exit_code == 0 and "role (required)" in rich.stdout
    doc = json.loads(run("--explain", "iam:passrole", "-f", "json").stdout)
    assert doc["action"] == "iam:PassRole"
    assert doc["service_name"].startswith("AWS Identity and Access Management")
    assert [(r["name"], r["required"]) for r in doc["resource_types"]] == [("role", True)]
    assert {k["name"]: k["type"] for k in doc["condition_keys"]}["iam:PassedToService"] == "String"
    assert doc["wildcard_only"] is False


def test_explain_wildcard_only_action():
    out = run("--explain", "ec2:DescribeInstances", "-f", "text").stdout
    assert 'wildcard-only:   yes: no resource types, use Resource "*"' in out
    assert "resource types:  none" in out


def test_explain_refuses_patterns():
    msg = _input_error(run("--explain", "s3:Get*"))
    assert "--explain takes action names, not patterns: `s3:Get*` matches" in msg


def test_explain_unknown_action_suggests():
    msg = _input_error(run("--explain", "s3:PutEncryption"))
    assert msg == "unknown action `s3:PutEncryption`; hint: did you mean `s3:PutEncryptionConfiguration`?"


def test_several_bad_patterns_report_the_first_and_count_the_rest():
    msg = _input_error(run("s3:Nope1", "s3:GetObject", "s3:Nope2", "s3:Nope3"))
    assert msg.startswith("unknown action `s3:Nope1` (and 2 more patterns matching nothing)")


# ---------------------------------------------------------------------------- console script


def test_console_script_error_is_one_line_and_exit_2():
    proc = subprocess.run([_script(), "actions", "computeoptimizer:Get*"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("permwise: error: unknown service prefix `computeoptimizer`")
    assert "`compute-optimizer:Get*`" in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("fmt", ["json"])
def test_console_script_lists(fmt):
    proc = subprocess.run([_script(), "actions", "s3:?etObject", "--format", fmt], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [a["action"] for a in doc["actions"]] == ["s3:GetObject"]
