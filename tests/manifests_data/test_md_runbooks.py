"""The runbooks manifest against its two seeds (CLI permission matrix, four-profile contract)."""

from __future__ import annotations

import re

import pytest

from _md_helpers import (
    command,
    corrected_away,
    expanded,
    load_yaml,
    manifest_actions,
    quoted_actions,
    rename_map,
    seed_text,
)
from permwise.catalog import get_catalog

MATRIX_SEED = "runbooks-cli-permission-requirements"
CONTRACT_SEED = "runbooks-four-profile-contract"

#: Rows of the seed's permission matrix and the command ids (and profiles) they became. Where a
#: row needs two profiles it became two commands (see the manifest's notes).
MATRIX = {
    "inventory collect": {"inventory.collect": "workload"},
    "inventory resource-explorer": {"inventory.resource-explorer": "workload"},
    "inventory vpc": {"inventory.vpc": "workload"},
    "finops dashboard": {"finops.dashboard": "billing"},
    "finops optimize": {"finops.optimize": "workload", "finops.optimize-billing": "billing"},
    "security assess": {"security.assess": "workload"},
    "security baseline": {"security.baseline": "workload"},
    "security deploy-guardduty": {"security.deploy-guardduty": "management"},
    "cert inventory": {"cert.inventory": "workload"},
    "cfat assess": {"cfat.assess": "workload", "cfat.assess-organization": "management"},
    "validation benchmark": {"validation.benchmark": "workload", "validation.benchmark-costs": "billing"},
    "operate ec2 start|stop": {"operate.ec2-start": "workload", "operate.ec2-stop": "workload"},
    "operate s3 create-bucket": {"operate.s3-create-bucket": "workload"},
    "operate vpc create-vpc": {"operate.vpc-create-vpc": "workload"},
    "remediation remediate-findings": {"remediation.remediate-findings": "management"},
    # named in section 2's command list only
    "finops scenario": {"finops.scenario": "billing"},
}

#: The contract's "Example Commands" per profile env var, and the group each became.
CONTRACT = {
    "AWS_MANAGEMENT_PROFILE": ["inventory.list-enabled-services", "inventory.list-delegated-administrators",
                               "inventory.list-org-policies", "inventory.list-org-accounts"],
    "AWS_OPERATIONS_PROFILE": ["inventory.list-resource-groups", "inventory.vpc-flow-logs", "inventory.vpc-security-groups"],
    "AWS_BILLING_PROFILE": ["finops.enrich-costs", "finops.validate-costs"],
    "AWS_PROFILE": ["inventory.resource-explorer", "inventory.enrich-ec2", "inventory.discover-rds"],
}

#: The contract's "APIs Authorised" per profile env var (billing:View* corrected, see corrections).
AUTHORISED = {
    "AWS_MANAGEMENT_PROFILE": ["organizations:List*", "organizations:Describe*", "organizations:ListPolicies*"],
    "AWS_OPERATIONS_PROFILE": ["resource-groups:List*", "tag:GetResources", "ec2:Describe*"],
    "AWS_BILLING_PROFILE": ["ce:GetCostAndUsage", "budgets:ViewBudget", "billing:View*"],
    "AWS_PROFILE": ["ec2:Describe*", "rds:Describe*", "s3:List*", "lambda:List*"],
}

#: What the matrix row adds for resource-explorer beyond the contract's workload APIs:
#: Resource Explorer 2, the tagging API's GetResources, and Organizations.
RESOURCE_EXPLORER_EXTRA = ["resource-explorer-2:*", "tag:GetResources", "organizations:DescribeOrganization"]


@pytest.fixture(scope="module")
def rb() -> dict:
    return load_yaml("runbooks")


def test_profiles_env_vars_and_account_kinds(rb):
    """Four-profile contract: each profile is one env var and one kind of account."""
    expected = {
        "management": ("AWS_MANAGEMENT_PROFILE", "management"),
        "billing": ("AWS_BILLING_PROFILE", "billing"),
        "operations": ("AWS_OPERATIONS_PROFILE", "member"),
        "workload": ("AWS_PROFILE", "member"),
    }
    got = {k: (v["env_var"], v["account_kind"]) for k, v in rb["profiles"].items()}
    assert got == expected
    text = seed_text(CONTRACT_SEED)
    for env, _ in expected.values():
        assert f"${env}" in text


@pytest.mark.parametrize("row", sorted(MATRIX))
def test_every_matrix_command_is_present_with_its_profile(rb, row):
    seed = seed_text(MATRIX_SEED)
    assert row in seed, f"`{row}` is not a command of the seed (test data typo)"
    for cid, profile in MATRIX[row].items():
        assert command(rb, cid)["profile"] == profile


@pytest.mark.parametrize("env", sorted(CONTRACT))
def test_every_contract_command_routes_to_its_profile(rb, env):
    profile = next(k for k, v in rb["profiles"].items() if v["env_var"] == env)
    text = seed_text(CONTRACT_SEED)
    for cid in CONTRACT[env]:
        # the contract spells "vpc flow-logs" with a space; ids use a hyphen
        spoken = cid.split(".", 1)[1].replace("vpc-", "vpc ")
        assert spoken in text, spoken
        assert command(rb, cid)["profile"] == profile, cid


