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


def test_audit_sarif_validates_against_the_sarif_2_1_0_schema(planted_dir):
    """OASIS SARIF 2.1.0: the log must validate against the published JSON Schema; a result's
    `level` is one of none/note/warning/error (the audit severity travels in `properties`)."""
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).parents[1] / "policy" / "sarif-schema-2.1.0.json").read_text())
    r = runner.invoke(app, ["audit", "--env", str(planted_dir), "--format", "sarif"])
    log = json.loads(r.stdout)
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    sev = {res["properties"]["severity"] for res in run["results"]}
    assert {"critical", "high", "medium"} <= sev
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["properties"]["security-severity"] and rule["properties"]["severity"] in (
            "critical", "high", "medium", "low", "info")


def test_audit_output_is_byte_identical_across_runs(planted_dir):
    outs = [runner.invoke(app, ["audit", "--env", str(planted_dir), "--format", fmt]).stdout
            for fmt in ("json", "sarif", "json", "sarif")]
    assert outs[0] == outs[2] and outs[1] == outs[3]


def test_advisory_guardrails_are_listed_in_the_audit_not_dropped(planted_dir):
    from permwise.audit.registry import all_rules

    advisory = sorted(r.id for r in all_rules() if r.kind == "advisory")
    assert len(advisory) >= 10
    data = json.loads(runner.invoke(app, ["audit", "--env", str(planted_dir), "--format", "json"]).stdout)
    assert [x["rule"] for x in data["not_checked"]] == advisory
    text = runner.invoke(app, ["audit", "--env", str(planted_dir)], env={"COLUMNS": "400"}).stdout
    assert f"not checked: {len(advisory)} advisory guardrails" in text
    assert all(i in text for i in advisory)
