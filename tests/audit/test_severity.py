"""Severities of the audit's findings (escalation.yaml header, docs/audit.md "Severity").

AWS rules: IAM User Guide, "AWS JSON policy elements: Principal": `"Principal": "*"` in a role
trust policy means every AWS principal (anyone), so an unconditioned one is critical; "The
confused deputy problem": an outside account trusted without `sts:ExternalId` can be misused by
the vendor's other customers (high). A path that reaches administrator power (AdministratorAccess,
`"Action": "*"`) is critical.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from typer.testing import CliRunner

from permwise.audit.escalation import EscalationAnalyzer
from permwise.audit.model import Step
from permwise.audit.registry import escalation_data, get_rule
from permwise.cli.main import app


def test_escalation_primitives_are_critical_except_uncertain_ones():
    sev = {p["id"]: p["severity"] for p in escalation_data()}
    assert sev["PRIVESC-PASSROLE-LAMBDA"] == "critical"
    assert sev["PRIVESC-SET-DEFAULT-POLICY-VERSION"] == "medium"
    assert all(s == "critical" for i, s in sev.items() if i != "PRIVESC-SET-DEFAULT-POLICY-VERSION")
    assert get_rule("TRUST-PUBLIC").severity == "critical"
    assert get_rule("TRUST-EXTERNAL-ID").severity == "high"


def test_path_takes_its_weakest_link():
    fake = SimpleNamespace(_by_id={p["id"]: p for p in escalation_data()})
    a, b = "arn:aws:iam::1:role/A", "arn:aws:iam::1:role/B"
    strong = [Step(a, b, "PRIVESC-PASSROLE-LAMBDA", "x")]
    weak = strong + [Step(b, b, "PRIVESC-SET-DEFAULT-POLICY-VERSION", "y")]
    assume = [Step(a, b, "sts:AssumeRole"), Step(b, b, "PRIVESC-ATTACH-ROLE-POLICY", "z")]
    assert EscalationAnalyzer.path_severity(fake, strong) == "critical"
    assert EscalationAnalyzer.path_severity(fake, weak) == "medium"
    assert EscalationAnalyzer.path_severity(fake, assume) == "critical"


def test_planted_severities(planted_result):
    by = {(f.rule_id, f.subject.rsplit("/", 1)[-1]): f.severity for f in planted_result.findings}
    assert by[("PRIVESC-PASSROLE-LAMBDA", "Passer")] == "critical"
    assert by[("TRUST-PUBLIC", "PublicRole")] == "critical"
    assert all(s == "critical" for (r, _), s in by.items() if r.startswith("PRIVESC-"))


def test_json_and_sarif_agree_on_severity():
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["audit", "--format", "json"]).stdout)
    sarif = json.loads(runner.invoke(app, ["audit", "--format", "sarif"]).stdout)
    fs = {(f["rule"], f["subject"]): f["severity"] for f in data["findings"]}
    assert fs[("PRIVESC-PASSROLE-LAMBDA", "arn:aws:iam::555555555555:role/CiDeployRole")] == "critical"
    assert fs[("TRUST-EXTERNAL-ID", "arn:aws:iam::444444444444:role/VendorAuditRole")] == "high"
    assert data["summary"]["critical"] == sum(s == "critical" for s in fs.values())
    res = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "PRIVESC-PASSROLE-LAMBDA"]
    assert res and all(r["level"] == "error" and r["message"]["text"].startswith("[critical]") for r in res)