@pytest.mark.parametrize("env", sorted(CONTRACT))
def test_contract_commands_stay_within_the_apis_authorised_to_their_profile(rb, env):
    """The contract's rule: a command only calls the APIs its profile is authorised for."""
    renames = rename_map(rb)
    allowed = expanded(renames.get(p, p) for p in AUTHORISED[env])
    for cid in CONTRACT[env]:
        extra = expanded(RESOURCE_EXPLORER_EXTRA) if cid == "inventory.resource-explorer" else set()
        needed = expanded(manifest_actions(rb, cid))
        assert needed <= allowed | extra, (cid, sorted(needed - allowed - extra))


def test_every_seed_policy_action_is_kept_or_corrected(rb):
    """Each action of the seed's JSON policies is in the manifest, or a correction names it."""
    renames = rename_map(rb)
    present = {a.lower() for a in manifest_actions(rb)}
    away = {a.lower() for a in corrected_away(rb)}
    missing = []
    for action in quoted_actions(seed_text(MATRIX_SEED)):
        now = renames.get(action, action).lower()
        if now not in present and action.lower() not in away:
            missing.append(action)
    assert not missing


def test_matrix_named_apis_are_kept_or_corrected(rb):
    """The matrix names a few APIs inline (`S3 (s3:CreateBucket, s3:PutEncryption, ...)`)."""
    text = seed_text(MATRIX_SEED)
    matrix = text[text.index("Quick Reference: Permission Matrix"):text.index("Detailed Permission Requirements")]
    named = sorted(set(re.findall(r"\b([a-z0-9-]+:[A-Z][A-Za-z]+)\b", matrix)))
    assert "s3:PutEncryption" in named and "resource:GetResources" in named
    renames = rename_map(rb)
    present = {a.lower() for a in manifest_actions(rb)}
    assert [a for a in named if renames.get(a, a).lower() not in present] == []


def test_demo_story_facts(rb):
    bench = manifest_actions(rb, "validation.benchmark")
    assert {"guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:GetFindings"} <= bench
    assert command(rb, "security.deploy-guardduty")["profile"] == "management"
    billing_finops = set().union(*(manifest_actions(rb, c["id"]) for c in rb["commands"]
                                   if c["group"] == "finops" and c["profile"] == "billing"))
    assert {"ce:GetCostAndUsage", "ce:GetCostForecast"} <= billing_finops
    assert {"ce:GetCostAndUsage", "ce:GetCostForecast"} <= manifest_actions(rb, "finops.dashboard")


def test_seed_guardduty_wildcards_miss_the_delegated_admin_call(rb):
    """Why the GuardDuty policy was rewritten: the seed's four wildcards do not contain
    EnableOrganizationAdminAccount (GuardDuty API: designates the delegated administrator)."""
    seed = expanded(["guardduty:Create*", "guardduty:Update*", "guardduty:List*", "guardduty:Describe*"])
    assert "guardduty:enableorganizationadminaccount" not in seed
    needed = expanded(manifest_actions(rb, "security.deploy-guardduty"))
    assert "guardduty:enableorganizationadminaccount" in needed
    assert len(needed & {a for a in seed if a.startswith("guardduty:")}) < len(seed), "narrower than the seed"


def test_tag_conditioned_ec2_statements_only_hold_instance_actions(rb):
    """EC2 list actions (DescribeInstances...) take no resource ARN and no resource tag, so they
    must not sit in the statement scoped to instances with ec2:ResourceTag (section 7 fix)."""
    cat = get_catalog()
    for cid in ("operate.ec2-start", "operate.ec2-stop"):
        for perm in command(rb, cid)["permissions"]:
            if perm.get("conditions"):
                for a in perm["actions"]:
                    assert any(r.name == "instance" for r in cat.action(a).resources), (cid, a)
                assert perm["resources"] == ["arn:{partition}:ec2:{region}:{account}:instance/*"]


def test_write_commands_are_the_seed_write_groups(rb):
    writes = {c["id"] for c in rb["commands"] if c["access"] == "write"}
    assert {"security.baseline", "security.deploy-guardduty", "operate.ec2-start", "operate.ec2-stop",
            "operate.s3-create-bucket", "operate.vpc-create-vpc", "remediation.remediate-findings"} <= writes
    assert all(c["group"] not in ("inventory", "cert", "cfat", "validation") for c in rb["commands"] if c["id"] in writes)


def test_scp_risk_levels_follow_the_matrix(rb):
    level = {c["id"]: c["scp_risk"]["level"] for c in rb["commands"]}
    assert level["security.deploy-guardduty"] == "high"
    assert level["validation.benchmark"] == "high"
    assert level["remediation.remediate-findings"] == "high"
    assert level["security.baseline"] == "medium"
    assert level["inventory.collect"] == "low" and level["finops.dashboard"] == "low"
