"""Conformance suite: every case under ``tests/engine/cases/`` is data written from the AWS
documentation (each names its page and the rule it encodes) and run by this one runner."""

from __future__ import annotations

import pytest

from permwise.engine import evaluate
from permwise.report.reasons import render_reason

from _engine_caseload import DECISIONS, load_cases, read_case

CASES = load_cases()


def test_suite_size_and_metadata():
    assert len(CASES) >= 300, len(CASES)
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    for c in CASES:
        assert c.get("rule"), c["name"]
        assert c.get("page"), c["name"]
        assert c["expected"]["decision"] in DECISIONS, c["name"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    _id, ps, req = read_case(case)
    r = evaluate(ps, req)
    exp = case["expected"]
    why = f"{case['file']}: {case['rule']} ({case['page']})\nreasons: {[render_reason(x) for x in r.reasons]}\nerrors: {r.errors}"
    assert r.decision == exp["decision"], why
    for key in exp.get("missing_keys", []):
        assert key in r.missing_keys, why
    if "reason_contains" in exp:
        assert any(exp["reason_contains"] in render_reason(x) for x in r.reasons), why
    if "errors" in exp:
        assert bool(r.errors) == exp["errors"], why
