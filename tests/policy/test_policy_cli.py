"""``permwise validate`` through the CLI: formats, exit codes, bad input (one line, exit 2)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from permwise.cli.main import main

HERE = Path(__file__).parent
SEEDS = HERE.parent / "fixtures" / "seeds"
EXAMPLES = Path(__file__).parents[2] / "src" / "permwise" / "data" / "examples"

GOOD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
BAD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["computeoptimizer:Get*"], "Resource": "*"}]}


def run(argv, capsys, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    with pytest.raises(SystemExit) as exc:
        main(["validate", *argv])
    out = capsys.readouterr()
    code = exc.value.code if isinstance(exc.value.code, int) else (0 if exc.value.code is None else 1)
    return code, out.out, out.err


def write(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
    return str(p)


def test_clean_file_exits_0(tmp_path, capsys):
    code, out, err = run([write(tmp_path, "ok.json", GOOD)], capsys)
    assert code == 0, err
    assert "no findings" in out


def test_error_finding_exits_1_with_location_and_fix(tmp_path, capsys):
    path = write(tmp_path, "bad.json", BAD)
    code, out, _ = run([path], capsys)
    assert code == 1
    # json.dumps(indent=2): the action is the first item of the list on line 7, column 9
    assert f"{path}:7:9: error P301" in out
    assert "/Statement/0/Action/0" in out and "fix: use `compute-optimizer:Get*`" in out


def test_fail_on_threshold(tmp_path, capsys):
    doc = {"Statement": GOOD["Statement"]}  # missing Version: a warning only
    path = write(tmp_path, "w.json", doc)
    assert run([path], capsys)[0] == 0
    assert run([path, "--fail-on", "warning"], capsys)[0] == 1
    assert run([write(tmp_path, "b.json", BAD), "--fail-on", "none"], capsys)[0] == 0


def test_directory_recurses_and_yaml(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/a.yaml", "Version: 2012-10-17\nStatement:\n  - Effect: Allow\n    Action: s3:PutEncryption\n    Resource: '*'\n")
    write(tmp_path, "b.json", GOOD)
    write(tmp_path, "notes.txt", "not a policy")
    code, out, _ = run([str(tmp_path)], capsys)
    assert code == 1
    assert "a.yaml:4:13: error P302" in out and "2 files checked" in out


def test_stdin(capsys, monkeypatch):
    code, out, _ = run(["-"], capsys, stdin=json.dumps(BAD), monkeypatch=monkeypatch)
    assert code == 1 and "<stdin>" in out


def test_type_option_scp(tmp_path, capsys):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}
    path = write(tmp_path, "scp.json", doc)
    code, out, _ = run([path, "--type", "scp"], capsys)
    assert code == 1 and "P108" in out  # SCP syntax: Principal is not supported in SCPs


def test_json_format(tmp_path, capsys):
    code, out, _ = run([write(tmp_path, "bad.json", BAD), "--format", "json"], capsys)
    doc = json.loads(out)
    assert code == 1
    assert doc["summary"]["error"] == 1 and doc["summary"]["files"] == 1
    f = next(x for x in doc["findings"] if x["code"] == "P301")
    assert set(f) >= {"code", "severity", "message", "file", "line", "column", "pointer", "fix"}
    assert (f["line"], f["column"], f["pointer"]) == (7, 9, "/Statement/0/Action/0")


def test_sarif_is_valid_against_the_official_schema(tmp_path, capsys):
    schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    args = [str(SEEDS / "runbooks-cli-permission-requirements"), str(SEEDS / "aws-iam-permissions-guardrails"),
            "--format", "sarif"]
    code, out, _ = run(args, capsys)
    log = json.loads(out)
    jsonschema.validate(log, schema)
    run_ = log["runs"][0]
    assert log["version"] == "2.1.0" and code == 1
    ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert ids == sorted(ids) and "P301" in ids
    for res in run_["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        assert res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


@pytest.mark.parametrize("content,needle", [
    ("{not json", "invalid JSON"),
    ('{"Version": "2012-10-17", "Statement": [', "truncated"),
    ("", "file is empty"),
    ("[1, 2]", "found a list"),
    ('"a policy"', "found a string"),
])
def test_bad_input_one_line_exit_2(tmp_path, capsys, content, needle):
    code, out, err = run([write(tmp_path, "x.json", content)], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("permwise: error: ") and needle in lines[0]
    assert "Traceback" not in err


def test_bom_exit_2(tmp_path, capsys):
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    code, _, err = run([str(p)], capsys)
    assert code == 2 and "byte order mark" in err and len(err.strip().splitlines()) == 1


def test_50mb_file_exit_2(tmp_path, capsys):
    p = tmp_path / "huge.json"
    with open(p, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    code, _, err = run([str(p)], capsys)
    assert code == 2 and "too large" in err and len(err.strip().splitlines()) == 1


def test_missing_file_and_good_file_together(tmp_path, capsys):
    code, out, err = run([str(tmp_path / "nope.json"), write(tmp_path, "ok.json", GOOD)], capsys)
    assert code == 2 and "no such file" in err and "1 file checked" in out


def test_console_script_has_no_traceback(tmp_path):
    p = write(tmp_path, "x.json", "[")
    proc = subprocess.run([sys.executable, "-m", "permwise", "validate", p], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_bundled_examples_are_clean(capsys):
    files = sorted(str(p) for p in EXAMPLES.glob("*.json"))
    assert len(files) >= 3
    for f in files:
        t = Path(f).name.split("-", 1)[0]
        code, out, _ = run([f, "--type", t, "--fail-on", "suggestion"], capsys)
        assert code == 0, out


def test_detected_type_is_reported(tmp_path, capsys):
    # the type decides which rules apply, so the output says which one was used
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    path = write(tmp_path, "t.json", trust)
    code, out, _ = run([path], capsys)
    assert code == 0 and out.strip().endswith("1 file checked as trust (detected): no findings")
    code, out, _ = run([path, "--type", "trust", "--format", "json"], capsys)
    assert json.loads(out)["types"] == {path: {"type": "trust", "detected": False}}
    code, out, _ = run([path, "--format", "sarif"], capsys)
    art = json.loads(out)["runs"][0]["artifacts"][0]
    assert art["properties"] == {"policyType": "trust", "policyTypeDetected": True}
