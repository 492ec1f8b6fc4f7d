"""Property tests of the decision (hypothesis).

The properties, stated exactly:

1. **Deny monotonicity**: appending a ``Deny`` statement to any policy of a set never turns a
   request that was not ``allowed`` into ``allowed``, and never turns an ``explicitDeny`` into
   anything else. (AWS "Policy evaluation logic": an explicit deny in any policy overrides every
   allow; a deny never grants.)
2. **Allow monotonicity**: appending an ``Allow`` statement to a policy *already in the set*
   (identity, boundary, session, SCP, RCP or resource-based policy) never turns ``allowed`` into
   a deny, and never turns ``explicitDeny`` into anything else. (Every layer is "some Allow
   matches"; more Allows cannot remove a match.) Note what is *not* claimed: adding a new
   boundary or session policy where there was none restricts, and with ``NotPrincipal`` the
   added statement may match more principals; both are consistent with the property because
   the first adds a layer rather than a statement, and the second only adds matches.
3. **Order independence**: permuting the statements inside each policy, and the identity
   policies, never changes the decision or the set of deciding statements.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permwise.catalog import get_catalog
from permwise.engine import PolicySet, Request, compile_policy, evaluate

ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/s1"

actions = st.sampled_from(["s3:GetObject", "s3:Get*", "s3:*", "ec2:*", "*", "iam:PassRole", "s3:Put*"])
resources = st.sampled_from(["*", "arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "arn:aws:s3:::other/*", "arn:aws:ec2:*:*:instance/*"])
conditions = st.sampled_from(
    [
        None,
        {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
        {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}},
        {"ForAnyValue:StringLike": {"aws:TagKeys": ["env*"]}},
        {"NumericLessThan": {"s3:max-keys": "ten"}},  # an erroring condition
    ]
)
principals_el = st.sampled_from(
    [
        ("Principal", "*"),
        ("Principal", {"AWS": USER}),
        ("Principal", {"AWS": ACCT}),
        ("Principal", {"AWS": ROLE}),
        ("Principal", {"AWS": SESSION}),
        ("Principal", {"AWS": OTHER}),
        ("Principal", {"Service": "cloudtrail.amazonaws.com"}),
        ("NotPrincipal", {"AWS": [USER, f"arn:aws:iam::{ACCT}:root"]}),
    ]
)


@st.composite
def statement(draw, effect=None, with_principal=False):
    s = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    s["NotAction" if draw(st.booleans()) and draw(st.booleans()) else "Action"] = draw(
        st.lists(actions, min_size=1, max_size=2)
    )
    s["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = draw(resources)
    cond = draw(conditions)
    if cond:
        s["Condition"] = cond
    if with_principal:
        k, v = draw(principals_el)
        s[k] = v
    return s


@st.composite
def document(draw, with_principal=False):
    return {
        "Version": "2012-10-17",
        "Statement": draw(st.lists(statement(with_principal=with_principal), min_size=1, max_size=4)),
    }


@st.composite
def env(draw):
    return {
        "identity": draw(st.lists(document(), max_size=2)),
        "boundary": draw(st.none() | document()),
        "session": draw(st.none() | document()),
        "scps": draw(st.lists(document(), max_size=2)),
        "rcps": draw(st.lists(document(with_principal=True), max_size=1)),
        "resource": draw(st.none() | document(with_principal=True)),
    }


@st.composite
def request(draw):
    principal = draw(st.sampled_from([USER, SESSION, ROLE, f"arn:aws:iam::{ACCT}:root", f"arn:aws:iam::{OTHER}:user/bob", "cloudtrail.amazonaws.com"]))
    ctx = {}
    if draw(st.booleans()):
        ctx["aws:SourceIp"] = draw(st.sampled_from(["10.1.2.3", "203.0.113.9"]))
    if draw(st.booleans()):
        ctx["aws:TagKeys"] = draw(st.lists(st.sampled_from(["env", "team", "envx"]), max_size=2))
    if draw(st.booleans()):
        ctx["aws:MultiFactorAuthPresent"] = draw(st.sampled_from(["true", "false"]))
    tags = draw(st.sampled_from([None, {"team": "blue"}, {"team": "red"}]))
    return Request(
        principal=principal,
        action=draw(st.sampled_from(["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:PassRole"])),
        resource=draw(st.sampled_from(["arn:aws:s3:::b/k", "arn:aws:s3:::other/x", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", "*"])),
        resource_account=draw(st.sampled_from([ACCT, OTHER])),
        context=ctx,
        principal_tags=tags,
    )


def build(e: dict) -> PolicySet:
    return PolicySet(
        identity=[compile_policy(d, f"id{i}", "identity") for i, d in enumerate(e["identity"])],
        boundary=compile_policy(e["boundary"], "boundary", "boundary") if e["boundary"] else None,
        session=compile_policy(e["session"], "session", "session") if e["session"] else None,
        scps=[[compile_policy(d, f"scp{i}", "scp", f"l{i}")] for i, d in enumerate(e["scps"])],
        rcps=[[compile_policy(d, f"rcp{i}", "rcp", f"r{i}")] for i, d in enumerate(e["rcps"])],
        resource=compile_policy(e["resource"], "resource", "resource") if e["resource"] else None,
        rcp_services=get_catalog().rcp_supported_services(),
    )


def _docs(e: dict) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = [("identity", i) for i in range(len(e["identity"]))]
    out += [("scps", i) for i in range(len(e["scps"]))] + [("rcps", i) for i in range(len(e["rcps"]))]
    out += [(k, None) for k in ("boundary", "session", "resource") if e[k]]
    return out


def _append(e: dict, where: tuple[str, int | None], stmt: dict) -> dict:
    e2 = copy.deepcopy(e)
    k, i = where
    doc = e2[k][i] if i is not None else e2[k]
    doc["Statement"].append(stmt)
    return e2


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(env(), request(), st.data())
def test_adding_a_deny_never_allows(e, req, data):
    where_all = _docs(e)
    if not where_all:
        return
    where = data.draw(st.sampled_from(where_all))
    with_p = where[0] in ("resource", "rcps")
    stmt = data.draw(statement(effect="Deny", with_principal=with_p))
    before = evaluate(build(e), req).decision
    after = evaluate(build(_append(e, where, stmt)), req).decision
    if before != "allowed":
        assert after != "allowed"
    if before == "explicitDeny":
        assert after == "explicitDeny"


@SETTINGS
@given(env(), request(), st.data())
def test_adding_an_allow_never_denies(e, req, data):
    where_all = _docs(e)
    if not where_all:
        return
    where = data.draw(st.sampled_from(where_all))
    with_p = where[0] in ("resource", "rcps")
    stmt = data.draw(statement(effect="Allow", with_principal=with_p))
    before = evaluate(build(e), req).decision
    after = evaluate(build(_append(e, where, stmt)), req).decision
    if before == "allowed":
        assert after == "allowed"
    if before == "explicitDeny":
        assert after == "explicitDeny"


@SETTINGS
@given(env(), request(), st.randoms(use_true_random=False))
def test_statement_order_never_matters(e, req, rnd):
    e2 = copy.deepcopy(e)
    for k, i in _docs(e2):
        doc = e2[k][i] if i is not None else e2[k]
        rnd.shuffle(doc["Statement"])
    rnd.shuffle(e2["identity"])
    r1 = evaluate(build(e), req)
    r2 = evaluate(build(e2), req)
    assert r1.decision == r2.decision
    key = lambda s: (s.policy.kind, s.policy.name if s.policy.kind != "identity" else "", str(s.raw))  # noqa: E731
    assert sorted(map(key, r1.deny_statements)) == sorted(map(key, r2.deny_statements))
    assert r1.missing_keys == r2.missing_keys
