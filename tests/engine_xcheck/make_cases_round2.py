"""Write ``cases_round2.jsonl``: a second independent round of engine conformance cases from AWS's docs.

Run ``python tests/engine_xcheck/make_cases_round2.py`` to regenerate the data. Every case carries
``rule`` (AWS documentation page title: the rule in our own words) and ``expected`` (the decision
AWS documents). ``ambiguous`` marks a case the documentation does not settle (recorded, not
asserted); ``xfail_reason`` a documented disagreement left unfixed.

This round targets what tests/engine/cases and tests/engine_xcheck do not: the worked examples of
AWS's documentation pages (SCP, RCP, permissions-boundary, session-policy, ABAC, S3 and KMS
examples), several layers mixed in one case, and operator details (ArnLike vs StringLike per
segment, s3:prefix/s3:delimiter, MFA age, token issue time, IfExists on negated operators).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).with_name("cases_round2.jsonl")

A = "111122223333"       # caller's (member) account
B = "444455556666"       # another account of the same organization
X = "777788889999"       # an account outside the organization
MGMT = "999999999999"
ORG = "o-a1b2c3d4e5"
ALICE = f"arn:aws:iam::{A}:user/alice"
DEV = f"arn:aws:iam::{A}:user/division/dev/carlos"
ADMIN_ROLE = f"arn:aws:iam::{A}:role/Admin"
APP_ROLE = f"arn:aws:iam::{A}:role/app"
APP_SESS = f"arn:aws:sts::{A}:assumed-role/app/s1"
BYPASS_SESS = f"arn:aws:sts::{A}:assumed-role/Role1AllowedToBypassThisSCP/ops"
ADMIN_SESS = f"arn:aws:sts::{A}:assumed-role/Admin/jane"
B_SESS = f"arn:aws:sts::{B}:assumed-role/reader/r1"
B_USER = f"arn:aws:iam::{B}:user/bob"
X_USER = f"arn:aws:iam::{X}:user/mallory"
ROOT_A = f"arn:aws:iam::{A}:root"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
OBJ = f"{BUCKET}/home/alice/notes.txt"
INSTANCE = f"arn:aws:ec2:us-east-1:{A}:instance/i-0abcd1234"
INSTANCE_EU = f"arn:aws:ec2:eu-west-1:{A}:instance/i-0abcd1234"
KEY_B = f"arn:aws:kms:us-east-1:{B}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE = f"arn:aws:sqs:us-east-1:{A}:orders"
TABLE = f"arn:aws:dynamodb:us-east-1:{A}:table/GameScores"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{A}:trail/org-trail"
BOUNDARY_ARN = f"arn:aws:iam::{A}:policy/XCompanyBoundaries"

P_EVAL = "IAM User Guide, Policy evaluation logic"
P_ACCT = "IAM User Guide, Determining whether a request is allowed or denied within an account"
P_XACCT = "IAM User Guide, Cross-account policy evaluation logic"
P_OPS = "IAM User Guide, IAM JSON policy elements: Condition operators"
P_MULTI = "IAM User Guide, Single-valued vs. multivalued context keys"
P_VARS = "IAM User Guide, IAM policy elements: Variables and tags"
P_KEYS = "IAM User Guide, AWS global condition context keys"
P_SCPEX = "AWS Organizations User Guide, Example service control policies"
P_SCP = "AWS Organizations User Guide, SCP evaluation"
P_RCPEX = "AWS Organizations User Guide, Resource control policy examples (data perimeter)"
P_RCP = "AWS Organizations User Guide, Resource control policies (RCPs)"
P_PB = "IAM User Guide, Permissions boundaries for IAM entities"
P_SESS = "IAM User Guide, Policies and permissions in IAM: session policies"
P_ABAC = "IAM User Guide, Define permissions based on attributes with ABAC authorization"
P_MFA = "IAM User Guide, Example IAM identity-based policies: MFA-authenticated access"
P_S3EX = "Amazon S3 User Guide, Bucket policy examples"
P_S3LIST = "IAM User Guide, Example: Allows IAM users to access their own home directory in Amazon S3"
P_KMS = "AWS KMS Developer Guide, Key policies in AWS KMS / Allowing users in other accounts to use a KMS key"
P_NOTP = "IAM User Guide, AWS JSON policy elements: NotPrincipal"
P_PRIN = "IAM User Guide, AWS JSON policy elements: Principal"
P_RES = "IAM User Guide, IAM JSON policy elements: Resource"
P_NOTRES = "IAM User Guide, IAM JSON policy elements: NotResource"
P_NOTACT = "IAM User Guide, IAM JSON policy elements: NotAction"
P_ACTION = "IAM User Guide, IAM JSON policy elements: Action"
P_COND = "IAM User Guide, IAM JSON policy elements: Condition"
P_TRUST = "IAM User Guide, Roles terms and concepts: trust policy"

CASES: list[dict] = []


def pol(*stmts) -> dict:
    return {"Version": "2012-10-17", "Statement": list(stmts)}


def st(effect, action="*", resource="*", cond=None, **extra) -> dict:
    s: dict = {"Effect": effect}
    if "NotAction" not in extra:
        s["Action"] = action
    if "NotResource" not in extra:
        s["Resource"] = resource
    s.update(extra)
    if cond:
        s["Condition"] = cond
    return s


def allow(action="*", resource="*", cond=None, **extra):
    return st("Allow", action, resource, cond, **extra)


def deny(action="*", resource="*", cond=None, **extra):
    return st("Deny", action, resource, cond, **extra)


FULL = pol(allow(Sid="FullAWSAccess"))


def case(cid, page, rule, expected, *, principal=ALICE, action="s3:GetObject", resource=OBJ,
         resource_account=None, context=None, identity=(), boundary=None, session=None, scps=None,
         rcps=None, resource_policy=None, ambiguous=None, **extra):
    assert expected in ("allowed", "explicitDeny", "implicitDeny"), expected
    assert all(c["id"] != cid for c in CASES), cid
    req = {"principal": principal, "action": action, "resource": resource}
    if resource_account is not None:
        req["resource_account"] = resource_account
    req["context"] = context or {}
    c = {"id": cid, "rule": f"{page}: {rule}", "expected": expected, "request": req,
         "identity_policies": list(identity), "permission_boundary": boundary,
         "session_policy": session, "scps": scps if scps is not None else [],
         "rcps": rcps if rcps is not None else [], "resource_policy": resource_policy}
    if ambiguous:
        c["ambiguous"] = ambiguous
    c.update(extra)
    CASES.append(c)


def cc(cid, page, rule, expected, cond, context, *, effect="Allow", action="s3:GetObject",
       resource=OBJ, principal=ALICE, **kw):
    """An identity policy whose single statement carries ``cond`` (a Deny gets an Allow-all beside)."""
    ident = [pol(allow(action, resource, cond))] if effect == "Allow" else [pol(allow(), deny(cond=cond))]
    case(cid, page, rule, expected, principal=principal, action=action, resource=resource,
         context=context, identity=ident, **kw)


# ------------------------------------------------------------------------------------------------
# 1. SCP examples (AWS Organizations "Example service control policies")
# ------------------------------------------------------------------------------------------------
REGION_SCP = pol(
    allow(Sid="FullAWSAccess"),
    {"Sid": "DenyAllOutsideEU", "Effect": "Deny",
     "NotAction": ["a4b:*", "acm:*", "aws-marketplace-management:*", "aws-marketplace:*",
                   "budgets:*", "ce:*", "cloudfront:*", "globalaccelerator:*", "iam:*",
                   "organizations:*", "route53:*", "s3:GetAccountPublic*", "sts:*", "support:*"],
     "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                   "ArnNotLike": {"aws:PrincipalARN": ["arn:aws:iam::*:role/Role1AllowedToBypassThisSCP",
                                                       "arn:aws:iam::*:role/Role2AllowedToBypassThisSCP"]}}})
ID_ALL = [pol(allow())]
case("scpex-region-outside-denied", P_SCPEX, "the region-deny SCP denies ec2:RunInstances requested in us-east-1 (not in the allowed list, not exempt)",
     "explicitDeny", principal=APP_SESS, action="ec2:RunInstances", resource=INSTANCE,
     context={"aws:RequestedRegion": "us-east-1"}, identity=ID_ALL, scps=[[REGION_SCP]])
case("scpex-region-inside-allowed", P_SCPEX, "the region-deny SCP lets a request in eu-west-1 through",
     "allowed", principal=APP_SESS, action="ec2:RunInstances", resource=INSTANCE_EU,
     context={"aws:RequestedRegion": "eu-west-1"}, identity=ID_ALL, scps=[[REGION_SCP]])
case("scpex-region-iam-exempt", P_SCPEX, "global services listed in NotAction (iam:*) are not denied outside the regions",
     "allowed", principal=APP_SESS, action="iam:ListRoles", resource="*",
     context={"aws:RequestedRegion": "us-east-1"}, identity=ID_ALL, scps=[[REGION_SCP]])
case("scpex-region-sts-exempt", P_SCPEX, "sts:* is in the NotAction list, so sts:GetCallerIdentity in us-east-1 is not denied",
     "allowed", principal=APP_SESS, action="sts:GetCallerIdentity", resource="*",
     context={"aws:RequestedRegion": "us-east-1"}, identity=ID_ALL, scps=[[REGION_SCP]])
case("scpex-region-s3-prefix-wildcard-exempt", P_SCPEX, "NotAction s3:GetAccountPublic* exempts s3:GetAccountPublicAccessBlock but not other s3 actions",
     "allowed", principal=APP_SESS, action="s3:GetAccountPublicAccessBlock", resource="*",
     context={"aws:RequestedRegion": "us-east-1"}, identity=ID_ALL, scps=[[REGION_SCP]])
case("scpex-region-s3-other-denied", P_SCPEX, "s3:ListAllMyBuckets is not in the NotAction list, so it is denied outside the regions",
     "explicitDeny", principal=APP_SESS, action="s3:ListAllMyBuckets", resource="*",
     context={"aws:RequestedRegion": "us-east-1"}, identity=ID_ALL, scps=[[REGION_SCP]])
case("scpex-region-bypass-role", P_SCPEX, "ArnNotLike aws:PrincipalARN exempts Role1AllowedToBypassThisSCP (a session's PrincipalArn is its role ARN)",
     "allowed", principal=BYPASS_SESS, action="ec2:RunInstances", resource=INSTANCE,
     context={"aws:RequestedRegion": "us-east-1"}, identity=ID_ALL, scps=[[REGION_SCP]])
case("scpex-region-ou-level", P_SCP, "the region-deny SCP attached at an OU applies to the accounts below it",
     "explicitDeny", principal=APP_SESS, action="ec2:RunInstances", resource=INSTANCE,
     context={"aws:RequestedRegion": "us-east-1"}, identity=ID_ALL, scps=[[FULL], [REGION_SCP], [FULL]])
case("scpex-region-management-account", P_SCP, "SCPs do not affect the management account, so the region deny does not apply there",
     "allowed", principal=f"arn:aws:sts::{MGMT}:assumed-role/app/s1", action="ec2:RunInstances",
     resource=f"arn:aws:ec2:us-east-1:{MGMT}:instance/i-1", context={"aws:RequestedRegion": "us-east-1"},
     identity=ID_ALL, scps=[[REGION_SCP]], management_account_id=MGMT)

LEAVE = pol(allow(Sid="FullAWSAccess"), deny("organizations:LeaveOrganization", Sid="DenyLeave"))
case("scpex-leave-org-denied", P_SCPEX, "the 'prevent member accounts from leaving' SCP denies organizations:LeaveOrganization even to an admin",
     "explicitDeny", principal=ADMIN_SESS, action="organizations:LeaveOrganization", resource="*",
     identity=ID_ALL, scps=[[LEAVE]])
case("scpex-leave-org-other-action", P_SCPEX, "the same SCP leaves other organizations actions alone",
     "allowed", principal=ADMIN_SESS, action="organizations:DescribeOrganization", resource="*",
     identity=ID_ALL, scps=[[LEAVE]])
CT = pol(allow(), deny(["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], Sid="ProtectCloudTrail"))
case("scpex-cloudtrail-stop-denied", P_SCPEX, "an SCP denying cloudtrail:StopLogging blocks it for every principal of the member account, root included",
     "explicitDeny", principal=ROOT_A, action="cloudtrail:StopLogging", resource=TRAIL, scps=[[CT]])
case("scpex-cloudtrail-lookup-ok", P_SCPEX, "cloudtrail:LookupEvents is not in the deny list",
     "allowed", principal=APP_SESS, action="cloudtrail:LookupEvents", resource="*", identity=ID_ALL, scps=[[CT]])
MFA_STOP = pol(allow(), deny(["ec2:StopInstances", "ec2:TerminateInstances"], cond={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
case("scpex-mfa-stop-no-key", P_SCPEX, "BoolIfExists aws:MultiFactorAuthPresent false denies when the key is absent (long-term access keys)",
     "explicitDeny", principal=ALICE, action="ec2:StopInstances", resource=INSTANCE, identity=ID_ALL, scps=[[MFA_STOP]])
case("scpex-mfa-stop-false", P_SCPEX, "BoolIfExists ... false denies when MFA is reported false",
     "explicitDeny", principal=APP_SESS, action="ec2:TerminateInstances", resource=INSTANCE,
     context={"aws:MultiFactorAuthPresent": "false"}, identity=ID_ALL, scps=[[MFA_STOP]])
case("scpex-mfa-stop-true", P_SCPEX, "with MFA present (true) the deny does not apply",
     "allowed", principal=APP_SESS, action="ec2:StopInstances", resource=INSTANCE,
     context={"aws:MultiFactorAuthPresent": "true"}, identity=ID_ALL, scps=[[MFA_STOP]])
TAG_REQ = pol(allow(), deny("ec2:RunInstances", "arn:aws:ec2:*:*:instance/*", {"Null": {"aws:RequestTag/Project": "true"}}, Sid="DenyRunWithoutProject"))
case("scpex-require-tag-missing", P_SCPEX, "Null aws:RequestTag/Project true denies RunInstances that does not tag the instance",
     "explicitDeny", principal=APP_SESS, action="ec2:RunInstances", resource=INSTANCE, identity=ID_ALL, scps=[[TAG_REQ]])
case("scpex-require-tag-present", P_SCPEX, "with aws:RequestTag/Project in the request the Null deny does not apply",
     "allowed", principal=APP_SESS, action="ec2:RunInstances", resource=INSTANCE,
     context={"aws:RequestTag/Project": "phoenix", "aws:TagKeys": ["Project"]}, identity=ID_ALL, scps=[[TAG_REQ]])
case("scpex-require-tag-other-resource", P_SCPEX, "the deny names instance/* only: a volume resource of the same call is not denied",
     "allowed", principal=APP_SESS, action="ec2:RunInstances", resource=f"arn:aws:ec2:us-east-1:{A}:volume/vol-1",
     identity=ID_ALL, scps=[[TAG_REQ]])
ITYPE = pol(allow(), deny("ec2:RunInstances", "arn:aws:ec2:*:*:instance/*", {"StringNotEquals": {"ec2:InstanceType": "t2.micro"}}))
case("scpex-instance-type-other", P_SCPEX, "StringNotEquals ec2:InstanceType t2.micro denies m5.large",
     "explicitDeny", principal=APP_SESS, action="ec2:RunInstances", resource=INSTANCE,
     context={"ec2:InstanceType": "m5.large"}, identity=ID_ALL, scps=[[ITYPE]])
case("scpex-instance-type-ok", P_SCPEX, "t2.micro is allowed by the instance-type SCP",
     "allowed", principal=APP_SESS, action="ec2:RunInstances", resource=INSTANCE,
     context={"ec2:InstanceType": "t2.micro"}, identity=ID_ALL, scps=[[ITYPE]])
case("scpex-instance-type-case", P_OPS, "StringNotEquals is case-sensitive: T2.MICRO is not t2.micro, so the deny applies",
     "explicitDeny", principal=APP_SESS, action="ec2:RunInstances", resource=INSTANCE,
     context={"ec2:InstanceType": "T2.MICRO"}, identity=ID_ALL, scps=[[ITYPE]])
PROTECT_ROLE = pol(allow(), deny(["iam:AttachRolePolicy", "iam:DeleteRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
                                 "arn:aws:iam::*:role/name-of-role-to-deny",
                                 {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/name-of-admin-role"}}))
case("scpex-protect-role-other", P_SCPEX, "changes to the protected role are denied except for the admin role",
     "explicitDeny", principal=APP_SESS, action="iam:DeleteRole", resource=f"arn:aws:iam::{A}:role/name-of-role-to-deny",
     identity=ID_ALL, scps=[[PROTECT_ROLE]])
case("scpex-protect-role-admin", P_SCPEX, "the admin role (by aws:PrincipalARN wildcard account) may change the protected role",
     "allowed", principal=f"arn:aws:sts::{A}:assumed-role/name-of-admin-role/x", action="iam:PutRolePolicy",
     resource=f"arn:aws:iam::{A}:role/name-of-role-to-deny", identity=ID_ALL, scps=[[PROTECT_ROLE]])
case("scpex-protect-role-other-role", P_SCPEX, "other roles are not protected by that SCP",
     "allowed", principal=APP_SESS, action="iam:DeleteRole", resource=f"arn:aws:iam::{A}:role/other",
     identity=ID_ALL, scps=[[PROTECT_ROLE]])
ROOT_DENY = pol(allow(), deny(cond={"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}}, Sid="RestrictRoot"))
case("scpex-deny-root", P_SCPEX, "StringLike aws:PrincipalArn arn:aws:iam::*:root denies the member account's root user",
     "explicitDeny", principal=ROOT_A, action="ec2:DescribeInstances", resource="*", scps=[[ROOT_DENY]])
case("scpex-deny-root-spares-user", P_SCPEX, "the same SCP does not apply to an IAM user",
     "allowed", principal=ALICE, action="ec2:DescribeInstances", resource="*", identity=ID_ALL, scps=[[ROOT_DENY]])
ALLOWLIST = pol({"Effect": "Allow", "Action": ["ec2:*", "cloudwatch:*"], "Resource": "*"})
case("scpex-allowlist-out", P_SCP, "an allow-list SCP (no FullAWSAccess) at the account level blocks s3 even when root and OU allow",
     "implicitDeny", principal=APP_SESS, action="s3:GetObject", identity=ID_ALL, scps=[[FULL], [FULL], [ALLOWLIST]])
case("scpex-allowlist-in", P_SCP, "the allow-listed cloudwatch:PutMetricData passes every level",
     "allowed", principal=APP_SESS, action="cloudwatch:PutMetricData", resource="*", identity=ID_ALL, scps=[[FULL], [FULL], [ALLOWLIST]])
case("scpex-allowlist-no-identity", P_SCP, "an SCP allow does not grant: without an identity allow the request is implicitly denied",
     "implicitDeny", principal=APP_SESS, action="ec2:DescribeInstances", resource="*", scps=[[FULL], [ALLOWLIST]])
PTAG_EXC = pol(allow(), deny("iam:*", cond={"StringNotEquals": {"aws:PrincipalTag/team": "platform"}}))
case("scpex-principal-tag-exception-missing", P_OPS, "StringNotEquals on an absent principal tag evaluates true, so the deny applies",
     "explicitDeny", principal=APP_SESS, action="iam:CreateRole", resource="*", identity=ID_ALL, scps=[[PTAG_EXC]])
case("scpex-principal-tag-exception-ok", P_SCPEX, "a principal tagged team=platform is exempt",
     "allowed", principal=APP_SESS, action="iam:CreateRole", resource="*", identity=ID_ALL, scps=[[PTAG_EXC]],
     principal_tags={"team": "platform"})

# ------------------------------------------------------------------------------------------------
# 2. RCP data-perimeter examples
# ------------------------------------------------------------------------------------------------
RCP_ORG = pol(allow(Sid="RCPFullAWSAccess", Principal="*"), {
    "Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
    "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"], "Resource": "*",
    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                  "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}})
BUCKET_B_GRANTS = lambda principal: pol(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": principal}))  # noqa: E731
case("rcpex-org-outside-denied", P_RCPEX, "EnforceOrgIdentities denies a principal whose aws:PrincipalOrgID is another org even though the bucket policy grants it",
     "explicitDeny", principal=X_USER, resource=OBJ, resource_account=A, context={"aws:PrincipalOrgID": "o-zzzzzzzzzz"},
     identity=ID_ALL, resource_policy=BUCKET_B_GRANTS(X), rcps=[[RCP_ORG]])
case("rcpex-org-inside-allowed", P_RCPEX, "a principal of our org (PrincipalOrgID matches) is allowed when both sides allow",
     "allowed", principal=B_SESS, resource=OBJ, resource_account=A, context={"aws:PrincipalOrgID": ORG},
     identity=ID_ALL, resource_policy=BUCKET_B_GRANTS(B), rcps=[[RCP_ORG]])
case("rcpex-org-service-principal", P_RCPEX, "service principals carry no PrincipalOrgID; BoolIfExists aws:PrincipalIsAWSService false is false for them, so the deny does not apply",
     "allowed", principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource=f"{BUCKET}/AWSLogs/{A}/x",
     resource_account=A, resource_policy=pol(allow("s3:PutObject", f"{BUCKET}/*", Principal={"Service": "cloudtrail.amazonaws.com"})),
     rcps=[[RCP_ORG]])
case("rcpex-org-not-listed-action", P_RCPEX, "actions outside the RCP's Action list (dynamodb) are not denied by it",
     "allowed", principal=ALICE, action="dynamodb:GetItem", resource=TABLE, identity=ID_ALL, rcps=[[RCP_ORG]])
case("rcpex-org-absent-orgid-denied", P_RCPEX, "StringNotEqualsIfExists with the key absent is true: a principal of no organization is denied",
     "explicitDeny", principal=X_USER, resource=OBJ, resource_account=A, identity=ID_ALL,
     resource_policy=BUCKET_B_GRANTS(X), rcps=[[RCP_ORG]])
case("rcpex-org-kms-decrypt", P_RCPEX, "the perimeter covers kms: a same-org caller with both sides allowing may decrypt",
     "allowed", principal=B_SESS, action="kms:Decrypt", resource=KEY_A, context={"aws:PrincipalOrgID": ORG},
     identity=ID_ALL, resource_policy=pol(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{B}:root"}),
                                          allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{A}:root"})), rcps=[[RCP_ORG]])
case("rcpex-org-assume-role-outside", P_RCPEX, "sts:AssumeRole into our role by a principal outside the org is denied by the RCP",
     "explicitDeny", principal=X_USER, action="sts:AssumeRole", resource=f"arn:aws:iam::{A}:role/partner-access",
     context={"aws:PrincipalOrgID": "o-zzzzzzzzzz"}, identity=ID_ALL,
     resource_policy=pol(allow("sts:AssumeRole", Principal={"AWS": f"arn:aws:iam::{X}:root"})), rcps=[[RCP_ORG]])
RCP_DEPUTY = pol({"Sid": "EnforceConfusedDeputyProtection", "Effect": "Deny", "Principal": "*",
                  "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"], "Resource": "*",
                  "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": ORG},
                                "Null": {"aws:SourceAccount": "false"},
                                "Bool": {"aws:PrincipalIsAWSService": "true"}}})
SNS_BUCKET = pol(allow("s3:PutObject", f"{BUCKET}/*", Principal={"Service": "logging.s3.amazonaws.com"}))
case("rcpex-deputy-other-org", P_RCPEX, "a service acting for an account of another org (aws:SourceOrgID differs) is denied",
     "explicitDeny", principal="logging.s3.amazonaws.com", action="s3:PutObject", resource=f"{BUCKET}/logs/x",
     resource_account=A, context={"aws:SourceOrgID": "o-zzzzzzzzzz", "aws:SourceAccount": X},
     resource_policy=SNS_BUCKET, rcps=[[RCP_DEPUTY]])
case("rcpex-deputy-same-org", P_RCPEX, "a service acting for an account of our org is not denied",
     "allowed", principal="logging.s3.amazonaws.com", action="s3:PutObject", resource=f"{BUCKET}/logs/x",
     resource_account=A, context={"aws:SourceOrgID": ORG, "aws:SourceAccount": B},
     resource_policy=SNS_BUCKET, rcps=[[RCP_DEPUTY]])
case("rcpex-deputy-no-source-account", P_RCPEX, "Null aws:SourceAccount false fails when the service sends no source account, so the deny does not apply",
     "allowed", principal="logging.s3.amazonaws.com", action="s3:PutObject", resource=f"{BUCKET}/logs/x",
     resource_account=A, resource_policy=SNS_BUCKET, rcps=[[RCP_DEPUTY]])
case("rcpex-deputy-iam-principal", P_RCPEX, "Bool aws:PrincipalIsAWSService true is false for an IAM user, so the deputy deny does not apply",
     "allowed", principal=ALICE, action="s3:PutObject", resource=f"{BUCKET}/logs/x", resource_account=A,
     context={"aws:SourceAccount": X, "aws:SourceOrgID": "o-zzzzzzzzzz"}, identity=ID_ALL, rcps=[[RCP_DEPUTY]])
RCP_TLS = pol({"Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*", "Action": ["s3:*", "sqs:*"],
               "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}})
case("rcpex-tls-http-denied", P_RCPEX, "BoolIfExists aws:SecureTransport false denies plain-HTTP requests",
     "explicitDeny", principal=ALICE, action="sqs:SendMessage", resource=QUEUE, context={"aws:SecureTransport": "false"},
     identity=ID_ALL, rcps=[[RCP_TLS]])
case("rcpex-tls-https-ok", P_RCPEX, "HTTPS requests pass",
     "allowed", principal=ALICE, action="sqs:SendMessage", resource=QUEUE, context={"aws:SecureTransport": "true"},
     identity=ID_ALL, rcps=[[RCP_TLS]])
RCP_TLSV = pol({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}})
case("rcpex-tls-version-old", P_RCPEX, "NumericLessThan s3:TlsVersion 1.2 denies TLS 1.1",
     "explicitDeny", principal=ALICE, context={"s3:TlsVersion": "1.1"}, identity=ID_ALL, rcps=[[RCP_TLSV]])
case("rcpex-tls-version-ok", P_RCPEX, "TLS 1.3 is not less than 1.2",
     "allowed", principal=ALICE, context={"s3:TlsVersion": "1.3"}, identity=ID_ALL, rcps=[[RCP_TLSV]])
case("rcpex-tls-version-missing", P_OPS, "a NumericLessThan on an absent key is false, so the deny does not apply",
     "allowed", principal=ALICE, identity=ID_ALL, rcps=[[RCP_TLSV]])
case("rcp-ou-level-deny-only", P_RCP, "RCPs never need an allow at a level (RCPFullAWSAccess is always attached); a deny-only OU RCP on another action does not block",
     "allowed", principal=ALICE, identity=ID_ALL,
     rcps=[[], [pol({"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"})]])
case("rcp-ec2-not-covered", P_RCP, "EC2 is not a service RCPs apply to: a deny * RCP does not block ec2:DescribeInstances",
     "allowed", principal=ALICE, action="ec2:DescribeInstances", resource="*", identity=ID_ALL,
     rcps=[[pol({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})]])

# ------------------------------------------------------------------------------------------------
# 3. Permissions boundaries: delegated administration example
# ------------------------------------------------------------------------------------------------
DELEG = pol(
    {"Sid": "CreateOrChangeOnlyWithBoundary", "Effect": "Allow",
     "Action": ["iam:CreateUser", "iam:DeleteUserPolicy", "iam:AttachUserPolicy", "iam:DetachUserPolicy",
                "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy"],
     "Resource": "*", "Condition": {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY_ARN}}},
    {"Sid": "IAMRead", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    {"Sid": "NoBoundaryPolicyEdit", "Effect": "Deny",
     "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"],
     "Resource": [BOUNDARY_ARN, f"arn:aws:iam::{A}:policy/DelegatedUserBoundary"]},
    {"Sid": "NoBoundaryUserDelete", "Effect": "Deny", "Action": "iam:DeleteUserPermissionsBoundary", "Resource": "*"})
DELEG_BOUNDARY = pol(allow(["iam:*", "s3:*", "cloudwatch:*"]), deny("iam:DeleteUserPermissionsBoundary"))
case("pbex-create-user-with-boundary", P_PB, "the delegated admin may create a user when iam:PermissionsBoundary is the required boundary",
     "allowed", principal=ALICE, action="iam:CreateUser", resource=f"arn:aws:iam::{A}:user/newbie",
     context={"iam:PermissionsBoundary": BOUNDARY_ARN}, identity=[DELEG], boundary=DELEG_BOUNDARY)
case("pbex-create-user-other-boundary", P_PB, "another boundary ARN fails the StringEquals condition: no allow",
     "implicitDeny", principal=ALICE, action="iam:CreateUser", resource=f"arn:aws:iam::{A}:user/newbie",
     context={"iam:PermissionsBoundary": f"arn:aws:iam::{A}:policy/AdminAccess"}, identity=[DELEG], boundary=DELEG_BOUNDARY)
case("pbex-create-user-no-boundary", P_PB, "creating a user without a boundary (key absent) is not allowed",
     "implicitDeny", principal=ALICE, action="iam:CreateUser", resource=f"arn:aws:iam::{A}:user/newbie",
     identity=[DELEG], boundary=DELEG_BOUNDARY)
case("pbex-edit-boundary-policy-denied", P_PB, "the admin may not create a new version of the boundary policy (explicit deny beats the boundary's iam:* allow)",
     "explicitDeny", principal=ALICE, action="iam:CreatePolicyVersion", resource=BOUNDARY_ARN,
     identity=[DELEG, pol(allow("iam:*"))], boundary=DELEG_BOUNDARY)
case("pbex-remove-boundary-denied", P_PB, "iam:DeleteUserPermissionsBoundary is denied",
     "explicitDeny", principal=ALICE, action="iam:DeleteUserPermissionsBoundary", resource=f"arn:aws:iam::{A}:user/alice",
     identity=[DELEG], boundary=DELEG_BOUNDARY)
case("pbex-read-allowed", P_PB, "iam:Get*/List* are allowed by the identity policy and within the boundary",
     "allowed", principal=ALICE, action="iam:GetUser", resource=f"arn:aws:iam::{A}:user/alice", identity=[DELEG], boundary=DELEG_BOUNDARY)
case("pbex-ec2-outside-boundary", P_PB, "AdministratorAccess as identity policy still cannot exceed the boundary (s3/cloudwatch/iam only)",
     "implicitDeny", principal=ALICE, action="ec2:RunInstances", resource=INSTANCE, identity=[pol(allow())], boundary=DELEG_BOUNDARY)
case("pbex-boundary-region-cond-fail", P_PB, "a boundary with a region condition caps identity grants outside the region",
     "implicitDeny", principal=APP_SESS, action="ec2:DescribeInstances", resource="*", context={"aws:RequestedRegion": "ap-south-1"},
     identity=ID_ALL, boundary=pol(allow("ec2:*", cond={"StringEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}})))
case("pbex-boundary-region-cond-ok", P_PB, "the same boundary allows inside the region",
     "allowed", principal=APP_SESS, action="ec2:DescribeInstances", resource="*", context={"aws:RequestedRegion": "us-west-2"},
     identity=ID_ALL, boundary=pol(allow("ec2:*", cond={"StringEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}})))
case("pbex-boundary-notaction-deny", P_PB, "a boundary allowing * with a Deny NotAction s3:* denies every non-s3 action",
     "explicitDeny", principal=APP_SESS, action="sqs:SendMessage", resource=QUEUE, identity=ID_ALL,
     boundary=pol(allow(), deny(NotAction="s3:*")))
case("pbex-root-no-boundary", P_PB, "the root user is not limited by other principals' boundaries: no boundary case, full access",
     "allowed", principal=ROOT_A, action="ec2:RunInstances", resource=INSTANCE)

# ------------------------------------------------------------------------------------------------
# 4. Session policies
# ------------------------------------------------------------------------------------------------
ROLE_POL = pol(allow(["s3:*", "dynamodb:*"]))
case("sess-intersection-allow", P_SESS, "a role session is allowed what both the role's policy and the session policy allow",
     "allowed", principal=APP_SESS, action="s3:PutObject", identity=[ROLE_POL], session=pol(allow("s3:PutObject", f"{BUCKET}/*")))
case("sess-intersection-other-bucket", P_SESS, "a session policy scoped to one bucket caps the role's s3:* on another bucket",
     "implicitDeny", principal=APP_SESS, action="s3:PutObject", resource="arn:aws:s3:::other-bucket/k",
     identity=[ROLE_POL], session=pol(allow("s3:PutObject", f"{BUCKET}/*")))
case("sess-cannot-exceed-role", P_SESS, "a session policy allowing * cannot grant ec2 the role's policy does not",
     "implicitDeny", principal=APP_SESS, action="ec2:DescribeInstances", resource="*", identity=[ROLE_POL], session=pol(allow()))
case("sess-deny-in-session", P_SESS, "an explicit deny in the session policy wins",
     "explicitDeny", principal=APP_SESS, action="dynamodb:DeleteTable", resource=TABLE, identity=[ROLE_POL],
     session=pol(allow(), deny("dynamodb:Delete*")))
case("sess-resource-policy-session-arn", P_SESS, "a resource policy naming the session ARN is not limited by the session policy",
     "allowed", principal=APP_SESS, action="sqs:SendMessage", resource=QUEUE, identity=[],
     session=pol(allow("s3:GetObject")), resource_policy=pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": APP_SESS})))
case("sess-resource-policy-role-arn", P_SESS, "a resource policy naming the role ARN is limited by the session policy",
     "implicitDeny", principal=APP_SESS, action="sqs:SendMessage", resource=QUEUE, identity=[],
     session=pol(allow("s3:GetObject")), resource_policy=pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": APP_ROLE})))
case("sess-with-boundary-and-scp", P_EVAL, "session + boundary + SCP + identity all allow: allowed",
     "allowed", principal=APP_SESS, action="s3:GetObject", identity=[ROLE_POL], session=pol(allow("s3:Get*")),
     boundary=pol(allow("s3:*")), scps=[[FULL], [pol(allow("s3:*"), allow("sts:*"))]])
case("sess-with-boundary-missing", P_EVAL, "session allows, identity allows, boundary silent: implicit deny",
     "implicitDeny", principal=APP_SESS, action="dynamodb:GetItem", resource=TABLE, identity=[ROLE_POL],
     session=pol(allow()), boundary=pol(allow("s3:*")))

# ------------------------------------------------------------------------------------------------
# 5. ABAC with policy variables in condition values
# ------------------------------------------------------------------------------------------------
ABAC = pol(
    {"Sid": "AllowActionsSameTeam", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:UpdateSecret"],
     "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/access-project": "${aws:PrincipalTag/access-project}",
                                                     "aws:ResourceTag/access-team": "${aws:PrincipalTag/access-team}"}}},
    {"Sid": "CreateTagged", "Effect": "Allow", "Action": ["secretsmanager:CreateSecret", "secretsmanager:TagResource"],
     "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/access-project": "${aws:PrincipalTag/access-project}"},
                                    "ForAllValues:StringEquals": {"aws:TagKeys": ["access-project", "access-team", "name"]}}})
SECRET = f"arn:aws:secretsmanager:us-east-1:{A}:secret:db-pass-AbCdEf"
PT = {"access-project": "peg", "access-team": "eng"}
case("abac-same-tags", P_ABAC, "resource tags equal to the principal's tags (variables in condition values) allow",
     "allowed", principal=APP_SESS, action="secretsmanager:GetSecretValue", resource=SECRET, identity=[ABAC],
     context={"aws:ResourceTag/access-project": "peg", "aws:ResourceTag/access-team": "eng"}, principal_tags=PT)
case("abac-other-team", P_ABAC, "a resource of another team does not match",
     "implicitDeny", principal=APP_SESS, action="secretsmanager:GetSecretValue", resource=SECRET, identity=[ABAC],
     context={"aws:ResourceTag/access-project": "peg", "aws:ResourceTag/access-team": "qa"}, principal_tags=PT)
case("abac-value-case", P_ABAC, "tag values are case-sensitive under StringEquals: Eng is not eng",
     "implicitDeny", principal=APP_SESS, action="secretsmanager:GetSecretValue", resource=SECRET, identity=[ABAC],
     context={"aws:ResourceTag/access-project": "peg", "aws:ResourceTag/access-team": "Eng"}, principal_tags=PT)
case("abac-principal-untagged", P_VARS, "with the principal tag missing the variable cannot be resolved and the condition does not match",
     "implicitDeny", principal=APP_SESS, action="secretsmanager:GetSecretValue", resource=SECRET, identity=[ABAC],
     context={"aws:ResourceTag/access-project": "peg", "aws:ResourceTag/access-team": "eng"},
     principal_tags={"access-project": "peg"})
case("abac-tag-key-case", P_KEYS, "tag key names in aws:ResourceTag/ and aws:PrincipalTag/ are case-insensitive",
     "allowed", principal=APP_SESS, action="secretsmanager:UpdateSecret", resource=SECRET, identity=[ABAC],
     context={"aws:ResourceTag/Access-Project": "peg", "aws:resourcetag/ACCESS-TEAM": "eng"},
     principal_tags={"Access-Project": "peg", "access-TEAM": "eng"})
case("abac-create-allowed-keys", P_ABAC, "creating with the project tag and only allowed tag keys is allowed",
     "allowed", principal=APP_SESS, action="secretsmanager:CreateSecret", resource=SECRET, identity=[ABAC],
     context={"aws:RequestTag/access-project": "peg", "aws:TagKeys": ["access-project", "name"]}, principal_tags=PT)
case("abac-create-extra-key", P_MULTI, "ForAllValues fails when a request tag key is outside the allowed set",
     "implicitDeny", principal=APP_SESS, action="secretsmanager:CreateSecret", resource=SECRET, identity=[ABAC],
     context={"aws:RequestTag/access-project": "peg", "aws:TagKeys": ["access-project", "cost-center"]}, principal_tags=PT)
case("abac-create-tagkeys-case", P_MULTI, "aws:TagKeys values are compared case-sensitively by StringEquals: Name is not name",
     "implicitDeny", principal=APP_SESS, action="secretsmanager:CreateSecret", resource=SECRET, identity=[ABAC],
     context={"aws:RequestTag/access-project": "peg", "aws:TagKeys": ["access-project", "Name"]}, principal_tags=PT)
case("abac-create-wrong-project", P_ABAC, "the request tag must equal the principal's project tag",
     "implicitDeny", principal=APP_SESS, action="secretsmanager:CreateSecret", resource=SECRET, identity=[ABAC],
     context={"aws:RequestTag/access-project": "other", "aws:TagKeys": ["access-project"]}, principal_tags=PT)
case("abac-principal-tag-in-context", P_KEYS, "aws:PrincipalTag/ may also be given in the request context",
     "allowed", principal=APP_SESS, action="secretsmanager:GetSecretValue", resource=SECRET, identity=[ABAC],
     context={"aws:ResourceTag/access-project": "peg", "aws:ResourceTag/access-team": "eng",
              "aws:PrincipalTag/access-project": "peg", "aws:PrincipalTag/access-team": "eng"})
EC2_ABAC = pol(allow(["ec2:StartInstances", "ec2:StopInstances"], "arn:aws:ec2:*:*:instance/*",
                     {"StringEquals": {"ec2:ResourceTag/Owner": "${aws:username}"}}))
case("abac-ec2-owner-username", P_VARS, "ec2:ResourceTag/Owner equal to ${aws:username} allows the owner",
     "allowed", action="ec2:StopInstances", resource=INSTANCE, identity=[EC2_ABAC], context={"ec2:ResourceTag/Owner": "alice"})
case("abac-ec2-owner-other", P_VARS, "another owner is refused",
     "implicitDeny", action="ec2:StopInstances", resource=INSTANCE, identity=[EC2_ABAC], context={"ec2:ResourceTag/Owner": "bob"})
case("abac-ec2-owner-role", P_VARS, "a role session has no aws:username, so the condition cannot match",
     "implicitDeny", principal=APP_SESS, action="ec2:StopInstances", resource=INSTANCE, identity=[EC2_ABAC],
     context={"ec2:ResourceTag/Owner": "app"})
DENY_UNTAG = pol(allow(), deny("ec2:*", "*", {"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}))
case("abac-deny-not-team-match", P_ABAC, "Deny StringNotEquals resource team vs principal team: equal tags are not denied",
     "allowed", principal=APP_SESS, action="ec2:RebootInstances", resource=INSTANCE, identity=[DENY_UNTAG],
     context={"aws:ResourceTag/team": "blue"}, principal_tags={"team": "blue"})
case("abac-deny-not-team-differs", P_ABAC, "a resource of another team is denied",
     "explicitDeny", principal=APP_SESS, action="ec2:RebootInstances", resource=INSTANCE, identity=[DENY_UNTAG],
     context={"aws:ResourceTag/team": "red"}, principal_tags={"team": "blue"})
case("abac-deny-not-team-untagged-resource", P_OPS, "StringNotEquals with the resource tag absent evaluates true: denied",
     "explicitDeny", principal=APP_SESS, action="ec2:RebootInstances", resource=INSTANCE, identity=[DENY_UNTAG],
     principal_tags={"team": "blue"})
case("abac-var-default", P_VARS, "${aws:PrincipalTag/team, 'unassigned'} uses the default when the tag is missing",
     "allowed", principal=APP_SESS, action="s3:GetObject", resource=f"{BUCKET}/teams/unassigned/x",
     identity=[pol(allow("s3:GetObject", f"{BUCKET}/teams/${{aws:PrincipalTag/team, 'unassigned'}}/*"))])
case("abac-var-default-tag-present", P_VARS, "with the tag present the default is not used",
     "implicitDeny", principal=APP_SESS, action="s3:GetObject", resource=f"{BUCKET}/teams/unassigned/x",
     identity=[pol(allow("s3:GetObject", f"{BUCKET}/teams/${{aws:PrincipalTag/team, 'unassigned'}}/*"))],
     principal_tags={"team": "blue"})

# ------------------------------------------------------------------------------------------------
# 6. S3 list-bucket home-directory example (s3:prefix, s3:delimiter)
# ------------------------------------------------------------------------------------------------
HOME = pol(
    {"Sid": "AllowListingOfUserFolder", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET,
     "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}},
    {"Sid": "AllowAllS3ActionsInUserFolder", "Effect": "Allow", "Action": "s3:*", "Resource": f"{BUCKET}/home/${{aws:username}}/*"})
case("s3home-list-root", P_S3LIST, "listing with an empty prefix (the bucket root) matches the \"\" value",
     "allowed", action="s3:ListBucket", resource=BUCKET, identity=[HOME], context={"s3:prefix": ""})
case("s3home-list-home", P_S3LIST, "listing home/ is allowed",
     "allowed", action="s3:ListBucket", resource=BUCKET, identity=[HOME], context={"s3:prefix": "home/"})
case("s3home-list-own-deep", P_OPS, "StringLike * matches across / : home/alice/a/b/ is under home/${aws:username}/*",
     "allowed", action="s3:ListBucket", resource=BUCKET, identity=[HOME], context={"s3:prefix": "home/alice/a/b/"})
case("s3home-list-other-user", P_S3LIST, "listing another user's folder is not allowed",
     "implicitDeny", action="s3:ListBucket", resource=BUCKET, identity=[HOME], context={"s3:prefix": "home/bob/"})
case("s3home-list-no-prefix", P_OPS, "without s3:prefix in the request the StringLike condition is false",
     "implicitDeny", action="s3:ListBucket", resource=BUCKET, identity=[HOME])
case("s3home-list-own-folder-no-slash", P_OPS, "home/alice (no trailing slash) does not match home/alice/*",
     "implicitDeny", action="s3:ListBucket", resource=BUCKET, identity=[HOME], context={"s3:prefix": "home/alice"})
case("s3home-object-own", P_S3LIST, "objects under the user's folder are allowed",
     "allowed", action="s3:PutObject", resource=f"{BUCKET}/home/alice/a/b.txt", identity=[HOME])
case("s3home-object-other", P_S3LIST, "objects in another user's folder are not",
     "implicitDeny", action="s3:GetObject", resource=f"{BUCKET}/home/bob/b.txt", identity=[HOME])
case("s3home-list-action-on-object-arn", P_RES, "s3:ListBucket on the bucket ARN is not granted by the object-ARN statement",
     "implicitDeny", action="s3:ListBucket", resource=BUCKET, identity=[pol(HOME["Statement"][1])], context={"s3:prefix": "home/alice/"})
DELIM = pol(allow("s3:ListBucket", BUCKET, {"StringEquals": {"s3:prefix": ["", "home/"], "s3:delimiter": "/"}}))
case("s3-delimiter-ok", P_S3EX, "prefix home/ with delimiter / satisfies both keys",
     "allowed", action="s3:ListBucket", resource=BUCKET, identity=[DELIM], context={"s3:prefix": "home/", "s3:delimiter": "/"})
case("s3-delimiter-missing", P_COND, "keys in one condition block are ANDed: without s3:delimiter the condition fails",
     "implicitDeny", action="s3:ListBucket", resource=BUCKET, identity=[DELIM], context={"s3:prefix": "home/"})
case("s3-prefix-equals-no-wildcard", P_OPS, "StringEquals does not expand *: a prefix value home/* is literal",
     "implicitDeny", action="s3:ListBucket", resource=BUCKET,
     identity=[pol(allow("s3:ListBucket", BUCKET, {"StringEquals": {"s3:prefix": "home/*"}}))], context={"s3:prefix": "home/alice/"})
case("s3-max-keys", P_OPS, "NumericLessThanEquals s3:max-keys 10 allows max-keys 10",
     "allowed", action="s3:ListBucket", resource=BUCKET,
     identity=[pol(allow("s3:ListBucket", BUCKET, {"NumericLessThanEquals": {"s3:max-keys": "10"}}))], context={"s3:max-keys": "10"})
case("s3-max-keys-over", P_OPS, "max-keys 11 fails NumericLessThanEquals 10",
     "implicitDeny", action="s3:ListBucket", resource=BUCKET,
     identity=[pol(allow("s3:ListBucket", BUCKET, {"NumericLessThanEquals": {"s3:max-keys": "10"}}))], context={"s3:max-keys": "11"})

# ------------------------------------------------------------------------------------------------
# 7. MFA, token issue time, dates
# ------------------------------------------------------------------------------------------------
MFA_AGE = {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}}
cc("mfa-age-recent", P_MFA, "NumericLessThanEquals aws:MultiFactorAuthAge 3600 allows an MFA sign-in 300 s ago", "allowed", MFA_AGE,
   {"aws:MultiFactorAuthAge": "300"}, action="ec2:StopInstances", resource=INSTANCE)
cc("mfa-age-boundary", P_OPS, "3600 equals the limit: NumericLessThanEquals is inclusive", "allowed", MFA_AGE,
   {"aws:MultiFactorAuthAge": 3600}, action="ec2:StopInstances", resource=INSTANCE)
cc("mfa-age-old", P_MFA, "an MFA sign-in 7200 s ago is too old", "implicitDeny", MFA_AGE,
   {"aws:MultiFactorAuthAge": "7200"}, action="ec2:StopInstances", resource=INSTANCE)
cc("mfa-age-missing", P_KEYS, "without MFA the key is absent and a numeric condition is false", "implicitDeny", MFA_AGE, {},
   action="ec2:StopInstances", resource=INSTANCE)
cc("mfa-age-deny-old-missing", P_OPS, "Deny NumericGreaterThan MultiFactorAuthAge: with the key absent the deny does not apply", "allowed",
   {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}, {}, effect="Deny")
cc("mfa-age-deny-ifexists-missing", P_OPS, "NumericGreaterThanIfExists with the key absent is true: denied", "explicitDeny",
   {"NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}, {}, effect="Deny")
MFA_DENY_ALL = pol(
    {"Sid": "AllowViewAccountInfo", "Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"], "Resource": "*"},
    {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice"], "Resource": "arn:aws:iam::*:mfa/*"},
    {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow", "Action": ["iam:EnableMFADevice", "iam:ListMFADevices"], "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
     "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                   "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
     "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})
case("mfa-self-manage-enable-own", P_MFA, "without MFA a user may still enable MFA on their own user (NotAction exempts it)",
     "allowed", action="iam:EnableMFADevice", resource=ALICE, identity=[MFA_DENY_ALL, pol(allow())])
case("mfa-self-manage-other-user", P_MFA, "enabling MFA on another user is not allowed by this policy alone",
     "implicitDeny", action="iam:EnableMFADevice", resource=f"arn:aws:iam::{A}:user/bob", identity=[MFA_DENY_ALL])
case("mfa-self-manage-s3-no-mfa", P_MFA, "without MFA every other action is denied even with an allow-all",
     "explicitDeny", action="s3:ListAllMyBuckets", resource="*", identity=[MFA_DENY_ALL, pol(allow())])
case("mfa-self-manage-s3-with-mfa", P_MFA, "with MFA present the deny does not apply",
     "allowed", action="s3:ListAllMyBuckets", resource="*", identity=[MFA_DENY_ALL, pol(allow())],
     context={"aws:MultiFactorAuthPresent": True})
case("mfa-self-manage-get-session-token", P_MFA, "sts:GetSessionToken is exempt so the user can get MFA credentials",
     "allowed", action="sts:GetSessionToken", resource="*", identity=[MFA_DENY_ALL, pol(allow("sts:GetSessionToken"))])
cc("token-null-deny-longterm", P_KEYS, "Deny Null aws:TokenIssueTime true: long-term keys (no token issue time) are denied", "explicitDeny",
   {"Null": {"aws:TokenIssueTime": "true"}}, {}, effect="Deny")
cc("token-null-deny-temp", P_KEYS, "temporary credentials carry aws:TokenIssueTime: not denied", "allowed",
   {"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2026-01-01T10:00:00Z"}, effect="Deny", principal=APP_SESS)
cc("token-issued-before", P_OPS, "Deny DateLessThan aws:TokenIssueTime (revoke older sessions) denies an older token", "explicitDeny",
   {"DateLessThan": {"aws:TokenIssueTime": "2026-03-01T00:00:00Z"}}, {"aws:TokenIssueTime": "2026-02-28T23:59:59Z"},
   effect="Deny", principal=APP_SESS)
cc("token-issued-after", P_OPS, "a newer token is not denied", "allowed",
   {"DateLessThan": {"aws:TokenIssueTime": "2026-03-01T00:00:00Z"}}, {"aws:TokenIssueTime": "2026-03-01T00:00:01Z"},
   effect="Deny", principal=APP_SESS)
WINDOW = {"DateGreaterThan": {"aws:CurrentTime": "2026-04-01T00:00:00Z"}, "DateLessThan": {"aws:CurrentTime": "2026-06-30T23:59:59Z"}}
cc("date-window-inside", P_OPS, "DateGreaterThan and DateLessThan on aws:CurrentTime: inside the window", "allowed", WINDOW,
   {"aws:CurrentTime": "2026-05-15T12:00:00Z"})
cc("date-window-before", P_OPS, "before the window", "implicitDeny", WINDOW, {"aws:CurrentTime": "2026-03-31T23:00:00Z"})
cc("date-window-after", P_OPS, "after the window", "implicitDeny", WINDOW, {"aws:CurrentTime": "2026-07-01T00:00:00Z"})
cc("date-window-offset", P_OPS, "a time with +02:00 offset is compared as an instant: 2026-07-01T01:00:00+02:00 is inside", "allowed", WINDOW,
   {"aws:CurrentTime": "2026-07-01T01:00:00+02:00"})
cc("date-epoch-context", P_OPS, "an epoch number in the request compares with an ISO date in the policy (1767225600 = 2026-01-01)", "implicitDeny", WINDOW,
   {"aws:CurrentTime": 1767225600})
cc("date-lte-equal", P_OPS, "DateLessThanEquals includes the instant itself", "allowed",
   {"DateLessThanEquals": {"aws:CurrentTime": "2026-06-30T23:59:59Z"}}, {"aws:CurrentTime": "2026-06-30T23:59:59Z"})

# ------------------------------------------------------------------------------------------------
# 8. ArnLike vs StringLike, resource wildcards per segment
# ------------------------------------------------------------------------------------------------
def arn_cond(op, pattern, value, expected, cid, rule):
    cc(cid, P_OPS, rule, expected, {op: {"aws:SourceArn": pattern}}, {"aws:SourceArn": value},
       action="sqs:SendMessage", resource=QUEUE)


TOPIC = f"arn:aws:sns:us-east-1:{A}:alerts"
arn_cond("ArnLike", f"arn:aws:sns:*:{A}:*", TOPIC, "allowed", "arnop-like-region-star", "ArnLike * in the region and resource segments")
arn_cond("ArnLike", f"arn:aws:sns:us-east-1:{A}:alert?", TOPIC, "allowed", "arnop-like-qmark", "ArnLike ? matches one character")
arn_cond("ArnLike", f"arn:aws:sns:us-east-1:{A}:alert", TOPIC, "implicitDeny", "arnop-like-no-implicit-star", "ArnLike without a wildcard needs the whole segment")
arn_cond("ArnEquals", f"arn:aws:sns:*:{A}:alerts", TOPIC, "allowed", "arnop-equals-wildcard", "ArnEquals, like ArnLike, checks each segment and accepts * and ?")
arn_cond("StringEquals", f"arn:aws:sns:*:{A}:alerts", TOPIC, "implicitDeny", "arnop-stringequals-literal", "StringEquals treats * literally, so a wildcard ARN does not match")
arn_cond("StringLike", "arn:aws:sns:*", TOPIC, "allowed", "arnop-stringlike-spans-colons", "StringLike * matches any characters, colons included")
cc("arnop-like-too-few-segments", P_OPS,
   "ArnLike compares the six colon-separated segments; a pattern with four segments cannot match a six-segment ARN",
   "implicitDeny", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*"}}, {"aws:SourceArn": TOPIC}, action="sqs:SendMessage",
   resource=QUEUE, ambiguous="the Condition operators page says each of the six segments is checked separately; the Resource "
   "page says a * ending a segment can expand beyond the colon boundaries; the engine applies the Resource rule")
arn_cond("ArnLike", f"arn:aws:SNS:us-east-1:{A}:alerts", TOPIC, "implicitDeny", "arnop-like-case", "ArnLike is case-sensitive")
arn_cond("ArnLike", "arn:aws:sns:us-east-1:*:alerts", f"arn:aws:sns:us-east-1:{B}:alerts", "allowed", "arnop-like-account-star", "* in the account segment")
arn_cond("ArnNotLike", f"arn:aws:sns:*:{A}:*", f"arn:aws:sns:us-east-1:{B}:alerts", "allowed", "arnop-notlike-other-account", "ArnNotLike: an ARN of another account does not match the pattern, so the condition is true")
arn_cond("ArnLike", f"arn:aws:logs:us-east-1:{A}:log-group:*", f"arn:aws:logs:us-east-1:{A}:log-group:app:log-stream:s1", "allowed",
         "arnop-like-resource-part-colons", "the sixth segment is the rest of the ARN, colons included")
arn_cond("StringLike", f"arn:aws:sns:us-east-1:{A}:Alerts", TOPIC, "implicitDeny", "arnop-stringlike-case", "StringLike is case-sensitive")
arn_cond("ArnLike", f"arn:aws:s*:us-east-1:{A}:alerts", TOPIC, "allowed", "arnop-like-service-star", "a wildcard may appear in the service segment")
cc("arnop-principalarn-path", P_KEYS, "ArnLike aws:PrincipalArn arn:aws:iam::*:user/division/* matches a user with that path", "allowed",
   {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/division/*"}}, {}, principal=DEV)
cc("arnop-principalarn-session-vs-role", P_KEYS, "aws:PrincipalArn of a session is the role ARN, so an assumed-role pattern does not match", "implicitDeny",
   {"ArnLike": {"aws:PrincipalArn": f"arn:aws:sts::{A}:assumed-role/app/*"}}, {}, principal=APP_SESS)
# Resource element wildcards
case("reswild-star-across-slash", P_RES, "a * in Resource matches across / (bucket/* covers nested keys)",
     "allowed", resource=f"{BUCKET}/a/b/c/d.txt", identity=[pol(allow("s3:GetObject", f"{BUCKET}/*"))])
case("reswild-mid-star", P_RES, "a * in the middle: home/*/notes.txt matches home/alice/notes.txt",
     "allowed", identity=[pol(allow("s3:GetObject", f"{BUCKET}/home/*/notes.txt"))])
case("reswild-bucket-prefix-star", P_RES, "amzn-s3-demo-* matches the bucket and its objects",
     "allowed", identity=[pol(allow("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-*"))])
case("reswild-dynamodb-index", P_RES, "table/GameScores does not match table/GameScores/index/TopScores (no wildcard)",
     "implicitDeny", action="dynamodb:Query", resource=f"{TABLE}/index/TopScores",
     identity=[pol(allow("dynamodb:Query", TABLE))])
case("reswild-dynamodb-index-star", P_RES, "table/GameScores* covers its indexes",
     "allowed", action="dynamodb:Query", resource=f"{TABLE}/index/TopScores",
     identity=[pol(allow("dynamodb:Query", f"{TABLE}*"))])
case("reswild-iam-path", P_RES, "arn:aws:iam::*:user/division/* covers users with that path, not others",
     "implicitDeny", action="iam:GetUser", resource=ALICE, identity=[pol(allow("iam:GetUser", "arn:aws:iam::*:user/division/*"))])
case("reswild-account-specific-mismatch", P_RES, "an ARN pattern naming account B does not match a resource in account A",
     "implicitDeny", action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:*", f"arn:aws:sqs:*:{B}:*"))])

# ------------------------------------------------------------------------------------------------
# 9. NotResource / NotAction with Deny
# ------------------------------------------------------------------------------------------------
ONLY_BUCKET = pol(allow(), deny("s3:*", NotResource=[BUCKET, f"{BUCKET}/*"], Sid="DenyOtherBuckets"))
case("notres-deny-other-bucket", P_NOTRES, "Deny s3:* with NotResource [bucket, bucket/*] denies another bucket",
     "explicitDeny", resource="arn:aws:s3:::other/x", identity=[ONLY_BUCKET])
case("notres-deny-own-bucket", P_NOTRES, "the listed bucket's objects are spared",
     "allowed", identity=[ONLY_BUCKET])
case("notres-deny-own-bucket-arn", P_NOTRES, "the listed bucket ARN itself is spared",
     "allowed", action="s3:ListBucket", resource=BUCKET, identity=[ONLY_BUCKET])
case("notres-deny-other-service", P_NOTRES, "the deny names s3:* only; other services are untouched",
     "allowed", action="sqs:SendMessage", resource=QUEUE, identity=[ONLY_BUCKET])
case("notres-deny-star-request", P_NOTRES, "s3:ListAllMyBuckets on * is not one of the listed ARNs, so it is denied",
     "explicitDeny", action="s3:ListAllMyBuckets", resource="*", identity=[ONLY_BUCKET])
case("notact-notres-allow", P_NOTACT, "Allow NotAction iam:* with NotResource: grants a non-IAM action outside the listed resource",
     "allowed", action="sqs:SendMessage", resource=QUEUE,
     identity=[pol({"Effect": "Allow", "NotAction": "iam:*", "NotResource": f"arn:aws:sqs:*:{A}:secret-*"})])
case("notact-notres-allow-listed-res", P_NOTRES, "the same statement does not grant on the excluded resource",
     "implicitDeny", action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{A}:secret-q",
     identity=[pol({"Effect": "Allow", "NotAction": "iam:*", "NotResource": f"arn:aws:sqs:*:{A}:secret-*"})])
case("notact-deny-mixed-case", P_NOTACT, "NotAction matching is case-insensitive: IAM:* exempts iam:ListRoles",
     "allowed", action="iam:ListRoles", resource="*", identity=[pol(allow(), deny(NotAction="IAM:*"))])
case("notact-allow-with-identity-deny", P_NOTACT, "Allow NotAction iam:* plus Deny iam:* does not allow IAM",
     "implicitDeny", action="iam:ListUsers", resource="*", identity=[pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})])

# ------------------------------------------------------------------------------------------------
# 10. Cross-account S3 and KMS examples
# ------------------------------------------------------------------------------------------------
XBUCKET = pol({"Sid": "CrossAccount", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"},
               "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{BUCKET}/*"})
case("xs3-both-sides", P_XACCT, "bucket in B grants account A; A's user has an identity allow: allowed",
     "allowed", resource_account=B, identity=[pol(allow("s3:GetObject", f"{BUCKET}/*"))], resource_policy=XBUCKET)
case("xs3-identity-missing", P_XACCT, "the bucket policy trusting account A alone does not allow A's user",
     "implicitDeny", resource_account=B, resource_policy=XBUCKET)
case("xs3-resource-missing-action", P_XACCT, "s3:DeleteObject is not in the bucket policy: implicit deny even with identity s3:*",
     "implicitDeny", action="s3:DeleteObject", resource_account=B, identity=[pol(allow("s3:*"))], resource_policy=XBUCKET)
case("xs3-scp-of-caller", P_SCP, "the caller's SCP deny applies to cross-account requests",
     "explicitDeny", resource_account=B, identity=[pol(allow("s3:*"))], resource_policy=XBUCKET,
     scps=[[pol(allow(), deny("s3:GetObject"))]])
case("xs3-boundary-of-caller", P_XACCT, "the caller's boundary caps the identity side cross-account",
     "implicitDeny", resource_account=B, identity=[pol(allow("s3:*"))], boundary=pol(allow("ec2:*")), resource_policy=XBUCKET)
case("xs3-direct-user-grant-still-needs-identity", P_XACCT, "naming the user ARN in another account's bucket policy does not remove the need for an identity allow",
     "implicitDeny", resource_account=B, resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": ALICE})))
case("xs3-owner-deny-not-vpce", P_S3EX, "the bucket owner's Deny StringNotEquals aws:SourceVpce denies a request from elsewhere",
     "explicitDeny", resource_account=B, identity=[pol(allow("s3:*"))],
     resource_policy=pol(XBUCKET["Statement"][0], {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"],
                                                   "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}),
     context={"aws:SourceVpce": "vpce-9z9z9z9z"})
case("xs3-owner-deny-vpce-ok", P_S3EX, "a request through the named endpoint is allowed",
     "allowed", resource_account=B, identity=[pol(allow("s3:*"))],
     resource_policy=pol(XBUCKET["Statement"][0], {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"],
                                                   "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}),
     context={"aws:SourceVpce": "vpce-1a2b3c4d"})
ORG_BUCKET = pol({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*",
                  "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}})
case("xs3-orgid-grant", P_S3EX, "a bucket policy granting Principal * with aws:PrincipalOrgID lets an org member in (with identity allow)",
     "allowed", principal=B_SESS, resource_account=A, identity=[pol(allow("s3:GetObject"))], resource_policy=ORG_BUCKET,
     context={"aws:PrincipalOrgID": ORG})
case("xs3-orgid-grant-outsider", P_S3EX, "an outsider is not granted",
     "implicitDeny", principal=X_USER, resource_account=A, identity=[pol(allow("s3:GetObject"))], resource_policy=ORG_BUCKET,
     context={"aws:PrincipalOrgID": "o-zzzzzzzzzz"})
case("xs3-orgpaths", P_KEYS, "ForAnyValue:StringLike aws:PrincipalOrgPaths with an OU path wildcard",
     "allowed", principal=B_SESS, resource_account=A, identity=[pol(allow("s3:GetObject"))],
     resource_policy=pol({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*",
                          "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-11111111/*"]}}}),
     context={"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"]})
case("xs3-orgpaths-other-ou", P_KEYS, "a path in another OU does not match",
     "implicitDeny", principal=B_SESS, resource_account=A, identity=[pol(allow("s3:GetObject"))],
     resource_policy=pol({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*",
                          "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-11111111/*"]}}}),
     context={"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/ou-ab12-33333333/"]})
KEYPOL_B = pol(
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow an external account to use this KMS key", "Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{A}:root"]},
     "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"})
case("xkms-both", P_KMS, "key policy in B allows account A; A's role has an identity allow naming the key: allowed",
     "allowed", principal=APP_SESS, action="kms:Decrypt", resource=KEY_B, identity=[pol(allow("kms:Decrypt", KEY_B))], resource_policy=KEYPOL_B)
case("xkms-no-identity", P_KMS, "the external account must also delegate with an IAM policy",
     "implicitDeny", principal=APP_SESS, action="kms:Decrypt", resource=KEY_B, resource_policy=KEYPOL_B)
case("xkms-reencrypt-wildcard", P_KMS, "kms:ReEncrypt* in the key policy covers kms:ReEncryptFrom",
     "allowed", principal=APP_SESS, action="kms:ReEncryptFrom", resource=KEY_B, identity=[pol(allow("kms:ReEncrypt*"))], resource_policy=KEYPOL_B)
case("xkms-admin-not-shared", P_KMS, "kms:ScheduleKeyDeletion is only for account B: account A is refused",
     "implicitDeny", principal=APP_SESS, action="kms:ScheduleKeyDeletion", resource=KEY_B, identity=[pol(allow("kms:*"))], resource_policy=KEYPOL_B)
case("xkms-identity-star-resource", P_KMS, "an identity policy with Resource * also covers the other account's key",
     "allowed", principal=ALICE, action="kms:GenerateDataKey", resource=KEY_B, identity=[pol(allow("kms:GenerateDataKey"))], resource_policy=KEYPOL_B)
VIA = pol({"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"})
VIA_ID = pol(allow(["kms:Decrypt", "kms:GenerateDataKey"], KEY_A, {"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}}))
case("kms-viaservice-ok", P_KMS, "kms:ViaService s3.us-east-1.amazonaws.com allows use through S3",
     "allowed", action="kms:Decrypt", resource=KEY_A, identity=[VIA_ID], resource_policy=VIA,
     context={"kms:ViaService": "s3.us-east-1.amazonaws.com"})
case("kms-viaservice-direct", P_KMS, "a direct call has no kms:ViaService: not allowed",
     "implicitDeny", action="kms:Decrypt", resource=KEY_A, identity=[VIA_ID], resource_policy=VIA)
case("kms-same-account-key-policy-silent", P_KMS, "same-account identity allow is not enough when the key policy does not allow the account",
     "implicitDeny", action="kms:Decrypt", resource=KEY_A, identity=[pol(allow("kms:*"))],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}))
case("kms-callers-account", P_KMS, "kms:CallerAccount in the key policy statement for the account",
     "allowed", action="kms:Encrypt", resource=KEY_A, identity=[pol(allow("kms:Encrypt"))],
     resource_policy=pol({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Encrypt", "Resource": "*",
                          "Condition": {"StringEquals": {"kms:CallerAccount": A}}}), context={"kms:CallerAccount": A})

# ------------------------------------------------------------------------------------------------
# 11. Principal / NotPrincipal in resource policies
# ------------------------------------------------------------------------------------------------
case("prin-service-list", P_PRIN, "a Service list grants each listed service",
     "allowed", principal="events.amazonaws.com", action="sqs:SendMessage", resource=QUEUE,
     resource_policy=pol(allow("sqs:SendMessage", QUEUE, Principal={"Service": ["sns.amazonaws.com", "events.amazonaws.com"]})))
case("prin-service-sourcearn", P_S3EX, "SQS queue policy for SNS with ArnEquals aws:SourceArn: matching topic allowed",
     "allowed", principal="sns.amazonaws.com", action="sqs:SendMessage", resource=QUEUE, context={"aws:SourceArn": TOPIC},
     resource_policy=pol(allow("sqs:SendMessage", QUEUE, {"ArnEquals": {"aws:SourceArn": TOPIC}}, Principal={"Service": "sns.amazonaws.com"})))
case("prin-service-sourcearn-other", P_S3EX, "another topic is refused",
     "implicitDeny", principal="sns.amazonaws.com", action="sqs:SendMessage", resource=QUEUE,
     context={"aws:SourceArn": f"arn:aws:sns:us-east-1:{X}:evil"},
     resource_policy=pol(allow("sqs:SendMessage", QUEUE, {"ArnEquals": {"aws:SourceArn": TOPIC}}, Principal={"Service": "sns.amazonaws.com"})))
case("prin-star-with-account-condition", P_PRIN, "Principal * restricted by aws:PrincipalAccount: same-account user granted without identity policy",
     "allowed", action="sqs:SendMessage", resource=QUEUE,
     resource_policy=pol(allow("sqs:SendMessage", QUEUE, {"StringEquals": {"aws:PrincipalAccount": A}}, Principal="*")))
case("prin-star-with-account-condition-outsider", P_PRIN, "an outsider fails aws:PrincipalAccount",
     "implicitDeny", principal=X_USER, action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow())],
     resource_policy=pol(allow("sqs:SendMessage", QUEUE, {"StringEquals": {"aws:PrincipalAccount": A}}, Principal="*")))
case("prin-user-list-mixed", P_PRIN, "a list mixing a user ARN of A and account B's root: B's user with identity allow is granted",
     "allowed", principal=B_USER, action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:*"))],
     resource_policy=pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": [ALICE, f"arn:aws:iam::{B}:root"]})))
case("prin-federated-cognito", P_TRUST, "a web-identity trust for cognito-identity.amazonaws.com with aud condition",
     "allowed", principal="cognito-identity.amazonaws.com", action="sts:AssumeRoleWithWebIdentity", resource=f"arn:aws:iam::{A}:role/Cognito_Auth",
     context={"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-abcd-abcd-abcd-123456789012"},
     resource_policy=pol({"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                          "Action": "sts:AssumeRoleWithWebIdentity",
                          "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-abcd-abcd-abcd-123456789012"}}}),
     resource_policy_kind="trust")
NOTP = pol({"Effect": "Deny", "NotPrincipal": {"AWS": [f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:root"]},
            "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"]},
           allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": f"arn:aws:iam::{A}:root"}))
case("notp-listed-user", P_NOTP, "Deny with NotPrincipal listing alice and her account: alice is not denied",
     "allowed", identity=[pol(allow("s3:*"))], resource_policy=NOTP)
case("notp-other-user", P_NOTP, "bob is denied",
     "explicitDeny", principal=f"arn:aws:iam::{A}:user/bob", identity=[pol(allow("s3:*"))], resource_policy=NOTP)
case("notp-root-listed", P_NOTP, "the account root is listed, so the root user is not denied",
     "allowed", principal=ROOT_A, resource_policy=NOTP)
case("notp-other-resource", P_NOTP, "the deny only names the bucket; another bucket is untouched",
     "allowed", principal=f"arn:aws:iam::{A}:user/bob", resource="arn:aws:s3:::other/x", identity=[pol(allow("s3:*"))], resource_policy=NOTP)

# ------------------------------------------------------------------------------------------------
# 12. Conditions: keys case-insensitive, values case-sensitive, IfExists, multivalued
# ------------------------------------------------------------------------------------------------
cc("keycase-policy-upper", P_COND, "condition key names are case-insensitive: AWS:SourceIP in the policy matches aws:sourceip in the context", "allowed",
   {"IpAddress": {"AWS:SourceIP": "203.0.113.0/24"}}, {"aws:sourceip": "203.0.113.10"})
cc("keycase-service-key", P_COND, "service key names too: S3:Prefix matches s3:prefix", "allowed",
   {"StringLike": {"S3:Prefix": "home/*"}}, {"s3:prefix": "home/x"}, action="s3:ListBucket", resource=BUCKET)
cc("valcase-principaltag", P_OPS, "values are case-sensitive: department Finance is not finance", "implicitDeny",
   {"StringEquals": {"aws:PrincipalTag/department": "finance"}}, {"aws:PrincipalTag/department": "Finance"})
cc("valcase-ignorecase", P_OPS, "StringEqualsIgnoreCase ignores value case", "allowed",
   {"StringEqualsIgnoreCase": {"aws:PrincipalTag/department": "finance"}}, {"aws:PrincipalTag/department": "FINANCE"})
cc("ip-single-address", P_OPS, "an IpAddress value without a prefix length is a single address", "allowed",
   {"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.5"})
cc("ip-single-address-other", P_OPS, "another address does not match", "implicitDeny",
   {"IpAddress": {"aws:SourceIp": "203.0.113.5"}}, {"aws:SourceIp": "203.0.113.6"})
NOT_IP_DENY = {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}, "Bool": {"aws:ViaAWSService": "false"}}
cc("ip-deny-outside-corp", P_KEYS, "Deny NotIpAddress + Bool ViaAWSService false: a call from elsewhere is denied", "explicitDeny",
   NOT_IP_DENY, {"aws:SourceIp": "198.51.100.7", "aws:ViaAWSService": "false"}, effect="Deny")
cc("ip-deny-inside-corp", P_KEYS, "a call from the corporate range is not denied", "allowed",
   NOT_IP_DENY, {"aws:SourceIp": "192.0.2.44", "aws:ViaAWSService": "false"}, effect="Deny")
cc("ip-deny-via-service", P_KEYS, "a call made by an AWS service on the user's behalf (ViaAWSService true) is not denied", "allowed",
   NOT_IP_DENY, {"aws:SourceIp": "198.51.100.7", "aws:ViaAWSService": "true"}, effect="Deny")
cc("ifexists-instance-type-absent", P_OPS, "StringLikeIfExists ec2:InstanceType: when the key is absent (other resource types) the condition is true", "allowed",
   {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}, {}, action="ec2:RunInstances", resource=f"arn:aws:ec2:us-east-1:{A}:volume/v-1")
cc("ifexists-instance-type-match", P_OPS, "t2.small matches t2.*", "allowed",
   {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}, {"ec2:InstanceType": "t2.small"}, action="ec2:RunInstances", resource=INSTANCE)
cc("ifexists-instance-type-no-match", P_OPS, "m5.large does not match", "implicitDeny",
   {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}, {"ec2:InstanceType": "m5.large"}, action="ec2:RunInstances", resource=INSTANCE)
cc("multi-anyvalue-calledvia", P_KEYS, "ForAnyValue:StringEquals aws:CalledVia athena: a chain through Athena matches", "allowed",
   {"ForAnyValue:StringEquals": {"aws:CalledVia": ["athena.amazonaws.com"]}}, {"aws:CalledVia": ["athena.amazonaws.com", "glue.amazonaws.com"]})
cc("multi-calledvia-first", P_KEYS, "aws:CalledViaFirst is single-valued: glue first is not athena", "implicitDeny",
   {"StringEquals": {"aws:CalledViaFirst": "athena.amazonaws.com"}}, {"aws:CalledViaFirst": "glue.amazonaws.com"})
ATTRS = {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["ID", "Message", "Tags"]}}
cc("multi-allvalues-attrs-subset", P_MULTI, "ForAllValues: every requested attribute is in the allowed set", "allowed", ATTRS,
   {"dynamodb:Attributes": ["ID", "Message"]}, action="dynamodb:GetItem", resource=TABLE)
cc("multi-allvalues-attrs-extra", P_MULTI, "an attribute outside the set fails ForAllValues", "implicitDeny", ATTRS,
   {"dynamodb:Attributes": ["ID", "Secret"]}, action="dynamodb:GetItem", resource=TABLE)
cc("multi-allvalues-attrs-absent", P_MULTI, "ForAllValues with the key absent evaluates true (why AWS recommends a Null check)", "allowed", ATTRS,
   {}, action="dynamodb:GetItem", resource=TABLE)
cc("multi-allvalues-with-null-absent", P_MULTI, "with Null dynamodb:Attributes false beside ForAllValues, an absent key fails", "implicitDeny",
   {**ATTRS, "Null": {"dynamodb:Attributes": "false"}}, {}, action="dynamodb:GetItem", resource=TABLE)
cc("multi-anyvalue-tagkeys-deny", P_MULTI, "Deny ForAnyValue:StringEquals aws:TagKeys [secret]: a request tagging secret is denied", "explicitDeny",
   {"ForAnyValue:StringEquals": {"aws:TagKeys": ["secret"]}}, {"aws:TagKeys": ["owner", "secret"]}, effect="Deny")
cc("multi-anyvalue-tagkeys-deny-absent", P_MULTI, "ForAnyValue with the key absent is false: not denied", "allowed",
   {"ForAnyValue:StringEquals": {"aws:TagKeys": ["secret"]}}, {}, effect="Deny")
cc("multi-allvalues-like", P_MULTI, "ForAllValues:StringLike aws:TagKeys [team, cost*]", "allowed",
   {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost*"]}}, {"aws:TagKeys": ["team", "cost-center", "costcode"]})
cc("multi-allvalues-deny-notequals", P_MULTI, "Deny ForAllValues:StringNotEquals (no requested key in the set): a request with one allowed key is not denied", "allowed",
   {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team", "env"]}}, {"aws:TagKeys": ["team", "other"]}, effect="Deny")
cc("multi-anyvalue-deny-notequals", P_MULTI, "Deny ForAnyValue:StringNotEquals: any key outside the set triggers the deny", "explicitDeny",
   {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team", "env"]}}, {"aws:TagKeys": ["team", "other"]}, effect="Deny")
cc("multi-single-value-as-set", P_MULTI, "a single context value is a one-element set for ForAnyValue", "allowed",
   {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}, {"aws:TagKeys": "team"})
cc("num-float-compare", P_OPS, "NumericLessThan compares numbers, not strings: 9 < 10", "allowed",
   {"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, action="s3:ListBucket", resource=BUCKET)
cc("str-notequals-multi-values", P_OPS, "StringNotEquals with a list is true only if the value equals none of them", "implicitDeny",
   {"StringNotEquals": {"aws:PrincipalTag/department": ["finance", "hr"]}}, {"aws:PrincipalTag/department": "hr"})
cc("str-notequals-multi-values-other", P_OPS, "a value equal to none of the list satisfies StringNotEquals", "allowed",
   {"StringNotEquals": {"aws:PrincipalTag/department": ["finance", "hr"]}}, {"aws:PrincipalTag/department": "it"})
cc("bool-secure-transport-false-deny", P_S3EX, "Deny Bool aws:SecureTransport false denies an HTTP request", "explicitDeny",
   {"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "false"}, effect="Deny")
cc("bool-case-value", P_OPS, "Bool values compare case-insensitively: TRUE matches true", "allowed",
   {"Bool": {"aws:SecureTransport": "TRUE"}}, {"aws:SecureTransport": "true"}, ambiguous="the page shows lowercase only; JSON booleans are case-free")
cc("null-false-requires-key", P_OPS, "Null false means the key must be present: aws:SourceVpc present", "allowed",
   {"Null": {"aws:SourceVpc": "false"}}, {"aws:SourceVpc": "vpc-111bbb22"})
cc("var-in-stringlike-principaltag", P_VARS, "StringLike s3:prefix ${aws:PrincipalTag/team}/* uses the tag value", "allowed",
   {"StringLike": {"s3:prefix": "${aws:PrincipalTag/team}/*"}}, {"s3:prefix": "blue/reports/", "aws:PrincipalTag/team": "blue"},
   action="s3:ListBucket", resource=BUCKET)
cc("var-value-with-wildcard-literal", P_VARS, "a substituted tag value containing * is literal in StringLike", "implicitDeny",
   {"StringLike": {"s3:prefix": "${aws:PrincipalTag/team}/x"}}, {"s3:prefix": "blue/x", "aws:PrincipalTag/team": "*"},
   action="s3:ListBucket", resource=BUCKET)

# ------------------------------------------------------------------------------------------------
# 13. Realistic multi-layer mixes
# ------------------------------------------------------------------------------------------------
MIX_SCPS = [[FULL], [REGION_SCP, FULL], [pol(allow(["s3:*", "kms:*", "sts:*", "ec2:*"]))]]
MIX_ID = [pol(allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*"), allow("kms:Decrypt", KEY_A))]
MIX_PB = pol(allow(["s3:*", "kms:Decrypt"]), deny("s3:PutObject", cond={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}))
case("mix-all-allow", P_EVAL, "SCP levels (region lock in eu-west-1), identity, boundary: GetObject in eu-west-1 is allowed",
     "allowed", principal=APP_SESS, context={"aws:RequestedRegion": "eu-west-1"}, identity=MIX_ID, boundary=MIX_PB, scps=MIX_SCPS)
case("mix-region-outside", P_EVAL, "same setup, request in us-east-1: the OU's region deny wins",
     "explicitDeny", principal=APP_SESS, context={"aws:RequestedRegion": "us-east-1"}, identity=MIX_ID, boundary=MIX_PB, scps=MIX_SCPS)
case("mix-put-without-sse", P_EVAL, "PutObject without SSE-KMS header: the boundary's deny (StringNotEquals on an absent key) applies",
     "explicitDeny", principal=APP_SESS, action="s3:PutObject", context={"aws:RequestedRegion": "eu-west-1"},
     identity=MIX_ID, boundary=MIX_PB, scps=MIX_SCPS)
case("mix-put-with-sse", P_EVAL, "PutObject with SSE-KMS passes every layer",
     "allowed", principal=APP_SESS, action="s3:PutObject",
     context={"aws:RequestedRegion": "eu-west-1", "s3:x-amz-server-side-encryption": "aws:kms"}, identity=MIX_ID, boundary=MIX_PB, scps=MIX_SCPS)
case("mix-account-scp-allowlist", P_SCP, "dynamodb is not in the account-level SCP allow-list: implicit deny though identity/boundary were to allow",
     "implicitDeny", principal=APP_SESS, action="dynamodb:GetItem", resource=TABLE, context={"aws:RequestedRegion": "eu-west-1"},
     identity=[pol(allow())], boundary=pol(allow()), scps=MIX_SCPS)
case("mix-kms-key-policy", P_KMS, "kms:Decrypt with SCPs, identity and boundary allowing and the key policy trusting the account",
     "allowed", principal=APP_SESS, action="kms:Decrypt", resource=KEY_A, context={"aws:RequestedRegion": "eu-west-1"},
     identity=MIX_ID, boundary=MIX_PB, scps=MIX_SCPS, resource_policy=VIA)
case("mix-rcp-and-bucket-deny", P_EVAL, "an RCP allows, the bucket policy denies unencrypted transport: explicit deny from the resource policy",
     "explicitDeny", principal=APP_SESS, context={"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "false"},
     identity=MIX_ID, boundary=MIX_PB, scps=MIX_SCPS, rcps=[[RCP_ORG]],
     resource_policy=pol({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{BUCKET}/*",
                          "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
     ambiguous=None)
case("mix-xaccount-session-rcp", P_XACCT, "cross-account: B's session with identity allow, bucket in A granting B's role, RCP perimeter satisfied",
     "allowed", principal=B_SESS, resource_account=A, context={"aws:PrincipalOrgID": ORG},
     identity=[pol(allow("s3:GetObject"))], rcps=[[RCP_ORG]],
     resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": f"arn:aws:iam::{B}:role/reader"})))
case("mix-xaccount-session-policy", P_XACCT, "cross-account: B's session policy not allowing the action caps the identity side",
     "implicitDeny", principal=B_SESS, resource_account=A, context={"aws:PrincipalOrgID": ORG},
     identity=[pol(allow("s3:GetObject"))], session=pol(allow("sqs:*")),
     resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": f"arn:aws:iam::{B}:role/reader"})))
case("mix-same-account-resource-grant-scp-deny", P_SCP, "a same-account bucket policy grant is still subject to the SCP deny",
     "explicitDeny", principal=ALICE, resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": ALICE})),
     scps=[[pol(allow(), deny("s3:GetObject", f"{BUCKET}/*"))]])
case("mix-same-account-resource-grant-scp-silent", P_SCP, "a same-account bucket policy grant needs the SCPs to allow",
     "implicitDeny", principal=ALICE, resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": ALICE})),
     scps=[[pol(allow("ec2:*"))]])
case("mix-same-account-resource-grant", P_ACCT, "a same-account bucket policy naming the user grants without an identity policy",
     "allowed", principal=ALICE, resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": ALICE})), scps=[[FULL]])

# ------------------------------------------------------------------------------------------------
# 14. Second batch: operators and principals the doc pages show in passing
# ------------------------------------------------------------------------------------------------
cc("op-stringequals-json-number", P_OPS, "a JSON number as a StringEquals value is compared as its string form", "allowed",
   {"StringEquals": {"aws:PrincipalTag/level": 5}}, {"aws:PrincipalTag/level": "5"})
cc("op-numeric-notequals-list", P_OPS, "NumericNotEquals with a list: the value must equal none of them", "implicitDeny",
   {"NumericNotEquals": {"s3:max-keys": ["10", "20"]}}, {"s3:max-keys": "20"}, action="s3:ListBucket", resource=BUCKET)
cc("op-stringnotlike-list", P_OPS, "StringNotLike with a list is true only if no pattern matches", "implicitDeny",
   {"StringNotLike": {"s3:prefix": ["tmp/*", "scratch/*"]}}, {"s3:prefix": "scratch/a"}, action="s3:ListBucket", resource=BUCKET)
cc("op-stringnotlike-list-none", P_OPS, "no pattern matches: StringNotLike is true", "allowed",
   {"StringNotLike": {"s3:prefix": ["tmp/*", "scratch/*"]}}, {"s3:prefix": "data/a"}, action="s3:ListBucket", resource=BUCKET)
cc("op-stringnotequalsignorecase", P_OPS, "StringNotEqualsIgnoreCase: PROD equals prod ignoring case, so the condition is false", "implicitDeny",
   {"StringNotEqualsIgnoreCase": {"aws:ResourceTag/env": "prod"}}, {"aws:ResourceTag/env": "PROD"})
cc("op-arnnotequals-list", P_OPS, "ArnNotEquals with a list: an ARN equal to one listed value fails", "implicitDeny",
   {"ArnNotEquals": {"aws:SourceArn": [TOPIC, f"arn:aws:sns:us-east-1:{A}:other"]}}, {"aws:SourceArn": TOPIC},
   action="sqs:SendMessage", resource=QUEUE)
cc("op-datenotequals", P_OPS, "DateNotEquals: a different instant satisfies it", "allowed",
   {"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}, {"aws:CurrentTime": "2026-01-02T00:00:00Z"})
cc("op-date-epoch-policy-string", P_OPS, "a policy date may be epoch seconds as a string: 1767225600 is 2026-01-01", "allowed",
   {"DateGreaterThan": {"aws:CurrentTime": "1767225600"}}, {"aws:CurrentTime": "2026-02-01T00:00:00Z"})
cc("op-bool-list", P_OPS, "Bool with a list of values is ORed", "allowed",
   {"Bool": {"aws:ViaAWSService": ["true", "false"]}}, {"aws:ViaAWSService": "false"})
cc("op-null-true-json", P_OPS, "Null with JSON true and the key absent", "allowed",
   {"Null": {"aws:SourceVpc": True}}, {})
cc("op-stringlike-qmark-empty", P_OPS, "? matches exactly one character: file?.txt does not match file.txt", "implicitDeny",
   {"StringLike": {"s3:prefix": "file?.txt"}}, {"s3:prefix": "file.txt"}, action="s3:ListBucket", resource=BUCKET)
cc("op-passrole-passedtoservice", P_KEYS, "iam:PassRole limited with iam:PassedToService ec2.amazonaws.com", "allowed",
   {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}, {"iam:PassedToService": "ec2.amazonaws.com"},
   action="iam:PassRole", resource=f"arn:aws:iam::{A}:role/app")
cc("op-passrole-other-service", P_KEYS, "passing to lambda is not allowed by that statement", "implicitDeny",
   {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}, {"iam:PassedToService": "lambda.amazonaws.com"},
   action="iam:PassRole", resource=f"arn:aws:iam::{A}:role/app")
cc("op-ec2-createaction", P_ABAC, "ec2:CreateTags allowed only within RunInstances (ec2:CreateAction)", "allowed",
   {"StringEquals": {"ec2:CreateAction": "RunInstances"}}, {"ec2:CreateAction": "RunInstances"}, action="ec2:CreateTags", resource=INSTANCE)
cc("op-ec2-createaction-missing", P_ABAC, "a standalone CreateTags call (no ec2:CreateAction) is not allowed", "implicitDeny",
   {"StringEquals": {"ec2:CreateAction": "RunInstances"}}, {}, action="ec2:CreateTags", resource=INSTANCE)
cc("op-principalarn-sso-path-override", P_KEYS, "aws:PrincipalArn given in the context (an SSO role with its path) is used as given", "allowed",
   {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Admin_*"}},
   {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123abcd"},
   principal=f"arn:aws:sts::{A}:assumed-role/AWSReservedSSO_Admin_0123abcd/jane")
cc("op-principalarn-root", P_KEYS, "aws:PrincipalArn of the root user is arn:aws:iam::<account>:root", "allowed",
   {"StringEquals": {"aws:PrincipalArn": ROOT_A}}, {}, principal=ROOT_A)
cc("op-principaltype-assumedrole", P_KEYS, "aws:PrincipalType of a role session is AssumedRole", "allowed",
   {"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, {}, principal=APP_SESS)
cc("op-principalaccount-deny-other", P_KEYS, "Deny StringNotEquals aws:PrincipalAccount: own account is spared", "allowed",
   {"StringNotEquals": {"aws:PrincipalAccount": A}}, {}, effect="Deny")
cc("op-resourceaccount-deny", P_KEYS, "Deny StringNotEquals aws:ResourceAccount own account: a resource in B is denied", "explicitDeny",
   {"StringNotEquals": {"aws:ResourceAccount": A}}, {}, effect="Deny", action="sqs:SendMessage",
   resource=f"arn:aws:sqs:us-east-1:{B}:q")
cc("op-resourceorgid-deny", P_KEYS, "Deny StringNotEqualsIfExists aws:ResourceOrgID: a resource of another org is denied", "explicitDeny",
   {"StringNotEqualsIfExists": {"aws:ResourceOrgID": ORG}}, {"aws:ResourceOrgID": "o-zzzzzzzzzz"}, effect="Deny")
case("prin-group-arn-not-principal", P_PRIN, "an IAM group cannot be a principal: a resource policy naming a group grants nothing to its members",
     "implicitDeny", action="sqs:SendMessage", resource=QUEUE,
     resource_policy=pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": f"arn:aws:iam::{A}:group/devs"})))
case("prin-anonymous-public-read", P_S3EX, "a public-read bucket policy (Principal *) allows an anonymous GetObject",
     "allowed", principal="anonymous", resource_account=A,
     resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal="*")))
case("prin-anonymous-public-read-rcp", P_RCPEX, "the org-identity RCP denies anonymous access (no org id, not a service)",
     "explicitDeny", principal="anonymous", resource_account=A,
     resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal="*")), rcps=[[RCP_ORG]])
case("prin-anonymous-scp-not-applied", P_SCP, "SCPs do not apply to anonymous callers: a deny-all SCP does not block the public read",
     "allowed", principal="anonymous", resource_account=A,
     resource_policy=pol(allow("s3:GetObject", f"{BUCKET}/*", Principal="*")), scps=[[pol(deny())]],
     ambiguous="SCPs apply to IAM principals of member accounts; an anonymous caller has none")
case("prin-service-sourceaccount", P_S3EX, "a bucket policy for a service with StringEquals aws:SourceAccount: the right account is allowed",
     "allowed", principal="logging.s3.amazonaws.com", action="s3:PutObject", resource=f"{BUCKET}/logs/x", resource_account=A,
     context={"aws:SourceAccount": A},
     resource_policy=pol(allow("s3:PutObject", f"{BUCKET}/logs/*", {"StringEquals": {"aws:SourceAccount": A}},
                               Principal={"Service": "logging.s3.amazonaws.com"})))
case("prin-service-sourceaccount-missing", P_S3EX, "without aws:SourceAccount the StringEquals condition fails",
     "implicitDeny", principal="logging.s3.amazonaws.com", action="s3:PutObject", resource=f"{BUCKET}/logs/x", resource_account=A,
     resource_policy=pol(allow("s3:PutObject", f"{BUCKET}/logs/*", {"StringEquals": {"aws:SourceAccount": A}},
                               Principal={"Service": "logging.s3.amazonaws.com"})))
case("prin-isawsservice-star", P_KEYS, "Principal * with Bool aws:PrincipalIsAWSService true admits a service principal",
     "allowed", principal="cloudtrail.amazonaws.com", action="s3:PutObject", resource=f"{BUCKET}/AWSLogs/x", resource_account=A,
     resource_policy=pol(allow("s3:PutObject", f"{BUCKET}/*", {"Bool": {"aws:PrincipalIsAWSService": "true"}}, Principal="*")))
case("prin-isawsservice-star-user", P_KEYS, "the same statement does not admit an IAM user of another account",
     "implicitDeny", principal=X_USER, action="s3:PutObject", resource=f"{BUCKET}/AWSLogs/x", resource_account=A,
     identity=[pol(allow())],
     resource_policy=pol(allow("s3:PutObject", f"{BUCKET}/*", {"Bool": {"aws:PrincipalIsAWSService": "true"}}, Principal="*")))
case("trust-chain-role-session", P_TRUST, "role chaining: a trust policy naming role app admits app's session (with identity allow)",
     "allowed", principal=APP_SESS, action="sts:AssumeRole", resource=f"arn:aws:iam::{A}:role/target",
     identity=[pol(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/target"))],
     resource_policy=pol(allow("sts:AssumeRole", Principal={"AWS": APP_ROLE})))
case("trust-xacct-sourceidentity", P_TRUST, "cross-account trust with StringLike sts:RoleSessionName ${aws:username}: matches",
     "allowed", principal=B_USER, action="sts:AssumeRole", resource=f"arn:aws:iam::{A}:role/target",
     context={"sts:RoleSessionName": "bob"}, identity=[pol(allow("sts:AssumeRole"))],
     resource_policy=pol(allow("sts:AssumeRole", cond={"StringLike": {"sts:RoleSessionName": "${aws:username}"}},
                               Principal={"AWS": f"arn:aws:iam::{B}:root"})))
case("trust-xacct-sourceidentity-other", P_TRUST, "a session name other than the user's name fails",
     "implicitDeny", principal=B_USER, action="sts:AssumeRole", resource=f"arn:aws:iam::{A}:role/target",
     context={"sts:RoleSessionName": "admin"}, identity=[pol(allow("sts:AssumeRole"))],
     resource_policy=pol(allow("sts:AssumeRole", cond={"StringLike": {"sts:RoleSessionName": "${aws:username}"}},
                               Principal={"AWS": f"arn:aws:iam::{B}:root"})))
case("act-star-object", P_ACTION, "s3:*Object matches s3:GetObject",
     "allowed", identity=[pol(allow("s3:*Object"))])
case("act-star-object-acl", P_ACTION, "s3:*Object does not match s3:GetObjectAcl (wildcards match the whole name)",
     "implicitDeny", action="s3:GetObjectAcl", identity=[pol(allow("s3:*Object"))])
case("res-bucket-only-deny", P_RES, "a Deny on the bucket ARN does not cover its objects",
     "allowed", identity=[pol(allow("s3:*"), deny("s3:*", BUCKET))])
case("res-list-star-in-list", P_RES, "Resource [\"*\"] as a list covers everything",
     "allowed", action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow("sqs:SendMessage", ["*"]))])
case("sess-notaction", P_SESS, "a session policy Allow NotAction iam:* permits s3 within the role's policy",
     "allowed", principal=APP_SESS, identity=[pol(allow("s3:GetObject"))], session=pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
case("sess-notaction-iam", P_SESS, "the same session policy does not permit iam actions the role allows",
     "implicitDeny", principal=APP_SESS, action="iam:ListRoles", resource="*", identity=[pol(allow())],
     session=pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
case("scp-mgmt-resource-member-principal", P_SCP, "SCPs apply to a member account's principal even when the resource is in the management account",
     "explicitDeny", principal=ALICE, action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{MGMT}:q", identity=[pol(allow())],
     resource_policy=pol(allow("sqs:SendMessage", Principal={"AWS": f"arn:aws:iam::{A}:root"})),
     scps=[[pol(allow(), deny("sqs:*"))]], management_account_id=MGMT)
case("rcp-mgmt-principal-member-resource", P_RCP, "RCPs apply to member-account resources even when the caller is in the management account",
     "explicitDeny", principal=f"arn:aws:iam::{MGMT}:user/ops", action="sqs:SendMessage", resource=QUEUE, identity=[pol(allow())],
     resource_policy=pol(allow("sqs:SendMessage", Principal={"AWS": f"arn:aws:iam::{MGMT}:root"})),
     rcps=[[pol({"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"})]], management_account_id=MGMT)

case("prin-arn-case-sensitive", P_PRIN, "principal ARNs are case-sensitive: a grant to user/Alice does not cover user/alice",
     "implicitDeny", action="sqs:SendMessage", resource=QUEUE,
     resource_policy=pol(allow("sqs:SendMessage", QUEUE, Principal={"AWS": f"arn:aws:iam::{A}:user/Alice"})))
case("var-username-case", P_VARS, "the substituted user name keeps its case: home/${aws:username}/* for Alice does not cover home/alice/",
     "implicitDeny", principal=f"arn:aws:iam::{A}:user/Alice", identity=[pol(allow("s3:GetObject", f"{BUCKET}/home/${{aws:username}}/*"))])
cc("set-allvalues-single-string", P_MULTI, "ForAllValues on a key given as one string treats it as a one-element set", "implicitDeny",
   {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, {"aws:TagKeys": "owner"})
case("notact-question-mark", P_NOTACT, "NotAction with ? : Deny NotAction s3:Get?bject spares s3:GetObject",
     "allowed", identity=[pol(allow(), deny(NotAction="s3:Get?bject"))])


def main() -> None:
    ids = [c["id"] for c in CASES]
    assert len(set(ids)) == len(ids)
    for c in CASES:
        if c.get("ambiguous") is None:
            c.pop("ambiguous", None)
    OUT.write_text("".join(json.dumps(c, sort_keys=False) + "\n" for c in CASES))
    print(f"wrote {len(CASES)} cases to {OUT}")


if __name__ == "__main__":
    main()
