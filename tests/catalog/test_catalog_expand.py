"""Wildcard expansion of action patterns.

AWS rules ("IAM JSON policy elements: Action" and "... NotAction"): an action is
`service-prefix:ActionName`; prefixes and names are case-insensitive; `*` matches any run of
characters and `?` exactly one; NotAction matches every action except the listed ones.
The expected sets are computed here independently (a plain loop over all actions with fnmatch),
never read back from `expand`.
"""

from __future__ import annotations

import fnmatch

import pytest

from permwise.catalog import compile_action_pattern, get_catalog, is_action_pattern_valid


@pytest.fixture(scope="module")
def cat():
    return get_catalog()


def _brute(cat, pattern: str) -> set[str]:
    prefix, _, name = pattern.lower().partition(":")
    out = set()
    for a in cat.all_actions():
        if fnmatch.fnmatchcase(a.service.lower(), prefix) and fnmatch.fnmatchcase(a.name.lower(), name):
            out.add(a.key)
    return out


@pytest.mark.parametrize(
    "pattern",
    ["ec2:Describe*", "*:Get*", "s3:?etObject", "iam:*Policy*", "s3:*", "s3-*:*", "ec2:*Tags",
     "lambda:InvokeFunction", "*:*", "kms:?????", "sts:AssumeRole*"],
)
def test_expansion_equals_a_brute_force_match(cat, pattern):
    got = [a.key for a in cat.expand(pattern)]
    assert set(got) == _brute(cat, pattern)
    assert got == sorted(got, key=str.lower)  # sorted, case-insensitively
    assert len(got) == len(set(got))


def test_describe_prefix_hits_describe_actions_only(cat):
    keys = {a.key for a in cat.expand("ec2:Describe*")}
    assert {"ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeVpcs"} <= keys
    assert "ec2:RunInstances" not in keys
    assert all(k.startswith("ec2:Describe") for k in keys)


def test_cross_service_get_spans_many_services(cat):
    found = cat.expand("*:Get*")
    assert {"s3:GetObject", "iam:GetRole", "lambda:GetFunction"} <= {a.key for a in found}
    assert len({a.service for a in found}) > 100
    assert all(a.name.lower().startswith("get") for a in found)
    # case-insensitive: API Gateway's HTTP-verb actions are spelled in capitals
    assert "apigateway:GET" in {a.key for a in found}


def test_question_mark_is_exactly_one_character(cat):
    # S3 has GetObject and no other action that differs from it in the first letter only
    assert [a.key for a in cat.expand("s3:?etObject")] == ["s3:GetObject"]
    assert cat.expand("s3:??etObject") == []
    assert cat.expand("s3:etObject") == []


@pytest.mark.parametrize("pattern", ["S3:GETOBJECT", "s3:getobject", "S3:?ETOBJECT", " s3:GetObject "])
def test_matching_is_case_insensitive_and_trims(cat, pattern):
    assert [a.key for a in cat.expand(pattern)] == ["s3:GetObject"]


def test_canonical_casing_comes_from_the_catalog(cat):
    assert cat.action("IAM:passrole").key == "iam:PassRole"


@pytest.mark.parametrize("pattern", ["nosuchservice:*", "s3:NoSuchAction", "s3", "", "s3:Get Object"])
def test_patterns_matching_nothing_expand_to_empty(cat, pattern):
    assert cat.expand(pattern) == []


def test_not_action_is_the_complement(cat):
    everything = {a.key for a in cat.all_actions()}
    s3 = {a.key for a in cat.expand("s3:*")}
    rest = cat.expand_many(["s3:*"], not_action=True)
    keys = [a.key for a in rest]
    assert set(keys) == everything - s3
    assert "iam:PassRole" in keys and "s3:GetObject" not in keys
    assert keys == sorted(keys, key=str.lower)


def test_not_action_with_several_patterns_and_overlap(cat):
    pats = ["s3:Get*", "s3:GetObject", "IAM:*"]
    rest = {a.key for a in cat.expand_many(pats, not_action=True)}
    removed = _brute(cat, "s3:Get*") | _brute(cat, "iam:*")
    assert rest == {a.key for a in cat.all_actions()} - removed


def test_expand_many_is_a_sorted_union_without_duplicates(cat):
    got = [a.key for a in cat.expand_many(["s3:GetObject", "s3:Get*", "iam:PassRole", "nosuch:*"])]
    assert set(got) == _brute(cat, "s3:Get*") | {"iam:PassRole"}
    assert len(got) == len(set(got))
    assert got == sorted(got, key=str.lower)


def test_results_are_copies_so_callers_cannot_corrupt_the_cache(cat):
    first = cat.expand("s3:Get*")
    first.clear()
    assert cat.expand("s3:Get*")
    many = cat.expand_many(["s3:*"], not_action=True)
    many.pop()
    assert len(cat.expand_many(["s3:*"], not_action=True)) == len(many) + 1


def test_compiled_patterns_are_cached(cat):
    assert compile_action_pattern("Describe*") is compile_action_pattern("Describe*")


@pytest.mark.parametrize(
    ("pattern", "valid"),
    [("s3:GetObject", True), ("*", True), ("*:Get*", True), ("vpc-lattice:AssociateViaAWSService-EventsAndStates", True),
     ("s3", False), ("s3:Get Object", False), ("s3:Get:Object", False), (":GetObject", False), ("s3:", False)],
)
def test_pattern_shape_check(pattern, valid):
    assert is_action_pattern_valid(pattern) is valid


def test_every_catalog_action_name_passes_the_shape_check(cat):
    assert all(is_action_pattern_valid(a.key) for a in cat.all_actions())
