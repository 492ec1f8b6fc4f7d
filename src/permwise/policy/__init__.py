"""Policy documents: parse, validate and lint every IAM policy type.

Public API::

    from permwise import policy
    doc = policy.parse("policy.json", type=None)        # PolicyDocument (type detected when None)
    findings = policy.validate(doc)                       # grammar + type rules + catalog lint
    findings = policy.validate("scp.json", type="scp")
    findings = policy.validate_document({"Version": ..., "Statement": [...]}, "identity", name="gen:x")
    policy.POLICY_RULES                                   # the registry of finding codes
    policy.POLICY_TYPES                                   # identity, resource, trust, scp, rcp, boundary, session

Findings are :class:`Finding` ``{code, severity, message, file, line, column, pointer, fix}``.
"""

from permwise.policy.findings import (
    SEVERITIES,
    Finding,
    Rule,
    RuleRegistry,
    at_or_above,
    count_by_severity,
    severity_rank,
    sort_findings,
)
from permwise.policy.model import (
    ATTACHMENTS,
    POLICY_TYPES,
    TYPE_NAMES,
    Item,
    PolicyDocument,
    PolicyKind,
    Statement,
)
from permwise.policy.parser import detect_type, parse
from permwise.policy.rules import POLICY_RULES
from permwise.policy.validate import findings_for, validate, validate_document

__all__ = [
    "ATTACHMENTS",
    "POLICY_RULES",
    "POLICY_TYPES",
    "SEVERITIES",
    "TYPE_NAMES",
    "Finding",
    "Item",
    "PolicyDocument",
    "PolicyKind",
    "Rule",
    "RuleRegistry",
    "Statement",
    "at_or_above",
    "count_by_severity",
    "detect_type",
    "findings_for",
    "parse",
    "severity_rank",
    "sort_findings",
    "validate",
    "validate_document",
]
