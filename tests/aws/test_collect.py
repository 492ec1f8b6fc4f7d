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
    # who manages each key, from DescribeKey: RCPs do not apply to AWS managed keys (AWS KMS
    # Developer Guide, "Resource control policies in AWS KMS")
    assert by_service["kms"]["Extra"]["KeyManager"] == "CUSTOMER"
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
    assert {e.account: e.kind for e in res.errors} == {prod: "scp-deny", billing: "access-denied", security: "access-denied"}
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


# --- account-level S3 Block Public Access (S3 Control) -------------------------------------------


def test_account_level_block_public_access(snapshot, world):
    """Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage": Block Public
    Access is set per bucket and per account, and S3 applies the most restrictive combination;
    `s3control get-public-access-block --account-id` reads the account's settings, and an
    account with none answers NoSuchPublicAccessBlockConfiguration (stored as null)."""
    out = snapshot[0].out
    prod = world.org.accounts["prod"]
    got = _read(out / "accounts" / prod / "account.json")["S3PublicAccessBlock"]
    assert got == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                   "RestrictPublicBuckets": False}
    ops = _read(out / "accounts" / world.org.accounts["ops"] / "account.json")
    assert "S3PublicAccessBlock" in ops and ops["S3PublicAccessBlock"] is None
    asked = {r.account for r in snapshot[1] if r.action == "s3:GetAccountPublicAccessBlock"}
    assert asked == {world.org.management, *world.org.accounts.values()}


def test_account_level_block_public_access_denied_is_a_gap(aws_env, tmp_path):
    prod = aws_env.org.accounts["prod"]
    with aws_env.emu.fault(Fault("AccessDenied", "Access Denied", account=prod, action="s3:GetAccountPublicAccessBlock")):
        res = collect(tmp_path, profile="mgmt", accounts=[prod], endpoint_url=aws_env.url)
    assert [(e.account, e.service, e.operation, e.code) for e in res.errors] == [(prod, "s3control", "GetPublicAccessBlock", "AccessDenied")]
    assert "account-level S3 Block Public Access" in res.errors[0].message
    # absent (unknown), not null (none configured)
    assert "S3PublicAccessBlock" not in _read(tmp_path / "accounts" / prod / "account.json")
    # the bucket policies of the same unit were still collected
    assert any(rp["Service"] == "s3" for rp in _read(tmp_path / "accounts" / prod / "resource-policies.json")["ResourcePolicies"])


# --- the snapshot is what check and audit read ---------------------------------------------------


def test_collected_snapshot_validates_against_the_published_schema(snapshot):
    """docs/schemas/snapshot.schema.json describes a snapshot as {relative path: file content}."""
    import jsonschema

    root = Path(__file__).resolve().parents[2]
    schema = json.loads((root / "docs" / "schemas" / "snapshot.schema.json").read_text("utf-8"))
    out = snapshot[0].out
    instance = {
        p.relative_to(out).as_posix(): _read(p)
        for p in sorted(out.rglob("*.json"))
        if not p.name.startswith(".")
    }
    assert "accounts/" + snapshot[0].accounts[0].account_id + "/account.json" in instance
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(instance), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


# --- retries, concurrency, progress, role name -----------------------------------------------------


def test_throttling_is_retried(aws_env, tmp_path):
    """botocore retries (Boto3 guide, "Retries"): Throttling is a retryable error; the adaptive
    mode retries it with backoff and client-side rate limiting, so two throttled answers leave
    no gap."""
    acct = aws_env.org.accounts["security"]
    fault = Fault("Throttling", "Rate exceeded", status=400, account=acct,
                  action="iam:GetAccountAuthorizationDetails", times=2)
    mark = len(aws_env.emu.app.log)
    with aws_env.emu.fault(fault):
        res = collect(tmp_path, profile="mgmt", accounts=[acct], endpoint_url=aws_env.url)
    assert res.errors == [] and fault.times == 0
    sent = [r for r in aws_env.emu.app.log[mark:] if r.account == acct and r.action == "iam:GetAccountAuthorizationDetails"]
    assert len(sent) == 3
    assert (tmp_path / "accounts" / acct / "authorization-details.json").is_file()


