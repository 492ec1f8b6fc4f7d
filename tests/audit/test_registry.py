"""The guardrail data: all 95 guardrails of the reference set, actions checked against the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from permwise import catalog
from permwise.audit.registry import all_rules, get_rule, guardrail_data

# shared/ sits beside the checkout (CI clones main next to it); /work/shared on a developer machine
_CANDIDATES = [
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "aws-iam-permissions-guardrails.json",
    Path("/work/shared/reference/aws-iam-permissions-guardrails.json"),
]
REFERENCE = next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])


def test_all_95_guardrails_present():
    ids = [g["id"] for g in guardrail_data()]
    assert len(ids) == len(set(ids)) == 95
    assert sum(i.startswith("IAM-") for i in ids) == 69
    assert sum(i.startswith("SCP-") for i in ids) == 26


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference data not available")
def test_ids_match_reference():
    ref = {g["Identifier"] for g in json.loads(REFERENCE.read_text())}
    assert ref == {g["id"] for g in guardrail_data()}


def test_every_action_is_in_the_catalog():
    cat = catalog.get_catalog()
    for g in guardrail_data():
        for a in g["actions"]:
            if a == "*":
                continue
            assert cat.expand(a) if "*" in a else cat.action(a) is not None, (g["id"], a)


KNOWN_FIXES = [
    ("IAM-IAM-1", "iam:CreateVirtualMFADeviceiam:DeactivateMFADevice"),
    ("IAM-EC2-3", "ec2:ModifyVpcPeeringConnectionOptionsconnection"),
    ("IAM-S3-AP-3", "s3:DataAccessPointAccount"),
    ("IAM-IAM-1", "iam:AddUserToGroup "),
]


@pytest.mark.parametrize(("gid", "was"), KNOWN_FIXES)
def test_source_errors_are_recorded_as_corrections(gid, was):
    g = next(x for x in guardrail_data() if x["id"] == gid)
    assert any(c["was"] == was for c in g["corrections"])
    assert was not in g["actions"]  # the erroneous spelling never survives


def test_advisory_guardrails_are_listed_not_dropped():
    advisory = [r for r in all_rules() if r.kind == "advisory"]
    assert {"IAM-KMS-1", "IAM-S3-3", "IAM-LAMBDA-1"} <= {r.id for r in advisory}
    assert all(not r.checked for r in advisory)


def test_rule_kinds_and_severities_are_known():
    kinds = {"denied-to-unauthorized", "scoped-only", "condition-required", "separation-of-duties", "advisory",
             "trust-policy", "scp-enforced", "trust", "suppression", "scp-exemption"}
    for r in all_rules():
        assert r.kind in kinds or r.kind.startswith("escalation-"), r.id
        assert r.severity in ("critical", "high", "medium", "low", "info")


def test_trust_guardrails_point_at_their_rule():
    for gid in ("IAM-STS-1", "IAM-STS-2", "IAM-STS-3"):
        r = get_rule(gid)
        assert r.kind == "trust-policy" and get_rule(r.data["checked_by"]) is not None


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference data not available")
def test_every_difference_from_the_source_is_a_recorded_correction():
    """Every source action that did not survive verbatim, and every action we added, is named in
    the guardrail's `corrections` (the catalog decides what is an action: IAM Service
    Authorization Reference, "Actions defined by ...")."""
    src = {g["Identifier"]: g for g in json.loads(REFERENCE.read_text())}
    for g in guardrail_data():
        raw = src[g["id"]].get("IAM Actions") or []
        raw = [raw] if isinstance(raw, str) else raw
        ours = list(g["actions"]) + [a for d in g.get("duties", []) for a in d]
        notes = " ".join(f"{c['was']} -> {c['now']}" for c in g.get("corrections", []))
        for a in raw:
            if a not in ours or raw.count(a) > 1:
                assert a.strip() in notes, (g["id"], a)
        for a in ours:
            if a not in raw:
                assert a in notes, (g["id"], a)
