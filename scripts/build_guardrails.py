#!/usr/bin/env python3
"""Build ``src/permwise/data/guardrails/guardrails.yaml`` from the aws-samples guardrail data.

A one-off builder, kept outside the package (the YAML ships; this script does not). Run once
(``python scripts/build_guardrails.py /work/shared/reference/aws-iam-permissions-guardrails.json``);
the YAML it writes is then the curated source of truth. The script keeps the curation in one
place so a re-run reproduces the file:

* every action is trimmed, checked against the catalog (:mod:`permwise.catalog`) and written in
  the catalog's spelling; each fix is recorded under ``corrections`` (what was there, what is
  there now, why);
* actions the source forgot (a guardrail that names actions in its title but lists none) are
  added as corrections too, never silently;
* titles and rationales are our own short wording (the source's prose is not copied);
* every guardrail gets a check ``kind`` (see ``docs/guardrails-data.md``) and a severity.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from permwise import catalog

OUT = Path(__file__).resolve().parents[1] / "src" / "permwise" / "data" / "guardrails" / "guardrails.yaml"

# id -> (severity, kind, title, rationale)   kind None = default for the id's family
CURATION: dict[str, tuple[str, str | None, str, str]] = {
    "IAM-BILLING-1": ("high", None, "Only billing administrators can change billing, payment and account settings",
                      "Billing and account settings control payment methods and security contact addresses."),
    "IAM-BUDGETS-1": ("low", None, "Only budget owners can change AWS Budgets",
                      "A changed or removed budget silences cost alerts."),
    "IAM-CLOUDTRAIL-1": ("critical", None, "Nobody but break-glass roles can stop or delete CloudTrail trails",
                         "Stopping the trail removes the audit record an investigation depends on."),
    "IAM-CLOUDTRAIL-2": ("high", None, "Only logging owners can update CloudTrail trails",
                         "An update can turn off log file validation, multi-region or organization coverage."),
    "IAM-CLOUDTRAIL-3": ("medium", "advisory", "CloudTrail bucket policies name the organization or source account",
                         "Checks the content of an S3 bucket policy, not what principals can do."),
    "IAM-CLOUDTRAIL-4": ("high", None, "Only logging owners can change CloudTrail event or insight selectors",
                         "Selectors decide which events are recorded; narrowing them hides activity."),
    "IAM-CLOUDTRAIL-5": ("high", None, "Only logging administrators can modify CloudTrail",
                         "Any CloudTrail modification can weaken the audit record."),
    "IAM-CODECOMMIT-1": ("medium", None, "Only approved roles can delete CodeCommit repositories",
                         "Deleting a repository loses source history for every team using it."),
    "IAM-EC2-1": ("medium", "scoped-only", "ec2:TerminateInstances is scoped to resources or tags, never unscoped",
                  "An unscoped terminate permission can take down every instance in the account."),
    "IAM-EC2-2": ("medium", "condition-required", "ec2:RunInstances is limited to approved AMIs",
                  "Instances launched from unvetted images bypass hardening and patch baselines."),
    "IAM-EC2-3": ("high", None, "Only network provisioning roles can change VPC networking",
                  "Routes, gateways and peering define the network perimeter."),
    "IAM-EC2-4": ("medium", "scoped-only", "Sensitive everyday EC2 actions are scoped to resources or tags",
                  "Image, volume and instance-profile changes are frequent but still need scoping."),
    "IAM-EC2-5": ("high", None, "Only authorized principals can manage security groups",
                  "Security groups are the instance-level firewall."),
    "IAM-EC2-6": ("medium", None, "Only authorized principals can manage EC2",
                  "Broad EC2 write access reaches compute, storage and networking at once."),
    "IAM-ECR-1": ("medium", None, "Only authorized principals can delete ECR images and repositories",
                  "A deleted repository breaks every workload pulling from it."),
    "IAM-ECR-2": ("low", None, "Only authorized principals can get an ECR authorization token",
                  "The token is what lets a client pull images."),
    "IAM-EKS-1": ("high", None, "Only cluster administrators can create, change or delete EKS clusters",
                  "Cluster and node group changes affect every workload on the cluster."),
    "IAM-ELASTICSEARCH-1": ("medium", None, "Only approved roles can read or delete OpenSearch domain data over HTTP",
                            "Domains often index sensitive records."),
    "IAM-GUARDDUTY-1": ("high", None, "Only security administrators can stop GuardDuty monitoring of member accounts",
                        "A member that is no longer monitored is invisible to the central security team."),
    "IAM-IAM-1": ("high", None, "Only identity administrators can manage IAM users, keys and MFA",
                  "Users, access keys and MFA devices are long-lived credentials."),
    "IAM-IAM-2": ("high", None, "Only build automation can manage IAM roles and policies",
                  "Whoever can edit roles and policies can grant themselves anything."),
    "IAM-IAM-3": ("low", "advisory", "IP-address conditions break calls AWS services make for you",
                  "Services such as CloudFormation call other services from AWS addresses; design guidance."),
    "IAM-IAM-4": ("high", None, "Policies used as permission boundaries cannot be changed by delegated admins",
                  "Editing one's own boundary removes the cap it enforces."),
    "IAM-IAM-5": ("medium", "advisory", "Roles created by delegated admins carry a permission boundary",
                  "Needs a condition on iam:PermissionsBoundary in the delegated admin's policy; reviewed by hand."),
    "IAM-IAM-6": ("high", "scoped-only", "iam:PassRole names the roles it may pass",
                  "Passing an unscoped role lets a compute service run with any role's power."),
    "IAM-IAM-7": ("medium", None, "Only approved roles can read the whole account's IAM configuration",
                  "GetAccountAuthorizationDetails is a complete map for reconnaissance."),
    "IAM-IAM-8": ("medium", None, "Only principals with a business need can create IAM users",
                  "New users are long-lived credentials outside federation."),
    "IAM-IAM-9": ("low", "advisory", "Consider denying reconnaissance APIs with a managed deny policy",
                  "Every read-only role can call these; a design recommendation, not a per-principal check."),
    "IAM-IAM-10": ("high", "scoped-only", "iam:PassRole names the roles it may pass (duplicate of IAM-IAM-6)",
                   "The source repository publishes the same guardrail twice."),
    "IAM-IAM-11": ("high", None, "Only identity administrators can manage IAM principals and credentials",
                   "The full set of IAM write actions; each one can change who can do what."),
    "IAM-KMS-1": ("medium", "advisory", "KMS key policies keep the account root as a principal",
                  "Without it the key can become unmanageable; checks key policy content."),
    "IAM-KMS-2": ("high", None, "Only key administrators can delete imported key material",
                  "Data encrypted under the key is unreadable until the same material is imported again."),
    "IAM-KMS-3": ("critical", None, "Only key administrators can schedule KMS key deletion",
                  "Deleting a key makes everything encrypted under it unrecoverable."),
    "IAM-KMS-4": ("high", None, "Only key administrators can disable KMS keys",
                  "A disabled key stops every dependent service from decrypting."),
    "IAM-KMS-5": ("critical", None, "Only key administrators can replace a KMS key policy",
                  "Replacing the key policy can hand the key to anyone."),
    "IAM-KMS-6": ("medium", "advisory", "Service access to KMS keys is limited with kms:ViaService",
                  "Checks key policy conditions, reviewed per key."),
    "IAM-KMS-7": ("medium", None, "Only key administrators can disable key rotation",
                  "Rotation limits how much data one key version protects."),
    "IAM-KMS-8": ("medium", "separation-of-duties", "No principal both administers KMS keys and uses them to decrypt",
                  "Separating key management from key use limits what one compromised role can read."),
    "IAM-KMS-9": ("high", None, "Only key administrators hold KMS administrative permissions",
                  "Key administration decides who can ever decrypt."),
    "IAM-LAMBDA-1": ("medium", "advisory", "Lambda permissions for API Gateway name the source API with aws:SourceArn",
                     "Checks Lambda resource policies."),
    "IAM-LAMBDA-2": ("medium", None, "Only authorized principals can manage Lambda functions",
                     "Changing function code or configuration runs arbitrary code with the function's role."),
    "IAM-RDS-1": ("medium", "separation-of-duties", "Database administrators cannot also decrypt with KMS",
                  "Encryption at rest does not need the DBA to hold decrypt rights."),
    "IAM-RDS-2": ("medium", "advisory", "Only encrypted RDS and Aurora storage can be created",
                  "Needs a condition such as rds:StorageEncrypted; reviewed per policy."),
    "IAM-RDS-3": ("high", None, "Only authorized principals can restore databases from snapshots",
                  "A restore sets a new master password, opening the data to whoever restored it."),
    "IAM-S3-AP-1": ("low", "advisory", "Access points reference a valid VPC", "Checks access point configuration."),
    "IAM-S3-AP-2": ("medium", "advisory", "Access points block public access", "Checks access point configuration."),
    "IAM-S3-AP-3": ("low", "advisory", "Bucket policies limit access points to the owning account",
                    "Checks bucket policy conditions on s3:DataAccessPointAccount."),
    "IAM-S3-AP-4": ("low", "advisory", "Bucket data is reachable only through approved access points",
                    "Checks bucket policy conditions on s3:DataAccessPointArn / s3:DataAccessPointAccount."),
    "IAM-S3-AP-5": ("low", "advisory", "Bucket data is reachable only from VPC access points",
                    "Checks bucket policy conditions on s3:AccessPointNetworkOrigin."),
    "IAM-S3-AP-6": ("low", "advisory", "Access point policies match principal tags to object tags",
                    "Checks access point policies."),
    "IAM-S3-1": ("medium", "advisory", "S3 VPC endpoint policies are scoped", "Checks VPC endpoint policies."),
    "IAM-S3-2": ("medium", None, "Only authorized principals can read S3 objects holding sensitive data",
                 "Object reads are where data leaves the account."),
    "IAM-S3-3": ("info", "advisory", "Frequently read data sits in a matching storage class",
                 "A cost and availability design point, not a permission."),
    "IAM-S3-4": ("medium", None, "Only authorized principals can manage S3 buckets and objects",
                 "Bucket settings, policies and object writes decide who can read and change data."),
    "IAM-SECRETSMANAGER-1": ("medium", "scoped-only", "secretsmanager:DeleteSecret is scoped to named secrets",
                             "A deleted secret breaks every application that reads it."),
    "IAM-SECRETSMANAGER-2": ("high", None, "Only authorized principals can read secret values",
                             "Secret values are credentials."),
    "IAM-SECRETSMANAGER-3": ("medium", "separation-of-duties", "Secret creators do not also read or write secret values",
                             "The administrator who creates a secret need not see or set its value."),
    "IAM-SES-1": ("low", "advisory", "S3 bucket policies for SES name the source with aws:Referer",
                  "Checks bucket policies."),
    "IAM-SQS-1": ("medium", "advisory", "Queue policies for AWS services name the source with aws:SourceArn",
                  "Checks queue policies."),
    "IAM-SQS-2": ("low", None, "Only authorized principals can send messages to queues",
                  "Unexpected senders can flood a queue or inject malicious messages."),
    "IAM-SQS-3": ("low", None, "Only authorized principals can receive messages from queues",
                  "A stray consumer takes messages away from the intended one."),
    "IAM-SSM-1": ("high", "scoped-only", "ssm:SendCommand is scoped to instances, documents or tags",
                  "Unscoped SendCommand runs commands on every managed instance."),
    "IAM-SSM-2": ("high", "condition-required", "ssm:StartSession is conditioned on an ssm:resourceTag",
                  "Unconditioned StartSession opens a shell on any managed instance."),
    "IAM-STS-1": ("high", "trust-policy", "Third-party trust requires sts:ExternalId (checked by TRUST-EXTERNAL-ID)",
                  "Without an external ID a vendor can be tricked into using its access on your behalf."),
    "IAM-STS-2": ("critical", "trust-policy", "Principal `*` in a trust policy is restricted by conditions (checked by TRUST-PUBLIC)",
                  "An unrestricted `*` lets any AWS identity assume the role."),
    "IAM-STS-3": ("medium", "trust-policy", "Trusted accounts belong to the organization or are approved (checked by TRUST-UNKNOWN-ACCOUNT)",
                  "Every trusted outside account is another way in."),
    "IAM-STS-4": ("low", "advisory", "Decide whether federated principals get console or programmatic access only",
                  "A design decision per identity provider."),
    "IAM-STS-5": ("low", "advisory", "Trust policies restrict sts:AssumeRole by source IP where that is the intent",
                  "A design decision; IP conditions break service-made calls."),
    "IAM-STS-6": ("low", "separation-of-duties", "Principals that can assume roles cannot also tag their sessions",
                  "Self-chosen session tags can override tags that attribute-based access control relies on."),
    # SCP-* guardrails: the check is always "scp-enforced"
    "SCP-ACCOUNT-1": ("high", None, "SCPs stop member accounts enabling or disabling regions", "Regions in use are decided centrally."),
    "SCP-BILLING-1": ("high", None, "SCPs stop billing changes outside the automation role", "Billing settings are decided centrally."),
    "SCP-CLOUDFORMATION-1": ("medium", None, "SCPs protect named CloudFormation stacks and stack sets", "Stacks deployed by automation are changed only by automation."),
    "SCP-CLOUDTRAIL-1": ("high", None, "SCPs protect the organization's CloudTrail trail", "The audit trail is changed only by the automation role."),
    "SCP-CLOUDWATCH-1": ("medium", None, "SCPs stop deletion of protected log groups", "Logs are kept for investigations."),
    "SCP-CONFIG-1": ("high", None, "SCPs stop changes to AWS Config recording", "Configuration history is a compliance record."),
    "SCP-CONFIG-2": ("medium", None, "SCPs protect tagged AWS Config rules", "Compliance rules are changed only by automation."),
    "SCP-EC2-1": ("high", None, "SCPs stop disabling default EBS encryption", "New volumes stay encrypted."),
    "SCP-EC2-2": ("medium", None, "SCPs stop creating default VPCs and subnets", "Networks are built by the network team."),
    "SCP-GLACIER-1": ("high", None, "SCPs stop deletion of Glacier vaults and archives", "Archives are kept."),
    "SCP-GUARDDUTY-1": ("high", None, "SCPs stop disabling or changing GuardDuty", "Threat detection stays on."),
    "SCP-IAM-1": ("high", None, "SCPs deny every action to the root user", "Root is for the few tasks only root can do."),
    "SCP-IAM-2": ("high", None, "SCPs deny access keys for the root user", "Root credentials are never long-lived keys."),
    "SCP-IAM-3": ("low", None, "SCPs protect roles used by automation", "Automation roles are changed only by automation."),
    "SCP-IAM-4": ("medium", None, "SCPs protect the trust policy of automation roles", "Who can assume automation roles is decided centrally."),
    "SCP-IAM-5": ("high", None, "SCPs stop creating IAM users, keys and user policies", "People sign in through federation."),
    "SCP-KMS-1": ("high", None, "SCPs stop KMS key deletion outside one role", "Key deletion is irreversible."),
    "SCP-LAMBDA-1": ("low", None, "SCPs protect Lambda functions deployed by automation", "Automation functions are changed only by automation."),
    "SCP-ORGANIZATIONS-1": ("high", None, "SCPs stop accounts leaving the organization", "Leaving drops every SCP."),
    "SCP-RAM-1": ("high", None, "SCPs stop sharing resources outside the organization", "External shares leak resources."),
    "SCP-S3-1": ("high", None, "SCPs stop changes to the account's S3 public access block", "The account-level block keeps buckets private."),
    "SCP-S3-2": ("medium", None, "SCPs deny unencrypted S3 uploads", "Objects are encrypted when written."),
    "SCP-S3-3": ("high", None, "SCPs deny public object ACLs", "Objects stay private."),
    "SCP-S3-4": ("medium", None, "SCPs protect named buckets from deletion", "Critical buckets are kept."),
    "SCP-S3-5": ("low", None, "SCPs limit access to named buckets", "Sensitive buckets are read only by named roles."),
    "SCP-SNS-1": ("low", None, "SCPs protect SNS topics used by automation", "Alert topics are changed only by automation."),
}

# Actions added where the source lists none (or lists the wrong thing) but names them in its text.
ADDED: dict[str, tuple[list[str], str]] = {
    "IAM-ECR-1": (["ecr:BatchDeleteImage", "ecr:DeleteRepository"],
                  "the source lists no actions; its title names BatchDeleteImages (the action is ecr:BatchDeleteImage) and DeleteRepository"),
    "IAM-ELASTICSEARCH-1": (["es:ESHttpGet", "es:ESHttpDelete"], "the source lists no actions; its title names GET and DELETE on domains, which are es:ESHttpGet and es:ESHttpDelete"),
    "IAM-IAM-6": (["iam:PassRole"], "the source lists no actions; the guardrail is about iam:PassRole"),
    "IAM-IAM-10": (["iam:PassRole"], "the source lists no actions; the guardrail is about iam:PassRole"),
    "IAM-RDS-3": (["rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBClusterFromSnapshot"],
                  "the source lists no actions; its title names restoring a database from a snapshot"),
    "IAM-SQS-2": (["sqs:SendMessage"], "the source lists no actions; SendMessageBatch is authorized by sqs:SendMessage (there is no separate IAM action)"),
    "IAM-SQS-3": (["sqs:ReceiveMessage"], "the source lists no actions; its title names ReceiveMessage"),
    "IAM-EC2-2": ([], ""),
}

# separation-of-duties: the two duties (the source lists at most one side)
DUTIES: dict[str, tuple[list[str], list[str], str]] = {
    "IAM-SECRETSMANAGER-3": (["secretsmanager:CreateSecret"], ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
                             "the source lists only CreateSecret; the reading and writing side (GetSecretValue, PutSecretValue) is named in its rationale"),
    "IAM-KMS-8": (["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant"], ["kms:Decrypt"],
                  "the source lists no actions; management and cryptographic use are represented by key-policy/lifecycle actions and kms:Decrypt"),
    "IAM-RDS-1": (["rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:CreateDBCluster", "rds:ModifyDBCluster"], ["kms:Decrypt"],
                  "the source lists no actions; database administration and KMS decrypt are the two duties its rationale names"),
    "IAM-STS-6": (["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"], ["sts:TagSession"],
                  "the source lists no actions; its title names sts:TagSession and sts:AssumeRole*"),
}

# condition-required: the condition keys (any one of them) that must scope an allow
REQUIRED_KEYS: dict[str, list[str]] = {
    "IAM-SSM-2": ["ssm:resourceTag/*"],
    "IAM-EC2-2": ["ec2:ImageID", "ec2:Owner"],
}

TRUST_RULE = {"IAM-STS-1": "TRUST-EXTERNAL-ID", "IAM-STS-2": "TRUST-PUBLIC", "IAM-STS-3": "TRUST-UNKNOWN-ACCOUNT"}

# Source errors with no mechanical fix: (replacement, reason)
MANUAL: dict[str, tuple[str, str]] = {
    "ec2:InstanceSecurityGroup": (
        "ec2:ModifyInstanceAttribute",
        "not an action; an instance's security groups are changed with ec2:ModifyInstanceAttribute",
    ),
}


def _split_fused(s: str) -> list[str] | None:
    """``iam:CreateVirtualMFADeviceiam:DeactivateMFADevice`` -> both actions, when both exist."""
    cat = catalog.get_catalog()
    for i in range(1, len(s)):
        left, right = s[:i], s[i:]
        if ":" in left and ":" in right and cat.action(left) and cat.action(right):
            return [cat.action(left).key, cat.action(right).key]
    return None


def _as_list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def normalize_actions(raw: list[str], gid: str) -> tuple[list[str], list[dict[str, str]], list[str]]:
    """Catalog-checked actions, the corrections made, and condition keys found among the actions."""
    cat = catalog.get_catalog()
    out: list[str] = []
    fixes: list[dict[str, str]] = []
    keys: list[str] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        if name.lower() in seen:
            fixes.append({"was": name, "now": "(removed)", "reason": "listed twice"})
            return
        seen.add(name.lower())
        out.append(name)

    for a in raw:
        s = a.strip()
        if s != a:
            fixes.append({"was": a, "now": s, "reason": "stray whitespace around the action name"})
        if s == "*" or "*" in s:
            if s != "*" and not cat.expand(s):
                fixes.append({"was": s, "now": "(removed)", "reason": "the pattern matches no action in the catalog"})
                continue
            add(s)
            continue
        act = cat.action(s)
        if act is not None:
            if act.key != s:
                fixes.append({"was": s, "now": act.key, "reason": "spelled as the catalog spells it"})
            add(act.key)
            continue
        if cat.condition_key(s) is not None:
            keys.append(cat.condition_key(s).name)
            fixes.append({"was": s, "now": "(moved to condition_keys)", "reason": f"`{s}` is a condition key, not an action"})
            continue
        if s in MANUAL:
            now, why = MANUAL[s]
            fixes.append({"was": s, "now": now, "reason": why})
            add(now)
            continue
        # fused actions: two names run together without a separator
        split = _split_fused(s)
        if split:
            fixes.append({"was": s, "now": ", ".join(split), "reason": "two actions fused without a separator"})
            for n in split:
                add(n)
            continue
        prefix, _, name = s.partition(":")
        svc = cat.service(prefix)
        guess = catalog.closest(name, [x.name for x in svc.actions.values()]) if svc else None
        if guess and name.lower().startswith(guess.lower()):
            now = f"{svc.prefix}:{guess}"
            fixes.append({"was": s, "now": now, "reason": "trailing text after a real action name"})
            add(now)
            continue
        fixes.append({"was": s, "now": "(removed)", "reason": "no such action in the catalog and no unambiguous correction"
                      + (f" (closest: {prefix}:{guess})" if guess else "")})
    return out, fixes, keys


def _placeholders(obj: Any) -> list[str]:
    return sorted(set(re.findall(r"\[([A-Z_]+)\]", json.dumps(obj))))


def build(src: list[dict[str, Any]]) -> dict[str, Any]:
    rules = []
    for g in sorted(src, key=lambda x: x["Identifier"]):
        gid = g["Identifier"]
        sev, kind, title, rationale = CURATION[gid]
        service = gid.split("-", 1)[1].rsplit("-", 1)[0].lower()
        actions, fixes, keys = normalize_actions(_as_list(g.get("IAM Actions")), gid)
        entry: dict[str, Any] = {"id": gid, "service": service, "family": "scp" if gid.startswith("SCP-") else "iam"}
        if gid in ADDED and ADDED[gid][0] and not set(ADDED[gid][0]) <= set(actions):
            add, why = ADDED[gid]
            fixes.append({"was": "(none)" if not actions else ", ".join(actions), "now": ", ".join(add), "reason": why})
            actions = actions + [a for a in add if a not in actions]
        if gid in DUTIES:
            a, b, why = DUTIES[gid]
            if sorted(a + b) != sorted(actions):
                fixes.append({"was": ", ".join(actions) or "(none)", "now": f"duty A: {', '.join(a)}; duty B: {', '.join(b)}", "reason": why})
            actions = a + b
            entry["duties"] = [a, b]
        if gid.startswith("SCP-"):
            kind = "scp-enforced"
        elif kind is None:
            kind = "denied-to-unauthorized" if actions else "advisory"
        if not actions and kind not in ("advisory", "trust-policy"):
            kind = "advisory"
        entry.update({"kind": kind, "severity": sev, "title": title, "rationale": rationale, "actions": actions})
        if keys:
            entry["condition_keys"] = keys
        if gid in REQUIRED_KEYS:
            entry["required_condition_keys"] = REQUIRED_KEYS[gid]
        if gid in TRUST_RULE:
            entry["checked_by"] = TRUST_RULE[gid]
        if gid.startswith("SCP-"):
            entry["scp"] = {
                "type": g.get("SCP-Type"),
                "category": g.get("Category"),
                "resources": _as_list(g.get("Resource")),
                "condition": g.get("Condition") or [],
                "placeholders": _placeholders({"r": g.get("Resource"), "c": g.get("Condition")}),
                "scenarios": [
                    {"name": t.get("Test-Scenario"), "expected": t.get("Expected-Result") or t.get("Expected Result")}
                    for t in g.get("Test Scenarios", [])
                ],
            }
        entry["references"] = _as_list(g.get("References"))
        entry["source"] = g["_path"]
        if fixes:
            entry["corrections"] = fixes
        rules.append(entry)
    return {
        "guardrails": 1,
        "source": "aws-samples/aws-iam-permissions-guardrails (Apache-2.0), commit 7e96a3c",
        "rules": rules,
    }


def main(argv: list[str]) -> int:
    src = json.loads(Path(argv[0]).read_text())
    data = build(src)
    text = "# Generated once by scripts/build_guardrails.py, then curated. See docs/guardrails-data.md.\n"
    text += yaml.safe_dump(data, sort_keys=False, width=110, allow_unicode=True)
    from permwise.fsutil import atomic_write

    atomic_write(OUT, text)
    n_fix = sum(len(r.get("corrections", [])) for r in data["rules"])
    print(f"wrote {OUT} ({len(data['rules'])} guardrails, {n_fix} corrections)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["/work/shared/reference/aws-iam-permissions-guardrails.json"]))
