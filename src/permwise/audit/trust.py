"""Trust-policy analysis: pure functions over role trust documents (no environment, no engine).

* :func:`trust_entries` flattens a trust policy into one :class:`TrustEntry` per (statement,
  principal), keeping the statement's actions and conditions.
* :func:`analyze_trust` applies the TRUST-* rules (``data/guardrails/trust.yaml``):

  - ``TRUST-PUBLIC`` (critical): ``Principal: "*"`` / ``AWS: "*"`` (or an ``Allow`` with
    ``NotPrincipal``) and no *restricting* condition: a positive string/ARN operator (not
    ``...IfExists``, not negated) on ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``,
    ``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:SourceAccount``, ``aws:SourceArn``,
    ``aws:SourceOrgID``, ``aws:SourceOrgPaths`` or ``aws:userid`` whose every value pins one
    owner (:func:`value_restricts`: ``arn:aws:iam::*:role/X`` or ``o-*`` do not).
    ``sts:ExternalId`` alone does not restrict: it is a shared string, not an identity.
  - ``TRUST-EXTERNAL-ID`` (high): an AWS principal of an account outside the organization
    (``internal_accounts``) allowed ``sts:AssumeRole`` without a positive ``sts:ExternalId``
    condition. Applies to approved vendors too: that is exactly the vendor pattern.
  - ``TRUST-UNKNOWN-ACCOUNT`` (medium): that outside account is not in the config's
    ``external_accounts``.
  - ``TRUST-SERVICE-CONFUSED-DEPUTY`` (medium): a service principal from the confused-deputy
    list without ``aws:SourceAccount`` / ``aws:SourceArn`` / ``aws:SourceOrgID`` /
    ``aws:SourceOrgPaths``.
  - ``TRUST-OIDC-UNPINNED`` (high): web-identity federation whose ``<provider>:aud`` is not
    pinned, or whose ``<provider>:sub`` is missing or only wildcards (GitHub Actions: ``*``,
    ``repo:org/*`` or ``repo:*``; EKS: not one ``system:serviceaccount:<ns>:<name>``; GitLab:
    not one ``project_path:<group>/<project>``; any provider: no subject condition at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from permwise.catalog.arn import Arn
from permwise.policy.operators import written_operator

RESTRICTING_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
        "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:userid",
    )
)
SOURCE_KEYS = frozenset(k.lower() for k in ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths"))
POSITIVE_BASES = frozenset(
    ("stringequals", "stringlike", "stringequalsignorecase", "arnequals", "arnlike")
)
GITHUB = "token.actions.githubusercontent.com"


def _positive(op: str) -> bool:
    """Does operator ``op`` require a listed value (a positive base operator, no IfExists)?"""
    parsed = written_operator(op)
    return parsed is not None and not parsed.if_exists and parsed.base.name.lower() in POSITIVE_BASES
_ACCOUNT = re.compile(r"^\d{12}$")


@dataclass(frozen=True, slots=True)
class TrustEntry:
    """One principal of one trust statement."""

    index: int  # statement index
    effect: str
    type: str  # "AWS" | "Service" | "Federated" | "CanonicalUser" | "*"
    value: str
    actions: tuple[str, ...]
    conditions: dict[str, Any]
    not_principal: bool = False

    @property
    def account(self) -> str | None:
        """The account an AWS principal belongs to (ARN or bare account id), else None."""
        if self.type != "AWS" or self.value == "*":
            return None
        if _ACCOUNT.match(self.value):
            return self.value
        parts = self.value.split(":")
        return parts[4] if len(parts) >= 6 and _ACCOUNT.match(parts[4]) else None

    @property
    def is_account_root(self) -> bool:
        return self.type == "AWS" and (bool(_ACCOUNT.match(self.value)) or self.value.endswith(":root"))

    def allows(self, action: str) -> bool:
        a = action.lower()
        for pat in self.actions:
            p = pat.lower()
            if p == "*" or p == a or (p.endswith("*") and a.startswith(p[:-1])):
                return True
        return False


@dataclass(slots=True)
class TrustIssue:
    rule_id: str
    message: str
    index: int
    principal: str
    fix: str = ""
    notes: list[str] = field(default_factory=list)


def _list(v: Any) -> list:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def trust_entries(doc: dict | None) -> list[TrustEntry]:
    out: list[TrustEntry] = []
    if not isinstance(doc, dict):
        return out
    for i, st in enumerate(_list(doc.get("Statement"))):
        if not isinstance(st, dict):
            continue
        effect = str(st.get("Effect", ""))
        actions = tuple(str(a) for a in _list(st.get("Action"))) or (("*",) if st.get("NotAction") else ())
        given = st.get("Condition")
        cond: dict[str, Any] = given if isinstance(given, dict) else {}
        neg = "NotPrincipal" in st
        pr = st.get("NotPrincipal") if neg else st.get("Principal")
        if pr == "*" or pr is None and neg:
            out.append(TrustEntry(i, effect, "*", "*", actions, cond, neg))
            continue
        if isinstance(pr, dict):
            for ptype in sorted(pr):
                for v in _list(pr[ptype]):
                    out.append(TrustEntry(i, effect, ptype, str(v), actions, cond, neg))
    return out


def _condition_values(conditions: dict[str, Any], key: str, *, positive_only: bool = True) -> list[str] | None:
    """Values the statement's conditions require for ``key`` under a positive operator (None when
    no such condition)."""
    found: list[str] | None = None
    for op, block in conditions.items():
        if not isinstance(block, dict):
            continue
        if positive_only and not _positive(op):
            continue
        for k, v in block.items():
            if k.lower() == key.lower():
                found = (found or []) + [str(x) for x in _list(v)]
    return found


def _wild(text: str) -> bool:
    return "*" in text or "?" in text or "${" in text


def value_restricts(key: str, value: str) -> bool:
    """Does a positive condition ``key = value`` pin the caller to one owner? A wildcard in the
    part that names the owner leaves the door open to everybody: ``aws:PrincipalArn`` =
    ``arn:aws:iam::*:role/Deployer`` is any account's role named Deployer, ``aws:PrincipalOrgID``
    = ``o-*`` any organization, ``aws:PrincipalAccount`` = ``1111*`` many accounts."""
    k = key.lower()
    v = str(value)
    if k in ("aws:principalaccount", "aws:sourceaccount"):
        return bool(_ACCOUNT.match(v))
    if k in ("aws:principalorgid", "aws:sourceorgid"):
        return bool(v) and not _wild(v)
    if k in ("aws:principalorgpaths", "aws:sourceorgpaths"):
        org = v.split("/", 1)[0]
        return org.startswith("o-") and not _wild(org)
    if k in ("aws:principalarn", "aws:sourcearn"):
        arn = Arn.parse(v)
        if arn is None:
            return False
        acct, res = arn.account, arn.resource
        if acct:
            return bool(_ACCOUNT.match(acct))
        # account-less ARNs (S3 buckets): the globally unique name must be given
        name = res.split("/", 1)[0]
        return bool(name) and not _wild(name)
    if k == "aws:userid":
        owner = v.split(":", 1)[0]
        return bool(owner) and not _wild(owner)
    return bool(v.strip("*?"))


def _restricting(conditions: dict[str, Any], keys: frozenset[str]) -> list[str]:
    """Restricting keys present with a positive operator (not ``...IfExists``) whose every value
    pins one owner (:func:`value_restricts`)."""
    out = []
    for op, block in conditions.items():
        if not isinstance(block, dict):
            continue
        if not _positive(op):
            continue
        for k, v in block.items():
            vals = [str(x) for x in _list(v)]
            if k.lower() in keys and vals and all(value_restricts(k, x) for x in vals):
                out.append(k)
    return sorted(set(out))


def _assume_actions(e: TrustEntry) -> bool:
    return any(e.allows(a) for a in ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"))


def _oidc_host(value: str) -> str | None:
    if ":oidc-provider/" in value:
        return value.split(":oidc-provider/", 1)[1]
    if value in ("cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com"):
        return value
    return None


def _eks_sub_pinned(values: list[str]) -> bool:
    """Every allowed subject names one Kubernetes service account
    (``system:serviceaccount:<namespace>:<name>``, no wildcard in either)."""
    for v in values:
        m = re.match(r"^system:serviceaccount:([^:]+):([^:]+)$", v)
        if not m or _wild(m.group(1)) or _wild(m.group(2)):
            return False
    return bool(values)


def _gitlab_sub_pinned(values: list[str]) -> bool:
    """Every allowed subject names one project (``project_path:<group>/<project>:...``)."""
    for v in values:
        m = re.match(r"^project_path:([^:]+)(:.*)?$", v)
        if not m or _wild(m.group(1)) or "/" not in m.group(1):
            return False
    return bool(values)


def _github_sub_pinned(values: list[str]) -> bool:
    """Every allowed subject names a concrete repository (``repo:org/repo:...``)."""
    for v in values:
        m = re.match(r"^repo:([^/]+)/([^:]+)(:.*)?$", v)
        if not m or "*" in m.group(1) or "?" in m.group(1) or "*" in m.group(2) or "?" in m.group(2):
            return False
    return bool(values)


def analyze_trust(
    doc: dict | None,
    *,
    internal_accounts: set[str] | frozenset[str],
    approved_accounts: dict[str, str] | None = None,
    confused_deputy_services: dict[str, str] | None = None,
) -> list[TrustIssue]:
    """The TRUST-* issues of one trust policy, in statement order."""
    approved = approved_accounts or {}
    services = confused_deputy_services or {}
    issues: list[TrustIssue] = []
    for e in trust_entries(doc):
        if e.effect != "Allow" or not _assume_actions(e) and e.type != "Federated":
            continue
        cond = e.conditions
        if e.type == "*" or (e.type == "AWS" and e.value == "*") or e.not_principal:
            if not _restricting(cond, RESTRICTING_KEYS):
                issues.append(TrustIssue(
                    "TRUST-PUBLIC",
                    "any AWS principal can assume this role: the trust allows `*` and no condition pins "
                    "the caller's organization, account or ARN to one owner",
                    e.index, "*",
                    fix="replace `*` with the account or role ARNs that need access, or add "
                        "`StringEquals: {aws:PrincipalOrgID: o-...}`",
                ))
            continue
        if e.type == "AWS":
            acct = e.account
            if acct is None or acct in internal_accounts:
                continue
            if e.allows("sts:AssumeRole"):
                ext = _condition_values(cond, "sts:ExternalId")
                if not ext or not any(v.strip("*?") for v in ext):
                    who = approved.get(acct)
                    issues.append(TrustIssue(
                        "TRUST-EXTERNAL-ID",
                        f"outside account {acct}{f' ({who})' if who else ''} can assume this role "
                        f"without an `sts:ExternalId` condition (confused deputy)",
                        e.index, e.value,
                        fix="add `Condition: {StringEquals: {sts:ExternalId: <the id agreed with the vendor>}}`",
                    ))
            if acct not in approved:
                issues.append(TrustIssue(
                    "TRUST-UNKNOWN-ACCOUNT",
                    f"account {acct} is outside the organization and not listed in the audit config's "
                    f"`external_accounts`",
                    e.index, e.value,
                    fix=f"remove the principal, or approve it: `external_accounts: {{\"{acct}\": <vendor>}}`",
                ))
            continue
        if e.type == "Service":
            if e.value in services and not _restricting(cond, SOURCE_KEYS):
                issues.append(TrustIssue(
                    "TRUST-SERVICE-CONFUSED-DEPUTY",
                    f"service `{e.value}` can assume this role on behalf of any account: no "
                    f"`aws:SourceAccount` or `aws:SourceArn` condition",
                    e.index, e.value,
                    fix="add `Condition: {StringEquals: {aws:SourceAccount: <your account>}}` (or "
                        "`ArnLike: {aws:SourceArn: <the resource using the role>}`)",
                    notes=[f"AWS guidance: {services[e.value]}"],
                ))
            continue
        if e.type == "Federated":
            host = _oidc_host(e.value)
            if host is None or not e.allows("sts:AssumeRoleWithWebIdentity"):
                continue
            problems = []
            aud = _condition_values(cond, f"{host}:aud")
            if not aud or not any(v.strip("*?") for v in aud):
                problems.append(f"the audience `{host}:aud` is not pinned")
            sub = _condition_values(cond, f"{host}:sub")
            if host == GITHUB:
                if not sub:
                    problems.append(f"the subject `{host}:sub` is not pinned (any GitHub repository can assume it)")
                elif not _github_sub_pinned(sub):
                    problems.append(
                        f"the subject `{host}:sub` allows {', '.join(f'`{v}`' for v in sub)}, not one repository")
            elif host.startswith("oidc.eks.") and ".amazonaws.com/id/" in host:
                if not sub:
                    problems.append(f"the subject `{host}:sub` is not pinned (any service account of the cluster)")
                elif not _eks_sub_pinned(sub):
                    problems.append(f"the subject `{host}:sub` allows {', '.join(f'`{v}`' for v in sub)}, "
                                    f"not one service account (`system:serviceaccount:<namespace>:<name>`)")
            elif host in ("gitlab.com",) or host.startswith("gitlab."):
                if not sub:
                    problems.append(f"the subject `{host}:sub` is not pinned (any GitLab project can assume it)")
                elif not _gitlab_sub_pinned(sub):
                    problems.append(f"the subject `{host}:sub` allows {', '.join(f'`{v}`' for v in sub)}, "
                                    f"not one project (`project_path:<group>/<project>:...`)")
            elif host != "cognito-identity.amazonaws.com":
                if not sub or not any(v.strip("*?") for v in sub):
                    problems.append(f"the subject `{host}:sub` is not pinned")
            if problems:
                issues.append(TrustIssue(
                    "TRUST-OIDC-UNPINNED",
                    f"web identities from `{host}` can assume this role: " + "; ".join(problems),
                    e.index, e.value,
                    fix=(f"add `StringEquals: {{\"{host}:aud\": \"sts.amazonaws.com\", "
                         f"\"{host}:sub\": \"repo:<org>/<repo>:ref:refs/heads/main\"}}`" if host == GITHUB else
                         f"add `StringEquals` conditions on `{host}:aud` and `{host}:sub`"),
                ))
    return issues
