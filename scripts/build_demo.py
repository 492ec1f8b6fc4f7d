#!/usr/bin/env python3
"""Build the bundled demo organization: ``src/permwise/data/demo/snapshot/`` and ``config.yaml``.

``permwise check`` with no arguments runs the bundled runbooks manifest against this snapshot.
The files are committed; this script makes them reproducible (same input -> same bytes):

    python scripts/build_demo.py            # rewrite the demo snapshot and config
    python scripts/build_demo.py --check    # exit 1 if the committed files differ

The organization (docs/check.md tells its story)::

    Root r-a1b2                       SCPs: FullAWSAccess, DenyLeaveOrganization,
    |                                       DenyUnapprovedRegions, DenyRootUser
    |                                 RCPs: RCPFullAWSAccess, EnforceSecureTransport
    |-- 111111111111 acme-management  (management account: SCPs never apply)
    |-- Finance OU
    |   `-- 222222222222 acme-billing     (payer; role RunbooksBilling lacks ce:GetCostForecast)
    |-- Infrastructure OU
    |   `-- 333333333333 acme-operations  (role RunbooksOperations: ec2:*, iam:*, cloudtrail:*...)
    `-- Workloads OU                  SCP: DenyGuardDuty
        |-- Prod OU
        |   `-- 444444444444 acme-prod    (role RunbooksWorkload with boundary WorkloadBoundary,
        |                                  VendorAuditRole trusting an outside account)
        `-- NonProd OU
            `-- 555555555555 acme-staging (CiDeployRole: iam:PassRole on * + Lambda;
                                           LambdaAdminExecutionRole: admin, trusts Lambda)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from permwise.environment.builder import (  # noqa: E402
    SnapshotBuilder,
    allow,
    doc,
    trust_account,
    trust_service,
)

DEMO = ROOT / "src" / "permwise" / "data" / "demo"

MGMT, BILLING, OPS, PROD, STAGING = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"
VENDOR = "999988887777"
REGIONS = ["ap-southeast-2"]

# Actions of global services and services served from us-east-1, exempted from the region guard
# (AWS Organizations user guide, "Deny access to AWS based on the requested AWS Region").
GLOBAL_ACTIONS = [
    "a4b:*", "account:*", "acm:*", "aws-marketplace-management:*", "aws-marketplace:*", "aws-portal:*",
    "billing:*", "budgets:*", "ce:*", "chime:*", "cloudfront:*", "config:*", "cur:*", "directconnect:*",
    "ec2:DescribeRegions", "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways", "fms:*",
    "globalaccelerator:*", "health:*", "iam:*", "importexport:*", "kms:*", "networkmanager:*",
    "organizations:*", "pricing:*", "route53:*", "route53domains:*", "s3:GetAccountPublic*",
    "s3:ListAllMyBuckets", "s3:ListMultiRegionAccessPoints", "s3:PutAccountPublic*", "shield:*", "sts:*",
    "support:*", "tag:GetResources", "trustedadvisor:*", "waf-regional:*", "waf:*", "wafv2:*",
    "wellarchitected:*",
]

ADMIN_DOC = allow("*", "*")  # the document of the AWS managed policy AdministratorAccess


def build() -> tuple[SnapshotBuilder, str]:
    b = SnapshotBuilder(MGMT, org_id="o-a1b2c3d4e5", root_id="r-a1b2", regions=REGIONS,
                        created="2026-04-01T00:00:00Z", source="manual", scp_enabled=True, rcp_enabled=True)
    root = b.root_id
    finance = b.ou("ou-a1b2-f1nance0", "Finance")
    infra = b.ou("ou-a1b2-1nfra000", "Infrastructure")
    workloads = b.ou("ou-a1b2-w0rk1oad", "Workloads")
    prod = b.ou("ou-a1b2-pr0d0000", "Prod", workloads)
    nonprod = b.ou("ou-a1b2-n0npr0d0", "NonProd", workloads)

    b.account(MGMT, "acme-management", root, alias="acme-management")
    b.account(BILLING, "acme-billing", finance, alias="acme-billing")
    b.account(OPS, "acme-operations", infra, alias="acme-operations")
    b.account(PROD, "acme-prod", prod, alias="acme-prod", tags={"Environment": "production"})
    b.account(STAGING, "acme-staging", nonprod, alias="acme-staging", tags={"Environment": "staging"})

    # ------------------------------------------------------------------ SCPs
    b.scp("p-dny1eave", "DenyLeaveOrganization", doc({
        "Sid": "DenyLeaveOrganization", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*",
    }), [root], description="Member accounts cannot leave the organization")
    b.scp("p-regi0ns0", "DenyUnapprovedRegions", doc({
        "Sid": "DenyOutsideApprovedRegions", "Effect": "Deny", "NotAction": GLOBAL_ACTIONS, "Resource": "*",
        "Condition": {
            "StringNotEquals": {"aws:RequestedRegion": ["ap-southeast-2", "us-east-1"]},
            "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"]},
        },
    }), [root], description="Only ap-southeast-2 (and us-east-1 for global services)")
    b.scp("p-r00tdeny", "DenyRootUser", doc({
        "Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}},
    }), [root], description="No root user activity in member accounts")
    b.scp("p-gdutyd3n", "DenyGuardDuty", doc({
        "Sid": "DenyGuardDutyInWorkloads", "Effect": "Deny", "Action": "guardduty:*", "Resource": "*",
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"]}},
    }), [workloads], description="GuardDuty is administered centrally; workload accounts must not touch it")

    # ------------------------------------------------------------------ RCPs
    b.rcp("p-rcptls00", "EnforceSecureTransport", doc({
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
        "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"], "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
    }), [root], description="Resources accept TLS requests only")

    # ------------------------------------------------------------------ every member account
    for acct in (BILLING, OPS, PROD, STAGING):
        admin = b.managed_policy(acct, "AdministratorAccess", ADMIN_DOC, aws_managed=True)
        b.role(acct, "OrganizationAccountAccessRole", trust=trust_account(MGMT), managed=[admin],
               last_used="2026-03-20T11:02:00+00:00")

    # ------------------------------------------------------------------ management account
    admin = b.managed_policy(MGMT, "AdministratorAccess", ADMIN_DOC, aws_managed=True)
    b.group(MGMT, "BreakGlassAdmins", managed=[admin])
    b.user(MGMT, "breakglass", groups=["BreakGlassAdmins"], tags={"Purpose": "break-glass"})
    mgmt_policy = b.managed_policy(MGMT, "RunbooksManagementAccess", doc(
        {"Sid": "OrganizationsRead", "Effect": "Allow", "Action": ["organizations:Describe*", "organizations:List*"],
         "Resource": "*"},
        {"Sid": "GuardDutyOrgDeployment", "Effect": "Allow",
         "Action": ["guardduty:Create*", "guardduty:Update*", "guardduty:List*", "guardduty:Describe*",
                    "guardduty:Get*", "guardduty:EnableOrganizationAdminAccount",
                    "organizations:RegisterDelegatedAdministrator", "organizations:DeregisterDelegatedAdministrator",
                    "organizations:EnableAWSServiceAccess"],
         "Resource": "*"},
        {"Sid": "GuardDutyServiceLinkedRole", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": "arn:aws:iam::*:role/aws-service-role/guardduty.amazonaws.com/*",
         "Condition": {"StringEquals": {"iam:AWSServiceName": "guardduty.amazonaws.com"}}},
        {"Sid": "FoundationsRead", "Effect": "Allow",
         "Action": ["ec2:Describe*", "rds:Describe*", "s3:Get*", "s3:List*", "cloudtrail:DescribeTrails",
                    "cloudtrail:GetTrailStatus", "cloudtrail:LookupEvents", "config:Describe*", "config:Get*",
                    "servicequotas:GetServiceQuota", "servicequotas:ListServiceQuotas", "cloudwatch:DescribeAlarms",
                    "logs:Describe*"],
         "Resource": "*"},
        {"Sid": "Remediation", "Effect": "Allow",
         "Action": ["securityhub:GetFindings", "securityhub:BatchUpdateFindings", "ssm:StartAutomationExecution",
                    "ssm:GetAutomationExecution", "iam:UpdateAccountPasswordPolicy", "iam:UpdateAssumeRolePolicy",
                    "s3:PutBucketVersioning", "s3:PutBucketPublicAccessBlock", "s3:PutEncryptionConfiguration",
                    "ec2:ModifyInstanceAttribute", "cloudtrail:UpdateTrail", "config:PutConfigRule"],
         "Resource": "*"},
    ))
    b.role(MGMT, "RunbooksManagement", trust=trust_account(MGMT), managed=[mgmt_policy],
           tags={"Tool": "runbooks", "Profile": "management"}, last_used="2026-03-31T08:15:00+00:00")

    # ------------------------------------------------------------------ billing account
    # Imperfect on purpose: written from an older version of the tool's docs, it lacks
    # ce:GetCostForecast, which `finops dashboard` and `finops scenario` need.
    b.role(BILLING, "RunbooksBilling", trust=trust_account(MGMT), inline={"CostRead": doc(
        {"Sid": "CostExplorerRead", "Effect": "Allow",
         "Action": ["ce:GetCostAndUsage", "ce:GetReservationPurchaseRecommendation",
                    "ce:GetSavingsPlansPurchaseRecommendation", "ce:ListCostAllocationTags", "ce:GetTags"],
         "Resource": "*"},
        {"Sid": "BudgetsAndBilling", "Effect": "Allow",
         "Action": ["budgets:ViewBudget", "billing:GetBillingData", "cur:DescribeReportDefinitions",
                    "cur:PutReportDefinition"],
         "Resource": "*"},
    )}, tags={"Tool": "runbooks", "Profile": "billing"}, last_used="2026-03-31T08:16:00+00:00")

    # ------------------------------------------------------------------ operations account
    # Far broader than its three read-only commands need (and able to stop CloudTrail).
    b.role(OPS, "RunbooksOperations", trust=trust_account(MGMT), inline={"OpsAdmin": doc(
        {"Sid": "OpsEverything", "Effect": "Allow",
         "Action": ["ec2:*", "iam:*", "cloudtrail:*", "s3:*", "resource-groups:*", "tag:*", "cloudwatch:*",
                    "logs:*", "ssm:*"],
         "Resource": "*"},
    )}, tags={"Tool": "runbooks", "Profile": "operations"}, last_used="2026-03-30T22:40:00+00:00")
    b.resource_policy(OPS, "arn:aws:s3:::acme-org-cloudtrail-logs", doc(
        {"Sid": "CloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::acme-org-cloudtrail-logs"},
        {"Sid": "CloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-org-cloudtrail-logs/AWSLogs/o-a1b2c3d4e5/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
    ), service="s3", region="ap-southeast-2")

    # ------------------------------------------------------------------ prod workload account
    readonly = b.managed_policy(PROD, "RunbooksReadOnly", doc(
        {"Sid": "InventoryAndAssessmentRead", "Effect": "Allow",
         "Action": ["ec2:Describe*", "autoscaling:Describe*", "elasticache:Describe*", "s3:Get*", "s3:List*",
                    "lambda:List*", "lambda:Get*", "iam:Get*", "iam:List*", "cloudformation:List*",
                    "cloudformation:Describe*", "acm:Describe*", "acm:List*", "acm-pca:Describe*", "acm-pca:List*",
                    "resource-explorer-2:Search", "resource-explorer-2:ListViews", "resource-explorer-2:GetIndex",
                    "tag:GetResources", "rds:Describe*", "organizations:DescribeOrganization", "logs:Describe*",
                    "logs:List*", "cloudtrail:LookupEvents", "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus",
                    "compute-optimizer:Get*", "compute-optimizer:Describe*", "config:Describe*", "config:Get*",
                    "config:List*", "kms:Describe*", "secretsmanager:Describe*", "secretsmanager:List*",
                    "secretsmanager:GetSecretValue", "servicequotas:Get*", "servicequotas:List*",
                    "cloudwatch:DescribeAlarms", "guardduty:Get*", "guardduty:List*", "securityhub:Describe*",
                    "securityhub:Get*"],
         "Resource": "*"},
    ))
    boundary = b.managed_policy(PROD, "WorkloadBoundary", doc(
        {"Sid": "AllowWithinBoundary", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NetworkTeamOwnsVpcs", "Effect": "Deny",
         "Action": ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateRoute",
                    "ec2:CreateInternetGateway", "ec2:AttachInternetGateway"],
         "Resource": "*"},
    ))
    b.role(PROD, "RunbooksWorkload", trust=trust_account(MGMT), managed=[readonly], boundary=boundary, inline={
        "RunbooksOperate": doc(
            {"Sid": "StartStopProductionInstances", "Effect": "Allow",
             "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
             "Resource": "arn:aws:ec2:*:*:instance/*",
             "Condition": {"StringEquals": {"ec2:ResourceTag/Environment": "production"}}},
            {"Sid": "CreatePrefixedBuckets", "Effect": "Allow",
             "Action": ["s3:CreateBucket", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
                        "s3:PutBucketPublicAccessBlock", "s3:PutBucketLogging"],
             "Resource": "arn:aws:s3:::acme-*"},
            {"Sid": "BuildVpcs", "Effect": "Allow",
             "Action": ["ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateRoute",
                        "ec2:CreateInternetGateway", "ec2:AttachInternetGateway"],
             "Resource": "*"},
            {"Sid": "BaselineRemediation", "Effect": "Allow",
             "Action": ["iam:UpdateAccountPasswordPolicy", "iam:UpdateAssumeRolePolicy", "s3:PutBucketVersioning",
                        "s3:PutBucketPublicAccessBlock", "s3:PutEncryptionConfiguration",
                        "ec2:ModifyInstanceAttribute", "cloudtrail:UpdateTrail", "config:PutConfigRule"],
             "Resource": "*"},
        ),
    }, tags={"Tool": "runbooks", "Profile": "workload"}, last_used="2026-03-31T08:17:00+00:00")
    vendor_read = b.managed_policy(PROD, "VendorAuditReadOnly", doc(
        {"Sid": "AuditRead", "Effect": "Allow",
         "Action": ["iam:Get*", "iam:List*", "cloudtrail:Describe*", "cloudtrail:Get*", "config:Describe*",
                    "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:ListAllMyBuckets", "ec2:Describe*"],
         "Resource": "*"},
    ))
    # A third-party audit vendor's role trusting the vendor's account with no sts:ExternalId
    # condition (the confused-deputy problem: any customer of the vendor could point it here).
    b.role(PROD, "VendorAuditRole", trust=trust_account(VENDOR), managed=[vendor_read],
           tags={"Vendor": "example-audit-saas"}, last_used="2026-03-29T03:00:00+00:00")
    b.resource_policy(PROD, "arn:aws:s3:::acme-prod-runbooks-reports", doc(
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::acme-prod-runbooks-reports", "arn:aws:s3:::acme-prod-runbooks-reports/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "RunbooksWriteReports", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{PROD}:role/RunbooksWorkload"},
         "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::acme-prod-runbooks-reports/*"},
    ), service="s3", region="ap-southeast-2")

    # ------------------------------------------------------------------ staging workload account
    staging_admin = b.managed_policy(STAGING, "AdministratorAccess", ADMIN_DOC, aws_managed=True)
    # An escalation path: CI may pass any role to a new Lambda function and invoke it, and an
    # admin role that Lambda may assume exists in the same account.
    b.role(STAGING, "CiDeployRole", trust=doc({
        "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{STAGING}:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}},
    }), inline={"Deploy": doc(
        {"Sid": "PassAnyRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
        {"Sid": "DeployFunctions", "Effect": "Allow",
         "Action": ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode",
                    "lambda:GetFunction"],
         "Resource": "*"},
    )}, tags={"Purpose": "ci"}, last_used="2026-03-31T12:00:00+00:00")
    b.role(STAGING, "LambdaAdminExecutionRole", trust=trust_service("lambda.amazonaws.com"), managed=[staging_admin],
           tags={"Purpose": "legacy-lambda"})

    config = "\n".join([
        "# Deployment config of the bundled demo organization (built by scripts/build_demo.py).",
        "# `permwise check` with no arguments runs the runbooks manifest with this config against",
        "# the demo snapshot next to it.",
        "variables:",
        "  prefix: acme",
        "regions: [ap-southeast-2]",
        "partition: aws",
        "profiles:",
        f'  management: {{account: "{MGMT}", principal: "arn:aws:iam::{MGMT}:role/RunbooksManagement"}}',
        f'  billing:    {{account: "{BILLING}", principal: "arn:aws:iam::{BILLING}:role/RunbooksBilling"}}',
        f'  operations: {{account: "{OPS}", principal: "arn:aws:iam::{OPS}:role/RunbooksOperations"}}',
        f'  workload:   {{account: "{PROD}", principal: "arn:aws:iam::{PROD}:role/RunbooksWorkload"}}',
        "",
    ])
    return b, config


def write(target: Path) -> None:
    b, config = build()
    snap = target / "snapshot"
    if snap.exists():
        shutil.rmtree(snap)
    b.write(snap)
    from permwise.fsutil import atomic_write

    atomic_write(target / "config.yaml", config)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    ap.add_argument("--out", type=Path, default=DEMO, help="target directory (default: the bundled demo)")
    args = ap.parse_args(argv)
    if not args.check:
        write(args.out)
        print(f"wrote {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp))
        fresh = {p.relative_to(tmp): p.read_bytes() for p in Path(tmp).rglob("*") if p.is_file()}
        have = {p.relative_to(args.out): p.read_bytes() for p in args.out.rglob("*") if p.is_file()}
        diff = sorted(str(k) for k in set(fresh) | set(have) if fresh.get(k) != have.get(k))
    if diff:
        print("demo files differ from scripts/build_demo.py output: " + ", ".join(diff))
        return 1
    print("demo files are up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
