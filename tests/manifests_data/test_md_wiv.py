"""The wiv manifest against its seed: one permission per table row, counts per category, trust policy.

AWS rules encoded: IAM User Guide, "Access to AWS accounts owned by third parties" - a role trusted
by another account should require `sts:ExternalId` in its trust policy, and a cross-account
AssumeRole is allowed only when the trust policy (resource side) and the caller's identity policy
both allow it; "AWS service principals" - a service principal in the trust policy lets that
service assume the role.
"""

from __future__ import annotations

import re

import pytest

from _md_helpers import command, load_yaml, seed_text

SEED = "wiv-cross-account-role"

#: Our reading of the seed's tables: rows per table heading, the summary category each table
#: belongs to and the command it became. Typed by hand from the seed, not from the manifest.
TABLES = {
    "S3 - CUR Bucket Access": ("S3 (CUR Bucket)", "payer.s3-cur-bucket", 2),
    "Account & Billing": ("Account & Billing", "payer.account-billing", 9),
    "Cost Explorer & CUR": ("Cost Explorer & CUR", "payer.cost-explorer", 6),
    "Compute Optimizer": ("Compute Optimizer", "payer.compute-optimizer", 2),
    "Trusted Advisor": ("Trusted Advisor", "payer.trusted-advisor", 11),
    "EC2 & Compute": ("EC2 & Compute", "payer.ec2-compute", 4),
    "Containers & Kubernetes": ("Containers & Kubernetes", "payer.containers", 5),
    "Serverless": ("Serverless", "payer.serverless", 3),
    "Databases": ("Databases", "payer.databases", 9),
    "Storage": ("Storage", "payer.storage", 6),
    "Networking & CDN": ("Networking & CDN", "payer.networking-cdn", 8),
    "Analytics & Search": ("Analytics & Search", "payer.analytics-search", 4),
    "AI/ML": ("AI/ML", "payer.ai-ml", 3),
    "Monitoring & Logging": ("Monitoring & Logging", "payer.monitoring-logging", 8),
    "Config & Compliance": ("Config & Compliance", "payer.config-compliance", 3),
    "Other Services": ("Other Services", "payer.other-services", 4),
    "Tagging": ("Tagging", "payer.tagging", 3),
    "Athena": ("Athena", "payer.athena", 3),
    "CloudFormation StackSets": ("CloudFormation", "payer.cloudformation-stacksets", 10),
    "Glue": ("Glue", "payer.glue", 4),
    "OrganizationRetrievalPolicy": ("Organizations", "organization.retrieval", 3),
    "EventBridge Rules": ("EventBridge", "eventbridge.rules", 5),
    "API Destinations": ("EventBridge", "eventbridge.api-destinations", 6),
    "Secrets Manager": ("Secrets Manager", "eventbridge.secrets-manager", 6),
    "IAM - Self Role Management": ("IAM", "eventbridge.iam-self-role", 5),
    "IAM - Service Linked Role": ("IAM", "eventbridge.iam-service-linked-role", 3),
}


@pytest.fixture(scope="module")
def wiv() -> dict:
    return load_yaml("wiv")


def _seed_tables() -> dict[str, list[list[str]]]:
    """Permission tables of the seed: heading -> rows (cells split on `|`); a table whose header
    has a Condition column has 4 cells per row (permission, resource, condition, why)."""
    lines = seed_text(SEED).splitlines()
    tables: dict[str, list[list[str]]] = {}
    current = None
    for i, line in enumerate(lines):
        if line.startswith("| Permission |"):
            current = next(lines[j] for j in range(i - 1, -1, -1) if lines[j].strip())
            tables[current] = []
        elif current and re.match(r"^[a-z0-9-]+:[A-Za-z*]", line):
            tables[current].append([c.strip() for c in line.rstrip(" |").split("|")])
        elif current and line.startswith("| Category |"):
            current = None
    return tables


def _seed_summary() -> dict[str, str]:
    text = seed_text(SEED)
    block = text[text.index("Summary by Category"):]
    return {m.group(1).strip(): m.group(2).strip() for m in re.finditer(r"^\| ([^|]+) \| (~?\d+) \|", block, re.M)}


def test_table_reading_matches_the_seed_text():
    tables = _seed_tables()
    assert {h: len(rows) for h, rows in tables.items()} == {h: n for h, (_, _, n) in TABLES.items()}


