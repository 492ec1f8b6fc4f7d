"""SCP-* guardrails: is each preventive guardrail enforced by the SCPs of every member account?

For each guardrail and member account, the guardrail's own test scenario is replayed through the
engine with an identity policy that allows everything (so only the SCP chain decides):

* **non-exempt**: a role ``permwise-audit-probe`` of the account (the root user for
  ``SCP-IAM-1``/``SCP-IAM-2``) calls each action on the guardrail's resources (placeholders
  filled from the config, ``${Account}``/``${Region}`` and wildcards with the account and the
  snapshot's first region) with the context the guardrail's own condition describes (e.g.
  ``ram:AllowsExternalPrincipals=true``, no ``s3:x-amz-server-side-encryption``). Expected:
  denied.
* **exempt**: when the guardrail exempts a role (``ArnNotLike aws:PrincipalARN``) and the config
  names it (``placeholders``), that role calls the same. Expected: allowed.

Status per account: ``enforced``, ``not-enforced`` (a finding with the guardrail's id),
``partial`` (some of the guardrail's actions are denied, others not: a finding too),
``blocks-exempt`` (finding ``AUDIT-SCP-OVERBROAD``), ``not-configured`` (a resource or
condition placeholder has no value in the config: nothing to test), ``management`` (SCPs never
apply to the management account).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from collections.abc import Iterator
from typing import Any

from permwise.audit import frames
from permwise.audit.config import AuditConfig
from permwise.audit.guardrails import expand_actions
from permwise.audit.model import Finding, Rule
from permwise.audit.probe import concretize, conditions_witness, regionless
from permwise.engine import ALLOWED, PolicySet, Request, compile_policy, evaluate
from permwise.engine.scope import scp_exemption
from permwise.wording import noun

_ALLOW_ALL = compile_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
                            name="permwise:allow-all", kind="identity")
_PLACEHOLDER = re.compile(r"\[([A-Z_]+)\]")
#: representative actions for guardrails whose Action is "*" (taken from their test scenarios)
STAR_ACTIONS = {"SCP-IAM-1": ["s3:CreateBucket", "iam:CreateUser"], "SCP-RAM-1": ["ram:CreateResourceShare"]}
PRINCIPAL_KEYS = ("aws:principalarn",)

_UNSET = object()

OVERBROAD_RULE = Rule(
    id="AUDIT-SCP-OVERBROAD", family="audit", kind="scp-exemption", severity="medium",
    title="An SCP guardrail also blocks its exempt role",
    rationale="The guardrail's test scenario expects the exempt role (placeholder from the config) to "
              "keep access; the SCPs deny it too.")


@dataclass(slots=True)
class ScpResult:
    rule_id: str
    account: str
    status: str
    allowed: list[str] = field(default_factory=list)  # actions the non-exempt probe could run
    denied: list[str] = field(default_factory=list)  # actions denied to it (status partial)
    exempt: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"rule": self.rule_id, "account": self.account, "status": self.status}
        if self.allowed:
            d["allowed"] = self.allowed
        if self.denied:
            d["denied"] = self.denied
        if self.exempt:
            d["exempt_principal"] = self.exempt
        if self.note:
            d["note"] = self.note
        return d


def _fill(text: str, values: dict[str, str]) -> tuple[str, list[str]]:
    missing: list[str] = []

    def sub(m: re.Match[str]) -> str:
        if m.group(1) in values:
            return values[m.group(1)]
        missing.append(m.group(1))
        return m.group(0)

    return _PLACEHOLDER.sub(sub, text), missing


def _exempt_patterns(conds: list[dict]) -> list[str]:
    """The role ARN patterns a guardrail exempts (``ArnNotLike aws:PrincipalARN``), in order;
    SCP-S3-5 and SCP-SNS-1 exempt two roles, each is tested."""
    out: list[str] = []
    for block in conds:
        for op, kv in block.items():
            if op.lower() != "arnnotlike":
                continue
            for k, v in kv.items():
                if k.lower() == "aws:principalarn":
                    vals = v if isinstance(v, list) else [v]
                    out.extend(x for x in vals if ":role/" in x and "*" not in x.rsplit("/", 1)[-1].replace("[", ""))
    return out


class ScpChecker:
    def __init__(self, env: Any, rules: list[Rule], config: AuditConfig) -> None:
        self.env = env
        self.config = config
        self.region = env.regions[0] if env.regions else "us-east-1"
        self.rules = [r for r in rules if r.kind == "scp-enforced" and config.enabled(r.id)]
        self._scp_templates: dict[str, Any] = {}

    def member_accounts(self) -> list[str]:
        return sorted(a.id for a in self.env.accounts.values() if a.in_organization)

    def run(self) -> tuple[list[ScpResult], list[Finding]]:
        results: list[ScpResult] = []
        findings: list[Finding] = []
        for res, f in self.cells():
            results.append(res)
            if f is not None:
                findings.append(f)
        return results, findings

    def cells(self) -> Iterator[tuple[ScpResult, Finding | None]]:
        """Each cell of the grid (guardrail, then member account) and its finding, one at a
        time: :meth:`run` collects them; an organization-scale run spills them."""
        if not self.drawn():
            return
        for rule in self.rules:
            for acct in self.member_accounts():
                yield self.cell(rule, acct)

    def drawn(self) -> bool:
        """Is there a grid (an organization whose SCPs are enabled or whose management account
        is known)?"""
        return bool(self.env.scp_enabled or self.env.management_account_id)

    def cell(self, rule: Rule, acct: str) -> tuple[ScpResult, Finding | None]:
        """Guardrail ``rule`` in member account ``acct``: its result and finding."""
        res = self.check(rule, acct)
        return res, self._finding(rule, res)

    def check(self, rule: Rule, acct: str) -> ScpResult:
        if scp_exemption(f"arn:{self.env.partition}:iam::{acct}:root", self.env.management_account_id):
            return ScpResult(rule.id, acct, "management", note="SCPs never apply to the management account")
        scp = rule.data.get("scp", {})
        values = dict(self.config.placeholders)
        conds: list[dict] = scp.get("condition") or []
        exempt_pats = _exempt_patterns(conds)
        # resources
        resources: list[str] = []
        for r in scp.get("resources") or ["*"]:
            r2 = r.replace("${Account}", acct).replace("${Region}", self.region)
            filled, missing = _fill(r2, values)
            if missing:
                return ScpResult(rule.id, acct, "not-configured",
                                 note=f"no value for {noun(len(missing), 'placeholder')} {', '.join(missing)} in the audit config")
            resources.append(concretize(filled, acct, self.region, self.env.partition))
        # context from the guardrail's non-principal conditions
        ctx: dict[str, Any] = {}
        for block in conds:
            other = {op: {k: v for k, v in kv.items() if k.lower() not in PRINCIPAL_KEYS} for op, kv in block.items()}
            other = {op: kv for op, kv in other.items() if kv}
            if not other:
                continue
            filled_block: dict[str, Any] = {}
            for op, kv in other.items():
                filled_block[op] = {}
                for k, v in kv.items():
                    vals = v if isinstance(v, list) else [v]
                    out = []
                    for x in vals:
                        fx, missing = _fill(str(x), values)
                        if missing:
                            return ScpResult(rule.id, acct, "not-configured",
                                             note=f"no value for {noun(len(missing), 'placeholder')} {', '.join(missing)} in the audit config")
                        out.append(fx)
                    filled_block[op][k] = out
            ctx.update(conditions_witness(filled_block, set()))
        actions = STAR_ACTIONS.get(rule.id) if "*" in rule.actions else expand_actions(rule.actions)
        if rule.id in ("SCP-IAM-1", "SCP-IAM-2"):
            probe = f"arn:{self.env.partition}:iam::{acct}:root"
        else:
            probe = f"arn:{self.env.partition}:iam::{acct}:role/permwise-audit-probe"
        ps = PolicySet(identity=[_ALLOW_ALL], scps=self.env.scp_chain(acct),
                       management_account_id=self.env.management_account_id)
        allowed = sorted(a for a, ok in self._answers(ps, probe, actions or [], resources, ctx, acct).items() if ok)
        if allowed:
            denied = sorted(set(actions or []) - set(allowed))
            return ScpResult(rule.id, acct, "partial" if denied else "not-enforced", allowed=allowed, denied=denied)
        exempt = None
        for pat in exempt_pats:
            filled, missing = _fill(pat, values)
            if missing:
                return ScpResult(rule.id, acct, "enforced", exempt=exempt,
                                 note=f"exempt role not tested: no value for {', '.join(missing)} in the audit config")
            role = concretize(filled, acct, self.region, self.env.partition)
            exempt = exempt or role
            blocked = sorted(a for a, ok in self._answers(ps, role, actions or [], resources, ctx, acct, every=True).items()
                             if not ok)
            if blocked:
                return ScpResult(rule.id, acct, "blocks-exempt", allowed=blocked, exempt=role)
        return ScpResult(rule.id, acct, "enforced", exempt=exempt)

    def _answers(self, ps: PolicySet, principal: str, actions: list[str], resources: list[str], ctx: dict[str, Any],
                 acct: str, every: bool = False) -> dict[str, bool]:
        """Each action -> is ``principal`` allowed it on some of ``resources`` (``every``: on
        all of them)?"""
        out: dict[str, bool] = {}
        for res in resources:
            c = dict(ctx)
            if regionless(res):
                c.setdefault("aws:RequestedRegion", self.region)
            base = self._frame_base(ps, principal, res, c, acct)
            for a in actions:
                ok = self._allowed(ps, principal, a, res, c, base)
                out[a] = (out.get(a, True) and ok) if every else (out.get(a, False) or ok)
        return out

    def _allowed(self, ps: PolicySet, principal: str, action: str, resource: str, c: dict[str, Any],
                 base: tuple | None) -> bool:
        # member accounts under the same SCPs (as templates of their own ID) ask the same
        # question of the engine: it is asked once (see permwise.audit.frames)
        key = (base, action.lower()) if base is not None else None
        hit = frames.recall(key) if key is not None else None
        if hit is None:
            r = evaluate(ps, Request(principal=principal, action=action, resource=resource, context=c,
                                     at=self.env.at), False)
            hit = r.decision == ALLOWED
            if key is not None:
                frames.remember(key, hit)
        return hit

    def _frame_base(self, ps: PolicySet, principal: str, resource: str, ctx: dict[str, Any], acct: str) -> tuple | None:
        """A question about ``resource`` in ``acct``'s frame, but its action; None when a part
        of it has no template."""
        scps = self._scp_templates.get(acct, _UNSET)
        if scps is _UNSET:
            # the account's chain is the same for every cell of its row
            scps = self._scp_templates[acct] = frames.levels_template(ps.scps, acct)
        strings = (principal, resource, ps.management_account_id or "",
                   json.dumps(ctx, sort_keys=True, default=str))
        templates = tuple(frames.template(x, acct) for x in strings)
        if scps is None or None in templates:
            return None
        return ("scp-grid", scps, templates, str(self.env.at), self.region, self.env.partition)

    def _account_entry(self, acct: str) -> tuple[str, str]:
        """The account's entry in ``organization/accounts.json`` (where a missing guardrail is
        placed: the account the SCPs above fail to protect)."""
        import json

        if not hasattr(self, "_accounts_index"):
            self._accounts_index: dict[str, int] = {}
            try:
                data = json.loads((self.env.root / "organization" / "accounts.json").read_text())
                for i, a in enumerate(data.get("Accounts") or []):
                    if isinstance(a, dict) and a.get("Id"):
                        self._accounts_index[str(a["Id"])] = i
            except (OSError, ValueError, AttributeError, TypeError):
                pass
        at = self._accounts_index.get(acct)
        return "organization/accounts.json", (f"/Accounts/{at}" if at is not None else "")

    def _denying_statement(self, acct: str, principal: str, actions: list[str]) -> tuple[str, str] | None:
        """The file and pointer of the SCP statement that denies ``principal`` one of ``actions``
        (``organization/policies/ID.json`` at ``/Policy/Content/Statement/N``)."""
        ps = PolicySet(identity=[_ALLOW_ALL], scps=self.env.scp_chain(acct),
                       management_account_id=self.env.management_account_id)
        for action in actions:
            c = {"aws:RequestedRegion": self.region}
            r = evaluate(ps, Request(principal=principal, action=action, resource="*", context=c, at=self.env.at))
            for st in r.deny_statements:
                op = self.env.org_policy_by_name(st.policy.name)
                if op is not None and op.origin.file:
                    return op.origin.file, (op.origin.pointer or "/Policy/Content") + st.pointer
        return None

    def _finding(self, rule: Rule, res: ScpResult) -> Finding | None:
        label = self.env.account_label(res.account)
        if res.status in ("not-enforced", "partial"):
            file, pointer = self._account_entry(res.account)
            if res.status == "partial":
                probe = f"arn:{self.env.partition}:iam::{res.account}:role/permwise-audit-probe"
                file, pointer = self._denying_statement(res.account, probe, res.denied) or (file, pointer)
            partly = (f" (they deny only {', '.join(f'`{a}`' for a in res.denied)})"
                      if res.status == "partial" else "")
            return Finding(
                rule_id=rule.id, severity=self.config.severity.get(rule.id, rule.severity), subject=res.account,
                account=res.account,
                message=f"account {label}: the SCPs do not enforce \"{rule.title}\"{partly}; a non-exempt role can "
                        f"still run {', '.join(f'`{a}`' for a in res.allowed)}",
                file=file, pointer=pointer,
                fix=f"attach an SCP implementing {rule.id} to the root or an OU above the account",
                actions=res.allowed,
            )
        if res.status == "blocks-exempt":
            file, pointer = (self._denying_statement(res.account, res.exempt or "", res.allowed)
                             or self._account_entry(res.account))
            return Finding(
                rule_id=OVERBROAD_RULE.id, severity=OVERBROAD_RULE.severity, subject=res.account, account=res.account,
                message=f"account {label}: for {rule.id} the exempt role `{res.exempt}` is denied "
                        f"{', '.join(f'`{a}`' for a in res.allowed)} too",
                file=file, pointer=pointer,
                fix="add the exempt role to the SCP's `ArnNotLike aws:PrincipalARN` condition",
                actions=res.allowed,
            )
        return None
