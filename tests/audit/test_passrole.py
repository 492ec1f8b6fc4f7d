"""PassRole escalation through every compute family, with resource scoping honoured.

AWS IAM User Guide, "Grant a user permissions to pass a role to an AWS service": the caller needs
`iam:PassRole` on the role's ARN (optionally limited by `iam:PassedToService`), and the role's
trust policy must trust the service; the service then runs caller-chosen code with the role.
Amazon EC2 User Guide, "IAM roles for Amazon EC2": a role reaches an instance through an instance
profile (`iam:CreateInstanceProfile` + `iam:AddRoleToInstanceProfile` make one).
"""

from __future__ import annotations

import datetime as dt

import pytest

from permwise.audit import AuditConfig, run_audit
from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder, allow, doc, trust_service

MGMT, ACCT = "111111111111", "333333333333"

#: family -> (service principal, the actions that run code, the expected rule)
FAMILIES = {
    "lambda": ("lambda.amazonaws.com", ["lambda:CreateFunction", "lambda:InvokeFunction"], "PRIVESC-PASSROLE-LAMBDA"),
    "ec2": ("ec2.amazonaws.com", ["ec2:RunInstances"], "PRIVESC-PASSROLE-EC2"),
    "glue": ("glue.amazonaws.com", ["glue:CreateJob", "glue:StartJobRun"], "PRIVESC-PASSROLE-GLUE"),
    "cfn": ("cloudformation.amazonaws.com", ["cloudformation:CreateStack"], "PRIVESC-PASSROLE-CLOUDFORMATION"),
    "ecs": ("ecs-tasks.amazonaws.com", ["ecs:RegisterTaskDefinition", "ecs:RunTask"], "PRIVESC-PASSROLE-ECS"),
    "sagemaker": ("sagemaker.amazonaws.com", ["sagemaker:CreateTrainingJob"], "PRIVESC-PASSROLE-SAGEMAKER"),
    "codebuild": ("codebuild.amazonaws.com", ["codebuild:CreateProject", "codebuild:StartBuild"],
                  "PRIVESC-PASSROLE-CODEBUILD"),
    "datapipeline": ("datapipeline.amazonaws.com", ["datapipeline:CreatePipeline",
                                                    "datapipeline:PutPipelineDefinition",
                                                    "datapipeline:ActivatePipeline"], "PRIVESC-PASSROLE-DATAPIPELINE"),
    "sfn": ("states.amazonaws.com", ["states:CreateStateMachine", "states:StartExecution"],
            "PRIVESC-PASSROLE-STEPFUNCTIONS"),
}


def arn(name: str, kind: str = "role") -> str:
    return f"arn:aws:iam::{ACCT}:{kind}/{name}"


