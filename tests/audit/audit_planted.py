"""A hand-built organization with planted violations and clean look-alikes (see plant()).

AWS rules encoded (AWS IAM User Guide, "Policy evaluation logic"): an explicit Deny in any SCP
level wins over an identity Allow; SCPs never apply to the management account; a same-account
role trust policy that names a principal ARN grants sts:AssumeRole on its own; a permissions
boundary caps identity grants.
"""

from __future__ import annotations


from permwise.audit import AuditConfig
from permwise.environment.builder import SnapshotBuilder, allow, doc, trust_service

MGMT, PROD, DEV, VENDOR, STRANGER = "111111111111", "222222222222", "333333333333", "999999999999", "888888888888"


def arn(account: str, name: str, kind: str = "role") -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


def trust_arn(*principals: str, condition: dict | None = None) -> dict:
    st = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return doc(st)


def plant(b: SnapshotBuilder) -> None:
    ou_prod = b.ou("ou-a1b2-prod0000", "Prod")
    ou_dev = b.ou("ou-a1b2-dev00000", "Dev")
    b.account(MGMT, "mgmt")
    b.account(PROD, "prod", ou_prod)
    b.account(DEV, "dev", ou_dev)
    # SCPs: prod denies stopping CloudTrail and leaving the org (exempt OrgAdmin), and denies
    # disabling EBS encryption to everyone (so its exempt role is blocked too)
    b.scp("p-denytrail", "DenyTrailTampering", doc({
        "Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}), [ou_prod])
    b.scp("p-denyleave", "DenyLeave", doc({
        "Effect": "Deny", "Action": ["organizations:LeaveOrganization", "organizations:DeleteOrganization"],
        "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/OrgAdmin"}}}), [ou_prod])
    b.scp("p-denyebs", "DenyEbs", doc({
        "Effect": "Deny", "Action": "ec2:DisableEbsEncryptionByDefault", "Resource": "*"}), [ou_prod])

    lam = trust_service("lambda.amazonaws.com")
    same = lambda *names: trust_arn(*(arn(DEV, n) for n in names))  # noqa: E731
    # --- IAM guardrails -----------------------------------------------------------------
    b.role(DEV, "TrailStopper", trust=same("Nobody"), inline={"p": allow("cloudtrail:StopLogging")})
    b.role(PROD, "TrailStopperDenied", trust=same("Nobody"), inline={"p": allow("cloudtrail:StopLogging")})
    b.role(DEV, "StarAdmin", trust=same("Nobody"), inline={"p": allow("*")})
    b.role(DEV, "NotActionRole", trust=same("Nobody"), inline={"p": doc(
        {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"})})
    b.role(DEV, "TagConditioned", trust=same("Nobody"), tags={"team": "dev"}, inline={"p": allow(
        "cloudtrail:StopLogging", condition={"StringEquals": {"aws:PrincipalTag/team": "security"}})})
    b.role(DEV, "MfaConditioned", trust=same("Nobody"), inline={"p": allow(
        "cloudtrail:StopLogging", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})})
    b.role(DEV, "BreakGlass", trust=same("Nobody"), inline={"p": allow("cloudtrail:*")})
    b.role(DEV, "Reader", trust=same("Nobody"), inline={"p": allow(["cloudtrail:Describe*", "cloudtrail:Get*"])})
    b.role(DEV, "Ec2Unscoped", trust=same("Nobody"), inline={"p": allow("ec2:TerminateInstances")})
    b.role(DEV, "Ec2Tagged", trust=same("Nobody"), inline={"p": allow(
        "ec2:TerminateInstances", condition={"StringEquals": {"aws:ResourceTag/team": "dev"}})})
    b.role(DEV, "SsmNoCond", trust=same("Nobody"), inline={"p": allow("ssm:StartSession")})
    b.role(DEV, "SsmTagCond", trust=same("Nobody"), inline={"p": allow(
        "ssm:StartSession", condition={"StringEquals": {"ssm:resourceTag/team": "dev"}})})
    b.role(DEV, "SsmMfaOnly", trust=same("Nobody"), inline={"p": allow(
        "ssm:StartSession", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})})
    b.role(DEV, "SecTeamTrail", trust=same("Nobody"), tags={"team": "security"},
           inline={"p": allow("cloudtrail:StopLogging")})
    b.role(DEV, "SsmSendUnscoped", trust=same("Nobody"), inline={"p": allow("ssm:SendCommand")})
    b.role(DEV, "SsmSendScoped", trust=same("Nobody"), inline={"p": doc(
        {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": f"arn:aws:ec2:*:{DEV}:instance/*",
         "Condition": {"StringEquals": {"ssm:resourceTag/team": "dev"}}},
        {"Effect": "Allow", "Action": "ssm:SendCommand", "Resource": "arn:aws:ssm:*::document/AWS-RunShellScript"})})
    b.role(DEV, "SecretsBoth", trust=same("Nobody"), inline={"p": allow(
        ["secretsmanager:CreateSecret", "secretsmanager:GetSecretValue"])})
    b.role(DEV, "SecretsCreateOnly", trust=same("Nobody"), inline={"p": allow("secretsmanager:CreateSecret")})
    # --- escalation ---------------------------------------------------------------------
    b.role(DEV, "SelfAttacher", trust=same("Nobody"), inline={"p": allow("iam:AttachRolePolicy", arn(DEV, "SelfAttacher"))})
    bnd = b.managed_policy(DEV, "Boundary", allow(["iam:AttachRolePolicy", "s3:GetObject"]))
    b.role(DEV, "SelfAttacherBounded", trust=same("Nobody"), boundary=bnd,
           inline={"p": allow("iam:AttachRolePolicy", arn(DEV, "SelfAttacherBounded"))})
    b.role(DEV, "AttachOther", trust=same("Nobody"), inline={"p": allow("iam:AttachRolePolicy", arn(DEV, "Reader"))})
    b.role(DEV, "HopA", trust=same("HopC"), inline={"p": allow("sts:AssumeRole", arn(DEV, "HopB"))})
    b.role(DEV, "HopB", trust=same("HopA"), inline={"p": allow("iam:PutRolePolicy", arn(DEV, "HopB"))})
    b.role(DEV, "HopC", trust=same("Nobody"), inline={"p": allow("sts:AssumeRole", arn(DEV, "HopA"))})
    admin = b.managed_policy(DEV, "AdministratorAccess", allow("*"), aws_managed=True)
    b.role(DEV, "LambdaAdmin", trust=lam, managed=[admin])
    b.role(DEV, "LambdaPlain", trust=lam, inline={"p": allow("logs:PutLogEvents")})
    b.role(DEV, "Ec2Admin", trust=trust_service("ec2.amazonaws.com"), managed=[admin])
    lambda_acts = ["lambda:CreateFunction", "lambda:InvokeFunction"]
    b.role(DEV, "Passer", trust=same("Nobody"), inline={"p": doc(
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn(DEV, "LambdaAdmin")},
        {"Effect": "Allow", "Action": lambda_acts, "Resource": "*"})})
    b.role(DEV, "PasserPlain", trust=same("Nobody"), inline={"p": doc(
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn(DEV, "LambdaPlain")},
        {"Effect": "Allow", "Action": lambda_acts, "Resource": "*"})})
    b.role(DEV, "PasserWrongService", trust=same("Nobody"), inline={"p": doc(
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": arn(DEV, "Ec2Admin")},
        {"Effect": "Allow", "Action": lambda_acts, "Resource": "*"})})
    b.user(DEV, "AdminUser", managed=[admin])
    b.user(DEV, "KeyMaker", inline={"p": allow("iam:CreateAccessKey", arn(DEV, "AdminUser", "user"))})
    # --- trust --------------------------------------------------------------------------
    b.role(DEV, "VendorNoExt", trust=trust_arn(f"arn:aws:iam::{VENDOR}:root"))
    b.role(DEV, "VendorWithExt", trust=trust_arn(f"arn:aws:iam::{VENDOR}:root",
                                                 condition={"StringEquals": {"sts:ExternalId": "k3y-2024"}}))
    b.role(DEV, "StrangerWithExt", trust=trust_arn(f"arn:aws:iam::{STRANGER}:root",
                                                   condition={"StringEquals": {"sts:ExternalId": "abc"}}))
    b.role(DEV, "PublicRole", trust=doc({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}))
    b.role(DEV, "PublicOrgRole", trust=doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                                            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}))
    b.role(DEV, "SchedulerRole", trust=trust_service("scheduler.amazonaws.com"))
    b.role(DEV, "SchedulerRoleOk", trust=doc({"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"},
                                              "Action": "sts:AssumeRole",
                                              "Condition": {"StringEquals": {"aws:SourceAccount": DEV}}}))
    gh = f"arn:aws:iam::{DEV}:oidc-provider/token.actions.githubusercontent.com"

    def gh_trust(cond: dict) -> dict:
        return doc({"Effect": "Allow", "Principal": {"Federated": gh}, "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": cond})

    b.role(DEV, "GithubWild", trust=gh_trust({"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                                              "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}))
    b.role(DEV, "GithubNoAud", trust=gh_trust({"StringEquals": {
        "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}))
    b.role(DEV, "GithubOk", trust=gh_trust({"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}))


CONFIG = AuditConfig.model_validate({
    "authorized": {"IAM-CLOUDTRAIL-*": [{"arn": "arn:aws:iam::*:role/BreakGlass"},
                                        {"tag": {"key": "team", "value": "security"}}]},
    "placeholders": {"INFRASTRUCTURE_AUTOMATION_ROLE": "OrgAdmin", "ALLOWED_ROLE_NAME": "OrgAdmin"},
    "external_accounts": {VENDOR: "planted vendor"},
})




def found(result, rule: str, subject: str) -> list:
    return [f for f in result.findings if f.rule_id == rule and f.subject == subject]