def test_manifest_has_one_permission_per_table_row(wiv):
    for heading, rows in _seed_tables().items():
        _, cid, _ = TABLES[heading]
        perms = command(wiv, cid)["permissions"]
        assert len(perms) == len(rows), (heading, cid)
        for row, perm in zip(rows, perms):
            assert len(perm["actions"]) == 1
            assert perm["actions"][0].lower() == row[0].lower(), (heading, row[0])


def test_counts_per_category_against_the_summary(wiv):
    """The seed's summary agrees with its tables except for 'Other Services' (3 vs 4 rows) and
    the total ('~125' while the categories add up to 134 and the tables hold 135 rows)."""
    per_category: dict[str, int] = {}
    for _, (category, cid, _) in TABLES.items():
        per_category[category] = per_category.get(category, 0) + len(command(wiv, cid)["permissions"])
    summary = _seed_summary()
    total = summary.pop("Total")
    disagreeing = {c for c in summary if int(summary[c]) != per_category[c]}
    assert disagreeing == {"Other Services"}
    assert (int(summary["Other Services"]), per_category["Other Services"]) == (3, 4)
    assert sum(int(v) for v in summary.values()) == 134
    assert sum(per_category.values()) == 135 and total == "~125"
    notes = " ".join(wiv["notes"])
    assert "Other Services" in notes and "~125" in notes and "134" in notes and "135" in notes


def test_rows_keep_their_resource_and_conditions(wiv):
    for heading, rows in _seed_tables().items():
        _, cid, _ = TABLES[heading]
        for row, perm in zip(rows, command(wiv, cid)["permissions"]):
            if row[1] == "*":
                assert perm["resources"] == ["*"], (heading, row)
            else:
                assert perm["resources"] != ["*"], (heading, row)
            has_condition = len(row) == 4 and row[2] != "None"
            assert bool(perm.get("conditions")) == has_condition, (heading, row)


def test_trust_policy_matches_the_seed(wiv):
    tp = wiv["trust_policy"]
    principals = []
    for st in tp["Statement"]:
        assert st["Effect"] == "Allow" and st["Action"] == "sts:AssumeRole"
        for kind, value in st["Principal"].items():
            principals += [(kind, v, st.get("Condition")) for v in (value if isinstance(value, list) else [value])]
    text = seed_text(SEED)
    for _, value, _ in principals:
        assert value in text
    aws = [p for p in principals if p[0] == "AWS"]
    assert aws == [("AWS", "arn:aws:iam::613007325984:root", {"StringEquals": {"sts:ExternalId": "{external_id}"}})]
    assert sorted(v for k, v, _ in principals if k == "Service") == ["apidestinations.events.amazonaws.com", "events.amazonaws.com"]


def _fill(doc, value):
    if isinstance(doc, dict):
        return {k: _fill(v, value) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_fill(v, value) for v in doc]
    return doc.replace("{external_id}", value) if isinstance(doc, str) else doc


def test_trust_policy_is_valid_and_needs_the_external_id(wiv):
    policy = pytest.importorskip("permwise.policy")
    engine = pytest.importorskip("permwise.engine")
    doc = _fill(wiv["trust_policy"], "wiv-123")
    errors = [f for f in policy.validate_document(doc, "trust", name="wiv:trust") if f.severity == "error"]
    assert not errors, errors
    trust = engine.compile_policy(doc, name="wiv:trust", kind="trust")
    caller = engine.compile_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}, name="wiv:caller", kind="identity")
    role = "arn:aws:iam::111122223333:role/WivAccessRole"

    def decide(principal, context):
        req = engine.Request(principal=principal, action="sts:AssumeRole", resource=role,
                             resource_account="111122223333", context=context)
        return engine.evaluate(engine.PolicySet(identity=[caller], resource=trust), req).decision

    wiv_role = "arn:aws:iam::613007325984:role/wiv-app"
    assert decide(wiv_role, {"sts:ExternalId": "wiv-123"}) == "allowed"
    assert decide(wiv_role, {}) == "implicitDeny"
    assert decide(wiv_role, {"sts:ExternalId": "other"}) == "implicitDeny"
    assert decide("arn:aws:iam::444455556666:role/intruder", {"sts:ExternalId": "wiv-123"}) == "implicitDeny"
