"""Suppressions: accepted findings, each with a reason and an expiry date.

```yaml
suppressions:
  - rule: IAM-EC2-6                             # rule id glob
    subject: "arn:aws:iam::*:role/NetworkAdmin" # subject glob (principal ARN or account id)
    reason: the network team owns VPC changes (CHG-1234)
    expires: 2026-12-31                         # ISO date; after it the suppression stops working
```

A suppression whose ``expires`` date has passed suppresses nothing and becomes a finding itself
(rule ``AUDIT-SUPPRESSION-EXPIRED``), so an accepted risk is looked at again.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from permwise.audit.model import Finding, Rule
from permwise.sources import load_source

EXPIRED_RULE = Rule(
    id="AUDIT-SUPPRESSION-EXPIRED", family="audit", kind="suppression", severity="medium",
    title="A suppression has passed its expiry date",
    rationale="Accepted risks are reviewed again when their suppression expires; an expired one "
              "suppresses nothing.")


class Suppression(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str = Field(description="rule id glob")
    subject: str = Field("*", description="subject glob: principal ARN or account id")
    reason: str = Field(min_length=1)
    expires: _dt.date

    def matches(self, f: Finding) -> bool:
        return fnmatch.fnmatchcase(f.rule_id, self.rule) and fnmatch.fnmatchcase(f.subject or "", self.subject)


class SuppressionFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    suppressions: list[Suppression] = Field(default_factory=list)


class Suppressions:
    def __init__(self, items: list[Suppression], path: str = "", pointers: list[str] | None = None) -> None:
        self.items = items
        self.path = path
        self.pointers = pointers or [f"/suppressions/{i}" for i in range(len(items))]

    def apply(self, findings: list[Finding], today: _dt.date) -> list[Finding]:
        """Mark matching findings suppressed (live suppressions only); return the findings for
        expired suppressions."""
        live = [s for s in self.items if s.expires >= today]
        for f in findings:
            for s in live:
                if s.matches(f):
                    f.suppressed_by = f"{s.reason} (until {s.expires.isoformat()})"
                    break
        out = []
        for s, ptr in zip(self.items, self.pointers):
            if s.expires < today:
                out.append(Finding(
                    rule_id=EXPIRED_RULE.id, severity=EXPIRED_RULE.severity, subject=f"{s.rule} {s.subject}",
                    message=f"suppression of `{s.rule}` for `{s.subject}` expired on {s.expires.isoformat()} "
                            f"(reason was: {s.reason}); it no longer suppresses anything",
                    file=self.path, pointer=ptr,
                    fix="review the accepted risk, then extend `expires` or delete the suppression",
                ))
        return out


def load_suppressions(path: str | None, known: list[str] | None = None) -> Suppressions:
    """``known``: the rule ids a suppression may name (default: the audit registry's)."""
    if path is None:
        return Suppressions([])
    src = load_source(path)
    if src.data is not None and not isinstance(src.data, dict):
        raise src.error(f"a suppressions file must be a mapping with a `suppressions` list, found {_kind(src.data)}",
                        hint="write `suppressions:` followed by a list of `- {rule, subject, reason, expires}`")
    try:
        data = SuppressionFile.model_validate(src.data if src.data is not None else {})
    except ValidationError as exc:
        err = exc.errors()[0]
        ptr = "/" + "/".join(str(p) for p in err["loc"]) if err["loc"] else ""
        raise src.error(f"suppressions: {err['msg'].lower()}", ptr,
                        hint="each suppression needs `rule`, `reason` and `expires` (YYYY-MM-DD)") from None
    if known is None:
        from permwise.audit.registry import all_rules

        known = [r.id for r in all_rules()]
    for i, s in enumerate(data.suppressions):
        if not fnmatch.filter(known, s.rule):
            raise src.error(f"suppression rule `{s.rule}` matches no audit rule", f"/suppressions/{i}/rule",
                            hint="list the rule ids with `permwise rules`; `*` and `?` are globs")
    return Suppressions(data.suppressions, src.path)


def _kind(value: object) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), type(value).__name__)
