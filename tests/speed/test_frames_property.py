"""Answers shared across accounts (permwise.audit.frames) are not a second model: an audit that
reuses a guardrail's result for a principal of another account whose policies are the same
templates of its own account ID gives exactly the findings of an audit where the engine is asked
every question itself (AWS "Policy evaluation logic" on both sides).

The organizations generated here are built to tempt a wrong reuse: the same policies in every
account, naming each account's own ID; account IDs that share digits, so that a glob next to a
digit (``1111*``), a numeric condition or an account named literally could tell them apart; OUs
with different SCPs and RCPs; a bucket policy in one account only; the organization path in a
condition.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permwise.audit import AuditConfig, frames
from permwise.audit.escalation import escalation_actions
from permwise.audit.guardrails import GuardrailChecker, guardrail_universe
from permwise.audit.probe import Prober
from permwise.audit.registry import all_rules
from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder, doc, trust_account

from test_pruning_property import _audit, _audit_plain  # type: ignore[import-not-found]

MANAGEMENT = "999988887777"
# two accounts in one OU (so with the same SCPs: only their IDs tell them apart), one in an OU
# with other SCPs, one in an OU with the same SCPs as the first (only its path differs); the IDs
# share long runs of digits
ACCOUNTS = {"111122223333": "ou-a", "211122223333": "ou-a", "111122224444": "ou-b", "311122223333": "ou-c"}

# statements written once, with `{acct}` standing for the account they are put in, `{other}` for
# another account of the organization
_TEMPLATES = [
    {"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:PassRole"], "Resource": "arn:aws:iam::{acct}:role/app-*"},
    {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::{acct}:*"},
    {"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::{other}:*"},
    {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::data-{acct}", "arn:aws:s3:::data-{acct}/*"]},
    {"Effect": "Allow", "Action": ["kms:*"], "Resource": "arn:aws:kms:us-east-1:{acct}:key/*"},
    {"Effect": "Allow", "Action": ["kms:ScheduleKeyDeletion", "cloudtrail:*"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceAccount": "{acct}"}}},
    {"Effect": "Allow", "Action": ["cloudtrail:StopLogging", "iam:CreateAccessKey"], "Resource": "*",
     "Condition": {"StringLike": {"aws:PrincipalAccount": "1111*"}}},
    {"Effect": "Allow", "Action": ["guardduty:*", "iam:CreateAccessKey"], "Resource": "arn:aws:iam::1111*:user/*"},
    {"Effect": "Allow", "Action": ["iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy"],
     "Resource": "arn:aws:iam::*3333:role/*"},
    {"Effect": "Allow", "Action": ["organizations:LeaveOrganization", "cloudtrail:*"], "Resource": "*",
     "Condition": {"NumericLessThan": {"aws:PrincipalAccount": "200000000000"}}},
    {"Effect": "Allow", "Action": ["lambda:*", "iam:PassRole"], "Resource": "*",
     "Condition": {"StringLike": {"aws:PrincipalOrgPaths": "*/ou-a/*"}}},
    {"Effect": "Deny", "Action": ["s3:PutBucketPolicy", "kms:*"], "Resource": "arn:aws:s3:::data-{acct}"},
    {"Effect": "Allow", "Action": ["ec2:RunInstances", "iam:PassRole", "s3:*"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["cloudtrail:DeleteTrail", "config:Stop*"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}},
]
_SCPS = {
    "ou-a": [{"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*",
              "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
             # a personal statement (it exempts one role by name, as landing zones do): answers
             # about its actions are not shared, about other actions they still are
             {"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "iam:CreateAccessKey"], "Resource": "*",
              "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app-1"}}}],
    "ou-b": [{"Effect": "Deny", "Action": ["iam:CreateAccessKey", "kms:*"], "Resource": "*"},
             {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::data-111122223333/*"}],
}
_RCP = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}

_role = st.lists(st.integers(0, len(_TEMPLATES) - 1), min_size=1, max_size=3, unique=True)


def _fill(statement: dict, acct: str) -> dict:
    other = next(a for a in ACCOUNTS if a != acct)
    text = repr(statement)
    return eval(text.replace("{acct}", acct).replace("{other}", other))  # noqa: S307 - our own literals


def _org(roles: list[list[int]], bucket_policy_in: str | None, rcps: bool, same_everywhere: bool):
    b = SnapshotBuilder(MANAGEMENT, regions=["us-east-1"], rcp_enabled=rcps)
    b.account(MANAGEMENT, "management")
    for ou in ("ou-a", "ou-b", "ou-c"):
        b.ou(ou, ou)
    for acct, ou in ACCOUNTS.items():
        b.account(acct, f"acct-{acct}", parent=ou)
    for ou, sts in _SCPS.items():
        b.scp(f"p-{ou}", f"guard-{ou}", doc(*sts), [ou])
    b.scp("p-ou-c", "guard-ou-c", doc(*_SCPS["ou-a"]), ["ou-c"])
    if rcps:
        b.rcp("p-rcp", "org-only", doc(_RCP), ["ou-b"])
    for n, acct in enumerate(ACCOUNTS):
        # the same roles in every account (a landing zone), or shifted by one in the last account
        mine = roles if same_everywhere or n < 2 else roles[1:] + roles[:1]
        for i, picks in enumerate(mine):
            b.role(acct, f"app-{i}", trust=trust_account(acct),
                   inline={"p": doc(*(_fill(_TEMPLATES[k], acct) for k in picks))})
        if acct == bucket_policy_in:
            b.resource_policy(acct, f"arn:aws:s3:::data-{acct}", doc(
                {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{acct}:role/app-0"}, "Action": "s3:*",
                 "Resource": [f"arn:aws:s3:::data-{acct}", f"arn:aws:s3:::data-{acct}/*"]}))
    return b


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_role, min_size=1, max_size=3), st.sampled_from([None, *ACCOUNTS]), st.booleans(), st.booleans())
def test_answers_shared_across_accounts_equal_plain_evaluation(tmp_path_factory, roles, bucket_policy_in, rcps,
                                                                same_everywhere):
    b = _org(roles, bucket_policy_in, rcps, same_everywhere)
    env = load_snapshot(b.write(tmp_path_factory.mktemp("frames") / "snap"))
    frames.forget()
    assert _audit(env, prune=True) == _audit_plain(env)


@pytest.mark.parametrize("text, ok", [
    ("arn:aws:logs:us-east-1:111122223333:*", True),  # the account, a region's digit: a template
    ("arn:aws:s3:::data-111122223333/*", True),
    ("arn:aws:iam::1111*:role/x", False),  # a digit next to a wildcard can match part of an ID
    ("*3333", False),
    ("arn:aws:iam::?11122223333:role/x", False),
    ("9111122223333", False),  # the account inside a longer digit run
    ("111122223333" + frames.MARK, False),  # the mark itself
    ("arn:aws:s3:::${aws:username}/*", False),  # a policy variable
    ("route53:ChangeResourceRecordSets", True),
])
def test_which_texts_have_a_template(text, ok):
    assert (frames.template(text, "111122223333") is not None) == ok


def test_numeric_and_date_conditions_have_no_template():
    for op in ("NumericLessThan", "DateGreaterThan", "IpAddress", "ForAnyValue:NumericEquals"):
        st_ = {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {op: {"aws:EpochTime": "1"}}}
        assert frames.statement_template(st_, "111122223333") is None
    plain = {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    assert frames.statement_template(plain, "111122223333") is not None


def test_one_account_s_answer_is_put_back_in_another_s(tmp_path):
    # three accounts with the very same role, naming their own ID in a condition the audit
    # fills in (a witness): the later accounts reuse the first one's result, so the engine is
    # asked fewer questions, and each finding's note names its own account
    b = SnapshotBuilder(MANAGEMENT, regions=["us-east-1"])
    b.account(MANAGEMENT, "management")
    for acct in ACCOUNTS:
        b.account(acct, f"acct-{acct}")
        b.role(acct, "app-0", trust=trust_account(acct), inline={"p": doc(
            {"Effect": "Allow", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:SourceVpce": f"vpce-{acct}"}}})})
    env = load_snapshot(b.write(tmp_path / "snap"))
    rules = all_rules()
    runs = {}
    for across in (True, False):
        frames.forget()
        prober = Prober(env, guardrail_universe(rules) | escalation_actions())
        guard = GuardrailChecker(prober, rules, AuditConfig(), across=across)
        runs[across] = ([f.to_dict() for p in env.principals() for f in guard.check(p)], prober.evaluations)
    assert runs[True][0] == runs[False][0]
    assert runs[True][1] < runs[False][1]
    notes = {f["subject"].split(":")[4]: " ".join(f.get("notes", [])) for f in runs[True][0]
             if "cloudtrail" in " ".join(f.get("actions", [])).lower()}
    assert set(notes) == set(ACCOUNTS)
    for acct, text in notes.items():
        assert f"vpce-{acct}" in text


# ------------------------------------------------------------------ the SCP coverage grid
# The grid asks the engine the same question in every member account under the same SCPs; it is
# asked once per question in the account's frame. SCPs that tell accounts apart by their IDs
# (a glob next to a digit, a numeric condition, an account named) must keep the answers apart.
_GRID_SCPS = [
    {"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*",
     "Condition": {"StringLike": {"aws:PrincipalAccount": "1111*"}}},
    {"Effect": "Deny", "Action": ["guardduty:*", "config:*"], "Resource": "*",
     "Condition": {"NumericLessThan": {"aws:PrincipalAccount": "200000000000"}}},
    {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "iam:CreateUser"], "Resource": "*",
     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::2*:role/*"}}},
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalAccount": "211122223333"}}},
    {"Effect": "Deny", "Action": ["ec2:*", "ram:*"], "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}},
    {"Effect": "Deny", "Action": ["kms:ScheduleKeyDeletion", "iam:*"], "Resource": "*"},
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, len(_GRID_SCPS) - 1), min_size=1, max_size=3, unique=True), st.booleans())
def test_scp_grid_shared_across_accounts_equals_plain_evaluation(tmp_path_factory, picks, at_root):
    from permwise.audit.scp import ScpChecker

    b = SnapshotBuilder(MANAGEMENT, regions=["us-east-1"])
    b.account(MANAGEMENT, "management")
    for ou in ("ou-a", "ou-b", "ou-c"):
        b.ou(ou, ou)
    for acct, ou in ACCOUNTS.items():
        b.account(acct, f"acct-{acct}", parent=ou)
    b.scp("p-guard", "guard", doc(*(_GRID_SCPS[i] for i in picks)), ["r-a1b2"] if at_root else ["ou-a", "ou-c"])
    env = load_snapshot(b.write(tmp_path_factory.mktemp("grid") / "snap"))
    rules, config = all_rules(), AuditConfig()

    def grid(shared: bool):
        frames.forget()
        checker = ScpChecker(env, rules, config)
        if not shared:
            # (the method must exist: patching a renamed one would compare shared with shared)
            assert callable(ScpChecker._frame_base)
            checker._frame_base = lambda *a: None  # type: ignore[method-assign]
        results, findings = checker.run()
        return [r.to_dict() for r in results], [f.to_dict() for f in findings]

    assert grid(True) == grid(False)
