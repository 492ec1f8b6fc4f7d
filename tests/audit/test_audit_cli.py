"""The CLI verbs through typer's CliRunner: rules, audit (json, sarif, --fail-on), who-can-assume."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from permwise.cli.main import app

runner = CliRunner()


def test_rules_json_lists_every_family():
    r = runner.invoke(app, ["rules", "--format", "json"])
    assert r.exit_code == 0
    rules = json.loads(r.stdout)
    fams = {x["family"] for x in rules}
    assert fams == {"guardrail", "escalation", "trust", "audit"}
    assert sum(x["family"] == "guardrail" for x in rules) == 95
    assert [x["id"] for x in rules] == sorted(
        [x["id"] for x in rules], key=lambda i: ({"IAM": 0, "SCP": 0, "PRI": 1, "TRU": 2, "AUD": 3}[i[:3]], i))


def test_rules_bad_family_is_one_line():
    r = runner.invoke(app, ["rules", "--family", "nope"])
    assert r.exit_code != 0


def test_audit_json_and_fail_on(planted_dir, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("audit: 1\nexternal_accounts: {'999999999999': vendor}\n")
    r = runner.invoke(app, ["audit", "--env", str(planted_dir), "--config", str(cfg), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    rules = {f["rule"] for f in data["findings"]}
    assert {"TRUST-PUBLIC", "PRIVESC-PASSROLE-LAMBDA", "IAM-CLOUDTRAIL-1"} <= rules
    r2 = runner.invoke(app, ["audit", "--env", str(planted_dir), "--format", "json", "--fail-on", "critical"])
    assert r2.exit_code == 1


def test_audit_sarif_has_rule_metadata(planted_dir):
    r = runner.invoke(app, ["audit", "--env", str(planted_dir), "--format", "sarif"])
    assert r.exit_code == 0, r.output
    log = json.loads(r.stdout)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    ids = {x["id"] for x in run["tool"]["driver"]["rules"]}
    assert {res["ruleId"] for res in run["results"]} <= ids
    assert all(res["level"] in ("error", "warning", "note") for res in run["results"])


def test_audit_demo_tells_the_story():
    r = runner.invoke(app, ["audit", "--format", "json"])
    assert r.exit_code == 0, r.output
    fs = json.loads(r.stdout)["findings"]
    pairs = {(f["rule"], f["subject"].rsplit("/", 1)[-1]) for f in fs}
    assert ("IAM-CLOUDTRAIL-1", "RunbooksOperations") in pairs
    assert ("TRUST-EXTERNAL-ID", "VendorAuditRole") in pairs
    assert ("PRIVESC-PASSROLE-LAMBDA", "CiDeployRole") in pairs


def test_who_can_assume_cli(planted_dir):
    r = runner.invoke(app, ["who-can-assume", "HopB", "--env", str(planted_dir), "--format", "json"])
    assert r.exit_code == 0, r.output
    vias = {(a["principal"].rsplit("/", 1)[-1], a["via"]) for a in json.loads(r.stdout)["assumers"]}
    assert ("HopA", "principal") in vias and ("HopC", "multi-hop") in vias


def test_who_can_assume_unknown_role(planted_dir):
    r = runner.invoke(app, ["who-can-assume", "NoSuchRole", "--env", str(planted_dir)])
    assert r.exit_code != 0
