"""`permwise access` and `permwise audit --access`: every format, suppressions, --fail-on, bad
input as one line with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from access_support import OUTSIDER, VENDOR

EXE = Path(sys.executable).parent / "permwise"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=300)


def test_terminal_lists_each_finding_grouped_by_resource(extended_dir):
    r = run("access", "--env", str(extended_dir))
    assert r.returncode == 0, r.stderr
    for needle in ("acme-prod-vendor-exchange", "ACCESS-PUBLIC-CONDITIONAL", "ACCESS-SERVICE-DEPUTY", "ACCESS-CROSS-ORG",
                   "role/PartnerDeploy", "function:acme-prod-webhook", "[BLOCKED]", "zone of trust: organization"):
        assert needle in r.stdout, needle
    assert r.stdout.count("arn:aws:s3:::acme-prod-vendor-exchange  ") == 1  # one header per resource


def test_json_maps_to_access_analyzer_fields(extended_dir):
    r = run("access", "--env", str(extended_dir), "--format", "json")
    data = json.loads(r.stdout)
    assert data["format"] == "permwise-access/1" and data["zone"]["kind"] == "organization"
    f = next(x for x in data["findings"] if x["resource"] == "arn:aws:s3:::acme-prod-vendor-exchange")
    assert f["principal"] == {"AWS": VENDOR} and f["resourceType"] == "AWS::S3::Bucket"
    assert f["action"] == ["s3:GetObject", "s3:PutObject"] and f["isPublic"] is False and f["status"] == "ACTIVE"


def test_sarif_markdown_html(extended_dir, tmp_path):
    assert run("access", "--env", str(extended_dir), "-f", "sarif", "-o", str(tmp_path / "a.sarif")).returncode == 0
    log = json.loads((tmp_path / "a.sarif").read_text())
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"ACCESS-PUBLIC", "ACCESS-CROSS-ACCOUNT", "ACCESS-PUBLIC-CONDITIONAL"}
    pub = next(r for r in results if r["ruleId"] == "ACCESS-PUBLIC")
    assert pub["properties"]["isPublic"] is True and pub["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert run("access", "--env", str(extended_dir), "-f", "markdown", "-o", str(tmp_path / "a.md")).returncode == 0
    md = (tmp_path / "a.md").read_text()
    assert md.startswith("# External access") and "| ACCESS-CROSS-ORG |" in md
    assert run("access", "--env", str(extended_dir), "-f", "html", "-o", str(tmp_path / "a.html")).returncode == 0
    html = (tmp_path / "a.html").read_text()
    assert 'id="by-resource"' in html and 'id="by-principal"' in html
    principal_part = html.split('id="by-principal"', 1)[1]
    assert f"account {VENDOR}" in principal_part
    # self-contained: the one inline script is permwise's own (search, filters, sorting), nothing else
    assert html.count("<script") == 1 and '<script id="permwise-ui">' in html


def test_fail_on(extended_dir):
    assert run("access", "--env", str(extended_dir), "--fail-on", "critical").returncode == 1
    # blocked findings (info) never fail the run unless asked
    r = run("access", "--env", str(extended_dir), "--zone", f"o-a1b2c3d4e5,{VENDOR},{OUTSIDER},777766665555,o-partner0001",
            "--fail-on", "info", "-f", "json")
    data = json.loads(r.stdout)
    active = [f for f in data["findings"] if f["status"] == "ACTIVE"]
    assert r.returncode == (1 if active or any(f["severity"] == "info" and f["status"] == "ACTIVE" for f in data["findings"]) else 0)


def test_suppressions_reuse_the_audit_format(extended_dir, tmp_path):
    sup = tmp_path / "sup.yaml"
    sup.write_text(
        "suppressions:\n"
        f"  - rule: ACCESS-*\n    subject: '* account {VENDOR}'\n    reason: vendor contract V-1\n    expires: 2999-01-01\n"
        "  - rule: ACCESS-PUBLIC\n    subject: '*webhook *'\n    reason: old\n    expires: 2000-01-01\n")
    r = run("access", "--env", str(extended_dir), "-s", str(sup), "-f", "json")
    data = json.loads(r.stdout)
    vendor = [f for f in data["findings"] if f["principal"].get("AWS") == VENDOR]
    assert vendor and all(f["status"] == "SUPPRESSED" and "V-1" in f["suppressed"] for f in vendor)
    assert [e["rule"] for e in data["expired_suppressions"]] == ["AUDIT-SUPPRESSION-EXPIRED"]
    webhook = next(f for f in data["findings"] if "webhook" in f["resource"])
    assert webhook["status"] == "ACTIVE"  # the expired suppression suppresses nothing
    # a suppressed finding no longer fails the run
    assert run("access", "--env", str(extended_dir), "-s", str(sup), "--zone", "o-a1b2c3d4e5,888877776666,o-partner0001,777766665555",
               "--fail-on", "high").returncode == 1  # the public webhook remains


@pytest.mark.parametrize("args, needle", [
    (["--zone", "12345"], "`12345` is neither a 12-digit account id"),
    (["--zone", "organization", "--env", "{empty}"], "no organization"),
])
def test_bad_input_is_one_line(args, needle, tmp_path, extended_dir):
    import shutil

    empty = tmp_path / "single"
    shutil.copytree(extended_dir, empty)
    shutil.rmtree(empty / "organization")
    args = [a.replace("{empty}", str(empty)) for a in args]
    if "--env" not in args:
        args += ["--env", str(extended_dir)]
    r = run("access", *args)
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_bad_suppressions_rule_is_input_error(extended_dir, tmp_path):
    sup = tmp_path / "sup.yaml"
    sup.write_text("suppressions:\n  - rule: NOPE-*\n    reason: x\n    expires: 2999-01-01\n")
    r = run("access", "--env", str(extended_dir), "-s", str(sup))
    assert r.returncode == 2 and "matches no audit rule" in r.stderr


def test_audit_access_section(extended_dir, tmp_path):
    r = run("audit", "--env", str(extended_dir), "--access", "-f", "json")
    data = json.loads(r.stdout)
    assert data["access"]["format"] == "permwise-access/1"
    assert any(f["rule"] == "ACCESS-PUBLIC" for f in data["access"]["findings"])
    t = run("audit", "--env", str(extended_dir), "--access")
    assert "External access" in t.stdout and "ACCESS-CROSS-ORG" in t.stdout
    plain = run("audit", "--env", str(extended_dir))
    assert "ACCESS-" not in plain.stdout
    s = run("audit", "--env", str(extended_dir), "--access", "-f", "sarif")
    assert len(json.loads(s.stdout)["runs"]) == 2
    h = run("audit", "--env", str(extended_dir), "--access", "-f", "html", "-o", str(tmp_path / "a.html"))
    assert h.returncode == 0 and 'id="access"' in (tmp_path / "a.html").read_text()
    assert run("audit", "--env", str(extended_dir), "--access", "--fail-on", "critical").returncode == 1


def test_one_suppressions_file_serves_audit_and_access(extended_dir, tmp_path):
    sup = tmp_path / "sup.yaml"
    sup.write_text("suppressions:\n  - rule: ACCESS-PUBLIC\n    subject: '*'\n    reason: r\n    expires: 2999-01-01\n")
    assert run("audit", "--env", str(extended_dir), "-s", str(sup), "-f", "json", "-o", str(tmp_path / "a.json")).returncode == 0
    r = run("audit", "--env", str(extended_dir), "-s", str(sup), "--access", "-f", "json")
    public = [f for f in json.loads(r.stdout)["access"]["findings"] if f["rule"] == "ACCESS-PUBLIC"]
    assert public and all(f["status"] == "SUPPRESSED" for f in public)


def test_html_is_byte_identical_across_runs(extended_dir, tmp_path, monkeypatch):
    # the report date is the one field that changes between runs; SOURCE_DATE_EPOCH pins it
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796000000")
    for name in ("a", "b"):
        assert run("access", "--env", str(extended_dir), "-f", "html", "-o", str(tmp_path / f"{name}.html")).returncode == 0
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
