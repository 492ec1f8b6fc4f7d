"""P011: a key given twice in one object. A JSON reader keeps one of them silently (RFC 8259,
section 4: names SHOULD be unique; behaviour with duplicates is unpredictable), so
`"Effect": "Deny", ..., "Effect": "Allow"` must never validate clean or simulate."""

from __future__ import annotations

import json

import pytest

from permwise.cli.main import main
from permwise.errors import InputError
from permwise.policy import validate
from permwise.sources import json_has_duplicates, parse_text

DUP = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject",\n'
       ' "Resource": "*", "Effect": "Allow"}]}')
GOOD = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}'


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return exc.value.code, capsys.readouterr()


def test_validate_reports_both_occurrences(tmp_path, capsys):
    p = tmp_path / "p.json"
    p.write_text(DUP)
    findings = [f for f in validate(str(p)) if f.code == "P011"]
    assert len(findings) == 1
    f = findings[0]
    assert f.severity == "error" and f.pointer == "/Statement/0/Effect"
    assert "first at line 1, column 42" in f.message and f.line == 2
    code, out = _run(["validate", str(p)], capsys)
    assert code == 1 and "P011" in out.out


def test_good_policy_has_no_p011(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(GOOD)
    assert not [f for f in validate(str(p)) if f.code == "P011"]


def test_yaml_duplicates_are_found(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("Version: '2012-10-17'\nStatement:\n  - Effect: Deny\n    Action: s3:GetObject\n    Resource: '*'\n"
                 "    Effect: Allow\n")
    f = [f for f in validate(str(p)) if f.code == "P011"][0]
    assert f.pointer == "/Statement/0/Effect" and "first at line 3" in f.message


def test_simulate_refuses_a_policy_with_duplicate_keys(tmp_path, capsys):
    p = tmp_path / "p.json"
    p.write_text(DUP)
    code, out = _run(["simulate", "--principal", "arn:aws:iam::111122223333:user/a", "--action", "s3:GetObject",
                      "-i", str(p)], capsys)
    assert code == 2 and "duplicate key `Effect`" in out.err and "allowed" not in out.out


@pytest.mark.parametrize("text,dup", [
    ('{"a": 1, "a": 2}', True),
    ('{"a": 1, "b": {"a": 2}}', False),
    ('[{"a": 1}, {"a": 1}]', False),
    ('{"a" : 1, "a": 2}', True),                       # white space before a colon: exact path
    ('{"a": 1, "b": "\\u0022:", "a": 3}', True),       # an escaped quote and colon in a value
    ('{"a": "x\\":y", "b": 1}', False),               # `":` inside a string
    ('{"k\\u0061": 1, "ka": 2}', True),                # the same key spelled two ways
])
def test_fast_duplicate_scan_is_exact(text, dup):
    assert json_has_duplicates(text, json.loads(text)) is dup


def test_configs_and_manifests_refuse_duplicates():
    with pytest.raises(InputError) as exc:
        parse_text("profiles: {}\nregions: []\nprofiles: {}\n", "c.yaml")
    assert exc.value.line == 3 and "first at line 1, column 1" in exc.value.message
