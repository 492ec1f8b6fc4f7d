"""``permwise preflight`` against moto in server mode; profiles come from a temporary AWS config
file (role_arn + source_profile land each profile in its own emulated account)."""

from __future__ import annotations

import json
import time

import pytest
from aws_support import free_port, run_cli

from permwise.aws.preflight import preflight
from permwise.errors import InputError

FOUR = {"management": "mgmt", "operations": "ops", "billing": "billing", "workload": "prod"}


def _by_name(report):
    return {p.name: p for p in report.profiles}


def test_correct_mapping_passes(aws_env):
    """Four-profile contract: the management profile returns the organization's MasterAccountId;
    management, operations and billing return three different account ids."""
    report = preflight(FOUR, endpoint_url=aws_env.url)
    got = _by_name(report)
    org = aws_env.org
    assert {n: p.account for n, p in got.items()} == {
        "management": org.management, "operations": org.accounts["ops"],
        "billing": org.accounts["billing"], "workload": org.accounts["prod"],
    }
    assert {p.verdict for p in report.profiles} == {"OK"} and report.exit_code == 0
    assert report.management_account == org.management
    # organizations list-delegated-administrators from the management profile
    assert report.delegated_administrators == [org.accounts["security"]]


def test_two_profiles_on_the_same_account(aws_env):
    report = preflight({**FOUR, "billing": "ops"}, endpoint_url=aws_env.url)
    got = _by_name(report)
    assert got["operations"].verdict == got["billing"].verdict == "SHARED_ACCOUNT"
    assert "AWS_OPERATIONS_PROFILE" in got["billing"].fix and "AWS_BILLING_PROFILE" in got["operations"].fix
    assert got["management"].verdict == "OK" and report.exit_code == 1


def test_management_profile_on_a_member_account(aws_env):
    report = preflight({**FOUR, "management": "security"}, endpoint_url=aws_env.url)
    mgmt = _by_name(report)["management"]
    assert mgmt.verdict == "NOT_MANAGEMENT_ACCOUNT" and mgmt.status == "fail"
    assert mgmt.account == aws_env.org.accounts["security"]
    assert aws_env.org.management in mgmt.fix
    assert report.exit_code == 1


def test_management_profile_on_a_member_account_notes_the_silent_zero(aws_env):
    """runbooks four-profile contract, "Cross-Account Silent Zero": Organizations list calls from a
    non-management, non-delegated account can come back empty; preflight names it."""
    report = preflight({"management": "ops"}, endpoint_url=aws_env.url)
    mgmt = _by_name(report)["management"]
    assert mgmt.verdict == "NOT_MANAGEMENT_ACCOUNT"
    assert any(n.startswith("CROSS_ACCOUNT_SILENT_ZERO") for n in mgmt.notes)


def test_missing_profile(aws_env):
    report = preflight({**FOUR, "workload": "nosuch"}, endpoint_url=aws_env.url)
    wl = _by_name(report)["workload"]
    assert wl.verdict == "MISSING_PROFILE" and wl.status == "error"
    assert "[profile nosuch]" in wl.fix
    assert report.exit_code == 2


def test_unset_profiles_are_skipped_and_env_vars_are_read(aws_env, monkeypatch):
    monkeypatch.setenv("AWS_MANAGEMENT_PROFILE", "mgmt")
    report = preflight(endpoint_url=aws_env.url)
    got = _by_name(report)
    assert got["management"].verdict == "OK" and got["management"].aws_profile == "mgmt"
    assert {got[n].verdict for n in ("operations", "billing", "workload")} == {"NOT_SET"}
    assert report.exit_code == 0


def test_no_profile_at_all_is_bad_usage(aws_env):
    with pytest.raises(InputError, match="no profile to check"):
        preflight(endpoint_url=aws_env.url)


def test_outside_any_organization(aws_env):
    report = preflight({"management": "outsider"}, endpoint_url=aws_env.url)
    assert _by_name(report)["management"].verdict == "NO_ORGANIZATION" and report.exit_code == 1


# --- routing with a manifest ---------------------------------------------------------------------


def test_runbooks_routing_correct_mapping(aws_env):
    report = preflight(FOUR, manifest="runbooks", endpoint_url=aws_env.url)
    routes = {r.command: r for r in report.routes}
    assert routes["inventory.list-org-accounts"].verdict == "OK"
    assert routes["inventory.list-org-accounts"].account == aws_env.org.management
    # Cost Explorer from a member account only sees that account's costs (AWS Billing User
    # Guide, consolidated billing: the management account pays and sees every member's charges)
    assert routes["finops.enrich-costs"].verdict == "MEMBER_ACCOUNT_COSTS_ONLY"
    assert routes["finops.enrich-costs"].status == "warn"
    assert {r.status for r in report.routes} <= {"ok", "warn"} and report.exit_code == 0