def passer(role: str, actions: list[str], condition: dict | None = None) -> dict:
    st = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": role}
    if condition:
        st["Condition"] = condition
    return {"p": doc(st, {"Effect": "Allow", "Action": actions, "Resource": "*"})}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    b = SnapshotBuilder(management_account=MGMT, regions=["us-east-1"])
    b.account(MGMT, "mgmt")
    b.account(ACCT, "work", b.ou("ou-a1b2-work0000", "Work"))
    nobody = doc({"Effect": "Allow", "Principal": {"AWS": arn("Nobody")}, "Action": "sts:AssumeRole"})
    admin = b.managed_policy(ACCT, "AdministratorAccess", allow("*"), aws_managed=True)
    for fam, (svc, acts, _) in FAMILIES.items():
        b.role(ACCT, f"{fam}-admin", trust=trust_service(svc), managed=[admin])
        b.role(ACCT, f"{fam}-plain", trust=trust_service(svc), inline={"p": allow("logs:PutLogEvents")})
        b.role(ACCT, f"{fam}-passer", trust=nobody, inline=passer(arn(f"{fam}-admin"), acts))
        # look-alikes: PassRole limited to the harmless role; PassRole * but only to another
        # service; PassRole on the admin role without the second action that runs code
        b.role(ACCT, f"{fam}-passer-plain", trust=nobody, inline=passer(arn(f"{fam}-plain"), acts))
        b.role(ACCT, f"{fam}-passer-othersvc", trust=nobody, inline=passer(
            "*", acts, {"StringEquals": {"iam:PassedToService": "batch.amazonaws.com"}}))
        if len(acts) > 1:
            b.role(ACCT, f"{fam}-passer-half", trust=nobody, inline=passer(arn(f"{fam}-admin"), acts[:1]))
    # EC2: the admin role needs an instance profile; give ec2-admin one, and add a second admin
    # role without a profile that only a caller able to create one can reach
    auth = b._auth(ACCT)["RoleDetailList"]
    ec2_admin = next(r for r in auth if r["RoleName"] == "ec2-admin")
    ec2_admin["InstanceProfileList"] = [{"InstanceProfileName": "ec2-admin", "Path": "/",
                                         "Arn": f"arn:aws:iam::{ACCT}:instance-profile/ec2-admin"}]
    b.role(ACCT, "ec2-admin-noprofile", trust=trust_service("ec2.amazonaws.com"), managed=[admin])
    b.role(ACCT, "ec2-noprofile-passer", trust=nobody, inline=passer(arn("ec2-admin-noprofile"), ["ec2:RunInstances"]))
    b.role(ACCT, "ec2-noprofile-maker", trust=nobody, inline=passer(
        arn("ec2-admin-noprofile"), ["ec2:RunInstances", "iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"]))
    # a chain: pass a non-admin Lambda role that can create access keys for an admin user
    b.user(ACCT, "admin-user", managed=[admin])
    b.role(ACCT, "lambda-keymaker", trust=trust_service("lambda.amazonaws.com"),
           inline={"p": allow("iam:CreateAccessKey", arn("admin-user", "user"))})
    b.role(ACCT, "chain-passer", trust=nobody, inline=passer(arn("lambda-keymaker"), FAMILIES["lambda"][1]))
    env = load_snapshot(b.write(tmp_path_factory.mktemp("passrole") / "snap"))
    return run_audit(env, AuditConfig(), today=dt.date(2025, 6, 1))


def escalations(result, name: str) -> list:
    return [f for f in result.findings if f.rule_id.startswith("PRIVESC") and f.subject == arn(name)]


@pytest.mark.parametrize("fam", sorted(FAMILIES))
def test_each_family_found_once_and_names_the_role(result, fam):
    (f,) = escalations(result, f"{fam}-passer")
    assert f.rule_id == FAMILIES[fam][2]
    assert [s.target for s in f.path] == [arn(f"{fam}-admin")]


@pytest.mark.parametrize("fam", sorted(FAMILIES))
@pytest.mark.parametrize("variant", ["passer-plain", "passer-othersvc", "passer-half"])
def test_scoped_or_incomplete_passrole_is_not_escalation(result, fam, variant):
    if variant == "passer-half" and len(FAMILIES[fam][1]) == 1:
        pytest.skip("one action runs code")
    assert escalations(result, f"{fam}-{variant}") == []


def test_ec2_needs_an_instance_profile(result):
    assert escalations(result, "ec2-noprofile-passer") == []
    (f,) = escalations(result, "ec2-noprofile-maker")
    assert f.rule_id == "PRIVESC-PASSROLE-EC2" and "iam:CreateInstanceProfile" in f.path[0].detail
    (g,) = escalations(result, "ec2-passer")
    assert "instance profile `ec2-admin`" in g.path[0].detail


def test_passrole_then_credentials_is_one_path(result):
    (f,) = escalations(result, "chain-passer")
    assert [(s.target.rsplit("/", 1)[1], s.via) for s in f.path] == [
        ("lambda-keymaker", "PRIVESC-PASSROLE-LAMBDA"), ("admin-user", "PRIVESC-CREATE-ACCESS-KEY")]
