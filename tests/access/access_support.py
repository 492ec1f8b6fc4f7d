"""The bundled demo organization (o-a1b2c3d4e5: accounts 1111... to 5555...) copied into a tmp
directory and extended with the resources of issue 17, each planted with the finding it must
give (or must not give: the in-zone grants)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import permwise

DEMO = Path(permwise.__file__).parent / "data" / "demo" / "snapshot"
ORG = "o-a1b2c3d4e5"
VENDOR = "999988887777"  # outside the organization (the demo's audit SaaS vendor)
PARTNER_ORG = "o-partner0001"
PARTNER = "777766665555"
OUTSIDER = "888877776666"
REGION = "ap-southeast-2"


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _add_policies(root: Path, account: str, entries: list[dict]) -> None:
    path = root / "accounts" / account / "resource-policies.json"
    data = json.loads(path.read_text()) if path.exists() else {"ResourcePolicies": []}
    data["ResourcePolicies"].extend(entries)
    path.write_text(json.dumps(data, indent=2))


def _set_account(root: Path, account: str, **updates: object) -> None:
    path = root / "accounts" / account / "account.json"
    data = json.loads(path.read_text())
    data.update(updates)
    path.write_text(json.dumps(data, indent=2))


def _add_role(root: Path, account: str, name: str, trust: dict) -> None:
    path = root / "accounts" / account / "authorization-details.json"
    data = json.loads(path.read_text())
    data["RoleDetailList"].append({
        "Path": "/", "RoleName": name, "RoleId": "AROA" + name.upper()[:16].ljust(16, "X"),
        "Arn": f"arn:aws:iam::{account}:role/{name}", "CreateDate": "2025-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust, "RolePolicyList": [], "AttachedManagedPolicies": [], "Tags": [],
        "InstanceProfileList": [], "RoleLastUsed": {},
    })
    path.write_text(json.dumps(data, indent=2))


def _add_rcp(root: Path, pid: str, name: str, doc: dict, target: str) -> None:
    org = root / "organization"
    (org / "policies" / f"{pid}.json").write_text(json.dumps({"Policy": {
        "PolicySummary": {"Id": pid, "Arn": f"arn:aws:organizations::111111111111:policy/{ORG}/resource_control_policy/{pid}",
                          "Name": name, "Description": name, "Type": "RESOURCE_CONTROL_POLICY", "AwsManaged": False},
        "Content": json.dumps(doc)}}, indent=2))
    (org / "targets" / f"{pid}.json").write_text(json.dumps({"Targets": [
        {"TargetId": target, "Arn": "", "Name": target, "Type": "ACCOUNT"}]}, indent=2))


def build_extended(dest: Path) -> Path:
    """Copy the demo into ``dest`` and plant the issue's resources. Returns ``dest``."""
    shutil.copytree(DEMO, dest)
    # 1. prod (444444444444): a bucket shared with a vendor account, not public
    _add_policies(dest, "444444444444", [
        {"Arn": "arn:aws:s3:::acme-prod-vendor-exchange", "Service": "s3", "Region": REGION,
         "Policy": _doc({"Sid": "VendorReadWrite", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VENDOR}:root"},
                         "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::acme-prod-vendor-exchange/*"}),
         "Extra": {"BucketName": "acme-prod-vendor-exchange", "PublicAccessBlock": {
             "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}}},
        # in zone: a bucket open to the organization only
        {"Arn": "arn:aws:s3:::acme-prod-shared-artifacts", "Service": "s3", "Region": REGION,
         "Policy": _doc({"Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                         "Resource": "arn:aws:s3:::acme-prod-shared-artifacts/*",
                         "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}),
         "Extra": {"BucketName": "acme-prod-shared-artifacts", "PublicAccessBlock": None}},
        # 7. a Lambda function URL open to anyone (AuthType NONE)
        {"Arn": f"arn:aws:lambda:{REGION}:444444444444:function:acme-prod-webhook", "Service": "lambda", "Region": REGION,
         "Policy": _doc({"Sid": "FunctionURLAllowPublicAccess", "Effect": "Allow", "Principal": "*",
                         "Action": "lambda:InvokeFunctionUrl",
                         "Resource": f"arn:aws:lambda:{REGION}:444444444444:function:acme-prod-webhook",
                         "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}}),
         "Extra": {"FunctionName": "acme-prod-webhook"}},
        # in zone: a secret shared with the operations account; blocked: one shared with an outsider
        {"Arn": f"arn:aws:secretsmanager:{REGION}:444444444444:secret:prod/db-AbCdEf", "Service": "secretsmanager",
         "Region": REGION,
         "Policy": _doc({"Sid": "OpsRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
                         "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
                        {"Sid": "OutsiderRead", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"},
                         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}),
         "Extra": {"Name": "prod/db"}},
    ])
    # an RCP on prod: secrets only for the organization's principals
    _add_rcp(dest, "p-rcpsecr0", "SecretsStayInOrg", _doc({
        "Sid": "DenyOutsideSecrets", "Effect": "Deny", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}), "444444444444")
    # 2. staging (555555555555): a public bucket, saved by account-level Block Public Access
    _set_account(dest, "555555555555", S3PublicAccessBlock={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    _add_policies(dest, "555555555555", [
        {"Arn": "arn:aws:s3:::acme-staging-site", "Service": "s3", "Region": REGION,
         "Policy": _doc({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                         "Resource": "arn:aws:s3:::acme-staging-site/*"}),
         "Extra": {"BucketName": "acme-staging-site", "PublicAccessBlock": None}},
    ])
    # operations (333333333333)
    key = f"arn:aws:kms:{REGION}:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    queue = f"arn:aws:sqs:{REGION}:333333333333:ops-ingest"
    topic = f"arn:aws:sns:{REGION}:333333333333:ops-alerts"
    _add_policies(dest, "333333333333", [
        # 3. a KMS key whose policy grants another organization; grants to an outsider and to prod
        {"Arn": key, "Service": "kms", "Region": REGION,
         "Policy": _doc({"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
                         "Action": "kms:*", "Resource": "*"},
                        {"Sid": "PartnerOrgDecrypt", "Effect": "Allow", "Principal": {"AWS": "*"},
                         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*",
                         "Condition": {"StringEquals": {"aws:PrincipalOrgID": PARTNER_ORG}}}),
         "Extra": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Grants": [
             {"GrantId": "g-partner", "GranteePrincipal": f"arn:aws:iam::{PARTNER}:role/partner-reader",
              "Operations": ["Decrypt"], "KeyId": key},
             {"GrantId": "g-prod", "GranteePrincipal": "arn:aws:iam::444444444444:role/RunbooksWorkload",
              "Operations": ["Encrypt", "Decrypt"], "KeyId": key}]}},
        # 4. a public queue limited to a VPC endpoint; in zone: a send grant to prod
        {"Arn": queue, "Service": "sqs", "Region": REGION,
         "Policy": _doc({"Sid": "FromVpce", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
                         "Resource": queue, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f"}}},
                        {"Sid": "ProdSend", "Effect": "Allow", "Principal": {"AWS": "444444444444"},
                         "Action": "sqs:SendMessage", "Resource": queue}),
         "Extra": {"QueueUrl": "https://sqs.ap-southeast-2.amazonaws.com/333333333333/ops-ingest"}},
        # 5. a topic open to a service without source conditions; in zone: one pinned to the account
        {"Arn": topic, "Service": "sns", "Region": REGION,
         "Policy": _doc({"Sid": "S3Publish", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                         "Action": "sns:Publish", "Resource": topic},
                        {"Sid": "EventsPublish", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                         "Action": "sns:Publish", "Resource": topic,
                         "Condition": {"StringEquals": {"aws:SourceAccount": "333333333333"}}})},
    ])
    # 6. a role trusting an outside account without ExternalId (and one with it)
    _add_role(dest, "333333333333", "PartnerDeploy", _doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, "Action": "sts:AssumeRole"}))
    _add_role(dest, "333333333333", "PartnerDeployPinned", _doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": "acme-7f3a"}}}))
    return dest


if __name__ == "__main__":  # regenerate the docs' example: python tests/access/access_support.py docs/examples/access-org
    import sys

    target = Path(sys.argv[1])
    if target.exists():
        shutil.rmtree(target)
    build_extended(target)
    print(target)
