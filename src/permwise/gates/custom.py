"""Custom checks, offline equivalents of IAM Access Analyzer's ``access-not-granted`` and
``no-public-access``, on one policy (``permwise validate --deny-actions/--no-public``) or on every
principal and resource policy of a snapshot (``--env``).

* :func:`denied_actions` (``DENIED-ACTION-ALLOWED``): each named action (wildcards expanded
  through the catalog) is asked of the engine, for an identity-like policy as its holder, on the
  given resources or else on the sentinel (every resource) and on every resource the policy
  names; for a resource or trust policy as an outsider, as every principal the policy names
  and as a role of the owning account. A conditional allow counts (the finding says when).
* :func:`no_public` (``NO-PUBLIC``): every exposure of :mod:`permwise.gates.exposure` (public,
  another organization, an account outside ``--zone``), limited or not.
"""

from __future__ import annotations

from permwise import catalog
from permwise.engine import CompiledPolicy, PolicySet, compile_policy
from permwise.errors import InputError
from permwise.gates import exposure as _exposure
from permwise.gates import probe
from permwise.gates.probe import Outcome
from permwise.diagnostics import Rule
from permwise.gates.rules import finding
from permwise.gates.zone import Zone
from permwise.policy.findings import Finding
from permwise.policy.model import PolicyDocument

ANALYZER_CHECKS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-custom-policy-checks.html"

CUSTOM_RULES = (
    Rule("DENIED-ACTION-ALLOWED", "error", "access-granted", "An action named by --deny-actions is allowed",
         "Custom check, offline equivalent of Access Analyzer's access-not-granted: the policy allows "
         "an action the gate says must never be allowed (on any resource, or on the given ones).",
         "IAM Access Analyzer custom policy checks", ANALYZER_CHECKS, "custom"),
    Rule("NO-PUBLIC", "error", "no-public-access", "A resource or trust policy grants access outside the zone",
         "Custom check, offline equivalent of Access Analyzer's no-public-access: a resource or trust "
         "policy lets a principal outside the accounts and organizations named by --zone in.",
         "IAM Access Analyzer custom policy checks", ANALYZER_CHECKS, "custom"),
)


def expand_denied(patterns: list[str]) -> list[str]:
    """``--deny-actions`` values (comma lists allowed) -> catalog action names; an unknown
    action or a wildcard matching nothing is bad input."""
    cat = catalog.get_catalog()
    out: dict[str, str] = {}
    for raw in patterns:
        for p in str(raw).split(","):
            p = p.strip()
            if not p:
                continue
            acts = cat.expand(p) if ("*" in p or "?" in p) else [a for a in [cat.action(p)] if a is not None]
            if not acts:
                hint = cat.suggest_action(p) if ":" in p else None
                raise InputError(f"`{p}` is not an action of the catalog", file="--deny-actions",
                                 hint=f"did you mean `{hint}`?" if hint else "see `permwise actions`")
            for a in acts:
                out[a.key.lower()] = a.key
    return [out[k] for k in sorted(out)]


def _finding(rule_id: str, message: str, pointer: str, fix: str, subject: str | None) -> Finding:
    return finding(rule_id, message, pointer=pointer, fix=fix, subject=subject)


def _kind(doc_type: str) -> str:
    return {"resource": "resource", "trust": "trust"}.get(doc_type, doc_type)