def test_organizations_command_routed_to_a_member_is_a_silent_zero(aws_env, tmp_path):
    manifest = tmp_path / "tool.yaml"
    manifest.write_text(
        """manifest: 1
tool: {name: tool, version: "1"}
profiles:
  management: {description: management account, env_var: AWS_MANAGEMENT_PROFILE, account_kind: management}
  operations: {description: operations account, env_var: AWS_OPERATIONS_PROFILE, account_kind: member}
  workload: {description: a workload account, env_var: AWS_PROFILE, account_kind: member}
commands:
  - id: org.accounts
    name: org accounts
    group: org
    profile: operations
    access: read
    scp_risk: {level: low, reason: read only}
    permissions:
      - {actions: [organizations:ListAccounts], resources: ["*"], justification: list the accounts}
  - id: org.guardduty-admin
    name: org guardduty-admin
    group: org
    profile: workload
    access: read
    scp_risk: {level: low, reason: read only}
    permissions:
      - {actions: [organizations:ListAccounts], resources: ["*"], justification: list the accounts}
"""
    )
    report = preflight(
        {"management": "mgmt", "operations": "ops", "workload": "security"}, manifest=str(manifest), endpoint_url=aws_env.url
    )
    routes = {r.command: r for r in report.routes}
    assert routes["org.accounts"].verdict == "CROSS_ACCOUNT_SILENT_ZERO" and routes["org.accounts"].status == "fail"
    assert aws_env.org.management in routes["org.accounts"].fix
    # the security account is a delegated administrator: it can serve Organizations reads
    assert routes["org.guardduty-admin"].verdict == "OK"
    assert report.exit_code == 1


def test_unknown_profile_override_for_a_manifest(aws_env):
    with pytest.raises(InputError, match="profile `billing` is not declared by manifest `permwise`"):
        preflight({"billing": "billing"}, manifest="permwise", endpoint_url=aws_env.url)


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_json(aws_env, capsys):
    r = run_cli(["preflight", "--profile-management", "mgmt", "--profile-billing", "mgmt", "--format", "json"], capsys)
    assert r.code == 1
    data = json.loads(r.out)
    verdicts = {p["profile"]: p["verdict"] for p in data["profiles"]}
    assert verdicts == {"management": "SHARED_ACCOUNT", "operations": "NOT_SET", "billing": "SHARED_ACCOUNT", "workload": "NOT_SET"}
    assert data["exit_code"] == 1


def test_cli_text_with_env_vars(aws_env, capsys, monkeypatch):
    for var, prof in (("AWS_MANAGEMENT_PROFILE", "mgmt"), ("AWS_OPERATIONS_PROFILE", "ops"), ("AWS_BILLING_PROFILE", "billing"), ("AWS_PROFILE", "prod")):
        monkeypatch.setenv(var, prof)
    r = run_cli(["preflight"], capsys)
    assert r.code == 0, r.out + r.err
    assert "preflight passed" in r.out and aws_env.org.accounts["ops"] in r.out


@pytest.mark.parametrize(
    ("profile", "needle"),
    [
        ("nosuch", "profile `nosuch` is not in the AWS config files"),
        ("bad", "InvalidClientTokenId"),
        ("nocreds", "no valid credentials"),
    ],
    ids=["missing-profile", "bad-credentials", "no-credentials"],
)
def test_cli_one_line_per_unusable_profile(aws_env, capsys, profile, needle):
    r = run_cli(["preflight", "--profile-management", profile], capsys)
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("permwise: error: profile `") and needle in lines[0], r.err
    assert "hint: " in lines[0] and "Traceback" not in r.err


def test_cli_unreachable_endpoint(aws_env, capsys):
    started = time.monotonic()
    r = run_cli(["preflight", "--profile-management", "mgmt", "--endpoint-url", f"http://127.0.0.1:{free_port()}"], capsys)
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the endpoint" in lines[0]
    assert time.monotonic() - started < 30


def test_cli_no_profile_is_usage_error(aws_env, capsys):
    r = run_cli(["preflight"], capsys)
    assert r.code == 2 and r.err.startswith("permwise: error: no profile to check")


