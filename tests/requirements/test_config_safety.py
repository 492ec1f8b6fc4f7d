"""`generate` refuses an unsafe or incoherent deployment config with one line and exit 2,
instead of silently widening ARNs or writing a policy for the wrong account or partition."""

from __future__ import annotations

import pytest

from requirements_support import run_cli

BASE = 'regions: [ap-southeast-2]\nvariables: {prefix: acme}\n'
BILLING = 'profiles: {billing: {account: "222222222222"}}\n'


@pytest.mark.parametrize(("text", "needle"), [
    # `{region}` would become `*`: every region, never what a listed config means
    ("regions: []\n", "`regions` is empty"),
    # a wildcard in a value reaches the ARNs (arn:aws:s3:::edge*-logs)
    ('variables: {prefix: "edge*"}\n', "variable `prefix` is `edge*`"),
    ('variables: {prefix: "ed?e"}\n', "wildcard"),
    # IAM identifiers allow no spaces in names (IAM User Guide, "IAM identifiers")
    ('profiles: {billing: {account: "222222222222", principal: "arn:aws:iam::222222222222:role/My Role"}}\n',
     "not a valid IAM role"),
    ('profiles: {billing: {account: "222222222222", principal: "arn:aws:iam::222222222222:role/*"}}\n',
     "not a valid IAM role"),
    # a principal lives in one account: the profile's
    ('profiles: {billing: {account: "222222222222", principal: "arn:aws:iam::333333333333:role/R"}}\n',
     "is in account 333333333333, but the profile's account is 222222222222"),
    # regions belong to one partition (AWS General Reference, "Regions and endpoints")
    ("partition: aws-cn\nregions: [ap-southeast-2]\n", "belongs to partition `aws`"),
    ("partition: aws\nregions: [cn-north-1]\n", "belongs to partition `aws-cn`"),
    ("partition: aws-us-gov\nregions: [us-east-1]\n", "belongs to partition `aws`"),
    ('partition: aws-cn\nregions: [cn-north-1]\nprofiles: {billing: {account: "222222222222", '
     'principal: "arn:aws:iam::222222222222:role/R"}}\n', "is in partition `aws`"),
])
def test_unsafe_config_is_one_line_exit_2(tmp_path, text, needle):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(text)
    code, out, err = run_cli("generate", "runbooks", "--config", str(cfg))
    assert code == 2, out
    assert out == ""
    assert err.count("\n") == 1 and needle in err and "c.yaml" in err


@pytest.mark.parametrize("text", [
    BASE + BILLING,
    "partition: aws-cn\nregions: [cn-north-1, cn-northwest-1]\nvariables: {prefix: acme}\n" + BILLING,
    "partition: aws-us-gov\nregions: [us-gov-west-1]\nvariables: {prefix: acme}\n" + BILLING,
    BASE + 'profiles: {billing: {account: "222222222222", principal: "arn:aws:sts::222222222222:assumed-role/Billing/alice@example.com"}}\n',
    BASE + 'profiles: {billing: {account: "222222222222", principal: "arn:aws:iam::222222222222:role/path/to/R+x=y,z.w@v_u-t"}}\n',
])
def test_coherent_configs_still_pass(tmp_path, text):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(text)
    code, _, err = run_cli("generate", "runbooks", "--config", str(cfg), "--profile", "billing")
    assert code == 0, err
