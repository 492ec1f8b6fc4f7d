"""`Catalog.resource_types_matching`: which of an action's resource types a policy Resource string
could match.

AWS rules: "IAM JSON policy elements: Resource" — `*` matches any run of characters and `?` one
character within the colon-delimited ARN segments, a `*` ending a segment may run past colons,
policy variables such as `${aws:username}` are replaced by request values; ARNs are
case-sensitive. Resource types and their ARN formats come from the Service Authorization
Reference (S3: bucket `arn:${Partition}:s3:::${BucketName}`, object
`arn:${Partition}:s3:::${BucketName}/${ObjectName}`; EC2 instance `...:instance/${InstanceId}`,
volume `...:volume/${VolumeId}`; IAM role `...:role/${RoleNameWithPath}`, user
`...:user/${UserNameWithPath}`). S3 User Guide, "General purpose bucket naming rules": a bucket name
has only lowercase letters, digits, dots and hyphens, so it never contains `/`.
"""

from __future__ import annotations

import pytest

from permwise.catalog import could_match, get_catalog

ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def cat():
    return get_catalog()


def _names(cat, action, resource):
    return [rt.name for rt in cat.resource_types_matching(action, resource)]


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        # s3:* on a bucket ARN vs an object ARN: which of s3:PutObjectAcl / s3:ListBucket fit
        ("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", ["bucket"]),
        ("s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket/*", []),
        ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/*", ["object"]),
        ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket", []),
        ("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/reports/2024/*.csv", ["object"]),
        ("s3:GetObject", "arn:aws:s3:::*/*", ["object"]),
        # access point objects have their own ARN form
        ("s3:GetObject", f"arn:aws:s3:us-east-1:{ACCOUNT}:accesspoint/ap1/object/key", ["accesspointobject"]),
        # EC2: an instance ARN fits the instance type, not the volume type
        ("ec2:AttachVolume", "arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0", ["instance"]),
        ("ec2:AttachVolume", "arn:aws:ec2:*:*:volume/*", ["volume"]),
        ("ec2:AttachVolume", "arn:aws:ec2:*:*:snapshot/*", []),
        # EC2 instances are regional: an empty region segment names none
        ("ec2:AttachVolume", f"arn:aws:ec2::{ACCOUNT}:instance/i-1", []),
        # IAM: role vs user, and IAM ARNs have no region
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app/*", ["role"]),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:user/alice", []),
        ("iam:PassRole", f"arn:aws:iam:us-east-1:{ACCOUNT}:role/app", []),
        ("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/alice", ["user"]),
        ("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:role/alice", []),
        # ARNs are case-sensitive
        ("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:USER/alice", []),
        # another service's ARN never fits
        ("s3:GetObject", f"arn:aws:iam::{ACCOUNT}:role/x", []),
        ("s3:GetObject", "not-an-arn", []),
    ],
)
def test_resource_string_fits_the_documented_types(cat, action, resource, expected):
    assert _names(cat, action, resource) == expected


def test_star_fits_every_type_of_the_action_in_reference_order(cat):
    action = cat.action("ec2:AttachVolume")
    assert _names(cat, action, "*") == [r.name for r in action.resources]
    assert set(_names(cat, action, "*")) == {"instance", "volume"}


def test_wildcard_only_action_matches_no_type(cat):
    assert cat.resource_types_matching("ec2:DescribeInstances", "*") == []
    assert cat.resource_types_matching("ec2:DescribeInstances", "arn:aws:ec2:*:*:instance/*") == []


def test_unknown_action_matches_no_type(cat):
    assert cat.resource_types_matching("s3:NoSuchAction", "*") == []


@pytest.mark.parametrize(
    ("resource", "types"),
    [
        # wildcards in the first segments
        ("arn:aws:s3:::*", {"bucket", "object"}),
        ("arn:*:s3:::amzn-s3-demo-bucket", {"bucket"}),
        ("arn:aws-cn:s3:::amzn-s3-demo-bucket/*", {"object"}),
        # a * ending a short ARN runs past the colons, so it covers every S3 type of the two
        # actions, access points included (arn:${Partition}:s3:${Region}:${Account}:accesspoint/
        # ...), which the empty region and account of "arn:aws:s3:::*" exclude
        ("arn:aws:s3:*", "ALL"),
        ("arn:aws:*", "ALL"),
        # ... but a short ARN without a trailing * names nothing
        ("arn:aws:s3", set()),
        # ? is exactly one character: b? can be a bucket name, never bucket/key
        ("arn:aws:s3:::b?", {"bucket"}),
        # a policy variable can be anything
        ("arn:aws:s3:::${aws:PrincipalTag/team}", {"bucket", "object"}),
        ("arn:aws:s3:::bucket/home/${aws:username}/*", {"object"}),
        # ${*} is a literal asterisk, not a wildcard: no "/" can appear
        ("arn:aws:s3:::b${*}", {"bucket"}),
    ],
)
def test_s3_bucket_and_object_patterns(cat, resource, types):
    if types == "ALL":
        types = {r.name for a in ("s3:PutObject", "s3:ListBucket") for r in cat.action(a).resources}
        assert {"accesspoint", "accesspointobject", "bucket", "object"} <= types
    got = {rt.name for rt in cat.resource_types_matching("s3:PutObject", resource)} | {
        rt.name for rt in cat.resource_types_matching("s3:ListBucket", resource)
    }
    assert got == types


@pytest.mark.parametrize(
    ("resource", "fits"),
    [
        (f"arn:aws:iam::{ACCOUNT}:role/x", True),
        ("arn:aws:iam::${aws:PrincipalAccount}:role/x", True),
        ("arn:aws:iam::*:role/*", True),
        (f"arn:aws:iam::{ACCOUNT}:role", False),
        (f"arn:aws:iam::{ACCOUNT}:role/", False),  # the role name cannot be empty
        (f"arn:aws:iam::{ACCOUNT}:rol?/x", True),
        (f"arn:aws:iam::{ACCOUNT}:policy/x", False),
    ],
)
def test_could_match_on_the_iam_role_pattern(resource, fits):
    assert could_match(resource, "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}") is fits


def test_log_group_names_may_contain_slashes():
    # CloudWatch Logs log group names contain "/" (/aws/lambda/fn): the last variable of a type
    # may hold any text, so a path-like pattern still fits the log-group type
    lg = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"
    stream = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"
    assert could_match("arn:aws:logs:*:*:log-group:/aws/lambda/*", lg)
    assert could_match("arn:aws:logs:*:*:log-group:/aws/lambda/*", stream)
    # the variable before ":log-stream:" cannot contain ":", so a group without one is no stream
    assert not could_match("arn:aws:logs:us-east-1:1:log-group:g", stream)
