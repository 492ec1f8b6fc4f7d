"""The sec-provisioner manifest against its seed (five permission groups, MFA production variant).

AWS rules encoded: IAM User Guide, "AWS global condition context keys" - aws:MultiFactorAuthPresent
is true only when the session was authenticated with MFA, so an Allow conditioned on
`Bool aws:MultiFactorAuthPresent true` gives nothing to a session without MFA; and
CloudFormation's "Actions, resources, and condition keys": ExecuteChangeSet changes a stack just as
UpdateStack does.
"""

from __future__ import annotations

import re

import pytest

from _md_helpers import command, expanded, load_yaml, manifest_actions, quoted_actions, seed_text

SEED = "sec-provisioner-iam-permissions"
STACK_CHANGING = {"cloudformation:createstack", "cloudformation:updatestack", "cloudformation:deletestack",
                  "cloudformation:executechangeset"}
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


@pytest.fixture(scope="module")
def sp() -> dict:
    return load_yaml("sec-provisioner")


def _groups(text: str) -> dict[str, tuple[list[str], list[str]]]:
    """Each `"Sid": ...` block of the seed: its actions and resource ARNs."""
    out = {}
    for m in re.finditer(r'"Sid": "(\w+)",(.*?)\n}', text, re.S):
        body = m.group(2)
        actions = re.findall(r'"([a-z0-9-]+:[A-Za-z]+)"', body.split('"Resource"')[0])
        resources = re.findall(r'"(arn:[^"]+)"', body)
        out[m.group(1)] = (actions, resources)
    return out


def _template(seed_arn: str) -> str:
    """The seed's `<placeholder>` ARN written with the manifest's `{variables}`."""
    return re.sub(r"<([a-z]+)>", r"{\1}", seed_arn).replace("arn:aws:", "arn:{partition}:")


def test_seed_has_five_permission_groups():
    groups = _groups(seed_text(SEED))
    assert sorted(groups) == sorted(["IAMManagement", "CloudFormationManagement", "S3TemplateAccess", "S3BucketList",
                                     "SSMParameterManagement"])
    assert sum(len(a) for a, _ in groups.values()) == 55


@pytest.mark.parametrize("cid", ["deploy.deploy", "deploy.test-deploy"])
def test_full_deployments_carry_all_five_groups(sp, cid):
    present = manifest_actions(sp, cid)
    for sid, (actions, _) in _groups(seed_text(SEED)).items():
        assert set(actions) <= present, (sid, set(actions) - present)


def test_group_resources_keep_the_seed_naming_scope(sp):
    templates = {t for c in sp["commands"] for p in c["permissions"] for t in p.get("resources") or []}
    for sid, (_, resources) in _groups(seed_text(SEED)).items():
        for arn in resources:
            assert _template(arn) in templates, (sid, arn)


def test_every_seed_action_is_in_the_manifest(sp):
    present = manifest_actions(sp)
    assert set(quoted_actions(seed_text(SEED))) <= present


def test_production_variant_requires_mfa_for_every_stack_change(sp):
    prod = command(sp, "deploy.deploy-prod")
    changing_perms = [p for p in prod["permissions"] if expanded(p["actions"]) & STACK_CHANGING]
    assert changing_perms, "the production variant changes stacks"
    for perm in changing_perms:
        assert perm.get("conditions") == MFA, perm["actions"]
        assert all("-prod-" in r for r in perm["resources"])
    covered = set().union(*(expanded(p["actions"]) for p in changing_perms))
    assert STACK_CHANGING <= covered, "ExecuteChangeSet must not bypass the MFA requirement"


def test_mfa_example_of_the_seed_is_covered(sp):
    text = seed_text(SEED)
    block = text[text.index("Production with MFA Requirement"):text.index("Security Best Practices")]
    assert "aws:MultiFactorAuthPresent" in block
    seed_mfa_actions = {a.lower() for a in quoted_actions(block)}
    assert seed_mfa_actions and seed_mfa_actions <= STACK_CHANGING


def test_non_prod_commands_carry_no_mfa_condition(sp):
    for c in sp["commands"]:
        if c["id"] != "deploy.deploy-prod":
            assert not any(p.get("conditions") for p in c["permissions"]), c["id"]


def test_read_commands_only_read_and_delete_uses_no_s3(sp):
    assert {c["id"] for c in sp["commands"] if c["access"] == "read"} == {"read.validate", "read.detect-drift"}
    # the seed's summary marks S3 ("*S3 required only for medium/enterprise tiers") on the first
    # two deployment actions only
    assert not any(a.startswith("s3:") for a in manifest_actions(sp, "deploy.delete"))


def test_local_actions_are_documented(sp):
    assert any("local" in n.lower() and "export-iam-policy" in n for n in sp["notes"])
