"""Collect of the external-access resources (docs/access.md) against the emulator: S3 access
points, KMS grants, Lambda layer policies, EFS, EventBridge, Backup, Glacier and OpenSearch, each
read-only (the emulator's request log shows no write and nothing outside the permwise manifest),
and a call the emulator does not implement recorded as a gap in errors.json."""

from __future__ import annotations

import json

import pytest
from emulator import REGION, _client, _doc, assume

from permwise import catalog
from permwise.aws import collect
from permwise.aws.calls import NON_READ_ALLOWED, READ_OPERATIONS

ACCOUNT = "210987654321"  # an account of its own, so the other aws tests' snapshots stay unchanged
VENDOR = "999988887777"


@pytest.fixture(scope="module")
def planted(world):
    creds = assume(world.url, ACCOUNT)

    def c(service):
        return _client(world.url, service, creds)

    s3 = c("s3")
    s3.create_bucket(Bucket="access-planted-bucket")
    s3c = c("s3control")
    s3c.create_access_point(AccountId=ACCOUNT, Name="vendor-ap", Bucket="access-planted-bucket")
    ap_arn = f"arn:aws:s3:{REGION}:{ACCOUNT}:accesspoint/vendor-ap"
    s3c.put_access_point_policy(AccountId=ACCOUNT, Name="vendor-ap", Policy=_doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"}, "Action": "s3:GetObject",
        "Resource": f"{ap_arn}/object/*"}))
    kms = c("kms")
    key = kms.create_key(Description="granted key")["KeyMetadata"]
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=f"arn:aws:iam::{VENDOR}:role/reader", Operations=["Decrypt"])
    lam = c("lambda")
    import emulator

    layer = lam.publish_layer_version(LayerName="shared-lib", Content={"ZipFile": emulator._zip()})
    lam.add_layer_version_permission(LayerName="shared-lib", VersionNumber=layer["Version"], StatementId="any",
                                     Action="lambda:GetLayerVersion", Principal="*")
    efs = c("efs")
    fs = efs.create_file_system(CreationToken="planted")
    efs.put_file_system_policy(FileSystemId=fs["FileSystemId"], Policy=_doc({
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"},
        "Action": "elasticfilesystem:ClientMount", "Resource": fs["FileSystemArn"]}))
    ev = c("events")
    ev.put_permission(EventBusName="default", Action="events:PutEvents", Principal=VENDOR, StatementId="vendor")
    c("backup").create_backup_vault(BackupVaultName="planted-vault")
    c("glacier").create_vault(vaultName="planted-vault")
    osd = c("opensearch")
    osd.create_domain(DomainName="planted", AccessPolicies=json.dumps(_doc({
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "es:ESHttpGet",
        "Resource": f"arn:aws:es:{REGION}:{ACCOUNT}:domain/planted/*"})))
    return {"ap": ap_arn, "key": key["Arn"], "fs": fs["FileSystemArn"]}


@pytest.fixture(scope="module")
def collected(world, planted, tmp_path_factory):
    from aws_support import _CLEARED, aws_environ

    out = tmp_path_factory.mktemp("access-collect") / "snapshot"
    with pytest.MonkeyPatch.context() as mp:
        for k in _CLEARED:
            mp.delenv(k, raising=False)
        for k, v in aws_environ(world).items():
            mp.setenv(k, v)
        mark = len(world.emu.app.log)
        result = collect(out, profile="mgmt", accounts=[ACCOUNT], regions=[REGION], endpoint_url=world.url)
        requests = list(world.emu.app.log[mark:])
    data = json.loads((out / "accounts" / ACCOUNT / "resource-policies.json").read_text())
    return result, requests, {rp["Arn"]: rp for rp in data["ResourcePolicies"]}, out


