"""The English of the engine's explanations: a :class:`~permwise.engine.reasons.Reason` rendered
as the sentence ``simulate``, ``check`` and the reports print, and the JSON shapes that carry it.

The engine returns reasons as data (a kind, the rule applied, typed fields); this module is the
only place that words them. :func:`render_reason` is one table, rule -> sentence;
:func:`reason_dict` and :func:`result_dict` are ``simulate``'s JSON (``--json`` and every
``--jsonl`` record, :func:`result_record`), with the rendered sentence as ``message``.
:func:`unknown_words` words a key nobody stated (:class:`~permwise.engine.context.Unknown`) and
:func:`dependency_dict` is the JSON of a :class:`~permwise.engine.depends.Dependency`, with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from permwise.engine.depends import Dependency
from permwise.engine.evaluate import Result
from permwise.engine.reasons import Grant, Reason, Rule

#: the words for a policy type in a sentence
LAYER_TITLE = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "trust": "role trust policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "SCP",
    "rcp": "RCP",
}

#: to whom a resource-based policy granted, as the end of "... allows the request <how>"
GRANT_WORDS = {
    Grant.PRINCIPAL: "to this principal",
    Grant.CROSS_ACCOUNT: "(cross-account)",
    Grant.OWN_ARN: "to the principal's own ARN (within one account this grants without an identity-based allow)",
    Grant.ROLE_ARN: "to the role ARN (limited by the permissions boundary and session policy)",
    Grant.ROLE_ARN_CAPPED: "to the role ARN",
    Grant.ACCOUNT: "to the account (delegated to IAM policies)",
}


#: the words for a key nobody stated, by its lowercase name (a family, such as
#: ``aws:principaltag/``, by its prefix): "nobody stated <words>"
UNKNOWN_WORDS = {
    "aws:userid": "the session name",
    "aws:principaltag/": "the session tags",
    "aws:multifactorauthpresent": "the session has MFA",
    "aws:sourceip": "the source IP",
    "aws:sourcevpce": "the VPC endpoint",
    "aws:sourcevpc": "the VPC",
    "aws:resourcetag/": "the resource's tags",
}


def unknown_words(key: str) -> str:
    """The words for the unknown key ``key`` (``aws:PrincipalTag/team``: the family's words)."""
    k = key.lower()
    words = UNKNOWN_WORDS.get(k)
    if words is None and "/" in k:
        words = UNKNOWN_WORDS.get(k.split("/", 1)[0] + "/")
    return words if words is not None else f"`{key}`"


def dependency_words(data: dict[str, Any]) -> dict[str, Any]:
    """A dependency's data (:meth:`Dependency.to_dict`) with ``what``, the words for its key,
    before ``statement``."""
    out = {k: v for k, v in data.items() if k != "statement"}
    out["what"] = unknown_words(data["key"])
    if "statement" in data:
        out["statement"] = data["statement"]
    return out


def dependency_dict(d: Dependency) -> dict[str, Any]:
    """The JSON of a dependency (``simulate``'s and ``check``'s ``depends_on``)."""
    return dependency_words(d.to_dict())


def statement_label(r: Reason) -> str:
    """``'Sid'`` or ``#index``."""
    return f"'{r.sid}'" if r.sid else f"#{r.index}"


def where(r: Reason) -> str:
    """``SCP 'DenyGuardDuty' (level ou-workloads) statement 'NoGD'``."""
    lvl = f" (level {r.policy_level})" if r.policy_level else ""
    layer = r.layer or ""
    return f"{LAYER_TITLE.get(layer, layer)} '{r.policy}'{lvl} statement {statement_label(r)}"


def policy_names(names: tuple[str, ...] | None) -> str:
    return ", ".join(f"'{n}'" for n in names or ()) or "none attached"


def _no_resource(r: Reason, title: str) -> str:
    names = f" ({policy_names(r.policies)})" if r.policies else " (none given)"
    return f"no {title} allows `{r.action}` for `{r.principal}`{names}"


def _not_given(what: str) -> str:
    return f"no {what} was given: AWS also requires the {what} to allow (pass it as the resource-based policy to check it)"


_CAPPED = ("a grant to the role ARN in a resource-based policy is capped by the role's permissions boundary "
           "and session policy")

#: every rule's sentence
SENTENCES: dict[Rule, Callable[[Reason], str]] = {
    Rule.DENY_STATEMENT: lambda r: f"explicit Deny in {where(r)}",
    Rule.ALLOW_STATEMENT: lambda r: f"{where(r)} allows the request",
    Rule.SCP_LEVEL_ALLOW: lambda r: f"SCP level {r.level} allows via {where(r)}",
    Rule.RCP_LEVEL_ALLOW: lambda r: f"RCP level {r.level} allows via {where(r)}",
    Rule.RESOURCE_GRANT: lambda r: f"{where(r)} allows the request {GRANT_WORDS[r.grant] if r.grant else ''}",
    Rule.NO_LEVEL_ALLOW: lambda r: (f"no Allow in {(r.layer or '').upper()} level {r.level} "
                                    f"({policy_names(r.policies)}) for `{r.action}`"),
    Rule.NO_IDENTITY_ALLOW: lambda r: (f"no identity-based policy allows `{r.action}` on `{r.resource}` "
                                       f"({policy_names(r.policies)})"),
    Rule.NO_BOUNDARY_ALLOW: lambda r: (f"permissions boundary {policy_names(r.policies)} does not allow "
                                       f"`{r.action}` on `{r.resource}`"),
    Rule.NO_SESSION_ALLOW: lambda r: (f"session policy {policy_names(r.policies)} does not allow "
                                      f"`{r.action}` on `{r.resource}`"),
    Rule.NO_RESOURCE_POLICY_ALLOW: lambda r: _no_resource(r, "resource-based policy"),
    Rule.NO_TRUST_POLICY_ALLOW: lambda r: _no_resource(r, "role trust policy"),
    Rule.CALLER_IDENTITY_ALWAYS_ALLOWED: lambda r: ("`sts:GetCallerIdentity` needs no permission and cannot be "
                                                    "denied (AWS STS API Reference, GetCallerIdentity)"),
    Rule.ROOT_CANNOT_ASSUME_ROLE: lambda r: ("the AWS account root user cannot call `sts:AssumeRole` (AWS STS API "
                                             "Reference, AssumeRole): no policy can allow it"),
    Rule.ROOT_FULL_ACCESS: lambda r: "the account root user has full access in its own account",
    Rule.CROSS_ACCOUNT: lambda r: (f"cross-account request ({r.account} -> {r.resource_account}): both the "
                                   "identity side and the resource-based policy must allow"),
    Rule.KEY_POLICY_NOT_GIVEN: lambda r: _not_given("key policy"),
    Rule.TRUST_POLICY_NOT_GIVEN: lambda r: _not_given("role trust policy"),
    Rule.ROLE_ARN_GRANT_CAPPED: lambda r: _CAPPED,
    Rule.ROLE_ARN_GRANT_CAPPED_NO_IDENTITY: lambda r: (
        _CAPPED + ", and no identity-based policy allows the request either"),
    Rule.S3_RESTRICT_PUBLIC_BUCKETS: lambda r: (
        "S3 Block Public Access (RestrictPublicBuckets) is on and the bucket policy is public: "
        "it grants only to AWS services and principals of the bucket owner's account"),
    Rule.SCP_EXEMPT_FORCED: lambda r: "forced by scp_exempt",
    Rule.SCP_NOT_IAM_PRINCIPAL: lambda r: "SCPs apply only to IAM users and roles of member accounts",
    Rule.SCP_MANAGEMENT_ACCOUNT: lambda r: f"SCPs do not apply to the management account {r.account}",
    Rule.SCP_SERVICE_LINKED_ROLE: lambda r: "SCPs do not apply to service-linked roles",
    Rule.RCP_EXEMPT_FORCED: lambda r: "forced by rcp_exempt",
    Rule.RCP_UNSUPPORTED_SERVICE: lambda r: f"RCPs do not apply to `{r.service}` (not an RCP-supported service)",
    Rule.RCP_MANAGEMENT_ACCOUNT: lambda r: f"RCPs do not apply to resources of the management account {r.account}",
    Rule.RCP_SERVICE_LINKED_ROLE: lambda r: "RCPs do not apply to requests by service-linked roles",
    Rule.RCP_SERVICE_ASSUMES_ITS_ROLE: lambda r: "RCPs do not restrict a service assuming its service-linked role",
    Rule.RCP_KMS_RETIRE_GRANT: lambda r: ("RCPs do not govern `kms:RetireGrant` (AWS KMS, \"Resource control "
                                          "policies in AWS KMS\")"),
    Rule.RCP_AWS_MANAGED_KEY: lambda r: "RCPs do not apply to AWS managed KMS keys",
}


def render_reason(r: Reason) -> str:
    """The sentence of reason ``r`` (the ``message`` of ``simulate``'s output)."""
    return SENTENCES[r.rule](r)


def reason_dict(r: Reason) -> dict[str, Any]:
    """A reason as ``simulate`` prints it (``kind``, ``policy``, ``policy_kind``, ``level``,
    ``sid``, ``index``, ``pointer``, ``effect``, ``message``)."""
    return {
        "kind": str(r.kind),
        "policy": r.policy,
        "policy_kind": r.layer,
        "level": r.level,
        "sid": r.sid,
        "index": r.index,
        "pointer": r.pointer,
        "effect": r.effect,
        "message": render_reason(r),
    }


def result_dict(result: Result) -> dict[str, Any]:
    """``simulate --json``'s object: ``decision``, ``reasons``, ``missing_keys``, ``errors``."""
    return {
        "decision": result.decision,
        "reasons": [reason_dict(r) for r in result.reasons],
        "missing_keys": result.missing_keys,
        "errors": result.errors,
    }


def missing_keys_message(keys: list[str]) -> str:
    return "context keys absent from the request that could change the result: " + ", ".join(keys)


def result_record(cid: Any, result: Result, details: bool = False) -> dict[str, Any]:
    """The ``--jsonl`` output record: ``{"id", "decision", "reasons"}`` (+ details on request)."""
    reasons = [reason_dict(r) for r in result.reasons]
    if result.missing_keys:
        # the keys that conditions consulted but the request did not carry: supplying them
        # could change the decision
        reasons.append({
            "kind": "missing-keys",
            "keys": result.missing_keys,
            "message": missing_keys_message(result.missing_keys),
        })
    rec: dict[str, Any] = {"id": cid, "decision": result.decision, "reasons": reasons}
    if details:
        rec["missing_keys"] = result.missing_keys
        rec["errors"] = result.errors
    return rec


def error_record(cid: Any, message: str) -> dict[str, Any]:
    """The ``--jsonl`` record for a line that cannot be evaluated: the same keys as a result
    (``id``, ``decision``, ``reasons``) with ``decision: "error"``, plus ``error``."""
    return {"id": cid, "decision": "error", "reasons": [{"kind": "error", "message": message}], "error": message}
