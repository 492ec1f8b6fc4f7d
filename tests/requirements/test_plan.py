"""The requirement plan: concrete requests per command (the contract `check` builds on)."""

from __future__ import annotations

from pathlib import Path

from requirements_support import MINI, MINI_CONFIG, ROOT
from permwise.catalog import get_catalog
from permwise.requirements import load_config, load_manifest, plan, satisfying_context

M = load_manifest(str(MINI))
CFG = load_config(str(MINI_CONFIG))


def _plan(cmd):
    return next(cp for cp in plan(M, CFG) if cp.command.id == cmd)


def test_sorted_and_selected():
    ids = [cp.command.id for cp in plan(M, CFG)]
    assert ids == sorted(c.id for c in M.commands)
    assert [cp.command.id for cp in plan(M, CFG, commands=["operate"])] == ["operate.ec2-start", "operate.s3-create-bucket"]
    assert {cp.profile for cp in plan(M, CFG, profiles=["management"])} == {"management"}


def test_templates_filled_over_regions_with_conditions():
    cp = _plan("operate.ec2-start")
    assert cp.account == "222222222222" and cp.principal.endswith(":role/MiniWorkload")
    res = sorted({r.resource for r in cp.requests})
    assert res == [f"arn:aws:ec2:{reg}:222222222222:instance/*" for reg in sorted(CFG.regions)]
    assert all(r.conditions == {"StringEquals": {"ec2:ResourceTag/Environment": "prod"}} for r in cp.requests)
    assert {r.action for r in cp.requests} == {"ec2:StartInstances", "ec2:StopInstances"}


def test_wildcard_only_on_star_and_derived_arns():
    """Service Authorization Reference: ec2:DescribeInstances and s3:ListAllMyBuckets have no
    resource types (only "*"); s3:GetBucketVersioning acts on a bucket,
    `arn:${Partition}:s3:::${BucketName}`, derived with `*` for the name."""
    cp = _plan("inventory.collect")
    by_action = {}
    for r in cp.requests:
        by_action.setdefault(r.action, set()).add(r.resource)
    assert by_action["ec2:DescribeInstances"] == {"*"}
    assert by_action["s3:ListAllMyBuckets"] == {"*"}
    assert by_action["s3:GetBucketVersioning"] == {"arn:aws:s3:::*"}


def test_pattern_expansion_is_the_requirement():
    cp = _plan("org.describe")
    cat = get_catalog()
    expected = {a.key for p in ("organizations:Describe*", "guardduty:List*") for a in cat.expand(p)}
    assert {r.action for r in cp.requests} == expected
    assert all(r.source_pattern in ("organizations:Describe*", "guardduty:List*") for r in cp.requests)


def test_without_config_account_and_region_are_star():
    cp = next(cp for cp in plan(M, None) if cp.command.id == "operate.ec2-start")
    assert cp.account is None
    assert {r.resource for r in cp.requests} == {"arn:aws:ec2:*:*:instance/*"}


def test_satisfying_context():
    """IAM condition operators: negated operators and Null:true hold when the key is absent."""
    ctx = satisfying_context({"StringEquals": {"aws:RequestedRegion": ["ap-southeast-2", "us-east-1"]},
                              "StringNotEquals": {"aws:PrincipalTag/x": "y"},
                              "StringLike": {"s3:prefix": "home/*"}, "Bool": {"aws:SecureTransport": True},
                              "NumericLessThan": {"s3:max-keys": "10"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})
    assert ctx == {"aws:RequestedRegion": "ap-southeast-2", "s3:prefix": "home/x", "aws:SecureTransport": "true",
                   "s3:max-keys": "9", "aws:SourceIp": "10.0.0.0"}


def test_every_bundled_manifest_plans_with_its_sample_config():
    from permwise.requirements import bundled_names

    for name in bundled_names():
        cfg = load_config(str(ROOT / "examples/config" / f"{name}.yaml"))
        plans = plan(load_manifest(name), cfg)
        assert plans and all(cp.requests for cp in plans)
        assert all(cp.account == cfg.profiles[cp.profile].account for cp in plans)
        assert Path(ROOT / "examples/config" / f"{name}.yaml").is_file()
