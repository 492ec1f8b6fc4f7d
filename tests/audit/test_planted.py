"""Planted violations are found exactly once; clean look-alikes are not (see conftest.plant).

AWS "Policy evaluation logic": an explicit Deny in an SCP overrides any Allow; Action "*" and a
NotAction that leaves an action out both grant it; a condition on the principal's own tag that
the principal does not carry makes the statement not apply.
"""

from __future__ import annotations

import pytest

from audit_planted import DEV, PROD, arn, found

PLANTED = [
    ("IAM-CLOUDTRAIL-1", arn(DEV, "TrailStopper")),
    ("IAM-CLOUDTRAIL-1", arn(DEV, "StarAdmin")),          # Action "*" caught
    ("IAM-CLOUDTRAIL-1", arn(DEV, "NotActionRole")),      # NotAction caught
    ("IAM-CLOUDTRAIL-1", arn(DEV, "MfaConditioned")),     # request-time condition: satisfiable
    ("IAM-EC2-1", arn(DEV, "Ec2Unscoped")),
    ("IAM-SSM-1", arn(DEV, "SsmSendUnscoped")),             # ssm:SendCommand on "*"
    ("IAM-SSM-2", arn(DEV, "SsmNoCond")),
    ("IAM-SSM-2", arn(DEV, "SsmMfaOnly")),
    ("IAM-SECRETSMANAGER-3", arn(DEV, "SecretsBoth")),
    ("PRIVESC-ATTACH-ROLE-POLICY", arn(DEV, "SelfAttacher")),
    ("PRIVESC-PUT-ROLE-POLICY", arn(DEV, "HopB")),
    ("PRIVESC-PUT-ROLE-POLICY", arn(DEV, "HopA")),
    ("PRIVESC-PUT-ROLE-POLICY", arn(DEV, "HopC")),
    ("PRIVESC-PASSROLE-LAMBDA", arn(DEV, "Passer")),
    ("PRIVESC-CREATE-ACCESS-KEY", arn(DEV, "KeyMaker", "user")),
    ("TRUST-EXTERNAL-ID", arn(DEV, "VendorNoExt")),
    ("TRUST-PUBLIC", arn(DEV, "PublicRole")),
    ("TRUST-SERVICE-CONFUSED-DEPUTY", arn(DEV, "SchedulerRole")),
    ("TRUST-OIDC-UNPINNED", arn(DEV, "GithubWild")),
    ("TRUST-OIDC-UNPINNED", arn(DEV, "GithubNoAud")),
    ("TRUST-UNKNOWN-ACCOUNT", arn(DEV, "StrangerWithExt")),
]

CLEAN = [
    ("IAM-CLOUDTRAIL-1", arn(PROD, "TrailStopperDenied")),  # the account's SCP denies it
    ("IAM-CLOUDTRAIL-1", arn(DEV, "TagConditioned")),       # needs a tag the role does not carry
    ("IAM-CLOUDTRAIL-1", arn(DEV, "BreakGlass")),           # authorized in the config
    ("IAM-CLOUDTRAIL-1", arn(DEV, "Reader")),
    ("IAM-EC2-1", arn(DEV, "Ec2Tagged")),                   # resource-tag condition scopes it
    ("IAM-CLOUDTRAIL-1", arn(DEV, "SecTeamTrail")),         # authorized by its tag in the config
    ("IAM-SSM-1", arn(DEV, "SsmSendScoped")),               # tagged instances, one document
    ("IAM-SSM-2", arn(DEV, "SsmTagCond")),
    ("IAM-SECRETSMANAGER-3", arn(DEV, "SecretsCreateOnly")),
    ("TRUST-EXTERNAL-ID", arn(DEV, "VendorWithExt")),
    ("TRUST-UNKNOWN-ACCOUNT", arn(DEV, "VendorNoExt")),      # approved in the config
    ("TRUST-PUBLIC", arn(DEV, "PublicOrgRole")),
    ("TRUST-SERVICE-CONFUSED-DEPUTY", arn(DEV, "SchedulerRoleOk")),
    ("TRUST-SERVICE-CONFUSED-DEPUTY", arn(DEV, "LambdaAdmin")),  # lambda is not on AWS's list
    ("TRUST-OIDC-UNPINNED", arn(DEV, "GithubOk")),
]


@pytest.mark.parametrize(("rule", "subject"), PLANTED)
def test_planted_found_once(planted_result, rule, subject):
    assert len(found(planted_result, rule, subject)) == 1


@pytest.mark.parametrize(("rule", "subject"), CLEAN)
def test_clean_not_found(planted_result, rule, subject):
    assert found(planted_result, rule, subject) == []


CLEAN_OF_ESCALATION = ["SelfAttacherBounded", "AttachOther", "PasserPlain", "PasserWrongService", "Reader",
                       "LambdaAdmin", "StarAdmin"]


@pytest.mark.parametrize("name", CLEAN_OF_ESCALATION)
def test_no_escalation_for_look_alikes(planted_result, name):
    """A boundary caps self-attachment; PassRole reaches only the named role and only if it
    trusts the service; administrators already have the power."""
    assert [f for f in planted_result.findings if f.rule_id.startswith("PRIVESC") and f.subject == arn(DEV, name)] == []


def test_conditional_finding_carries_its_witness(planted_result):
    (f,) = found(planted_result, "IAM-CLOUDTRAIL-1", arn(DEV, "MfaConditioned"))
    assert any("aws:MultiFactorAuthPresent" in n for n in f.notes)


def test_multi_hop_path(planted_result):
    (f,) = found(planted_result, "PRIVESC-PUT-ROLE-POLICY", arn(DEV, "HopC"))
    assert [(s.source.rsplit("/", 1)[1], s.target.rsplit("/", 1)[1], s.via) for s in f.path] == [
        ("HopC", "HopA", "sts:AssumeRole"), ("HopA", "HopB", "sts:AssumeRole"),
        ("HopB", "HopB", "PRIVESC-PUT-ROLE-POLICY")]


def test_passrole_path_names_the_role(planted_result):
    (f,) = found(planted_result, "PRIVESC-PASSROLE-LAMBDA", arn(DEV, "Passer"))
    assert f.path[0].target == arn(DEV, "LambdaAdmin")


def test_scp_guardrail_per_account(planted_result):
    status = {(r.rule_id, r.account): r.status for r in planted_result.scp}
    assert status[("SCP-ORGANIZATIONS-1", PROD)] == "enforced"
    assert status[("SCP-ORGANIZATIONS-1", DEV)] == "not-enforced"
    assert status[("SCP-ORGANIZATIONS-1", "111111111111")] == "management"
    assert status[("SCP-EC2-1", PROD)] == "blocks-exempt"
    assert status[("SCP-CLOUDTRAIL-1", PROD)] == "not-configured"  # CLOUDTRAIL_NAME not given
    assert len(found(planted_result, "SCP-ORGANIZATIONS-1", DEV)) == 1
    assert found(planted_result, "SCP-ORGANIZATIONS-1", PROD) == []
    assert len(found(planted_result, "AUDIT-SCP-OVERBROAD", PROD)) == 1


def test_findings_sorted_and_deterministic(planted_env, planted_result):
    from audit_planted import CONFIG
    import datetime as dt

    from permwise.audit import run_audit

    keys = [f.sort_key() for f in planted_result.findings]
    assert keys == sorted(keys)
    again = run_audit(planted_env, CONFIG, today=dt.date(2025, 6, 1))
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in planted_result.findings]