def test_throttling_beyond_the_retries_is_a_gap(aws_env, tmp_path, monkeypatch):
    import permwise.aws.session as session_mod
    from botocore.config import Config

    monkeypatch.setattr(session_mod, "COLLECT_CONFIG", session_mod.COLLECT_CONFIG.merge(Config(retries={"mode": "adaptive", "max_attempts": 2})))
    import importlib

    monkeypatch.setattr(importlib.import_module("permwise.aws.collect"), "COLLECT_CONFIG", session_mod.COLLECT_CONFIG)
    acct = aws_env.org.accounts["security"]
    with aws_env.emu.fault(Fault("Throttling", "Rate exceeded", status=400, account=acct, action="sqs:ListQueues")):
        res = collect(tmp_path, profile="mgmt", accounts=[acct], endpoint_url=aws_env.url)
    assert [(e.service, e.operation, e.code, e.region) for e in res.errors] == [("sqs", "ListQueues", "Throttling", "us-east-1")]


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_is_bounded(aws_env, tmp_path, concurrency):
    """--concurrency bounds the calls in flight across accounts and regions."""
    app = aws_env.emu.app
    accounts = [aws_env.org.accounts[n] for n in ("ops", "prod", "security")]
    app.reset_in_flight()
    res = collect(tmp_path, profile="mgmt", accounts=accounts, regions=["us-east-1", "eu-west-1"],
                  endpoint_url=aws_env.url, concurrency=concurrency)
    assert res.errors == []
    assert app.max_in_flight <= concurrency
    if concurrency > 1:
        assert app.max_in_flight > 1  # it does run in parallel


def test_progress_counts_every_unit(aws_env, tmp_path):
    from aws_support import RecordingProgress

    accounts = [aws_env.org.accounts["ops"], aws_env.org.accounts["security"]]
    regions = ["us-east-1", "eu-west-1"]
    first = RecordingProgress()
    collect(tmp_path, profile="mgmt", accounts=accounts, regions=regions, endpoint_url=aws_env.url, progress=first)
    units = len(accounts) * (2 + len(regions))  # iam, s3 and one per region
    assert first.totals == [units] and len(first.advances) == units
    again = RecordingProgress()
    collect(tmp_path, profile="mgmt", accounts=accounts, regions=regions, endpoint_url=aws_env.url, progress=again)
    assert again.totals == [units] and all("already collected" in a for a in again.advances)


def test_role_name_is_configurable(aws_env, tmp_path):
    acct = aws_env.org.accounts["ops"]
    mark = len(aws_env.emu.app.log)
    collect(tmp_path, profile="mgmt", accounts=[acct], endpoint_url=aws_env.url, role_name="Operations")
    assumed = [r.params.get("RoleArn") for r in aws_env.emu.app.log[mark:] if r.action == "sts:AssumeRole"]
    assert assumed == [f"arn:aws:iam::{acct}:role/Operations"]


def test_cli_role_name_and_regions(aws_env, tmp_path, capsys):
    acct = aws_env.org.accounts["ops"]
    mark = len(aws_env.emu.app.log)
    r = run_cli(["collect", "--out", str(tmp_path / "s"), "--profile", "mgmt", "--accounts", acct, "--role-name", "Operations",
                 "--regions", "eu-west-1,us-east-1", "--concurrency", "2", "--no-progress", "--format", "json"], capsys)
    assert r.code == 0, r.err
    assert json.loads(r.out)["regions"] == ["eu-west-1", "us-east-1"]
    log = aws_env.emu.app.log[mark:]
    assert {r.params.get("RoleArn") for r in log if r.action == "sts:AssumeRole"} == {f"arn:aws:iam::{acct}:role/Operations"}


def test_bad_region_is_an_input_error(aws_env, tmp_path, capsys):
    r = run_cli(["collect", "--out", str(tmp_path / "s"), "--profile", "mgmt", "--regions", "us-east-1,useast2", "--no-progress"], capsys)
    assert r.code == 2 and "`useast2` is not an AWS region name" in r.err and len(r.err.strip().splitlines()) == 1


# --- refresh and stale data ----------------------------------------------------------------------


def test_deleted_scp_leaves_the_snapshot_on_refresh(aws_env, tmp_path):
    """Service control policies: a deleted SCP no longer applies; a snapshot that kept its file
    would still deny offline, so re-collecting the organization removes it."""
    org = aws_env.emu.client("organizations")
    billing = aws_env.org.accounts["billing"]
    pid = org.create_policy(
        Name="Temporary", Description="deleted below", Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ec2:DeleteVpc", "Resource": "*"}]}),
    )["Policy"]["PolicySummary"]["Id"]
    try:
        org.attach_policy(PolicyId=pid, TargetId=billing)
        collect(tmp_path, profile="mgmt", accounts=[billing], endpoint_url=aws_env.url)
        assert (tmp_path / "organization" / "policies" / f"{pid}.json").is_file()
        assert (tmp_path / "organization" / "targets" / f"{pid}.json").is_file()
    finally:
        org.detach_policy(PolicyId=pid, TargetId=billing)
        org.delete_policy(PolicyId=pid)
    res = collect(tmp_path, profile="mgmt", accounts=[billing], endpoint_url=aws_env.url, refresh=True)
    assert res.organization == "collected"
    assert not (tmp_path / "organization" / "policies" / f"{pid}.json").exists()
    assert not (tmp_path / "organization" / "targets" / f"{pid}.json").exists()
    for kept in aws_env.org.scps.values():
        assert (tmp_path / "organization" / "policies" / f"{kept}.json").is_file()