def allowed_where(cp: CompiledPolicy, doc_type: str, action: str, resources: list[str] | None,
                  zone: Zone) -> list[tuple[str, str, Outcome]]:
    """``(who, resource, outcome)`` for each way ``action`` is allowed by one policy."""
    out: list[tuple[str, str, Outcome]] = []
    account = probe.holder_account([cp], zone.accounts)
    named = [probe.concretize(p, account) for p in probe.resource_patterns([cp])]
    res_list = list(resources) if resources else list(dict.fromkeys([probe.sentinel(action, account)] + named))
    if doc_type in ("resource", "trust"):
        allow_all = compile_policy(_exposure.ALLOW_ALL, name="caller-identity", kind="identity")
        ps = PolicySet(identity=[allow_all], resource=[cp])
        whos = [_exposure.OUTSIDER, f"arn:aws:iam::{account}:role/{probe.HOLDER}"]
        for st in cp.statements:
            whos += [_exposure.principal_request(v) for v in _exposure.named_aws(st)]
            raw = st.raw if isinstance(st.raw, dict) else {}
            pr = raw.get("Principal")
            if isinstance(pr, dict):
                for k in ("Service", "Federated"):
                    v = pr.get(k)
                    whos += [str(x) for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)]
        if doc_type == "trust" and not resources:
            res_list = [f"arn:aws:iam::{account}:role/permwise-probe"]
        for who in dict.fromkeys(whos):
            for r in res_list:
                o = probe.ask(ps, who, action, r, context=dict(probe.HOLDER_CONTEXT), resource_account=account)
                if o.allowed:
                    out.append((who, r, o))
                    break
        return out
    role = f"arn:aws:iam::{account}:role/{probe.HOLDER}"
    if doc_type in ("scp", "rcp"):
        allow_all = compile_policy(_exposure.ALLOW_ALL, name="caller-identity", kind="identity")
        ps = PolicySet(identity=[allow_all], scps=[[cp]]) if doc_type == "scp" else PolicySet(identity=[allow_all], rcps=[[cp]], rcp_services=catalog.get_catalog().rcp_supported_services())
    elif doc_type in ("boundary", "session"):
        allow_all = compile_policy(_exposure.ALLOW_ALL, name="caller-identity", kind="identity")
        ps = PolicySet(identity=[allow_all], boundary=cp) if doc_type == "boundary" else PolicySet(identity=[allow_all], session=cp)
    else:
        ps = PolicySet(identity=[cp])
    for r in res_list:
        o = probe.ask(ps, role, action, r, context=dict(probe.HOLDER_CONTEXT))
        if o.allowed:
            out.append((role, r, o))
            break
    return out


def denied_actions(doc: PolicyDocument, actions: list[str], resources: list[str] | None, zone: Zone) -> list[Finding]:
    if not isinstance(doc.data, dict) or not doc.statements:
        return []
    cp = compile_policy(doc.data, name=doc.name, kind="trust" if doc.type == "trust" else
                        ("resource" if doc.type == "resource" else doc.type))
    out = []
    for a in actions:
        for who, r, o in allowed_where(cp, doc.type, a, resources, zone):
            st = o.allow_statements[0] if o.allow_statements else None
            res = "every resource" if "permwise-probe" in r or r == "*" else f"`{r}`"
            whom = "" if doc.type not in ("resource", "trust") else (
                " to any outside principal" if who == _exposure.OUTSIDER else f" to `{who}`")
            when = f" (when {o.when()})" if o.conditional else ""
            out.append(_finding("DENIED-ACTION-ALLOWED", f"`{a}` is allowed on {res}{whom}{when}; the gate denies it",
                                st.pointer if st is not None else "",
                                f"remove `{a}` from the Allow statements or add a Deny for it", a))
    return out


def no_public(doc: PolicyDocument, zone: Zone) -> list[Finding]:
    if doc.type not in ("resource", "trust") or not isinstance(doc.data, dict) or not doc.statements:
        return []
    kind = _kind(doc.type)
    cp = compile_policy(doc.data, name=doc.name, kind=kind)
    owner = probe.holder_account([cp], zone.accounts)
    out = []
    for e in _exposure.analyze(cp, kind, zone, owner, owner_known=zone.given or bool(
            [p for p in probe.resource_patterns([cp]) if probe.arn_account(p)])):
        who = {"public": "anyone (any account, any organization)", "organization": f"organization `{e.who}`"}.get(
            e.kind, f"account {e.account} (`{e.who}`)")
        lim = f", limited by {', '.join(f'`{k}`' for k in e.limited_by)}" if e.limited_by else ""
        acts = ", ".join(f"`{a}`" for a in e.actions[:4]) + (f" and {len(e.actions) - 4} more" if len(e.actions) > 4 else "")
        out.append(_finding("NO-PUBLIC", f"{who} is outside the zone {zone.describe()} and allowed {acts}{lim}",
                            e.pointer, "limit the principal to the zone (account ids, or `aws:PrincipalOrgID`)",
                            e.who))
    return out


def check_document(doc: PolicyDocument, *, deny_actions: list[str] | None, resources: list[str] | None,
                   no_public_check: bool, zone: Zone) -> list[Finding]:
    out: list[Finding] = []
    if deny_actions:
        out += denied_actions(doc, deny_actions, resources, zone)
    if no_public_check:
        out += no_public(doc, zone)
    return out

