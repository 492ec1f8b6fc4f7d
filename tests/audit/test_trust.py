"""Trust-policy rules, pure over documents (AWS IAM User Guide: "The confused deputy problem",
"How to use an external ID"; GitHub OIDC: pin `aud` to sts.amazonaws.com and `sub` to a repo)."""

from __future__ import annotations

import pytest

from permwise.audit.registry import confused_deputy_services
from permwise.audit.trust import analyze_trust, trust_entries


def st(principal, action="sts:AssumeRole", condition=None):
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        s["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [s]}


def rules(doc, **kw):
    kw.setdefault("internal_accounts", {"111111111111"})
    kw.setdefault("confused_deputy_services", confused_deputy_services())
    return sorted(i.rule_id for i in analyze_trust(doc, **kw))


CASES = [
    ("star", st("*"), ["TRUST-PUBLIC"]),
    ("aws-star", st({"AWS": "*"}), ["TRUST-PUBLIC"]),
    ("star-with-external-id-only", st("*", condition={"StringEquals": {"sts:ExternalId": "x"}}), ["TRUST-PUBLIC"]),
    ("star-org", st("*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}), []),
    ("star-org-ifexists", st("*", condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}), ["TRUST-PUBLIC"]),
    ("star-org-wildcard", st("*", condition={"StringLike": {"aws:PrincipalOrgID": "*"}}), ["TRUST-PUBLIC"]),
    ("internal-account", st({"AWS": "arn:aws:iam::111111111111:root"}), []),
    ("external-no-id", st({"AWS": "arn:aws:iam::613007325984:root"}), ["TRUST-EXTERNAL-ID", "TRUST-UNKNOWN-ACCOUNT"]),
    ("external-bare-id", st({"AWS": "613007325984"}), ["TRUST-EXTERNAL-ID", "TRUST-UNKNOWN-ACCOUNT"]),
    ("external-with-id", st({"AWS": "arn:aws:iam::613007325984:root"},
                            condition={"StringEquals": {"sts:ExternalId": "wiv-123"}}), ["TRUST-UNKNOWN-ACCOUNT"]),
    ("service-listed", st({"Service": "scheduler.amazonaws.com"}), ["TRUST-SERVICE-CONFUSED-DEPUTY"]),
    ("service-listed-ok", st({"Service": "scheduler.amazonaws.com"},
                             condition={"StringEquals": {"aws:SourceAccount": "111111111111"}}), []),
    ("service-unlisted", st({"Service": "ec2.amazonaws.com"}), []),
    ("eks-no-sub", st({"Federated": "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB"},
                      "sts:AssumeRoleWithWebIdentity",
                      {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/AB:aud": "sts.amazonaws.com"}}),
     ["TRUST-OIDC-UNPINNED"]),
    ("github-star-sub", st({"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
                           "sts:AssumeRoleWithWebIdentity",
                           {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                            "StringLike": {"token.actions.githubusercontent.com:sub": "*"}}), ["TRUST-OIDC-UNPINNED"]),
    # AWS IAM User Guide, "AWS global condition context keys": aws:PrincipalArn / aws:PrincipalAccount /
    # aws:PrincipalOrgID identify the caller; a wildcard in the account or org part matches every owner
    ("star-arn-any-account", st({"AWS": "*"}, condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Deployer"}}),
     ["TRUST-PUBLIC"]),
    ("star-arn-one-account", st({"AWS": "*"}, condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}),
     []),
    ("star-account-wild", st("*", condition={"StringLike": {"aws:PrincipalAccount": "1111*"}}), ["TRUST-PUBLIC"]),
    ("star-account-one", st("*", condition={"StringEquals": {"aws:PrincipalAccount": "111111111111"}}), []),
    ("star-one-pinned-one-not", st("*", condition={"StringLike": {"aws:PrincipalAccount": ["111111111111", "*"]}}),
     ["TRUST-PUBLIC"]),
    ("star-org-prefix-wild", st("*", condition={"StringLike": {"aws:PrincipalOrgID": "o-*"}}), ["TRUST-PUBLIC"]),
    ("star-orgpaths-one-org", st("*", condition={"ForAnyValue:StringLike": {
        "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}), []),
    # Amazon EKS User Guide, "Configure Kubernetes service accounts to assume an IAM role": the trust's
    # `sub` condition names one `system:serviceaccount:<namespace>:<name>`
    ("eks-sub-wild-namespace", st({"Federated": "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB"},
                                  "sts:AssumeRoleWithWebIdentity",
                                  {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/AB:aud": "sts.amazonaws.com"},
                                   "StringLike": {"oidc.eks.us-east-1.amazonaws.com/id/AB:sub": "system:serviceaccount:*"}}),
     ["TRUST-OIDC-UNPINNED"]),
    ("eks-sub-one-sa", st({"Federated": "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB"},
                          "sts:AssumeRoleWithWebIdentity",
                          {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/AB:aud": "sts.amazonaws.com",
                                            "oidc.eks.us-east-1.amazonaws.com/id/AB:sub": "system:serviceaccount:app:api"}}),
     []),
    # GitLab docs, "Configure OpenID Connect in AWS": pin `sub` to `project_path:<group>/<project>:...`
    ("gitlab-group-wild", st({"Federated": "arn:aws:iam::111111111111:oidc-provider/gitlab.com"},
                             "sts:AssumeRoleWithWebIdentity",
                             {"StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                              "StringLike": {"gitlab.com:sub": "project_path:acme/*"}}), ["TRUST-OIDC-UNPINNED"]),
    ("gitlab-one-project", st({"Federated": "arn:aws:iam::111111111111:oidc-provider/gitlab.com"},
                              "sts:AssumeRoleWithWebIdentity",
                              {"StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                               "StringLike": {"gitlab.com:sub": "project_path:acme/app:ref_type:branch:ref:main"}}), []),
    ("github-repo-any-ref", st({"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
                               "sts:AssumeRoleWithWebIdentity",
                               {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                                "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}}), []),
]


@pytest.mark.parametrize(("name", "doc", "expected"), CASES, ids=[c[0] for c in CASES])
def test_trust_rules(name, doc, expected):
    assert rules(doc) == expected


def test_approved_account_still_needs_external_id():
    doc = st({"AWS": "arn:aws:iam::613007325984:root"})
    assert rules(doc, approved_accounts={"613007325984": "Wiv"}) == ["TRUST-EXTERNAL-ID"]


def test_wiv_seed_pattern_is_clean():
    """The Wiv role of the seeds: vendor root with sts:ExternalId, plus EventBridge services."""
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::613007325984:root"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": "param"}}},
        {"Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com", "apidestinations.events.amazonaws.com"]},
         "Action": "sts:AssumeRole"}]}
    assert rules(doc, approved_accounts={"613007325984": "Wiv"}) == []


def test_entries_flatten_principals():
    doc = st({"AWS": ["arn:aws:iam::1:root", "arn:aws:iam::2:role/x"], "Service": "lambda.amazonaws.com"})
    assert sorted((e.type, e.value) for e in trust_entries(doc)) == [
        ("AWS", "arn:aws:iam::1:root"), ("AWS", "arn:aws:iam::2:role/x"), ("Service", "lambda.amazonaws.com")]