def test_refresh_of_some_accounts_keeps_the_gaps_of_the_others(aws_env, tmp_path):
    """--refresh collects this run's accounts again; the failure of an account it does not touch
    stays in errors.json (it is still missing from the snapshot)."""
    billing, security = aws_env.org.accounts["billing"], aws_env.org.accounts["security"]
    deny = Fault("AccessDenied", "not authorized to perform: sts:AssumeRole",
                 role_arn=f"arn:aws:iam::{billing}:role/OrganizationAccountAccessRole")
    with aws_env.emu.fault(deny):
        collect(tmp_path, profile="mgmt", accounts=[billing, security], endpoint_url=aws_env.url)
    res = collect(tmp_path, profile="mgmt", accounts=[security], endpoint_url=aws_env.url, refresh=True)
    assert [a.status for a in res.accounts] == ["collected"]
    assert [(e.account, e.operation) for e in res.errors] == [(billing, "AssumeRole")]
    assert [e["Account"] for e in _read(tmp_path / "errors.json")["Errors"]] == [billing]


def test_tree_failure_still_collects_the_listed_accounts(aws_env, tmp_path):
    ops = aws_env.org.accounts["ops"]
    with aws_env.emu.fault(Fault("AccessDeniedException", "denied by test", action="organizations:ListRoots")):
        res = collect(tmp_path, profile="mgmt", accounts=[ops], endpoint_url=aws_env.url)
    assert res.organization == "unavailable"
    assert [(e.operation, e.code) for e in res.errors] == [("ListRoots", "AccessDeniedException")]
    assert [a.name for a in res.accounts] == ["ops"]  # the name came from list-accounts
    assert not (tmp_path / "organization" / "organization.json").exists()  # no half tree


def test_aws_profile_of_the_workload_does_not_leak_into_assumed_sessions(aws_env, tmp_path, monkeypatch):
    """Four-profile contract: AWS_PROFILE names the workload profile. collect --profile reads
    the organization with the management profile; the sessions of assumed roles must not pick
    up AWS_PROFILE (here a profile that does not exist)."""
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    res = collect(tmp_path, profile="mgmt", accounts=[aws_env.org.accounts["ops"]], endpoint_url=aws_env.url)
    assert res.errors == [] and [a.status for a in res.accounts] == ["collected"]


def test_region_not_enabled_is_named(aws_env, tmp_path, capsys):
    """AWS Account Management guide, "Enable or disable AWS Regions": an opt-in region that is
    not enabled for the account rejects its credentials ("The security token included in the
    request is invalid"); collect records it as that region's gap, not as bad credentials."""
    acct = aws_env.org.accounts["security"]
    fault = Fault("UnrecognizedClientException", "The security token included in the request is invalid.", status=400,
                  account=acct, action="kms:ListKeys")
    with aws_env.emu.fault(fault):
        r = run_cli(["collect", "--out", str(tmp_path / "s"), "--profile", "mgmt", "--accounts", acct,
                     "--regions", "af-south-1", "--no-progress"], capsys)
    assert r.code == 1
    assert "gap [region-not-enabled]: account " + acct + " region af-south-1 kms:ListKeys" in r.out
    assert "is region af-south-1 enabled for this account?" in r.out


def test_management_profile_variable_is_the_default(aws_env, tmp_path, capsys, monkeypatch):
    """Four-profile contract: Organizations APIs run under $AWS_MANAGEMENT_PROFILE, while
    $AWS_PROFILE names a workload account, so collect defaults to the management profile."""
    monkeypatch.setenv("AWS_MANAGEMENT_PROFILE", "mgmt")
    monkeypatch.setenv("AWS_PROFILE", "prod")
    acct = aws_env.org.accounts["security"]
    r = run_cli(["collect", "--out", str(tmp_path / "s"), "--accounts", acct, "--format", "json", "--no-progress"], capsys)
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["management_account"] == aws_env.org.management and data["errors"] == []
