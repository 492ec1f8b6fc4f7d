"""collect -> load_snapshot -> engine (and -> `permwise check` / `permwise audit` once they exist):
the collected snapshot is read by the environment layer and decides like AWS would."""

from __future__ import annotations

import importlib.util
import json

import pytest
from aws_support import run_cli

env_mod = pytest.importorskip("permwise.environment", reason="permwise.environment (load_snapshot) is not written yet")
engine = pytest.importorskip("permwise.engine", reason="permwise.engine is not written yet")


@pytest.fixture(scope="module")
def env(snapshot):
    loaded = env_mod.load_snapshot(str(snapshot[0].out))
    return loaded


def _decide(env, principal, action, resource, resource_account=None):
    ps = env.policy_set(principal, resource_arn=resource, resource_account=resource_account)
    # the principal's own context keys (aws:PrincipalOrgID, aws:PrincipalAccount...) as the
    # environment derives them from the snapshot; the RCP DenyExternalS3 relies on them
    context = env.request_context(principal)
    return engine.evaluate(ps, engine.Request(principal=principal, action=action, resource=resource,
                                              resource_account=resource_account, context=context)).decision


def test_snapshot_loads_without_problems(env, world):
    assert env.management_account_id == world.org.management
    assert set(env.accounts) == {world.org.management, *world.org.accounts.values()}
    assert env.principal(world.org.role_arns["prod-app"]) is not None
    assert env.problems == []


def test_identity_policy_from_attached_customer_managed_policy(env, world):
    """IAM policy evaluation logic: an identity-based allow with no deny anywhere is allowed;
    an action no policy allows is an implicit deny."""
    app = world.org.role_arns["prod-app"]
    obj = f"arn:aws:s3:::{world.org.bucket}/report.csv"
    prod = world.org.accounts["prod"]
    assert _decide(env, app, "s3:GetObject", obj, prod) == "allowed"
    assert _decide(env, app, "s3:PutObject", obj, prod) == "implicitDeny"


def test_rcp_denies_principals_outside_the_organization(env, world):
    """Resource control policies: an RCP deny applies to requests for the account's resources,
    whatever grants them; without the organization id in the request the condition
    StringNotEqualsIfExists matches and the RCP denies."""
    if not world.org.rcps:
        pytest.skip("the emulator did not accept the RCP")
    app = world.org.role_arns["prod-app"]
    obj = f"arn:aws:s3:::{world.org.bucket}/report.csv"
    prod = world.org.accounts["prod"]
    ps = env.policy_set(app, resource_arn=obj, resource_account=prod)
    outsider = engine.Request(principal=app, action="s3:GetObject", resource=obj, resource_account=prod, context={})
    assert engine.evaluate(ps, outsider).decision == "explicitDeny"


def test_scps_on_the_account_and_on_an_inherited_ou_deny(env, world):
    """Service control policies: a Deny in an SCP attached to the account, or to any OU above it,
    denies even an identity that allows everything."""
    admin = world.org.role_arns["prod-admin"]
    prod = world.org.accounts["prod"]
    assert _decide(env, admin, "s3:DeleteBucket", f"arn:aws:s3:::{world.org.bucket}", prod) == "explicitDeny"
    trail = f"arn:aws:cloudtrail:us-east-1:{prod}:trail/org"
    assert _decide(env, admin, "cloudtrail:StopLogging", trail, prod) == "explicitDeny"
    assert _decide(env, admin, "cloudtrail:DescribeTrails", "*", prod) == "allowed"


def test_management_account_is_not_restricted_by_scps(env, world):
    """Service control policies: SCPs do not affect users or roles in the management account."""
    bg = world.org.role_arns["breakglass"]
    trail = f"arn:aws:cloudtrail:us-east-1:{world.org.management}:trail/org"
    assert _decide(env, bg, "cloudtrail:StopLogging", trail, world.org.management) == "allowed"


def test_resource_policy_was_collected_into_the_environment(env, world):
    arn = f"arn:aws:s3:::{world.org.bucket}"
    assert arn in env.resource_policies


def _cli_exists(verb: str) -> bool:
    return importlib.util.find_spec(f"permwise.cli.{verb}") is not None


@pytest.mark.skipif(not _cli_exists("audit"), reason="`permwise audit` (permwise.cli.audit) is not written yet")
def test_cli_audit_runs_on_the_collected_snapshot(snapshot, world, capsys):
    """Guardrail IAM-CLOUDTRAIL-1 (only break-glass may stop CloudTrail): alice (admin through her
    group) is flagged; the prod admin role is not, because the collected SCP ProtectCloudTrail
    on the Workloads OU denies it (Service control policies: inherited OU SCPs apply)."""
    r = run_cli(["audit", "--env", str(snapshot[0].out), "--format", "json"], capsys)
    assert r.code in (0, 1), r.err
    findings = json.loads(r.out)["findings"]
    trail = {f["subject"] for f in findings if f["rule"] == "IAM-CLOUDTRAIL-1"}
    assert f"arn:aws:iam::{world.org.management}:user/alice" in trail
    assert world.org.role_arns["prod-admin"] not in trail


@pytest.mark.skipif(not _cli_exists("check"), reason="`permwise check` (permwise.cli.check) is not written yet")
def test_cli_check_permwise_manifest_on_the_collected_snapshot(snapshot, world, tmp_path, capsys):
    """permwise's own manifest checked against the organization it collected: the admin roles can
    run collect; the app role (only s3 reads) cannot run preflight's organization reads, only
    sts:GetCallerIdentity, which needs no permission (AWS STS API Reference, GetCallerIdentity)."""
    cfg = tmp_path / "deploy.yaml"
    cfg.write_text(
        "profiles:\n"
        f"  management: {{account: \"{world.org.management}\", principal: \"{world.org.role_arns['breakglass']}\"}}\n"
        f"  member: {{account: \"{world.org.accounts['prod']}\", principal: \"{world.org.role_arns['prod-admin']}\"}}\n"
        f"  checked: {{account: \"{world.org.accounts['prod']}\", principal: \"{world.org.role_arns['prod-app']}\"}}\n"
    )
    r = run_cli(["check", "permwise", "--config", str(cfg), "--env", str(snapshot[0].out), "--no-excess", "--format", "json"], capsys)
    assert r.code in (0, 1), r.err
    status = {c["id"]: c["status"] for c in json.loads(r.out)["commands"]}
    assert status == {"collect.account": "ready", "collect.caller-account": "ready", "collect.organization": "ready",
                      "preflight.identity": "partial", "preflight.organization": "ready"}
