"""``permwise simulate`` through typer's CliRunner and through the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys

import orjson
import pytest
from typer.testing import CliRunner

from permwise.cli.main import app
from permwise.errors import InputError

USER = "arn:aws:iam::111122223333:user/alice"
ALLOW_GET = {"Version": "2012-10-17", "Statement": [{"Sid": "ReadBucket", "Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::bucket/*"}]}
FULL = {"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_GD = "Version: '2012-10-17'\nStatement:\n  - Sid: DenyGuardDuty\n    Effect: Deny\n    Action: 'guardduty:*'\n    Resource: '*'\n"

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    (tmp_path / "read.json").write_text(json.dumps(ALLOW_GET))
    (tmp_path / "full.json").write_text(json.dumps(FULL))
    (tmp_path / "deny-gd.yaml").write_text(DENY_GD)
    return tmp_path


def test_flags_text_explains_allowed(files):
    r = runner.invoke(app, ["simulate", "-p", USER, "-a", "s3:GetObject", "-r", "arn:aws:s3:::bucket/k",
                            "-i", str(files / "read.json"), "--scp", str(files / "full.json")])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("allowed")
    assert "'ReadBucket'" in r.output and "SCP level root" in r.output


def test_flags_scp_level_without_allow(files):
    # AWS "SCP evaluation": every level must allow; a level holding only a Deny blocks the rest
    r = runner.invoke(app, ["simulate", "-p", USER, "-a", "s3:GetObject", "-r", "arn:aws:s3:::bucket/k",
                            "-i", str(files / "read.json"), "--scp", str(files / "full.json"),
                            "--scp", f"ou-workloads={files / 'deny-gd.yaml'}", "--scp", str(files / "full.json")])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("implicitDeny")
    assert "no Allow in SCP level ou-workloads" in r.output


def test_flags_json_output_and_context(files):
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                   "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
    (files / "ip.json").write_text(json.dumps(doc))
    base = ["simulate", "-p", USER, "-a", "s3:GetObject", "-i", str(files / "ip.json"), "-f", "json"]
    r = runner.invoke(app, base + ["-c", "aws:SourceIp=10.9.9.9"])
    assert r.exit_code == 0 and json.loads(r.output)["decision"] == "allowed"
    r = runner.invoke(app, base)
    out = json.loads(r.output)
    assert out["decision"] == "implicitDeny" and out["missing_keys"] == ["aws:SourceIp"]


def test_bad_input_raises_input_error(files):
    # through the app, bad input is an InputError (main() prints it as one line, exit 2)
    r = runner.invoke(app, ["simulate", "-a", "s3:GetObject"])
    assert isinstance(r.exception, InputError) and "--principal" in str(r.exception)
    (files / "bad.json").write_text("[1, 2]")
    r = runner.invoke(app, ["simulate", "-p", USER, "-a", "s3:GetObject", "-i", str(files / "bad.json")])
    assert isinstance(r.exception, InputError) and "bad.json" in str(r.exception)
    r = runner.invoke(app, ["simulate", "-p", USER, "-a", "s3:GetObject", "-c", "novalue"])
    assert isinstance(r.exception, InputError) and "KEY=VALUE" in str(r.exception)


def _case(cid, action, **extra):
    c = {"id": cid, "request": {"principal": USER, "action": action, "resource": "arn:aws:s3:::bucket/k"},
         "identity_policies": [ALLOW_GET]}
    c.update(extra)
    return json.dumps(c)


def test_jsonl_batch_order_errors_and_continues(files):
    lines = [
        _case("a", "s3:GetObject", scps=[[FULL], [FULL]]),
        _case("b", "s3:PutObject"),
        '{"id": "c", "request": {"principal": "x"}}',
        "{broken",
        "",
        _case("e", "s3:GetObject", permission_boundary={"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}),
    ]
    (files / "cases.jsonl").write_text("\n".join(lines) + "\n")
    r = runner.invoke(app, ["simulate", "--jsonl", str(files / "cases.jsonl")])
    assert r.exit_code == 0, r.output
    out = [orjson.loads(x) for x in r.output.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", None, "e"]
    assert [o["decision"] for o in out] == ["allowed", "implicitDeny", "error", "error", "explicitDeny"]
    assert set(out[0]) == {"id", "decision", "reasons"}
    assert out[2]["error"].startswith("line 3: ") and out[3]["error"].startswith("line 4: ")


def test_jsonl_output_file_and_details(files):
    (files / "c.jsonl").write_text(_case("a", "s3:GetObject") + "\n")
    r = runner.invoke(app, ["simulate", "--jsonl", str(files / "c.jsonl"), "-o", str(files / "out.jsonl"), "--details"])
    assert r.exit_code == 0, r.output
    rec = orjson.loads((files / "out.jsonl").read_bytes())
    assert rec["decision"] == "allowed" and rec["missing_keys"] == [] and rec["errors"] == []


def test_json_single_case(files):
    (files / "case.yaml").write_text(
        "id: x\nrequest: {principal: 'arn:aws:iam::111122223333:root', action: 's3:GetObject'}\n"
        "scps: [[{Version: '2012-10-17', Statement: [{Effect: Allow, Action: 'ec2:*', Resource: '*'}]}]]\n"
        "management_account_id: '111122223333'\n")
    r = runner.invoke(app, ["simulate", "--json", str(files / "case.yaml"), "-f", "json"])
    assert r.exit_code == 0, r.output
    # "Service control policies": SCPs do not apply to the management account; the root user
    # has full access in its account
    assert json.loads(r.output)["decision"] == "allowed"


def test_console_script_reads_stdin():
    from script_support import console_script

    p = subprocess.run([console_script(), "simulate", "--jsonl", "-"], input=_case("s", "s3:GetObject") + "\n",
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert orjson.loads(p.stdout)["decision"] == "allowed"
    p = subprocess.run([sys.executable, "-m", "permwise", "simulate", "--jsonl", "/nonexistent.jsonl"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "no such file" in p.stderr


def test_jsonl_policy_set_cache_gives_the_uncached_answers(tmp_path):
    # --jsonl reuses the policy set of an earlier line with the same policies (engine.cases
    # cache); every line must still get the answer of a fresh, uncached evaluation. AWS "Policy
    # evaluation logic": a decision depends on the request and the policies, so lines that
    # share policies but differ in request, tags or policy key order are decided separately.
    from permwise.engine import evaluate
    from permwise.engine.cases import case_from_dict
    from permwise.report.reasons import result_record

    deny_tag = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}}]}
    reordered = {"Statement": [{"Resource": "arn:aws:s3:::bucket/*", "Action": "s3:Get*", "Effect": "Allow",
                                "Sid": "ReadBucket"}], "Version": "2012-10-17"}
    cases = []
    for i, (action, team, ids) in enumerate([
        ("s3:GetObject", "blue", [ALLOW_GET, deny_tag]),
        ("s3:GetObject", "red", [ALLOW_GET, deny_tag]),       # same policies, other tag: denied
        ("s3:PutObject", "blue", [ALLOW_GET, deny_tag]),      # same policies, other action
        ("s3:GetObject", "blue", [reordered, deny_tag]),      # same policies, other key order
        ("s3:GetObject", "blue", [deny_tag]),                 # other policies
        ("s3:GetObject", "blue", [ALLOW_GET, deny_tag]),
    ]):
        cases.append({"id": f"c{i}", "request": {"principal": USER, "action": action,
                                                 "resource": "arn:aws:s3:::bucket/k"},
                      "principal_tags": {"team": team}, "identity_policies": ids, "scps": [[FULL]]})
    src = tmp_path / "cases.jsonl"
    src.write_bytes(b"".join(orjson.dumps(c) + b"\n" for c in cases))
    r = runner.invoke(app, ["simulate", "--jsonl", str(src), "--details"])
    assert r.exit_code == 0, r.output
    got = r.output.encode().splitlines()
    want = []
    for c in cases:
        cid, ps, req = case_from_dict(json.loads(json.dumps(c)))  # uncached
        want.append(orjson.dumps(result_record(cid, evaluate(ps, req), True)))
    assert got == want
    assert [json.loads(x)["decision"] for x in got] == [
        "allowed", "explicitDeny", "implicitDeny", "allowed", "implicitDeny", "allowed"]


def test_jsonl_error_lines_keep_the_result_shape_and_the_id(files):
    # DESIGN.md --jsonl interface: one {"id", "decision", "reasons"} per input line, same order,
    # a bad line gets an error result and the batch goes on; the id is echoed as written (a
    # number stays a number), null when the line is not JSON at all
    lines = [
        '{"id": "broken-1", "request": {"principal": ',   # truncated JSON
        '{"id": 42, "request": {"principal": "x"}}',      # numeric id, no action
        '{"request": {"action": "s3:GetObject"}, "id": "no-principal"}',
        _case("ok", "s3:GetObject"),
    ]
    (files / "bad.jsonl").write_text("\n".join(lines) + "\n")
    r = runner.invoke(app, ["simulate", "--jsonl", str(files / "bad.jsonl")])
    assert r.exit_code == 0, r.output
    out = [orjson.loads(x) for x in r.output.splitlines()]
    assert [o["id"] for o in out] == [None, 42, "no-principal", "ok"]
    assert [o["decision"] for o in out] == ["error", "error", "error", "allowed"]
    for o in out[:3]:
        assert {"id", "decision", "reasons", "error"} <= set(o)
        assert o["reasons"] == [{"kind": "error", "message": o["error"]}]
    assert "request.principal" in out[2]["error"]


def test_jsonl_lenient_shapes(files):
    # the DESIGN.md case format written loosely, as an outside tester might: nulls for the
    # optional parts, a null SCP level (AWS's default FullAWSAccess), one document instead of a
    # list, a policy as a JSON string, a numeric resource_account
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    cases = [
        {"id": "nulls", "request": {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
                                    "resource_account": None, "context": None},
         "identity_policies": [doc], "permission_boundary": None, "session_policy": None,
         "scps": None, "rcps": None, "resource_policy": None},
        {"id": "empties", "request": {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
                                      "context": {}},
         "identity_policies": [doc], "scps": [], "rcps": [], "resource_policy": {}},
        {"id": "null-level", "request": {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
         "identity_policies": doc, "scps": [None, [doc]], "rcps": [[]]},
        {"id": "string-doc", "request": {"principal": USER, "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
         "identity_policies": [json.dumps(doc)]},
        {"id": "numeric-account", "request": {"principal": USER, "action": "s3:GetObject",
                                              "resource": "arn:aws:s3:::b/k", "resource_account": 444455556666},
         "identity_policies": [doc]},
    ]
    (files / "loose.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases))
    r = runner.invoke(app, ["simulate", "--jsonl", str(files / "loose.jsonl")])
    assert r.exit_code == 0, r.output
    out = [orjson.loads(x) for x in r.output.splitlines()]
    # the last one is cross-account (B owns the bucket, no bucket policy): "Cross-account
    # policy evaluation logic" needs an allow on both sides
    assert [o["decision"] for o in out] == ["allowed", "allowed", "allowed", "allowed", "implicitDeny"]


def test_jsonl_bom_crlf_and_line_separators(files):
    # a bad line spoils only its own result (issue: "a bad line gets an error result for that
    # line and the batch goes on"); a byte order mark before the first line, CRLF line ends and a
    # JSON string holding U+2028 (legal unescaped in JSON, a line break to str.splitlines) do not
    # break the batch into wrong lines
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                     "Condition": {"StringLike": {"k": "a*b"}}}]}
    good = json.dumps({"id": "sep", "request": {"principal": USER, "action": "s3:GetObject",
                                                "context": {"k": "a\u2028b"}}, "identity_policies": [allow]},
                      ensure_ascii=False).encode()
    data = (b"\xef\xbb\xbf" + _case("first", "s3:GetObject").encode() + b"\r\n"
            + b'{"id": "bad", "request": {"principal": "x"}}\r\n' + good + b"\n")
    (files / "bytes.jsonl").write_bytes(data)
    r = runner.invoke(app, ["simulate", "--jsonl", str(files / "bytes.jsonl")])
    assert r.exit_code == 0, r.output
    out = [orjson.loads(x) for x in r.output.splitlines()]
    assert [(o["id"], o["decision"]) for o in out] == [("first", "allowed"), ("bad", "error"), ("sep", "allowed")]
