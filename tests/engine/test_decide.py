"""The decision-only path (``evaluate(..., explain=False)`` / ``decide``) must decide exactly as
the explaining path: every conformance case (each citing its AWS page) and every cross-check
case is evaluated both ways. AWS "Policy evaluation logic": the decision does not depend on how
it is explained, so only ``reasons`` may differ."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from permwise.engine import ALLOWED, EXPLICIT_DENY, decide, evaluate
from _engine_caseload import load_cases, read_case

XCHECK = Path(__file__).resolve().parents[1] / "engine_xcheck" / "cases.jsonl"


def _all_cases() -> list[dict]:
    out = [dict(c, id=c["name"]) for c in load_cases()]
    out += [orjson.loads(line) for line in XCHECK.read_bytes().splitlines() if line.strip()]
    return out


CASES = _all_cases()


def _deciding(res):
    """The deciding reason as ``permwise check`` reads it: the first explicit deny (for an
    explicit deny) or the first layer without an allow (for an implicit deny)."""
    want = "explicit-deny" if res.decision == EXPLICIT_DENY else "no-allow"
    return next(r for r in res.reasons if r.kind == want)


def test_both_paths_agree_on_every_case():
    assert len(CASES) > 900
    seen = set()
    for case in CASES:
        _id, ps, req = read_case(case)
        full = evaluate(ps, req)
        fast = evaluate(ps, req, explain=False)
        assert decide(ps, req) == full.decision, case["id"]
        assert fast.decision == full.decision, case["id"]
        assert fast.reasons == [], case["id"]
        assert fast.missing_keys == full.missing_keys, case["id"]
        assert fast.errors == full.errors, case["id"]
        assert fast.allow_statements == full.allow_statements, case["id"]
        assert fast.deny_statements == full.deny_statements, case["id"]
        assert (fast.deny_layer, fast.deny_level) == (full.deny_layer, full.deny_level), case["id"]
        if full.decision == ALLOWED:
            assert full.deny_layer is None and full.deny_level is None, case["id"]
            continue
        r = _deciding(full)
        assert (full.deny_layer, full.deny_level) == (r.policy_kind, r.level), case["id"]
        seen.add(full.deny_layer)
    # the cases exercise every layer that can decide a denial
    assert {"identity", "boundary", "session", "resource", "scp", "rcp"} <= seen, seen


@pytest.mark.parametrize("explain", [True, False])
def test_explicit_deny_lists_the_deciding_statement_first(explain):
    # "Policy evaluation logic": an explicit deny in any policy decides; permwise names the
    # organization layer first (RCP, then SCP), then resource, identity, boundary, session
    from permwise.engine import PolicySet, Request, compile_policy

    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ps = PolicySet(identity=[compile_policy(deny, "id-deny"), compile_policy(allow, "admin")],
                   scps=[[compile_policy(allow, "full", "scp", "root"), compile_policy(deny, "no-s3", "scp", "root")]])
    r = evaluate(ps, Request("arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/k"), explain)
    assert r.decision == EXPLICIT_DENY
    assert [s.policy.name for s in r.deny_statements] == ["no-s3", "id-deny"]
    assert (r.deny_layer, r.deny_level) == ("scp", "root")
