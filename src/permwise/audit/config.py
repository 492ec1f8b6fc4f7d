"""The audit config file (YAML or JSON): who is authorized for which rule, values for the SCP
guardrails' placeholders, approved outside accounts, rule switches. Schema:
``AuditConfig.model_json_schema()`` (printed in ``docs/audit.md``). Example:
``examples/audit/audit-config.yaml``.

```yaml
audit: 1
authorized:                         # principals allowed to hold what a rule restricts
  "*":                              # every rule (rule ids are glob patterns)
    - arn: "arn:aws:iam::*:role/BreakGlass"
  "IAM-CLOUDTRAIL-*":
    - arn: "arn:aws:iam::*:role/SecurityAudit*"
    - tag: {key: team, value: security}
placeholders:                       # SCP-* guardrail placeholders
  INFRASTRUCTURE_AUTOMATION_ROLE: OrgAutomation
  CLOUDTRAIL_NAME: org-trail
external_accounts:                  # approved outside accounts (TRUST-UNKNOWN-ACCOUNT)
  "613007325984": Wiv
disable: [IAM-S3-2]                 # rule id globs not to run
severity: {IAM-EC2-6: low}          # severity overrides
include_service_linked_roles: false
```
"""

from __future__ import annotations

import fnmatch
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from permwise.sources import load_source

Severity = Literal["critical", "high", "medium", "low", "info"]


class TagMatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    value: str = Field("*", description="glob; `*` (default) matches any value")


class PrincipalMatch(BaseModel):
    """One way to name authorized principals: an ARN glob, or a principal tag."""

    model_config = ConfigDict(extra="forbid")
    arn: str | None = Field(None, description="ARN glob, case-sensitive, `*` and `?` wildcards")
    tag: TagMatch | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _one(self) -> PrincipalMatch:
        if (self.arn is None) == (self.tag is None):
            raise ValueError("give exactly one of `arn` or `tag`")
        return self

    def matches(self, arn: str, tags: dict[str, str]) -> bool:
        if self.arn is not None:
            return fnmatch.fnmatchcase(arn, self.arn)
        assert self.tag is not None
        return self.tag.key in tags and fnmatch.fnmatchcase(tags[self.tag.key], self.tag.value)


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audit: Literal[1] = 1
    authorized: dict[str, list[PrincipalMatch]] = Field(
        default_factory=dict, description="rule id glob -> principals authorized for that rule"
    )
    placeholders: dict[str, str] = Field(default_factory=dict, description="SCP guardrail placeholder values")
    external_accounts: dict[Annotated[str, Field(pattern=r"^\d{12}$")], str] = Field(
        default_factory=dict, description="approved outside account id -> who it is"
    )
    disable: list[str] = Field(default_factory=list, description="rule id globs that are not run")
    severity: dict[str, Severity] = Field(default_factory=dict, description="rule id -> severity override")
    include_service_linked_roles: bool = False
    _by_rule: dict[str, list[PrincipalMatch]] = PrivateAttr(default_factory=dict)

    def is_authorized(self, rule_id: str, arn: str, tags: dict[str, str]) -> PrincipalMatch | None:
        for m in self.authorized_for(rule_id):
            if m.matches(arn, tags):
                return m
        return None

    def authorized_for(self, rule_id: str) -> list[PrincipalMatch]:
        """The entries of ``authorized`` whose rule glob matches ``rule_id``, in the order of the
        globs (sorted); memoised per rule (asked for every principal and rule)."""
        hit = self._by_rule.get(rule_id)
        if hit is None:
            hit = self._by_rule[rule_id] = [m for pattern in sorted(self.authorized)
                                            if fnmatch.fnmatchcase(rule_id, pattern) for m in self.authorized[pattern]]
        return hit

    def enabled(self, rule_id: str) -> bool:
        return not any(fnmatch.fnmatchcase(rule_id, p) for p in self.disable)


def load_config(path: str | None) -> AuditConfig:
    """The config at ``path`` (YAML or JSON), or the defaults when ``path`` is None."""
    if path is None:
        return AuditConfig()
    src = load_source(path)
    if src.data is not None and not isinstance(src.data, dict):
        kind = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
            type(src.data), type(src.data).__name__)
        raise src.error(f"an audit config must be a mapping (audit, authorized, placeholders, ...), found {kind}",
                        hint="see docs/audit.md (\"Config file\") or examples/audit/audit-config.yaml")
    try:
        return AuditConfig.model_validate(src.data if src.data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        if loc and loc[-1] == "[key]":  # a mapping key of the wrong type, e.g. an unquoted account id
            loc.pop()
            ptr = "/" + "/".join(str(p) for p in loc)
            raise src.error(
                f"audit config: key `{loc[-1]}` must be a quoted string (YAML reads unquoted digits as a number)",
                ptr, hint=f"write it as \"{loc[-1]}\"") from None
        ptr = "/" + "/".join(str(p) for p in loc) if loc else ""
        raise src.error(
            f"audit config: {err['msg'].lower()}", ptr,
            hint="see docs/audit.md (\"Config file\") or examples/audit/audit-config.yaml",
        ) from None

