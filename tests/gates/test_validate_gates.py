"""``permwise validate`` with security findings and custom checks, through the CLI: exit codes
with --fail-on, JSON and SARIF (physical locations with line and column), --zone, --deny-actions,
--resources, --no-public, --env."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.gates.conftest import write

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = json.loads((ROOT / "tests" / "policy" / "sarif-schema-2.1.0.json").read_text())
DEMO = ROOT / "src" / "permwise" / "data" / "demo" / "snapshot"
V = "2012-10-17"
ADMIN = {"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
PASSROLE_KEYS = {"Version": V, "Statement": [{"Effect": "Allow", "Action": ["iam:PassRole", "iam:CreateAccessKey"],
                                              "Resource": "*"}]}
PUBLIC_BUCKET = {"Version": V, "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                              "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}
TRUST_ANY = {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
VENDOR = {"Version": V, "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                                       "Action": "sts:AssumeRole",
                                       "Condition": {"StringEquals": {"sts:ExternalId": "x-1"}}}]}


@pytest.mark.parametrize("doc", [ADMIN, PASSROLE_KEYS, PUBLIC_BUCKET, TRUST_ANY], ids=["admin", "passrole-keys",
                                                                                      "public-bucket", "trust-any"])
def test_the_issue_examples_now_fail_by_default(cli, tmp_path, doc):
    p = write(tmp_path, "p.json", doc)
    code, out, _ = cli("validate", p)
    assert code == 1
    assert " error " in out


def test_fail_on_none_and_no_security(cli, tmp_path):
    p = write(tmp_path, "p.json", ADMIN)
    assert cli("validate", "--fail-on", "none", p)[0] == 0
    code, out, _ = cli("validate", "--no-security", p)
    assert code == 0 and "FULL-ADMIN" not in out


def test_json_finding_shape(cli, tmp_path):
    p = write(tmp_path, "p.json", PASSROLE_KEYS)
    code, out, _ = cli("validate", "--format", "json", p)
    doc = json.loads(out)
    f = next(x for x in doc["findings"] if x["code"] == "PRIVESC-CREATE-ACCESS-KEY")
    assert (f["file"], f["line"], f["column"], f["pointer"]) == (p, 4, 5, "/Statement/0")
    assert f["severity"] == "error" and "iam:CreateAccessKey" in f["message"] and f["fix"]


def test_sarif_has_physical_locations_and_is_valid(cli, tmp_path):
    p = write(tmp_path, "bucket.json", PUBLIC_BUCKET)
    code, out, _ = cli("validate", "--format", "sarif", p)
    assert code == 1
    log = json.loads(out)
    jsonschema.validate(log, SARIF_SCHEMA)
    res = [r for r in log["runs"][0]["results"] if r["ruleId"] == "PUBLIC-ACCESS"]
    assert len(res) == 1
    phys = res[0]["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"].endswith("bucket.json")
    assert phys["region"] == {"startLine": 4, "startColumn": 5}
    rule_ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert "PUBLIC-ACCESS" in rule_ids


def test_zone_decides_what_is_external(cli, tmp_path):
    p = write(tmp_path, "trust.json", VENDOR)
    # without a zone the owner is unknown: the vendor pattern with ExternalId is not reported
    code, out, _ = cli("validate", "--fail-on", "suggestion", "--type", "trust", p)
    assert code == 0, out
    code, out, _ = cli("validate", "--fail-on", "suggestion", "--type", "trust", "--zone", "111122223333", p)
    assert code == 1 and "CROSS-ACCOUNT-ACCESS" in out and "sts:ExternalId" in out
    code, out, _ = cli("validate", "--fail-on", "suggestion", "--type", "trust", "--zone", "111122223333,444455556666", p)
    assert code == 0, out


def test_bad_zone_is_exit_2(cli, tmp_path):
    p = write(tmp_path, "p.json", ADMIN)
    code, _, err = cli("validate", "--zone", "12345", p)
    assert code == 2 and "12-digit" in err and err.count("\n") == 1


def test_deny_actions_on_identity_policy(cli, tmp_path):
    pol = {"Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}
    p = write(tmp_path, "p.json", pol)
    code, out, _ = cli("validate", "--no-security", "--deny-actions", "s3:DeleteObject,iam:CreateUser", p)
    assert code == 1
    assert "DENIED-ACTION-ALLOWED" in out and "`s3:DeleteObject`" in out and "iam:CreateUser" not in out.split("fix")[0]
    # on given resources only
    code, out, _ = cli("validate", "--no-security", "--deny-actions", "s3:DeleteObject",
                       "--resources", "arn:aws:s3:::other/key", p)
    assert code == 0, out
    # a Deny takes it away
    pol["Statement"].append({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"})
    p = write(tmp_path, "p.json", pol)
    assert cli("validate", "--no-security", "--deny-actions", "s3:DeleteObject", p)[0] == 0


def test_deny_actions_unknown_action_is_exit_2(cli, tmp_path):
    p = write(tmp_path, "p.json", ADMIN)
    code, _, err = cli("validate", "--deny-actions", "s3:PutEncryption", p)
    assert code == 2 and "not an action" in err


def test_deny_actions_on_resource_policy_and_scp(cli, tmp_path):
    p = write(tmp_path, "bucket.json", PUBLIC_BUCKET)
    code, out, _ = cli("validate", "--no-security", "--deny-actions", "s3:PutBucketPolicy", p)
    assert code == 1 and "to any outside principal" in out
    scp = {"Version": V, "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                       {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"}]}
    p = write(tmp_path, "scp.json", scp)
    assert cli("validate", "--type", "scp", "--deny-actions", "cloudtrail:StopLogging", p)[0] == 0
    assert cli("validate", "--type", "scp", "--deny-actions", "cloudtrail:DeleteTrail", p)[0] == 1


def test_no_public_on_a_directory(cli, tmp_path):
    write(tmp_path, "pols/bucket.json", PUBLIC_BUCKET)
    write(tmp_path, "pols/vendor.json", VENDOR)
    write(tmp_path, "pols/identity.json", {"Version": V, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                                         "Resource": "arn:aws:s3:::b/*"}]})
    code, out, _ = cli("validate", "--no-security", "--no-public", "--zone", "111122223333", str(tmp_path / "pols"))
    assert code == 1
    lines = [x for x in out.splitlines() if "NO-PUBLIC" in x]
    assert len(lines) == 2
    assert any("bucket.json" in x and "anyone" in x for x in lines)
    assert any("vendor.json" in x and "444455556666" in x for x in lines)
    code, out, _ = cli("validate", "--no-security", "--no-public", "--zone", "111122223333,444455556666",
                       str(tmp_path / "pols" / "vendor.json"))
    assert code == 0, out


def test_custom_checks_on_a_snapshot(cli):
    code, out, _ = cli("validate", "--env", str(DEMO), "--no-public", "--deny-actions", "cloudtrail:StopLogging",
                       "--format", "json")
    assert code == 1
    doc = json.loads(out)
    codes = {f["code"] for f in doc["findings"]}
    assert codes == {"DENIED-ACTION-ALLOWED", "NO-PUBLIC"}
    for f in doc["findings"]:
        assert f["file"].startswith(str(DEMO)) and f["line"] and f["column"]
    vendor = [f for f in doc["findings"] if f["code"] == "NO-PUBLIC"]
    assert any("VendorAuditRole" in f["message"] for f in vendor)
    # one principal only
    code, out, _ = cli("validate", "--env", str(DEMO), "--deny-actions", "cloudtrail:StopLogging",
                       "--principal", "arn:aws:iam::111111111111:user/breakglass", "--format", "json")
    subjects = {f["subject"] for f in json.loads(out)["findings"]}
    assert subjects == {"arn:aws:iam::111111111111:user/breakglass"}


def test_env_needs_a_custom_check(cli):
    code, _, err = cli("validate", "--env", str(DEMO))
    assert code == 2 and "--deny-actions" in err
