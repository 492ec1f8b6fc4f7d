"""External access on the demo organization extended with the resources of issue 17
(access_support.build_extended). Each planted grant gives its finding; in-zone grants give none.

AWS pages the rules encode: "IAM Access Analyzer: findings for external access" (zone of trust,
public, conditions), "Cross-account policy evaluation logic" (the caller's identity side lives
in its own account), "Resource control policies" (RCPs of the resource's account apply to
every caller), Amazon S3 "Blocking public access to your Amazon S3 storage" (RestrictPublicBuckets
and "The meaning of public"), AWS KMS "Grants in AWS KMS", "The confused deputy problem"."""

from __future__ import annotations

from access_support import OUTSIDER, PARTNER, PARTNER_ORG, REGION, VENDOR

from permwise.access import analyze_access, parse_zone


def _by(result, resource_part):
    return [f for f in result.findings if resource_part in f.resource]


def test_bucket_shared_with_a_vendor(org_result):
    [f] = _by(org_result, "acme-prod-vendor-exchange")
    assert (f.rule_id, f.status, f.principal, f.is_public) == ("ACCESS-CROSS-ACCOUNT", "ACTIVE", {"AWS": VENDOR}, False)
    assert f.levels == {"Write": ["s3:PutObject"], "Read": ["s3:GetObject"]}
    assert f.resource_type == "AWS::S3::Bucket" and f.severity == "medium"  # Write => medium
    assert f.pointer.endswith("/ResourcePolicies/4/Policy/Statement/0") or f.pointer.endswith("/Statement/0")


def test_public_bucket_saved_by_account_level_block_public_access(org_result):
    [f] = _by(org_result, "acme-staging-site")
    assert (f.rule_id, f.status, f.severity, f.principal_label) == ("ACCESS-BLOCKED", "BLOCKED", "info", "*")
    assert "account-level S3 Block Public Access" in f.blocked_by
    assert f not in org_result.active


def test_public_bucket_without_block_public_access_is_public(extended_dir, tmp_path):
    """The same bucket with the account's RestrictPublicBuckets off: an active public finding."""
    import json
    import shutil

    d = tmp_path / "s"
    shutil.copytree(extended_dir, d)
    p = d / "accounts" / "555555555555" / "account.json"
    data = json.loads(p.read_text())
    data["S3PublicAccessBlock"]["RestrictPublicBuckets"] = False
    p.write_text(json.dumps(data))
    from permwise.environment import load_snapshot

    [f] = _by(analyze_access(load_snapshot(d)), "acme-staging-site")
    assert (f.rule_id, f.status, f.is_public, f.severity) == ("ACCESS-PUBLIC", "ACTIVE", True, "high")


def test_kms_key_granting_another_organization(org_result):
    fs = _by(org_result, ":key/1234abcd")
    org = [f for f in fs if f.rule_id == "ACCESS-CROSS-ORG"]
    assert [(f.principal_label, f.condition) for f in org] == [
        (f"organization {PARTNER_ORG}", {"aws:PrincipalOrgID": [PARTNER_ORG]})]
    assert org[0].actions == ["kms:Decrypt", "kms:DescribeKey"]
    # the grant to an outside role is a finding of its own, from the grant
    grant = [f for f in fs if f.source == "KMS_GRANT"]
    assert [(f.rule_id, f.principal_label, f.actions) for f in grant] == [
        ("ACCESS-CROSS-ACCOUNT", f"arn:aws:iam::{PARTNER}:role/partner-reader", ["kms:Decrypt"])]
    assert "g-partner" in grant[0].message
    # the grant to prod's role is inside the organization: nothing
    assert not any("444444444444" in f.principal_label for f in fs)


def test_public_queue_limited_to_a_vpc_endpoint(org_result):
    [f] = _by(org_result, "ops-ingest")
    assert (f.rule_id, f.is_public, f.limiting) == ("ACCESS-PUBLIC-CONDITIONAL", False, ["aws:SourceVpce"])
    assert f.condition == {"aws:SourceVpce": ["vpce-0a1b2c3d4e5f"]}
    assert f.actions == ["sqs:SendMessage"]  # the in-org ProdSend grant gives nothing


def test_topic_open_to_a_service_without_source_conditions(org_result):
    [f] = _by(org_result, "ops-alerts")
    assert (f.rule_id, f.principal) == ("ACCESS-SERVICE-DEPUTY", {"Service": "s3.amazonaws.com"})
    # events.amazonaws.com is pinned to the topic's own account by aws:SourceAccount: no finding


