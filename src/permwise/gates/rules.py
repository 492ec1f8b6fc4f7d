"""The rules of the policy gates, as data: ids, severities (on ``validate``'s scale), titles,
descriptions and the AWS page each encodes.

Where a rule is the same question the audit asks, it has the audit's id (``PRIVESC-*``,
``TRUST-*``; titles and rationale come from ``data/guardrails``); the audit's severity maps to
``validate``'s scale: critical and high -> ``error``, medium -> ``warning``, low and info ->
``suggestion``.
"""

from __future__ import annotations

from functools import lru_cache

from permwise.audit.registry import escalation_data, trust_data
from permwise.policy.findings import Rule, RuleRegistry

_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
_AA = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-custom-policy-checks.html"

AUDIT_TO_VALIDATE = {"critical": "error", "high": "error", "medium": "warning", "low": "suggestion", "info": "suggestion"}

CATEGORY = "security"

OWN_RULES = (
    Rule("FULL-ADMIN", "error", "full-admin", "Policy grants every action on every resource",
         "An Allow of `*` on `*`, or an Allow with NotAction that leaves every other action, on every "
         "resource: the holder is an administrator (or everything but the listed services). Decided "
         "through the engine: a Deny that takes the power away takes the finding away.",
         "Policy evaluation logic; IAM JSON policy elements: NotAction",
         _IAM + "reference_policies_elements_notaction.html", CATEGORY),
    Rule("CREDENTIALS-EXPOSURE", "error", "credentials-exposure", "Policy lets the holder obtain credentials",
         "Actions that create or return credentials (access keys, passwords, database tokens, "
         "federation tokens, instance access) allowed on every resource.",
         "Security best practices in IAM", _IAM + "best-practices.html", CATEGORY),
    Rule("DATA-EXFILTRATION", "warning", "data-exfiltration", "Policy reads data on every resource",
         "Object reads, secret values, parameters and KMS decryption allowed on every resource: "
         "the holder reads every object, secret, parameter or encrypted value of the account.",
         "Security best practices in IAM (apply least-privilege permissions)", _IAM + "best-practices.html",
         CATEGORY),
    Rule("RESOURCE-EXPOSURE", "error", "resource-exposure", "Policy can rewrite resource or trust policies",
         "Permissions-management actions that change who may use a resource (bucket, key, queue, "
         "topic, function, secret policies, ACLs, grants, shares, role trust) allowed on every "
         "resource: the holder can open any of them to the world.",
         "Identity-based policies and resource-based policies", _IAM + "access_policies_identity-vs-resource.html",
         CATEGORY),
    Rule("INFRA-MODIFICATION", "warning", "infrastructure-modification", "Policy changes infrastructure on every resource",
         "Write actions (create, change, delete) allowed on every resource of their type, not on the "
         "resources the workload needs.",
         "Security best practices in IAM (apply least-privilege permissions)", _IAM + "best-practices.html",
         CATEGORY),
    Rule("PUBLIC-ACCESS", "error", "public-access", "Resource policy grants access to anyone",
         "A resource-based policy whose Allow reaches a principal of any account and organization "
         "(`Principal: *`, `AWS: *`, NotPrincipal) with no condition that pins the caller's "
         "organization, account, ARN or source. Limited only by network conditions (source IP, VPC, "
         "VPC endpoint) it is a warning.",
         "How IAM Access Analyzer findings work", _IAM + "access-analyzer-concepts.html", CATEGORY),
    Rule("CROSS-ACCOUNT-ACCESS", "warning", "cross-account-access", "Policy grants access to another account",
         "A resource-based or trust policy names a principal of an account outside the zone of trust "
         "(`--zone`; without it, outside the account that owns the policy's resources). With a "
         "condition that limits it (ExternalId, source, network) it is a suggestion.",
         "Cross-account policy evaluation logic", _IAM + "reference_policies_evaluation-logic-cross-account.html",
         CATEGORY),
    Rule("DENIED-ACTION-ALLOWED", "error", "access-granted", "An action named by --deny-actions is allowed",
         "Custom check, offline equivalent of Access Analyzer's access-not-granted: the policy allows "
         "an action the gate says must never be allowed (on any resource, or on the given ones).",
         "IAM Access Analyzer custom policy checks", _AA, "custom"),
    Rule("NO-PUBLIC", "error", "no-public-access", "A resource or trust policy grants access outside the zone",
         "Custom check, offline equivalent of Access Analyzer's no-public-access: a resource or trust "
         "policy lets a principal outside the accounts and organizations named by --zone in.",
         "IAM Access Analyzer custom policy checks", _AA, "custom"),
)


def _audit_rules() -> list[Rule]:
    out = []
    for p in escalation_data():
        out.append(Rule(p["id"], AUDIT_TO_VALIDATE[p["severity"]], p["id"].lower(), p["title"],
                        p.get("rationale", "").strip(), "Privilege escalation (permwise audit)", "", CATEGORY))
    for t in trust_data()["rules"]:
        out.append(Rule(t["id"], AUDIT_TO_VALIDATE[t["severity"]], t["id"].lower(), t["title"],
                        str(t.get("rationale", "")).strip(), "Roles terms and concepts (trust policy)",
                        _IAM + "id_roles_terms-and-concepts.html", CATEGORY))
    return out


@lru_cache(maxsize=None)
def security_rules() -> RuleRegistry:
    reg = RuleRegistry()
    reg.extend(OWN_RULES)
    reg.extend(_audit_rules())
    return reg