def test_new_resources_are_collected(collected, planted):
    _, _, by_arn, _ = collected
    assert by_arn[planted["ap"]]["Service"] == "s3" and by_arn[planted["ap"]]["Extra"]["Bucket"] == "access-planted-bucket"
    grants = by_arn[planted["key"]]["Extra"]["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == [f"arn:aws:iam::{VENDOR}:role/reader"]
    layers = [a for a in by_arn if ":layer:shared-lib:" in a]
    assert len(layers) == 1 and by_arn[layers[0]]["Service"] == "lambda"
    assert by_arn[planted["fs"]]["Service"] == "elasticfilesystem"
    assert any(rp["Service"] == "events" and rp["Extra"]["Name"] == "default" for rp in by_arn.values())
    assert f"arn:aws:es:{REGION}:{ACCOUNT}:domain/planted" in by_arn


def test_unimplemented_calls_are_recorded_gaps(collected):
    """moto has no GetBackupVaultAccessPolicy or GetVaultAccessPolicy: each is an errors.json
    entry naming the vault (a gap), never a crash or a silent omission."""
    result, _, _, out = collected
    gaps = {(e.service, e.operation) for e in result.errors}
    assert gaps == {("backup", "GetBackupVaultAccessPolicy"), ("glacier", "GetVaultAccessPolicy")}
    errors = json.loads((out / "errors.json").read_text())["Errors"]
    assert all("planted-vault" in e["Message"] for e in errors)


def test_new_calls_are_read_only_and_in_the_manifest(collected):
    _, requests, _, _ = collected
    from test_read_only import _manifest_actions

    seen = {r.action for r in requests}
    for action in ("kms:ListGrants", "lambda:GetLayerVersionPolicy", "s3:GetAccessPointPolicy",
                   "elasticfilesystem:DescribeFileSystemPolicy", "events:ListEventBuses", "backup:ListBackupVaults",
                   "glacier:ListVaults", "es:DescribeDomainConfig"):
        assert action in seen, action
    granted = _manifest_actions()
    assert sorted(a for a in seen if a.lower() not in granted) == []
    cat = catalog.get_catalog()
    assert sorted(a for a in seen if cat.action(a).is_write and a not in NON_READ_ALLOWED) == []
    assert all(r.by_permwise for r in requests)
    assert {a.lower() for a in READ_OPERATIONS.values()} >= {a.lower() for a in seen}


def test_collected_resources_give_access_findings(collected, planted):
    from permwise.access import analyze_access
    from permwise.environment import load_snapshot

    _, _, _, out = collected
    # The planted account is one of the emulator's own, outside its organization (so the other aws
    # tests' snapshots stay unchanged); a snapshot must list every account directory it holds, so
    # the account is analysed as a standalone snapshot of its own: its directory and snapshot.json
    # without the organization.
    import shutil

    solo = out.parent / "solo"
    shutil.rmtree(solo, ignore_errors=True)
    shutil.copytree(out / "accounts" / ACCOUNT, solo / "accounts" / ACCOUNT)
    meta = json.loads((out / "snapshot.json").read_text())
    for k in ("organization_id", "management_account_id"):
        meta.pop(k, None)
    (solo / "snapshot.json").write_text(json.dumps(meta))
    result = analyze_access(load_snapshot(solo), "account")
    got = {(f.resource_type, f.rule_id, f.principal_label) for f in result.findings}
    assert ("AWS::S3::AccessPoint", "ACCESS-CROSS-ACCOUNT", f"account {VENDOR}") in got
    assert ("AWS::KMS::Key", "ACCESS-CROSS-ACCOUNT", f"arn:aws:iam::{VENDOR}:role/reader") in got
    assert ("AWS::Lambda::LayerVersion", "ACCESS-PUBLIC", "*") in got
    assert ("AWS::EFS::FileSystem", "ACCESS-CROSS-ACCOUNT", f"account {VENDOR}") in got
    assert ("AWS::Events::EventBus", "ACCESS-CROSS-ACCOUNT", f"account {VENDOR}") in got
    assert ("AWS::OpenSearchService::Domain", "ACCESS-PUBLIC", "*") in got