def test_role_trusting_an_outside_account_without_external_id(org_result):
    [f] = _by(org_result, "role/PartnerDeploy")[:1]
    assert f.resource == "arn:aws:iam::333333333333:role/PartnerDeploy"
    assert (f.rule_id, f.severity, f.principal, f.source) == ("ACCESS-CROSS-ACCOUNT", "high", {"AWS": OUTSIDER},
                                                               "TRUST_POLICY")
    assert any("sts:ExternalId" in n for n in f.notes)
    [pinned] = [x for x in org_result.findings if x.resource.endswith("role/PartnerDeployPinned")]
    assert pinned.severity == "medium" and pinned.condition == {"sts:ExternalId": ["acme-7f3a"]}


def test_lambda_function_url_open_to_anyone(org_result):
    [f] = _by(org_result, "function:acme-prod-webhook")
    assert (f.rule_id, f.is_public, f.actions) == ("ACCESS-PUBLIC", True, ["lambda:InvokeFunctionUrl"])
    assert f.condition == {"lambda:FunctionUrlAuthType": ["NONE"]}  # not a restriction: still public
    assert f.severity == "critical"


def test_rcp_of_the_resource_account_blocks_an_outside_grant(org_result):
    [f] = _by(org_result, "secret:prod/db")
    assert (f.rule_id, f.principal_label, f.status) == ("ACCESS-BLOCKED", f"account {OUTSIDER}", "BLOCKED")
    assert "RCP" in f.blocked_by  # and the in-org OpsRead grant gives nothing


def test_no_finding_for_in_zone_grants(org_result):
    assert _by(org_result, "acme-prod-shared-artifacts") == []  # `*` limited to the organization id
    assert _by(org_result, "acme-prod-runbooks-reports") == []  # a role of the organization
    inside = {"111111111111", "222222222222", "333333333333", "444444444444", "555555555555"}
    for f in org_result.findings:
        assert not any(a in f.principal_label for a in inside if f.principal.get("AWS") in (a, f"arn:aws:iam::{a}:root"))
    assert not any(f.resource.endswith("OrganizationAccountAccessRole") for f in org_result.findings)


def test_account_zone_reports_grants_between_accounts_of_the_organization(extended_env):
    r = analyze_access(extended_env, "account")
    mgmt_trust = [f for f in r.findings if f.resource.endswith(":role/OrganizationAccountAccessRole")]
    assert mgmt_trust and all(f.principal_label == "account 111111111111" for f in mgmt_trust)
    # inside the organization: no confused-deputy "high", the Write level of sts:AssumeRole makes it medium
    assert {f.severity for f in mgmt_trust} == {"medium"}
    assert any("ops-ingest" in f.resource and f.principal_label == "account 444444444444" for f in r.findings)


def test_list_zone_with_the_vendor_account(extended_env):
    z = parse_zone(f"o-a1b2c3d4e5,{VENDOR}", extended_env)
    r = analyze_access(extended_env, z)
    assert not any(VENDOR in f.principal_label for f in r.findings)
    assert any(OUTSIDER in f.principal_label for f in r.findings)


def test_zone_defaults_to_the_organization(extended_env):
    assert parse_zone(None, extended_env).kind == "organization"
    assert "o-a1b2c3d4e5" in parse_zone(None, extended_env).organizations


def test_every_finding_names_resource_type_principal_actions_and_location(org_result):
    assert len(org_result.findings) >= 10
    for f in org_result.findings:
        d = f.to_dict()
        for k in ("status", "resourceType", "principal", "action", "condition", "isPublic", "accessLevels"):
            assert k in d
        assert d["action"] and f.file.startswith("accounts/") and f.pointer


def test_output_is_deterministic(extended_env):
    from permwise.report.access import to_json

    a = to_json(analyze_access(extended_env), env_path="x")
    b = to_json(analyze_access(extended_env), env_path="x")
    assert a == b


def test_region_of_planted_resources_is_kept(org_result):
    assert any(REGION in f.resource for f in org_result.findings)


def test_docs_example_snapshot_is_the_fixture(extended_dir):
    """docs/examples/access-org is what access_support.build_extended writes (regenerate with
    `python tests/access/access_support.py docs/examples/access-org`)."""
    import json
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "examples" / "access-org"
    mine = {str(p.relative_to(extended_dir)): json.loads(p.read_text()) for p in extended_dir.rglob("*.json")}
    theirs = {str(p.relative_to(docs)): json.loads(p.read_text()) for p in docs.rglob("*.json")}
    assert mine == theirs


def test_extended_snapshot_matches_the_published_schema(extended_dir):
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "schemas" / "snapshot.schema.json").read_text())
    doc = {str(p.relative_to(extended_dir)): json.loads(p.read_text()) for p in sorted(extended_dir.rglob("*.json"))}
    jsonschema.validate(doc, schema)
