"""One small organization per case: the access analysis on policy shapes beyond the demo.

Each case cites the AWS page whose rule it encodes."""

from __future__ import annotations

import pytest

from permwise.access import analyze_access
from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder

MGMT, OWN = "111111111111", "222222222222"
OUT = "999900001111"
BUCKET = "arn:aws:s3:::case-bucket"
QUEUE = f"arn:aws:sqs:us-east-1:{OWN}:case-queue"


def _env(tmp_path, arn, statements, *, extra=None):
    b = SnapshotBuilder(MGMT, regions=["us-east-1"])
    b.account(MGMT, "management")
    b.account(OWN, "own")
    b.resource_policy(OWN, arn, {"Version": "2012-10-17", "Statement": statements}, region="us-east-1", extra=extra)
    return load_snapshot(b.write(tmp_path / "s"))


def _rules(result):
    return sorted((f.rule_id, f.principal_label, tuple(f.actions)) for f in result.findings)


def test_deny_unless_organization_removes_an_outside_grant(tmp_path):
    """Policy evaluation logic: an explicit Deny in the resource policy wins over its Allow."""
    env = _env(tmp_path, QUEUE, [
        {"Effect": "Allow", "Principal": {"AWS": OUT}, "Action": "sqs:SendMessage", "Resource": QUEUE},
        {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": QUEUE,
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}])
    assert analyze_access(env).findings == []


def test_source_ip_range_is_a_limiting_condition(tmp_path):
    """IAM Access Analyzer findings: a `*` grant limited by aws:SourceIp is reported with the condition."""
    env = _env(tmp_path, QUEUE, [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": QUEUE,
                                  "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}])
    [f] = analyze_access(env).findings
    assert (f.rule_id, f.limiting, f.condition) == ("ACCESS-PUBLIC-CONDITIONAL", ["aws:SourceIp"],
                                                    {"aws:SourceIp": ["203.0.113.0/24"]})


def test_service_acting_for_an_outside_account(tmp_path):
    """The confused deputy problem: aws:SourceAccount pins the account a service acts for; an
    outside account there is cross-account access through the service."""
    env = _env(tmp_path, QUEUE, [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                  "Action": "sqs:SendMessage", "Resource": QUEUE,
                                  "Condition": {"StringEquals": {"aws:SourceAccount": OUT}}}])
    assert _rules(analyze_access(env)) == [("ACCESS-CROSS-ACCOUNT", f"sns.amazonaws.com for account {OUT}",
                                            ("sqs:SendMessage",))]


def test_not_principal_allow_is_public(tmp_path):
    """NotPrincipal with Allow: everyone but the listed principals (AWS recommends against it)."""
    env = _env(tmp_path, QUEUE, [{"Effect": "Allow", "NotPrincipal": {"AWS": OUT}, "Action": "sqs:ReceiveMessage",
                                  "Resource": QUEUE}])
    [f] = analyze_access(env).findings
    assert f.rule_id == "ACCESS-PUBLIC" and f.actions == ["sqs:ReceiveMessage"]


def test_bucket_wildcard_actions_are_the_bucket_and_object_actions(tmp_path):
    """Amazon S3 actions apply to a bucket or an object resource type; `s3:*` on both the bucket and
    its objects grants both kinds, never account-level actions such as s3:ListAllMyBuckets."""
    env = _env(tmp_path, BUCKET, [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OUT}:root"},
                                   "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"]}],
               extra={"PublicAccessBlock": None})
    [f] = analyze_access(env).findings
    assert "s3:GetObject" in f.actions and "s3:PutBucketPolicy" in f.actions
    assert "s3:ListAllMyBuckets" not in f.actions and "s3:CreateJob" not in f.actions
    assert f.severity == "medium" and "Permissions management" in f.levels


def test_bucket_level_restrict_public_buckets_blocks_a_public_policy(tmp_path):
    """Blocking public access: RestrictPublicBuckets at the bucket level."""
    env = _env(tmp_path, BUCKET, [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                   "Resource": f"{BUCKET}/*"}],
               extra={"PublicAccessBlock": {"RestrictPublicBuckets": True}})
    [f] = analyze_access(env).findings
    assert f.status == "BLOCKED" and f.blocked_by.startswith("bucket-level")
    assert any("not collected" in n for n in f.notes)  # no account.json S3PublicAccessBlock: unknown, said so


@pytest.mark.parametrize("zone, expect", [("organization", []), ("account", ["ACCESS-CROSS-ACCOUNT"]),
                                          (f"{OWN}", ["ACCESS-CROSS-ACCOUNT"]), (f"{OWN},{MGMT}", [])])
def test_zone_choices(tmp_path, zone, expect):
    env = _env(tmp_path, QUEUE, [{"Effect": "Allow", "Principal": {"AWS": MGMT}, "Action": "sqs:SendMessage",
                                  "Resource": QUEUE}])
    assert [f.rule_id for f in analyze_access(env, zone).findings] == expect


def test_kms_grant_with_encryption_context_is_a_condition(tmp_path):
    """Grants in AWS KMS: a grant constraint limits the grant to requests with that encryption context."""
    key = f"arn:aws:kms:us-east-1:{OWN}:key/k1"
    env = _env(tmp_path, key, [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWN}:root"},
                                "Action": "kms:*", "Resource": "*"}],
               extra={"Grants": [{"GrantId": "g1", "GranteePrincipal": f"arn:aws:iam::{OUT}:role/r",
                                  "Operations": ["Decrypt"], "Constraints": {"EncryptionContextEquals": {"app": "x"}}}]})
    [f] = analyze_access(env).findings
    assert (f.source, f.actions, f.condition) == ("KMS_GRANT", ["kms:Decrypt"], {"kms:EncryptionContext:app": ["x"]})


def test_public_grant_fixed_to_an_outside_source_account(tmp_path):
    """Amazon S3 "The meaning of public": `*` fixed by aws:SourceAccount is not public, but the
    account it names is outside the zone: services acting for it can send."""
    env = _env(tmp_path, QUEUE, [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": QUEUE,
                                  "Condition": {"StringEquals": {"aws:SourceAccount": OUT}}}])
    [f] = analyze_access(env).findings
    assert (f.rule_id, f.principal_label, f.is_public) == ("ACCESS-CROSS-ACCOUNT", f"AWS services for account {OUT}", False)
    assert f.condition == {"aws:SourceAccount": [OUT]}
    own = _env(tmp_path / "own", QUEUE, [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                                          "Resource": QUEUE, "Condition": {"StringEquals": {"aws:SourceAccount": OWN}}}])
    assert analyze_access(own).findings == []
