"""Every finding code: a failing and a passing document (data in rule_cases.py)."""

from __future__ import annotations

import pytest

from permwise.policy import POLICY_RULES, validate_document
from rule_cases import CASES, EXTRA_BAD


def _codes(doc, type_):
    t, _, attached = type_.partition("@")
    return {f.code for f in validate_document(doc, t, attached_as=attached or None)}


@pytest.mark.parametrize("code,type_,rule,bad,good", CASES, ids=[c[0] for c in CASES])
def test_rule_bad_and_good(code, type_, rule, bad, good):
    assert code in POLICY_RULES, f"{code} is not registered"
    assert code in _codes(bad, type_), f"{code} not reported for the bad case ({rule})"
    assert code not in _codes(good, type_), f"{code} reported for the good case ({rule})"


@pytest.mark.parametrize("code,type_,rule,bad", EXTRA_BAD, ids=[f"{c[0]}-{c[1]}" for c in EXTRA_BAD])
def test_rule_extra_bad(code, type_, rule, bad):
    assert code in _codes(bad, type_), rule


def test_every_registered_rule_has_a_case():
    # P011 (duplicate key) cannot be written as a dict: its cases are text, in test_duplicate_keys.py
    covered = {c[0] for c in CASES} | {"P011"}
    missing = [r.id for r in POLICY_RULES if r.id not in covered]
    assert not missing, f"rules without bad/good cases: {missing}"


def test_registry_metadata_is_complete():
    for r in POLICY_RULES:
        assert r.severity in ("error", "warning", "suggestion")
        assert r.title and r.description and r.reference and r.url.startswith("https://docs.aws.amazon.com/")
        assert not r.title.endswith(".")
