"""Pruning is not a second model (issue 14): the audit asks the engine only about the actions a
principal's Allow statements can name (``Prober.candidate_actions``), and the engine's matchers
test literals, prefixes and suffixes with string methods instead of regular expressions. Both
are checked here against plain evaluation on random inputs:

* the string-method matchers against the regular expression of the documented glob rules
  (AWS "IAM JSON policy elements: Action" and "Resource": ``*`` any run, ``?`` one character,
  actions case-insensitive, ARN wildcards not crossing ``:`` before the resource part);
* the guardrail and escalation findings of random principals with pruning against the same
  analysis asked about every action of the universe.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permwise.audit import AuditConfig
from permwise.audit.escalation import EscalationAnalyzer, escalation_actions
from permwise.audit.graph import AssumeGraph
from permwise.audit.guardrails import GuardrailChecker, guardrail_universe
from permwise.audit.probe import Prober
from permwise.audit.registry import all_rules
from permwise.engine.matching import arn_regex, compile_actions, compile_resources, glob_regex
from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder, doc, trust_account

# ------------------------------------------------------------------------------------ matchers

_pat = st.text(alphabet="ab:*?/-", max_size=10)
_val = st.text(alphabet="abAB:/-", max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.lists(_pat, min_size=1, max_size=4), _val)
def test_action_matcher_equals_the_glob_regex(patterns, value):
    m = compile_actions(patterns)
    want = any(re.fullmatch(glob_regex(p.lower()), value.lower(), re.DOTALL) for p in patterns)
    assert m.matches(value.lower()) == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_pat, _pat.map(lambda p: p + "*")), min_size=17, max_size=40), _val)
def test_long_action_lists_grouped_by_service_match_as_the_glob_regex(patterns, value):
    # more than 16 `prefix*` patterns are grouped by service (a ReadOnlyAccess-like policy)
    m = compile_actions(patterns)
    want = any(re.fullmatch(glob_regex(p.lower()), value.lower(), re.DOTALL) for p in patterns)
    assert m.matches(value.lower()) == want


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_pat, _pat.map(lambda p: "arn:" + p)), min_size=1, max_size=4),
       st.one_of(_val, _val.map(lambda v: "arn:" + v)))
def test_resource_matcher_equals_the_arn_regex(patterns, value):
    m = compile_resources(patterns, ())
    want = any(p == "*" or re.fullmatch(arn_regex(p), value, re.DOTALL) for p in patterns)
    assert m.matches_static(value) == want


# ------------------------------------------------------------------------------ audit pruning

ACCOUNT = "111122223333"
_ACTIONS = ["cloudtrail:StopLogging", "cloudtrail:Delete*", "cloudtrail:*", "kms:ScheduleKeyDeletion", "kms:*",
            "iam:PassRole", "iam:Attach*Policy", "iam:*", "iam:CreateAccessKey", "iam:Put*", "lambda:CreateFunction",
            "lambda:*", "sts:AssumeRole", "ec2:RunInstances", "s3:PutBucketPolicy", "s3:*", "*", "guardduty:Delete*",
            "organizations:LeaveOrganization", "ec2:Describe*", "iam:Update*Role*", "config:Stop*"]
_RESOURCES = ["*", f"arn:aws:iam::{ACCOUNT}:role/*", f"arn:aws:iam::{ACCOUNT}:role/app-*",
              "arn:aws:s3:::bucket/*", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/*"]
_CONDITIONS = [None, {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
               {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
               {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}]

_statement = st.builds(
    lambda effect, not_action, actions, resource, cond: {
        k: v for k, v in {"Effect": effect, ("NotAction" if not_action else "Action"): actions, "Resource": resource,
                          "Condition": cond}.items() if v is not None},
    st.sampled_from(["Allow", "Allow", "Allow", "Deny"]), st.sampled_from([False, False, False, True]), st.lists(st.sampled_from(_ACTIONS), min_size=1, max_size=3, unique=True),
    st.sampled_from(_RESOURCES), st.sampled_from(_CONDITIONS))
_policy = st.lists(_statement, min_size=1, max_size=4)
_role = st.tuples(st.lists(_policy, min_size=1, max_size=2), st.one_of(st.none(), _policy))


def _audit(env, prune: bool, share: bool = True):
    """Every guardrail finding, escalation finding and admin flag of ``env``'s principals.
    ``prune=False``: ask the engine about every action of the universe (no candidate
    prefilter, no resource pruning); ``share=False``: no answer shared between principals."""
    rules = all_rules()
    universe = guardrail_universe(rules) | escalation_actions()
    prober = Prober(env, universe)
    if not prune:
        everything = frozenset(a.lower() for a in universe)
        prober.candidate_actions = lambda p: everything  # type: ignore[method-assign]
        prober.may_allow = lambda principal, ps, al, resource: True  # type: ignore[method-assign]
    if not share:
        prober.share_key = lambda principal, ps, al: None  # type: ignore[method-assign]
    cfg = AuditConfig()
    # with no sharing, no answer is taken from another account's principal either
    # (permwise.audit.frames; tests/speed/test_frames_property.py)
    guard = GuardrailChecker(prober, rules, cfg, across=share)
    esc = EscalationAnalyzer(env, prober, AssumeGraph(env, prober), cfg)
    out = []
    for p in env.principals():
        out.extend(f.to_dict() if hasattr(f, "to_dict") else repr(f) for f in guard.check(p))
        e = esc.check(p)
        out.append(None if e is None else (e.to_dict() if hasattr(e, "to_dict") else repr(e)))
        out.append(esc.is_admin(p))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_role, min_size=1, max_size=4))
def test_pruned_audit_equals_plain_evaluation(tmp_path_factory, roles):
    b = SnapshotBuilder(regions=["us-east-1"])
    b.account(ACCOUNT, "acct")
    for i, (policies, boundary) in enumerate(roles):
        bnd = b.managed_policy(ACCOUNT, f"boundary-{i}", doc(*boundary)) if boundary else None
        b.role(ACCOUNT, f"app-{i}", trust=trust_account(ACCOUNT),
               inline={f"p{j}": doc(*sts) for j, sts in enumerate(policies)}, boundary=bnd)
    env = load_snapshot(b.write(tmp_path_factory.mktemp("prune") / "snap"))
    assert _audit(env, prune=True) == _audit(env, prune=False)


# ------------------------------------------------------------------ shared answers and pruning
# Principals that share managed policies and boundaries (so `Prober.share_key` lets them reuse
# one another's answers) and that differ in tags, names and inline policies, with conditions and
# resources that read who the principal is (which must keep an answer personal). Compared with
# the same audit where no answer is shared and no resource pruning is made (`may_allow`): the
# engine asked every question itself. AWS "Policy evaluation logic" is what both sides run.

_PERSONAL_CONDITIONS = [{"StringEquals": {"aws:PrincipalTag/team": "red"}},
                        {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/app-0*"}},
                        {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}}, None]
_PERSONAL_RESOURCES = ["*", f"arn:aws:iam::{ACCOUNT}:role/${{aws:PrincipalTag/team}}-*",
                       f"arn:aws:iam::{ACCOUNT}:role/app-1", f"arn:aws:iam::{ACCOUNT}:user/*", "arn:aws:s3:::bucket/*"]
_shared_statement = st.builds(
    lambda effect, actions, resource, cond: {
        k: v for k, v in {"Effect": effect, "Action": actions, "Resource": resource, "Condition": cond}.items()
        if v is not None},
    st.sampled_from(["Allow", "Allow", "Allow", "Deny"]), st.lists(st.sampled_from(_ACTIONS), min_size=1, max_size=3, unique=True),
    st.sampled_from(_PERSONAL_RESOURCES + _RESOURCES), st.sampled_from(_PERSONAL_CONDITIONS * 2 + _CONDITIONS))
_shared_policy = st.lists(_shared_statement, min_size=1, max_size=3)
_member = st.tuples(
    st.lists(st.integers(0, 2), max_size=2, unique=True),  # managed policies from the pool
    st.sampled_from([None, None, 0]),  # boundary from the pool
    st.one_of(st.just([]), st.just([]), st.just([]), st.lists(_shared_policy, min_size=1, max_size=1)),  # inline
    st.sampled_from([None, "red", "blue"]),  # tag team
)


def _audit_plain(env):
    """The audit with no shared answer and no resource pruning (and no candidate prefilter)."""
    return _audit(env, prune=False, share=False)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(_shared_policy, min_size=3, max_size=3), st.lists(_policy, min_size=1, max_size=1),
       st.lists(_member, min_size=3, max_size=6))
def test_shared_answers_equal_plain_evaluation(tmp_path_factory, pool, boundaries, members):
    b = SnapshotBuilder(regions=["us-east-1"])
    b.account(ACCOUNT, "acct")
    managed = [b.managed_policy(ACCOUNT, f"pool-{i}", doc(*sts)) for i, sts in enumerate(pool)]
    bounds = [b.managed_policy(ACCOUNT, f"boundary-{i}", doc(*sts)) for i, sts in enumerate(boundaries)]
    for i, (picks, bnd, inline, team) in enumerate(members):
        b.role(ACCOUNT, f"app-{i}", trust=trust_account(ACCOUNT), managed=sorted(managed[j] for j in picks),
               inline={f"p{j}": doc(*sts) for j, sts in enumerate(inline)},
               boundary=bounds[bnd] if bnd is not None else None, tags={"team": team} if team else None)
    env = load_snapshot(b.write(tmp_path_factory.mktemp("shared") / "snap"))
    assert _audit(env, prune=True) == _audit_plain(env)


@pytest.mark.parametrize("statement", [
    # a condition on the principal's tag: only the tagged role may create access keys
    {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}},
    # a condition on the principal's ARN
    {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*",
     "Condition": {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/app-0"}}},
    # a policy variable naming the principal's tag in the Resource
    {"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": f"arn:aws:iam::{ACCOUNT}:role/${{aws:PrincipalTag/team}}*"},
])
def test_personal_statements_are_not_shared(tmp_path, statement):
    # two roles with the same managed policy, told apart only by their tag or name: the answer
    # of the first must not be reused for the second
    b = SnapshotBuilder(regions=["us-east-1"])
    b.account(ACCOUNT, "acct")
    m = b.managed_policy(ACCOUNT, "shared", doc(statement))
    b.role(ACCOUNT, "app-0", trust=trust_account(ACCOUNT), managed=[m], tags={"team": "red"})
    b.role(ACCOUNT, "app-1", trust=trust_account(ACCOUNT), managed=[m])
    b.role(ACCOUNT, "red-target", trust=trust_account(ACCOUNT), managed=[m], tags={"team": "blue"})
    env = load_snapshot(b.write(tmp_path / "snap"))
    # (each case fails when statements reading the principal are treated as impersonal)
    assert _audit(env, prune=True) == _audit_plain(env)


def test_a_resource_policy_naming_one_principal_keeps_the_rule_result_personal(tmp_path):
    # two roles with the very same policies; the bucket their grant names denies one of them
    # in its bucket policy. A guardrail's result is shared by statements (Prober.group_key) only
    # when every question it asked was: here the question on the bucket is not, so the second
    # role must not reuse the first one's finding. (AWS "Policy evaluation logic": an explicit
    # Deny in a resource-based policy overrides any Allow.)
    b = SnapshotBuilder(regions=["us-east-1"])
    b.account(ACCOUNT, "acct")
    grant = b.managed_policy(ACCOUNT, "bucket-admin", doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]}))
    for name in ("app-0", "app-1"):
        b.role(ACCOUNT, name, trust=trust_account(ACCOUNT), managed=[grant])
    b.resource_policy(ACCOUNT, "arn:aws:s3:::bucket", doc(
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app-1"}, "Action": "s3:*",
         "Resource": ["arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*"]}))
    env = load_snapshot(b.write(tmp_path / "snap"))
    shared, plain = _audit(env, prune=True), _audit_plain(env)
    assert shared == plain
    # and the two roles are told apart at all (the case tests something)
    rules = all_rules()
    prober = Prober(env, guardrail_universe(rules) | escalation_actions())
    guard = GuardrailChecker(prober, rules, AuditConfig())
    found = {p.name: sorted(f.rule_id for f in guard.check(p)) for p in env.principals()}
    assert found["app-0"] != found["app-1"]