def test_cli_permwise_manifest(aws_env, capsys):
    r = run_cli(["preflight", "permwise", "--profile-management", "mgmt"], capsys)
    assert r.code == 0, r.out + r.err
    assert "collect.organization" in r.out


def test_workload_profile_on_the_management_account_is_a_warning(aws_env, capsys):
    """Four-profile contract: the management account is the hub with no workload resources, and
    SCPs never restrict it (AWS Organizations User Guide, SCPs); a workload profile there works
    but is routed wrong."""
    report = preflight({"management": "mgmt", "workload": "mgmt-again"}, endpoint_url=aws_env.url)
    wl = _by_name(report)["workload"]
    assert wl.verdict == "MEMBER_PROFILE_ON_MANAGEMENT_ACCOUNT" and wl.status == "warn"
    assert "AWS_PROFILE" in wl.fix and report.exit_code == 0
    r = run_cli(["preflight", "--profile-management", "mgmt", "--profile-workload", "mgmt-again"], capsys)
    assert r.code == 0 and "preflight passed with 1 warning\n" in r.out


def test_organizations_command_in_a_denied_member_account(aws_env, tmp_path):
    """AWS Organizations API reference: a member account that is not a delegated administrator
    gets AccessDeniedException from ListAccounts; the route is ORGANIZATIONS_NOT_SERVED."""
    from emulator import Fault

    manifest = tmp_path / "tool.yaml"
    manifest.write_text(
        """manifest: 1
tool: {name: tool, version: "1"}
profiles:
  management: {description: management account, env_var: AWS_MANAGEMENT_PROFILE, account_kind: management}
  operations: {description: operations account, env_var: AWS_OPERATIONS_PROFILE, account_kind: member}
commands:
  - id: org.policies
    name: org policies
    group: org
    profile: operations
    access: read
    scp_risk: {level: low, reason: read only}
    permissions:
      - {actions: [organizations:ListPolicies], resources: ["*"], justification: list the SCPs}
"""
    )
    ops = aws_env.org.accounts["ops"]
    deny = Fault("AccessDeniedException", "You don't have permissions to access this resource.", status=400,
                 account=ops, action="organizations:ListAccounts")
    with aws_env.emu.fault(deny):
        report = preflight({"management": "mgmt", "operations": "ops"}, manifest=str(manifest), endpoint_url=aws_env.url)
    route = report.routes[0]
    assert (route.command, route.verdict, route.status, route.needs) == ("org.policies", "ORGANIZATIONS_NOT_SERVED", "fail", "organizations")
    assert "AccessDeniedException" in route.message and aws_env.org.management in route.fix
    assert report.exit_code == 1


def test_config_account_mismatch_is_a_failure_with_a_fix(aws_env, tmp_path, capsys):
    """The deployment config is what generate and check used: a workload profile that reaches the
    operations account would run the tool in the wrong place, even though the routing is legal."""
    org = aws_env.org
    cfg = tmp_path / "deploy.yaml"
    cfg.write_text(
        "profiles:\n"
        f"  management: {{account: \"{org.management}\"}}\n"
        f"  operations: {{account: \"{org.accounts['ops']}\"}}\n"
        f"  billing: {{account: \"{org.accounts['billing']}\"}}\n"
        f"  workload: {{account: \"{org.accounts['prod']}\"}}\n"
    )
    expected = {"management": org.management, "operations": org.accounts["ops"],
                "billing": org.accounts["billing"], "workload": org.accounts["prod"]}
    ok = preflight(FOUR, endpoint_url=aws_env.url, expected_accounts=expected)
    assert {p.verdict for p in ok.profiles} == {"OK"} and ok.exit_code == 0
    report = preflight({**FOUR, "workload": "ops"}, endpoint_url=aws_env.url, expected_accounts=expected)
    wl = _by_name(report)["workload"]
    assert wl.verdict == "CONFIG_ACCOUNT_MISMATCH" and wl.status == "fail" and report.exit_code == 1
    assert org.accounts["prod"] in wl.message and org.accounts["ops"] in wl.message
    assert "profiles.workload.account" in wl.fix
    # without the config the same mapping passes: only the config knows the intent
    assert _by_name(preflight({**FOUR, "workload": "ops"}, endpoint_url=aws_env.url))["workload"].status != "fail"
    args = [f"--profile-{k}={v}" for k, v in {**FOUR, "workload": "ops"}.items()]
    r = run_cli(["preflight", *args, "--config", str(cfg), "--endpoint-url", aws_env.url], capsys)
    assert r.code == 1 and "CONFIG_ACCOUNT_MISMATCH" in r.out
