"""Untrusted strings from a snapshot (SCP names, descriptions and Sids, OU and account names,
account aliases and tags) carrying terminal escapes and markup, through every output format.

* terminal and text reports (stdout and --out): no control character other than a newline
  reaches the output; rich markup in a name is printed, not interpreted (no OSC-8 link);
* Markdown: no raw HTML (<script>, <img onerror>), no injected heading, no `javascript:` link;
* JSON and SARIF: the strings arrive unchanged (escaping is the consumer's job there).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from permwise.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "permwise" / "data" / "demo" / "snapshot"
CONFIG = ROOT / "src" / "permwise" / "data" / "demo" / "config.yaml"

#: a window-title OSC, clear-screen CSI, an OSC-8 hyperlink, a bell, a C1 CSI, a bidi override,
#: rich markup with a link, HTML, a Markdown heading after a newline and a javascript: link
PAYLOAD = ("\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\\x9b31m\u202e"
           "[link=javascript:alert(1)]x[/link][bold red]boom[/]<script>alert(1)</script>"
           "<img src=x onerror=alert(1)>\n# injected heading\n[y](javascript:alert(2)) | cell | `tick` ```\n# fence")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile_snapshot(tmp_path_factory) -> Path:
    snap = tmp_path_factory.mktemp("inj") / "snap"
    shutil.copytree(DEMO, snap)

    def edit(rel: str, fn) -> None:
        p = snap / rel
        d = json.loads(p.read_text())
        fn(d)
        p.write_text(json.dumps(d, indent=1))

    def scp(d: dict) -> None:
        d["Policy"]["PolicySummary"]["Name"] = "DenyGuardDuty" + PAYLOAD
        d["Policy"]["PolicySummary"]["Description"] = PAYLOAD
        content = json.loads(d["Policy"]["Content"])
        content["Statement"][0]["Sid"] = "S" + PAYLOAD
        d["Policy"]["Content"] = json.dumps(content)

    edit("organization/policies/p-gdutyd3n.json", scp)
    edit("organization/ous.json", lambda d: [ou.__setitem__("Name", ou["Name"] + PAYLOAD) for ou in d["OrganizationalUnits"]])
    edit("organization/accounts.json", lambda d: [a.__setitem__("Name", a["Name"] + PAYLOAD) for a in d["Accounts"]])
    for acct in sorted((snap / "accounts").iterdir()):
        if (acct / "account.json").exists():
            edit(f"accounts/{acct.name}/account.json",
                 lambda d: d.update(Alias="alias" + PAYLOAD, Tags=[{"Key": "team" + PAYLOAD, "Value": PAYLOAD}]))

        def role_tags(d: dict) -> None:
            for r in d.get("RoleDetailList", []):
                r["Tags"] = [{"Key": "owner", "Value": PAYLOAD}]
        edit(f"accounts/{acct.name}/authorization-details.json", role_tags)
    return snap


def _run(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 0), out.out, out.err


def _check(snap: Path, *extra: str) -> list[str]:
    return ["check", "runbooks", "--env", str(snap), "--config", str(CONFIG), *extra]


def _assert_terminal_safe(text: str) -> None:
    assert not CONTROL.search(text), repr(CONTROL.search(text).group(0))
    assert "\x1b" not in text and "\x07" not in text


def test_the_payload_reaches_the_reports(hostile_snapshot, capsys, monkeypatch):
    """Guard against a vacuous pass: the hostile names are in the data every renderer reads."""
    code, out, _ = _run(_check(hostile_snapshot, "--format", "json"), capsys, monkeypatch)
    assert code == 0
    assert PAYLOAD in out.encode().decode("unicode_escape", errors="ignore") or json.dumps(PAYLOAD)[1:-1] in out


@pytest.mark.parametrize("argv", [
    ["check"], ["check", "--verbose"], ["audit"], ["audit", "--verbose"],
    ["who-can-assume", "arn:aws:iam::444444444444:role/RunbooksWorkload"],
])
def test_terminal_output_has_no_control_characters(hostile_snapshot, argv, capsys, monkeypatch):
    full = _check(hostile_snapshot, *argv[1:]) if argv[0] == "check" else [*argv, "--env", str(hostile_snapshot)]
    code, out, err = _run(full, capsys, monkeypatch)
    assert code == 0, err
    _assert_terminal_safe(out)
    _assert_terminal_safe(err)
    if argv[0] == "check":
        assert "DenyGuardDuty" in out and "\\x1b]0;pwned" in out  # shown, made visible, not executed
        assert "[link=javascript:alert(1)]" in out  # markup printed as text


@pytest.mark.parametrize("verb", ["check", "audit"])
def test_text_report_file_has_no_control_characters(hostile_snapshot, verb, tmp_path, capsys, monkeypatch):
    out_file = tmp_path / "r.txt"
    argv = _check(hostile_snapshot) if verb == "check" else ["audit", "--env", str(hostile_snapshot)]
    code, _, err = _run([*argv, "--out", str(out_file)], capsys, monkeypatch)
    assert code == 0, err
    _assert_terminal_safe(out_file.read_text())


def test_markdown_has_no_raw_html_heading_or_javascript_link(hostile_snapshot, capsys, monkeypatch):
    code, out, err = _run(_check(hostile_snapshot, "--format", "markdown"), capsys, monkeypatch)
    assert code == 0, err
    assert "DenyGuardDuty" in out
    # raw HTML: every < that is not inside a code span is escaped
    outside_code = re.sub(r"(?ms)^(`{3,})json$.*?^\1$", "", out)  # fenced blocks: not HTML
    assert not re.search(r"(?m)^# fence", outside_code)  # a ``` in a name did not close the fence early
    outside_code = re.sub(r"(`+)(?:(?!\1).)*?\1", "", outside_code)
    assert "<script" not in outside_code.lower() and "<img" not in outside_code.lower()
    assert not re.search(r"(?<!\\)\]\(javascript:", outside_code.lower())  # no Markdown link to javascript:
    assert "javascript:" not in outside_code.lower()  # the scheme itself is neutralised (javascript&#58;)
    assert not re.search(r"(?m)^# injected", out)  # the newline did not start a heading
    assert not CONTROL.search(out)
    # a table row still has its six cells: the `|` in a name did not add columns
    rows = [ln for ln in out.splitlines() if ln.startswith("| `") and not ln.startswith("| `arn:")]  # commands table
    bad = [r for r in rows if len(re.findall(r"(?<!\\)\|", r)) != 7]
    assert rows and not bad, bad[:1]


@pytest.mark.parametrize("argv,fmt", [(["check"], "json"), (["audit"], "json"), (["audit"], "sarif")])
def test_json_and_sarif_keep_the_strings_unchanged(hostile_snapshot, argv, fmt, capsys, monkeypatch):
    full = _check(hostile_snapshot) if argv[0] == "check" else ["audit", "--env", str(hostile_snapshot)]
    code, out, err = _run([*full, "--format", fmt], capsys, monkeypatch)
    assert code == 0, err
    doc = json.loads(out)  # valid JSON whatever the names hold
    strings: list[str] = []
    stack = [doc]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str):
            strings.append(v)
    assert any(PAYLOAD in x for x in strings), "the hostile string must arrive unchanged"
