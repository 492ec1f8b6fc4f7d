"""Security findings of ``validate`` on single policies, table-driven.

Each row: a policy file under ``tests/fixtures/gates/policies`` (its name says the risk, and the
variant with the Deny or condition that removes it) and the exact set of ``(rule, severity)``
findings. Sources for what each row encodes:

- full admin, NotAction: "IAM JSON policy elements: NotAction" (an Allow with NotAction applies to
  every other action), "Policy evaluation logic" (an explicit Deny wins);
- escalation: the audit's primitives (docs/audit.md), each path in "IAM: Granting a user
  permissions to pass a role to an AWS service" (iam:PassRole, iam:PassedToService) and
  "IAM JSON policy elements: Condition" (iam:PolicyARN limits AttachRolePolicy);
- resource policies: "How IAM Access Analyzer findings work" (public vs. limited by
  aws:PrincipalOrgID / network), "Cross-account policy evaluation logic";
- trust: "How to use an external ID when granting access to your AWS resources to a third party",
  "Configuring a role for GitHub OIDC identity provider" (aud and sub pinned), "The confused
  deputy problem" (aws:SourceAccount for service principals).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from permwise.gates import gate_document
from permwise.policy import parse

POLICIES = Path(__file__).resolve().parents[1] / "fixtures" / "gates" / "policies"

TABLE = [
    ("id-admin-star-one-region", [("FULL-ADMIN", "error")]),
    ("id-admin-star-deny-all-but-s3-reads", [("DATA-EXFILTRATION", "warning")]),
    ("id-add-user-to-group-one-group", []),
    ("id-add-user-to-group", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-ADD-USER-TO-GROUP", "error")]),
    ("id-admin-notaction-deny-all", []),
    ("id-admin-notaction-iam", [("FULL-ADMIN", "error")]),
    ("id-admin-star-deny-all", []),
    ("id-admin-star-deny-iam", [("FULL-ADMIN", "error")]),
    ("id-admin-star-mfa-condition", [("FULL-ADMIN", "error")]),
    ("id-admin-star", [("FULL-ADMIN", "error")]),
    ("id-attach-group-policy", [("PRIVESC-ATTACH-GROUP-POLICY", "error")]),
    ("id-attach-role-policy-readonly-only", []),
    ("id-attach-role-policy", [("PRIVESC-ATTACH-ROLE-POLICY", "error")]),
    ("id-attach-user-policy-self", [("PRIVESC-ATTACH-USER-POLICY", "error")]),
    ("id-create-access-key-own-user", []),
    ("id-create-access-key", [("CREDENTIALS-EXPOSURE", "error"), ("PRIVESC-CREATE-ACCESS-KEY", "error")]),
    ("id-create-login-profile", [("CREDENTIALS-EXPOSURE", "error"), ("PRIVESC-CREATE-LOGIN-PROFILE", "error")]),
    ("id-create-policy-version", [("PRIVESC-CREATE-POLICY-VERSION", "error")]),
    ("id-data-read-one-bucket", []),
    ("id-data-read-star-deny", []),
    ("id-data-reads-star", [("DATA-EXFILTRATION", "warning")]),
    ("id-ec2-password-one-instance", []),
    ("id-ec2-run-terminate", [("INFRA-MODIFICATION", "warning")]),
    ("id-ec2-terminate-deny", []),
    ("id-ec2-terminate-one-instance", []),
    ("id-federation-token-deny", []),
    ("id-federation-token", [("CREDENTIALS-EXPOSURE", "error")]),
    ("id-kms-decrypt-via-service", [("DATA-EXFILTRATION", "warning")]),
    ("id-kms-key-policy-grant", [("RESOURCE-EXPOSURE", "error")]),
    ("id-lambda-add-permission-deny", [("DATA-EXFILTRATION", "warning")]),
    ("id-modify-assumable-role", [("PRIVESC-MODIFY-ASSUMABLE-ROLE", "error")]),
    ("id-modify-role-not-assumable", []),
    ("id-passrole-cloudformation", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-CLOUDFORMATION", "error")]),
    ("id-passrole-codebuild", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-CODEBUILD", "error")]),
    ("id-passrole-createaccesskey", [("CREDENTIALS-EXPOSURE", "error"), ("PRIVESC-CREATE-ACCESS-KEY", "error")]),
    ("id-passrole-datapipeline", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-DATAPIPELINE", "error")]),
    ("id-passrole-ec2-deny-passrole", [("INFRA-MODIFICATION", "warning")]),
    ("id-passrole-ec2", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-EC2", "error")]),
    ("id-passrole-ecs", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-ECS", "error")]),
    ("id-passrole-glue", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-GLUE", "error")]),
    ("id-passrole-lambda-one-role", [("INFRA-MODIFICATION", "warning")]),
    ("id-passrole-lambda-passed-to-ec2", [("INFRA-MODIFICATION", "warning")]),
    ("id-passrole-lambda", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-LAMBDA", "error")]),
    ("id-passrole-sagemaker", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-SAGEMAKER", "error")]),
    ("id-passrole-stepfunctions", [("INFRA-MODIFICATION", "warning"), ("PRIVESC-PASSROLE-STEPFUNCTIONS", "error")]),
    ("id-put-bucket-policy-one-bucket", []),
    ("id-put-bucket-policy", [("RESOURCE-EXPOSURE", "error")]),
    ("id-put-group-policy", [("PRIVESC-PUT-GROUP-POLICY", "error")]),
    ("id-put-role-policy-deny", []),
    ("id-put-role-policy", [("PRIVESC-PUT-ROLE-POLICY", "error")]),
    ("id-put-user-policy", [("PRIVESC-PUT-USER-POLICY", "error")]),
    ("id-read-only-describe", []),
    ("id-redshift-credentials", [("CREDENTIALS-EXPOSURE", "error")]),
    ("id-secrets-one-prefix", []),
    ("id-set-default-policy-version", [("PRIVESC-SET-DEFAULT-POLICY-VERSION", "warning")]),
    ("id-star-on-one-bucket", []),
    ("id-update-assume-role-policy-deny", []),
    ("id-update-assume-role-policy", [("PRIVESC-UPDATE-ASSUME-ROLE-POLICY", "error"), ("RESOURCE-EXPOSURE", "error")]),
    ("id-update-login-profile", [("CREDENTIALS-EXPOSURE", "error"), ("PRIVESC-UPDATE-LOGIN-PROFILE", "error")]),
    ("res-bucket-notprincipal", [("PUBLIC-ACCESS", "error")]),
    ("res-bucket-public-deny-outside-org", []),
    ("res-bucket-public-org-only", []),
    ("res-bucket-public-read", [("PUBLIC-ACCESS", "error")]),
    ("res-bucket-public-source-ip", [("PUBLIC-ACCESS", "warning")]),
    ("res-bucket-public-vpce", [("PUBLIC-ACCESS", "warning")]),
    ("res-kms-public-caller-account", []),
    ("res-kms-public", [("PUBLIC-ACCESS", "error")]),
    ("res-queue-cross-account-source-arn", [("CROSS-ACCOUNT-ACCESS", "suggestion")]),
    ("res-queue-cross-account", [("CROSS-ACCOUNT-ACCESS", "warning")]),
    ("res-queue-public-deny", []),
    ("res-queue-same-account", []),
    ("trust-external-deny", []),
    ("trust-external-no-external-id", [("TRUST-EXTERNAL-ID", "error")]),
    ("trust-external-with-external-id", []),
    ("trust-oidc-eks-any-account", [("TRUST-OIDC-UNPINNED", "error")]),
    ("trust-oidc-eks-pinned", []),
    ("trust-oidc-github-aud-only", [("TRUST-OIDC-UNPINNED", "error")]),
    ("trust-oidc-github-open", [("TRUST-OIDC-UNPINNED", "error")]),
    ("trust-oidc-github-org-wildcard", [("TRUST-OIDC-UNPINNED", "error")]),
    ("trust-oidc-github-pinned", []),
    ("trust-public-deny-outside-org", []),
    ("trust-public-org", []),
    ("trust-public", [("TRUST-PUBLIC", "error")]),
    ("trust-service-cloudtrail-no-source", [("TRUST-SERVICE-CONFUSED-DEPUTY", "warning")]),
    ("trust-service-cloudtrail-source-account", []),
    ("trust-service-ec2", []),
]


def _type(name: str) -> str:
    return "trust" if name.startswith("trust") else "resource" if name.startswith("res") else "identity"


def test_table_covers_every_fixture_and_is_large_enough():
    names = {p.stem for p in POLICIES.glob("*.json")}
    assert names == {n for n, _ in TABLE}
    assert len(TABLE) >= 60
    # every risk appears both with findings and in a variant without
    assert sum(1 for _, exp in TABLE if not exp) >= 25


@pytest.mark.parametrize(("name", "expected"), TABLE, ids=[n for n, _ in TABLE])
def test_security_findings(name, expected):
    doc = parse(str(POLICIES / f"{name}.json"), _type(name))
    found = gate_document(doc)
    assert sorted({(f.code, f.severity) for f in found}) == sorted(set(expected))
    for f in found:
        # every finding points at a statement, with a line and column in the file, a why and a fix
        assert f.pointer.startswith("/Statement/"), f
        assert f.file == str(POLICIES / f"{name}.json")
        assert f.line and f.column
        assert f.message and f.fix
