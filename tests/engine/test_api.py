"""The engine's Python API: helpers, compile errors, result data (AWS rules cited inline)."""

from __future__ import annotations

import pytest

from permwise.engine import (
    PolicySet,
    Request,
    action_matches,
    arn_matches,
    compile_policy,
    evaluate,
    evaluate_condition,
    parse_operator,
    principal_matches,
)
from permwise.errors import InputError
from permwise.report.reasons import reason_dict, render_reason

USER = "arn:aws:iam::111122223333:user/alice"


# "IAM JSON policy elements: Action": case-insensitive, * and ? wildcards
@pytest.mark.parametrize(
    "pattern, action, expected",
    [
        ("s3:Get*", "s3:GetObject", True),
        ("S3:GETOBJECT", "s3:getobject", True),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:Get*", "s3:PutObject", False),
        ("ec2:*", "ec2messages:Send", False),
        ("*", "anything:At", True),
    ],
)
def test_action_matches(pattern, action, expected):
    assert action_matches(pattern, action) is expected


# "IAM JSON policy elements: Resource": ARN segments; wildcards do not cross ':' before the
# resource part; case-sensitive
@pytest.mark.parametrize(
    "pattern, arn, expected",
    [
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b", True),
        ("arn:aws:s3:::B/*", "arn:aws:s3:::b/a", False),
        ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i", True),
        ("arn:aws:sqs:*:q", "arn:aws:sqs:us-east-1:111122223333:q", False),
        ("arn:aws:logs:*:*:log-group:x*", "arn:aws:logs:r:1:log-group:x:log-stream:s", True),
        ("*", "*", True),
    ],
)
def test_arn_matches(pattern, arn, expected):
    assert arn_matches(pattern, arn) is expected


def test_principal_matches():
    # "IAM JSON policy elements: Principal": an account id names the account's principals,
    # a role ARN covers its sessions
    assert principal_matches({"AWS": "111122223333"}, USER)
    assert principal_matches({"AWS": "arn:aws:iam::111122223333:role/app"}, "arn:aws:sts::111122223333:assumed-role/app/x")
    assert not principal_matches({"AWS": "arn:aws:iam::111122223333:user/bob"}, USER)
    assert principal_matches("*", "anonymous")  # Principal * includes anonymous callers
    assert not principal_matches({"AWS": "111122223333"}, "anonymous")
    assert principal_matches({"Service": "ec2.amazonaws.com"}, "ec2.amazonaws.com")


def test_parse_operator_table():
    po = parse_operator("ForAnyValue:StringLikeIfExists")
    assert (po.set_op, po.base.name, po.if_exists) == ("ForAnyValue", "StringLike", True)
    assert parse_operator("NotIpAddress").base.negated
    with pytest.raises(ValueError):
        parse_operator("StringLikeish")
    with pytest.raises(ValueError):
        parse_operator("NullIfExists")


def test_evaluate_condition_helper():
    assert evaluate_condition("IpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "10.2.3.4"})
    assert not evaluate_condition("StringEquals", "k", "a", {})
    assert evaluate_condition("StringNotEquals", "k", "a", {})


def test_compile_rejects_non_policies():
    with pytest.raises(InputError, match="missing `Statement`"):
        compile_policy({"Version": "2012-10-17"}, name="p")
    with pytest.raises(InputError, match="JSON object"):
        compile_policy(["x"], name="p")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown policy kind"):
        compile_policy({"Statement": []}, kind="bogus")
    p = compile_policy('{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}')
    assert p.statements[0].pointer == "/Statement"


def test_allow_statements_expose_raw_and_flags():
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Broad", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Sid": "Narrow", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
             "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        ],
    }
    r = evaluate(PolicySet(identity=[compile_policy(doc, "p")]), Request(USER, "s3:GetObject", "arn:aws:s3:::b/k"))
    assert r.allowed
    by_sid = {s.sid: s for s in r.allow_statements}
    assert set(by_sid) == {"Broad", "Narrow"}
    assert by_sid["Broad"].resource_star and not by_sid["Broad"].has_conditions
    assert by_sid["Narrow"].has_conditions and not by_sid["Narrow"].resource_star
    assert by_sid["Narrow"].pointer == "/Statement/1"
    assert by_sid["Narrow"].raw is doc["Statement"][1]


def test_condition_keys_and_missing_keys():
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]}
    ps = PolicySet(identity=[compile_policy(doc, "p")])
    assert ps.condition_keys() == ["aws:PrincipalOrgID", "aws:SourceIp"]
    r = evaluate(ps, Request(USER, "s3:GetObject"))
    # both keys are reported, although evaluation stops at the first false condition
    assert r.missing_keys == ["aws:PrincipalOrgID", "aws:SourceIp"]
    assert r.decision == "implicitDeny"


def test_bad_context_values_are_recorded_not_raised():
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
    r = evaluate(PolicySet(identity=[compile_policy(doc, "p")]),
                 Request(USER, "s3:GetObject", context={"aws:SourceIp": {"not": "an ip"}}))
    assert r.decision == "implicitDeny"
    assert r.errors and "p/Statement/0" in r.errors[0]


def test_reasons_are_deterministic_and_data():
    deny = {"Version": "2012-10-17", "Statement": [
        {"Sid": "B", "Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]}
    scp = compile_policy(deny, "guard", "scp", "root")
    ps = PolicySet(identity=[compile_policy(deny, "id")], scps=[[scp]])
    r1 = evaluate(ps, Request(USER, "s3:GetObject"))
    r2 = evaluate(ps, Request(USER, "s3:GetObject"))
    assert [reason_dict(x) for x in r1.reasons] == [reason_dict(x) for x in r2.reasons]
    # SCP denies are listed before identity denies; statement order within a policy is kept
    assert [(x.policy_kind, x.sid) for x in r1.reasons] == [("scp", "B"), ("scp", "A"), ("identity", "B"), ("identity", "A")]
    assert r1.reasons[0].level == "root" and r1.reasons[0].kind == "explicit-deny"


def test_implicit_deny_names_the_level():
    # the example: "no Allow in SCP level ou-workloads 'DenyGuardDuty'"
    gd = compile_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "guardduty:*", "Resource": "*"}]}, "DenyGuardDuty", "scp", "ou-workloads")
    ident = compile_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "admin")
    r = evaluate(PolicySet(identity=[ident], scps=[[], [gd], []]), Request(USER, "s3:GetObject", "*"))
    assert r.decision == "implicitDeny"
    (reason,) = r.reasons
    assert reason.kind == "no-allow" and reason.level == "ou-workloads"
    assert "no Allow in SCP level ou-workloads ('DenyGuardDuty')" in render_reason(reason)
