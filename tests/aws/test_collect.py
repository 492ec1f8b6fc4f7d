"""``permwise collect`` against moto in server mode (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from aws_support import OUTSIDER, run_cli
from emulator import Fault

from permwise.aws import collect


def _read(path: Path):
    return json.loads(path.read_text("utf-8"))


# --- layout and content (docs/internal/CONTRACTS.md, "Environment snapshot") ---------------------


def test_snapshot_has_the_contract_layout(snapshot, world):
    result, _ = snapshot
    out = result.out
    meta = _read(out / "snapshot.json")
    assert meta["format"] == "permwise-snapshot/1" and meta["source"] == "collect"
    assert meta["partition"] == "aws" and meta["regions"] == ["us-east-1"]
    org = _read(out / "organization" / "organization.json")
    # describe-organization: MasterAccountId is the management account
    assert org["Organization"]["MasterAccountId"] == world.org.management
    assert [r["Id"] for r in _read(out / "organization" / "roots.json")["Roots"]] == [world.org.root]
    every = {world.org.management, *world.org.accounts.values()}
    assert set((out / "accounts").iterdir()) == {out / "accounts" / a for a in every}
    for acct in every:
        for name in ("authorization-details.json", "resource-policies.json", "account.json"):
            assert (out / "accounts" / acct / name).is_file(), (acct, name)
    assert _read(out / "errors.json") == {"Errors": []}
    assert result.errors == [] and {a.status for a in result.accounts} == {"collected"}


def test_organization_tree_keeps_parents(snapshot, world):
    """Organizations: an OU's parent is a root or an OU; an account's parent comes from list-parents."""
    out = snapshot[0].out / "organization"
    ous = {o["Name"]: o for o in _read(out / "ous.json")["OrganizationalUnits"]}
    assert ous["Prod"]["ParentId"] == world.org.ous["Workloads"]
    assert ous["Workloads"]["ParentId"] == world.org.root
    accounts = {a["Id"]: a for a in _read(out / "accounts.json")["Accounts"]}
    assert accounts[world.org.accounts["prod"]]["ParentId"] == world.org.ous["Prod"]
    assert accounts[world.org.accounts["billing"]]["ParentId"] == world.org.root


def test_scps_and_rcps_with_targets(snapshot, world):
    out = snapshot[0].out / "organization"
    for name, pid in {**world.org.scps, **world.org.rcps}.items():
        policy = _read(out / "policies" / f"{pid}.json")["Policy"]
        assert policy["PolicySummary"]["Name"] == name
        json.loads(policy["Content"])  # describe-policy keeps Content as a JSON string
    targets = {t["TargetId"] for t in _read(out / "targets" / f"{world.org.scps['DenyS3Delete']}.json")["Targets"]}
    assert targets == {world.org.accounts["prod"]}
    targets = {t["TargetId"] for t in _read(out / "targets" / f"{world.org.scps['ProtectCloudTrail']}.json")["Targets"]}
    assert targets == {world.org.ous["Workloads"]}
    if world.org.rcps:  # moto knows RESOURCE_CONTROL_POLICY
        rcp = _read(out / "policies" / f"{world.org.rcps['DenyExternalS3']}.json")["Policy"]["PolicySummary"]
        assert rcp["Type"] == "RESOURCE_CONTROL_POLICY"


def test_authorization_details_include_attached_policy_documents(snapshot, world):
    """get-account-authorization-details with the LocalManagedPolicy filter returns the customer
    managed policies with their versions, so a role's attached policy can be resolved."""
    prod = world.org.accounts["prod"]
    auth = _read(snapshot[0].out / "accounts" / prod / "authorization-details.json")
    assert set(auth) >= {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}
    assert "IsTruncated" not in auth and "Marker" not in auth  # pages merged like the AWS CLI
    role = next(r for r in auth["RoleDetailList"] if r["RoleName"] == "app")
    attached = {p["PolicyArn"] for p in role["AttachedManagedPolicies"]}
    policy = next(p for p in auth["Policies"] if p["Arn"] in attached)
    default = next(v for v in policy["PolicyVersionList"] if v["IsDefaultVersion"])
    assert default["Document"]["Statement"][0]["Action"] == ["s3:GetObject", "s3:ListBucket"]
    mgmt = _read(snapshot[0].out / "accounts" / world.org.management / "authorization-details.json")
    alice = next(u for u in mgmt["UserDetailList"] if u["UserName"] == "alice")
    assert alice["GroupList"] == ["admins"]


