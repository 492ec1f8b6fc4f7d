"""'Did you mean' for action names and patterns that match nothing.

The cases are the typos named in the source documents and the guardrail data
(`/work/shared/seeds`, `/work/shared/reference`): `computeoptimizer:Get*` (the AWS Compute
Optimizer prefix is `compute-optimizer` per the Service Authorization Reference),
`s3:PutEncryption` (the S3 API action is PutBucketEncryption, authorized by
`s3:PutEncryptionConfiguration`), `ec2:ModifyVpcPeeringConnectionOptionsconnection` (a fused
word), condition keys listed as actions (`s3:DataAccessPointAccount`), and
`ec2:InstanceSecurityGroup`, which resembles no EC2 action closely enough to guess.
"""

from __future__ import annotations

import pytest

from permwise.catalog import get_catalog, suggest_name
from permwise.catalog.suggest import edit_distance


@pytest.fixture(scope="module")
def cat():
    return get_catalog()


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("computeoptimizer:Get*", "compute-optimizer:Get*"),
        ("s3:PutEncryption", "s3:PutEncryptionConfiguration"),
        ("ec2:ModifyVpcPeeringConnectionOptionsconnection", "ec2:ModifyVpcPeeringConnectionOptions"),
        ("s3:GetObjct", "s3:GetObject"),
        ("ec2:DescibeInstances", "ec2:DescribeInstances"),
        ("lamda:InvokeFunction", "lambda:InvokeFunction"),
        ("lamda:InvokeFuncton", "lambda:InvokeFunction"),  # both halves misspelled
        ("cloudtrial:StopLogging", "cloudtrail:StopLogging"),
    ],
)
def test_suggestions_for_known_typos(cat, name, suggestion):
    assert cat.suggest_action(name) == suggestion
    assert cat.expand(suggestion)  # every suggestion is real


@pytest.mark.parametrize(
    "name",
    [
        "ec2:InstanceSecurityGroup",  # no EC2 action is a plausible typo of it
        "s3:DataAccessPointAccount",  # a condition key, not a misspelled action
        "ram:AllowsExternalPrincipals",
        "zzzz:Get*",  # nothing like this prefix
        "s3:Nope*",  # a wildcard pattern matching nothing has no single fix
        "s3:GetObject",  # already valid
        "s3:*",
        "not-an-action",
    ],
)
def test_no_suggestion_when_nothing_is_close_or_nothing_is_wrong(cat, name):
    assert cat.suggest_action(name) is None


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("computeoptimizer:Get*", "unknown service prefix `computeoptimizer`"),
        ("computeoptimizer:Get*", "did you mean `compute-optimizer:Get*`?"),
        ("s3:PutEncryption", "unknown action `s3:PutEncryption`; did you mean `s3:PutEncryptionConfiguration`?"),
        ("s3:AccessPointNetworkOrigin", "is a condition key (String), not an action"),
        ("s3:Foo*", "`s3:Foo*` matches no action of service `s3`"),
        ("*:Zzzz*", "matches no action of any service"),
        ("s3", "`s3` is not an action pattern"),
    ],
)
def test_diagnosis_messages(cat, pattern, fragment):
    msg = cat.diagnose_action(pattern)
    assert msg is not None and fragment in msg
    assert msg[0].islower() or msg[0] == "`"
    assert not msg.endswith(".")


def test_diagnosis_can_leave_the_suggestion_to_the_caller(cat):
    assert cat.diagnose_action("s3:PutEncryption", with_suggestion=False) == "unknown action `s3:PutEncryption`"


@pytest.mark.parametrize("pattern", ["s3:GetObject", "*", "ec2:Describe*", "S3:getobject"])
def test_no_diagnosis_for_patterns_that_match(cat, pattern):
    assert cat.diagnose_action(pattern) is None


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [("kitten", "sitting", 3), ("GetObject", "getobject", 0), ("ab", "ba", 1), ("", "abc", 3), ("abc", "abc", 0)],
)
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d


def test_edit_distance_stops_early_past_the_limit():
    assert edit_distance("a" * 30, "b" * 30, limit=2) == 3


def test_suggest_name_is_deterministic_on_ties():
    # both are one edit from "ab": the shorter, then alphabetical, wins
    assert suggest_name("ab", ["ac", "abc", "bb"]) == "ac"
    assert suggest_name("xyzzy", ["alpha", "beta"]) is None
