"""Every audit SARIF result points at a real file of the snapshot with a line and a column, so a
SARIF viewer (GitHub code scanning, VS Code) can place it: an SCP guardrail that is missing is
placed on the account's entry in organization/accounts.json, one that an SCP only partly
enforces or that denies the exempt role on the SCP statement itself."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import permwise
from permwise.cli.main import app

DEMO = Path(permwise.__file__).parent / "data" / "demo" / "snapshot"


def _sarif():
    r = CliRunner().invoke(app, ["audit", "--format", "sarif"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["runs"][0]["results"]


def test_every_result_has_a_real_file_line_and_column():
    results = _sarif()
    assert len(results) > 100
    for res in results:
        phys = res["locations"][0]["physicalLocation"]
        path = Path(phys["artifactLocation"]["uri"])
        assert path.is_file(), (res["ruleId"], path)  # a file, never a directory
        region = phys["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1, res["ruleId"]


def test_scp_findings_point_at_the_account_entry_or_the_statement():
    results = [r for r in _sarif() if r["ruleId"].startswith("SCP-") or r["ruleId"] == "AUDIT-SCP-OVERBROAD"]
    assert results
    for res in results:
        phys = res["locations"][0]["physicalLocation"]
        path = Path(phys["artifactLocation"]["uri"])
        line = path.read_text().splitlines()[phys["region"]["startLine"] - 1]
        tail = line[phys["region"]["startColumn"] - 1:]
        if path.name == "accounts.json":
            # the account the finding is about, on the line the region names (or its entry's start)
            account = res["message"]["text"].split("account ", 1)[1][:12]
            entries = json.loads(path.read_text())["Accounts"]
            ptr = res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            assert entries[int(ptr.rsplit("/", 1)[1])]["Id"] == account
        else:
            assert path.parent.name == "policies"
            assert tail.startswith('\\"Sid\\"') or tail.startswith('\\"'), tail[:40]  # inside the Content string