def test_resource_policies_of_every_service(snapshot, world):
    prod = world.org.accounts["prod"]
    rps = _read(snapshot[0].out / "accounts" / prod / "resource-policies.json")["ResourcePolicies"]
    by_service = {rp["Service"]: rp for rp in rps}
    assert set(by_service) == {"ecr", "kms", "lambda", "s3", "secretsmanager", "sns", "sqs"}
    s3 = by_service["s3"]
    assert s3["Arn"] == f"arn:aws:s3:::{world.org.bucket}"
    assert s3["Policy"]["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{world.org.accounts['ops']}:root"}
    assert s3["Extra"]["PublicAccessBlock"]["BlockPublicPolicy"] is True
    assert by_service["lambda"]["Policy"]["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    assert by_service["secretsmanager"]["Policy"]["Statement"][0]["Principal"]["AWS"] == world.org.role_arns["prod-app"]
    # a bucket without a policy is not a resource policy
    assert not any("prod-no-policy-bucket" in rp["Arn"] for rp in rps)
    assert [rp["Arn"] for rp in rps] == sorted(rp["Arn"] for rp in rps)


# --- resume and refresh -------------------------------------------------------------------------


def test_rerun_resumes_and_refresh_collects_again(aws_env, tmp_path):
    log = aws_env.emu.app
    accounts = [aws_env.org.accounts["ops"], aws_env.org.accounts["security"]]
    first = collect(tmp_path, profile="mgmt", accounts=accounts, endpoint_url=aws_env.url)
    assert {a.status for a in first.accounts} == {"collected"}
    mark = len(log.log)
    second = collect(tmp_path, profile="mgmt", accounts=accounts, endpoint_url=aws_env.url)
    calls = {r.action for r in log.log[mark:] if r.by_permwise}
    assert {a.status for a in second.accounts} == {"skipped"}
    assert "iam:GetAccountAuthorizationDetails" not in calls and "sts:AssumeRole" not in calls
    mark = len(log.log)
    third = collect(tmp_path, profile="mgmt", accounts=accounts, endpoint_url=aws_env.url, refresh=True)
    calls = [r for r in log.log[mark:] if r.by_permwise and r.action == "iam:GetAccountAuthorizationDetails"]
    assert {a.status for a in third.accounts} == {"collected"} and {r.account for r in calls} == set(accounts)


def test_new_region_on_rerun_collects_only_that_region(aws_env, tmp_path):
    log = aws_env.emu.app
    acct = [aws_env.org.accounts["ops"]]
    collect(tmp_path, profile="mgmt", accounts=acct, endpoint_url=aws_env.url, regions=["us-east-1"])
    mark = len(log.log)
    res = collect(tmp_path, profile="mgmt", accounts=acct, endpoint_url=aws_env.url, regions=["us-east-1", "eu-west-1"])
    calls = [r for r in log.log[mark:] if r.by_permwise]
    assert "iam:GetAccountAuthorizationDetails" not in {r.action for r in calls}
    assert any(r.action == "kms:ListKeys" for r in calls)
    assert res.regions == ["eu-west-1", "us-east-1"]


# --- gaps are recorded, never silent -------------------------------------------------------------


def test_failures_are_recorded_and_retried(aws_env, tmp_path):
    """AWS Organizations User Guide, SCPs: a call denied by an SCP fails with AccessDenied whose
    message says "with an explicit deny in a service control policy"; collect records it."""
    org = aws_env.org
    prod, billing, security = org.accounts["prod"], org.accounts["billing"], org.accounts["security"]
    scp_msg = (
        f"User: arn:aws:sts::{prod}:assumed-role/OrganizationAccountAccessRole/permwise-collect is not authorized to "
        "perform: iam:GetAccountAuthorizationDetails with an explicit deny in a service control policy"
    )
    faults = [
        Fault("AccessDenied", scp_msg, account=prod, action="iam:GetAccountAuthorizationDetails"),
        Fault("AccessDenied", "not authorized to perform: sts:AssumeRole", role_arn=f"arn:aws:iam::{billing}:role/OrganizationAccountAccessRole"),
        Fault("AccessDeniedException", "not authorized to perform kms:ListKeys", account=security, action="kms:ListKeys"),
    ]
    accounts = [prod, billing, security]
    with aws_env.emu.fault(faults[0]), aws_env.emu.fault(faults[1]), aws_env.emu.fault(faults[2]):
        res = collect(tmp_path, profile="mgmt", accounts=accounts, endpoint_url=aws_env.url)
    status = {a.account_id: a.status for a in res.accounts}
    assert status == {prod: "partial", billing: "failed", security: "partial"}
    errors = _read(tmp_path / "errors.json")["Errors"]
    got = {(e["Account"], e["Service"], e["Operation"], e["Code"]) for e in errors}
    assert got == {
        (prod, "iam", "GetAccountAuthorizationDetails", "AccessDenied"),
        (billing, "sts", "AssumeRole", "AccessDenied"),
        (security, "kms", "ListKeys", "AccessDeniedException"),
    }
    scp = next(e for e in errors if e["Account"] == prod)
    assert "explicit deny in a service control policy" in scp["Message"]
    assert next(e for e in errors if e["Account"] == security)["Region"] == "us-east-1"
    assert not (tmp_path / "accounts" / prod / "authorization-details.json").exists()
    # the S3 and regional units of prod did succeed
    assert (tmp_path / "accounts" / prod / "resource-policies.json").exists()

    # faults gone: a re-run fetches only what failed
    mark = len(aws_env.emu.app.log)
    res2 = collect(tmp_path, profile="mgmt", accounts=accounts, endpoint_url=aws_env.url)
    calls = [r for r in aws_env.emu.app.log[mark:] if r.by_permwise]
    assert {r.account for r in calls if r.action == "iam:GetAccountAuthorizationDetails"} == {prod, billing}
    assert {r.account for r in calls if r.action == "kms:ListKeys"} == {security, billing}
    assert not any(r.action == "s3:ListAllMyBuckets" and r.account == prod for r in calls)
    assert res2.errors == [] and _read(tmp_path / "errors.json") == {"Errors": []}


def test_rcp_listing_error_is_an_error_entry(aws_env, tmp_path):
    """An emulator (or an organization) that does not support RESOURCE_CONTROL_POLICY must not stop collect."""
    fault = Fault("InvalidInputException", "You provided an unsupported policy type.", status=400,
                  action="organizations:ListPolicies", params={"Filter": "RESOURCE_CONTROL_POLICY"})
    with aws_env.emu.fault(fault):
        res = collect(tmp_path, profile="mgmt", accounts=[aws_env.org.accounts["ops"]], endpoint_url=aws_env.url)
    assert [(e.operation, e.code) for e in res.errors] == [("ListPolicies", "InvalidInputException")]
    assert "RESOURCE_CONTROL_POLICY" in res.errors[0].message
    for pid in aws_env.org.scps.values():
        assert (tmp_path / "organization" / "policies" / f"{pid}.json").is_file()


def test_account_outside_any_organization(aws_env, tmp_path):
    """AWS Organizations API reference: DescribeOrganization from an account that is not a member
    fails with AWSOrganizationsNotInUseException; collect then reads the single account."""
    res = collect(tmp_path, profile="outsider", endpoint_url=aws_env.url)
    assert res.organization == "unavailable"
    assert [a.account_id for a in res.accounts] == [OUTSIDER]
    assert [e.code for e in res.errors] == ["AWSOrganizationsNotInUseException"]
    assert not (tmp_path / "organization" / "accounts.json").exists()
    assert (tmp_path / "accounts" / OUTSIDER / "authorization-details.json").is_file()


def test_member_account_listing_is_a_silent_zero_gap(aws_env, tmp_path):
    """runbooks four-profile contract: Organizations list calls from a member account can return
    empty results; collect reports CROSS_ACCOUNT_SILENT_ZERO instead of an empty organization."""
    res = collect(tmp_path, profile="ops", endpoint_url=aws_env.url)
    codes = [e.code for e in res.errors]
    assert "CROSS_ACCOUNT_SILENT_ZERO" in codes
    assert aws_env.org.management in next(e for e in res.errors if e.code == "CROSS_ACCOUNT_SILENT_ZERO").message


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_collect_json_summary(aws_env, tmp_path, capsys):
    acct = aws_env.org.accounts["security"]
    r = run_cli(["collect", "--out", str(tmp_path / "s"), "--profile", "mgmt", "--accounts", acct, "--format", "json", "--no-progress"], capsys)
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [a["account"] for a in data["accounts"]] == [acct]
    assert data["management_account"] == aws_env.org.management and data["errors"] == []


def test_cli_collect_text_summary_shows_gaps_and_exits_1(aws_env, tmp_path, capsys):
    acct = aws_env.org.accounts["security"]
    with aws_env.emu.fault(Fault("AccessDenied", "denied by test", account=acct, action="iam:ListAccountAliases")):
        r = run_cli(["collect", "--out", str(tmp_path / "s"), "--profile", "mgmt", "--accounts", acct], capsys)
    assert r.code == 1
    assert "iam:ListAccountAliases" in r.out and "AccessDenied" in r.out and "partial" in r.out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--profile", "nosuch"], "profile `nosuch` is not in the AWS config files"),
        (["--profile", "bad"], "InvalidClientTokenId"),
        (["--profile", "nocreds"], "no valid credentials"),
    ],
    ids=["missing-profile", "bad-credentials", "no-credentials"],
)
def test_cli_collect_one_line_errors(aws_env, tmp_path, capsys, args, needle):
    r = run_cli(["collect", "--out", str(tmp_path / "s"), *args, "--no-progress"], capsys)
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("permwise: error: ") and needle in lines[0], r.err
    assert "Traceback" not in r.err


def test_cli_collect_unreachable_endpoint(aws_env, tmp_path, capsys, monkeypatch):
    from aws_support import free_port

    monkeypatch.setenv("PERMWISE_AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    r = run_cli(["collect", "--out", str(tmp_path / "s"), "--profile", "mgmt", "--no-progress"], capsys)
    assert r.code == 2
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and "cannot reach `http://127.0.0.1:" in lines[0]
    assert time.monotonic() - started < 60


def test_bad_arguments_are_input_errors(aws_env, tmp_path, capsys):
    r = run_cli(["collect", "--out", str(tmp_path), "--accounts", "12345", "--no-progress"], capsys)
    assert r.code == 2 and "account id `12345` is not 12 digits" in r.err
