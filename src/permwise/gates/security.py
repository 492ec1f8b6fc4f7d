"""Security findings for one policy, decided through the engine (``permwise validate``).

Identity policies (who holds them is unknown; see :mod:`permwise.gates.probe` for the holder,
the sentinel resources and the stance on conditions):

* ``FULL-ADMIN``: ``permwise:AnyAction`` (an action of no service, so only ``*`` or a NotAction
  reaches it) is allowed on ``*``. With ``iam:AttachRolePolicy`` of ``AdministratorAccess`` also
  allowed, the holder is an administrator and nothing else is reported (it implies every other
  finding); otherwise (e.g. ``NotAction: iam:*``) the escalation primitives are still checked.
* ``PRIVESC-*``: every primitive of ``data/guardrails/escalation.yaml`` (the audit's), each asked
  of the engine with the attack's own request: the holder's own role or user (``self``), any
  customer policy (``self-policy``), any group (``self-group``, ``join-group``), another user
  (``credentials``), any role (``trust``), a role it may both change and assume
  (``modify-role``), and ``iam:PassRole`` of any role with ``iam:PassedToService`` set to the
  service plus every action of one alternative (``passrole``). Attaching is asked with
  ``iam:PolicyARN`` = ``AdministratorAccess``, so a grant limited to other policies is no path.
* ``CREDENTIALS-EXPOSURE``, ``DATA-EXFILTRATION``, ``RESOURCE-EXPOSURE``, ``INFRA-MODIFICATION``:
  actions of each category allowed on the sentinel (every resource of their type), one finding
  per allowing statement.

Resource-based and trust policies: :mod:`permwise.gates.exposure` (``PUBLIC-ACCESS`` /
``TRUST-PUBLIC``, ``CROSS-ACCOUNT-ACCESS``), and for trust policies ``TRUST-EXTERNAL-ID``,
``TRUST-OIDC-UNPINNED`` and ``TRUST-SERVICE-CONFUSED-DEPUTY`` (the audit's rules: the audit's
pure trust analysis proposes, the engine confirms that the request really gets through, so a Deny
statement or a condition that closes the door removes the finding).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from permwise import catalog
from permwise.audit.registry import confused_deputy_services, escalation_data
from permwise.audit.trust import analyze_trust
from permwise.engine import CompiledPolicy, CompiledStatement, PolicySet, compile_policy
from permwise.gates import exposure as _exposure
from permwise.gates.probe import (
    BINDING_KEYS,
    HOLDER,
    HOLDER_CONTEXT,
    Outcome,
    allowed_candidates,
    arn_account,
    ask,
    concretize,
    holder_account,
    resource_patterns,
    sentinel,
)
from permwise.diagnostics import AUDIT_TO_VALIDATE, Rule
from permwise.gates.rules import CATEGORY, IAM_GUIDE, finding
from permwise.gates.zone import Zone
from permwise.policy.findings import Finding
from permwise.policy.model import PolicyDocument

#: (id, severity, name, title, description, AWS page, its address, category)
SECURITY_RULES = tuple(Rule(*row) for row in (
    ("FULL-ADMIN", "error", "full-admin", "Policy grants every action on every resource",
         "An Allow of `*` on `*`, or an Allow with NotAction that leaves every other action, on every "
         "resource: the holder is an administrator (or everything but the listed services). Decided "
         "through the engine: a Deny that takes the power away takes the finding away.",
         "Policy evaluation logic; IAM JSON policy elements: NotAction",
         IAM_GUIDE + "reference_policies_elements_notaction.html", CATEGORY),
    ("CREDENTIALS-EXPOSURE", "error", "credentials-exposure", "Policy lets the holder obtain credentials",
         "Actions that create or return credentials (access keys, passwords, database tokens, "
         "federation tokens, instance access) allowed on every resource.",
         "Security best practices in IAM", IAM_GUIDE + "best-practices.html", CATEGORY),
    ("DATA-EXFILTRATION", "warning", "data-exfiltration", "Policy reads data on every resource",
         "Object reads, secret values, parameters and KMS decryption allowed on every resource: "
         "the holder reads every object, secret, parameter or encrypted value of the account.",
         "Security best practices in IAM (apply least-privilege permissions)", IAM_GUIDE + "best-practices.html",
         CATEGORY),
    ("RESOURCE-EXPOSURE", "error", "resource-exposure", "Policy can rewrite resource or trust policies",
         "Permissions-management actions that change who may use a resource (bucket, key, queue, "
         "topic, function, secret policies, ACLs, grants, shares, role trust) allowed on every "
         "resource: the holder can open any of them to the world.",
         "Identity-based policies and resource-based policies", IAM_GUIDE + "access_policies_identity-vs-resource.html",
         CATEGORY),
    ("INFRA-MODIFICATION", "warning", "infrastructure-modification", "Policy changes infrastructure on every resource",
         "Write actions (create, change, delete) allowed on every resource of their type, not on the "
         "resources the workload needs.",
         "Security best practices in IAM (apply least-privilege permissions)", IAM_GUIDE + "best-practices.html",
         CATEGORY),
    ("PUBLIC-ACCESS", "error", "public-access", "Resource policy grants access to anyone",
         "A resource-based policy whose Allow reaches a principal of any account and organization "
         "(`Principal: *`, `AWS: *`, NotPrincipal) with no condition that pins the caller's "
         "organization, account, ARN or source. Limited only by network conditions (source IP, VPC, "
         "VPC endpoint) it is a warning.",
         "How IAM Access Analyzer findings work", IAM_GUIDE + "access-analyzer-concepts.html", CATEGORY),
    ("CROSS-ACCOUNT-ACCESS", "warning", "cross-account-access", "Policy grants access to another account",
         "A resource-based or trust policy names a principal of an account outside the zone of trust "
         "(`--zone`; without it, outside the account that owns the policy's resources). With a "
         "condition that limits it (ExternalId, source, network) it is a suggestion.",
         "Cross-account policy evaluation logic", IAM_GUIDE + "reference_policies_evaluation-logic-cross-account.html",
         CATEGORY),
))

ANY_ACTION = "permwise:AnyAction"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
MAX_LISTED = 6

#: actions that create or hand out credentials (names from the Service Authorization Reference)
CREDENTIAL_ACTIONS = (
    "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential",
    "sts:GetFederationToken", "redshift:GetClusterCredentials", "redshift:GetClusterCredentialsWithIAM",
    "redshift-serverless:GetCredentials", "rds-db:connect", "sso:GetRoleCredentials",
    "lightsail:GetInstanceAccessDetails", "lightsail:GetRelationalDatabaseMasterUserPassword",
    "cognito-identity:GetCredentialsForIdentity", "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "ec2-instance-connect:SendSSHPublicKey", "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
    "ec2:GetPasswordData", "gamelift:GetInstanceAccess", "gamelift:RequestUploadCredentials",
    "connect:GetFederationToken", "chime:CreateApiKey", "iot:CreateKeysAndCertificate",
)
#: data reads: objects, secret values, parameters, decryption
DATA_ACTIONS = (
    "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
    "ssm:GetParameterHistory", "kms:Decrypt", "kms:ReEncryptFrom", "dynamodb:GetItem", "dynamodb:BatchGetItem",
    "dynamodb:Query", "dynamodb:Scan", "dynamodb:ExportTableToPointInTime", "rds:CreateDBSnapshot",
    "ec2:GetConsoleOutput", "lambda:GetFunction", "sqs:ReceiveMessage", "kinesis:GetRecords",
    "glacier:InitiateJob", "ebs:GetSnapshotBlock", "ssm:GetDocument",
)
#: IAM actions that rewrite a resource-side policy (the trust policy of a role)
IAM_RESOURCE_POLICY_ACTIONS = ("iam:UpdateAssumeRolePolicy",)


def resource_exposure_actions() -> list[str]:
    """Permissions-management actions outside IAM (every service's resource policies, ACLs,
    grants, shares) plus the IAM action that rewrites a role's trust policy."""
    out = [a.key for a in catalog.get_catalog().all_actions()
           if a.access_level == "Permissions management" and a.service != "iam" and _EXPOSURE_NAME.search(a.name)]
    return sorted(set(out) | set(IAM_RESOURCE_POLICY_ACTIONS), key=str.lower)


_EXPOSURE_NAME = re.compile(r"Polic|Permission|Acl|ACL|Grant|Share|Sharing|Public|Attribute")


class _Ctx:
    def __init__(self, doc: PolicyDocument, zone: Zone) -> None:
        self.doc = doc
        self.cp = compile_policy(doc.data, name=doc.name, kind="identity")
        self.account = holder_account([self.cp], zone.accounts)
        self.role = f"arn:aws:iam::{self.account}:role/{HOLDER}"
        self.user = f"arn:aws:iam::{self.account}:user/{HOLDER}"
        self.ps = PolicySet(identity=[self.cp])
        self.candidates = {a.lower() for a in allowed_candidates([self.cp])}
        self._cache: dict[tuple, Outcome] = {}

    def can(self, action: str, resource: str | None = None, *, principal: str | None = None,
            context: dict | None = None) -> Outcome:
        if action.lower() not in self.candidates and action != ANY_ACTION:
            return Outcome(False, "implicitDeny")
        res = resource if resource is not None else sentinel(action, self.account)
        who = principal or self.role
        key = (action.lower(), res, who, tuple(sorted((context or {}).items())))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = ask(self.ps, who, action, res, context={**HOLDER_CONTEXT, **(context or {})})
        return hit


def _first_statement(o: Outcome) -> CompiledStatement | None:
    return o.allow_statements[0] if o.allow_statements else None


def _finding(rule_id: str, message: str, st: CompiledStatement | None, fix: str, *, subject: str | None = None,
             severity: str | None = None) -> Finding:
    return finding(rule_id, message, pointer=st.pointer if st is not None else "", fix=fix, subject=subject,
                   severity=severity)


def _when(o: Outcome) -> str:
    return f" (when {o.when()})" if o.conditional else ""


def _names(actions: list[str]) -> str:
    shown = ", ".join(f"`{a}`" for a in actions[:MAX_LISTED])
    return shown + (f" and {len(actions) - MAX_LISTED} more" if len(actions) > MAX_LISTED else "")


# ------------------------------------------------------------------------------ identity checks
def _full_admin(c: _Ctx) -> tuple[list[Finding], bool, bool]:
    """(findings, any action allowed, administrator)"""
    o = c.can(ANY_ACTION, "*")
    if not o.allowed:
        return [], False, False
    admin = c.can("iam:AttachRolePolicy", f"arn:aws:iam::{c.account}:role/permwise-probe",
                  context={"iam:PolicyARN": ADMIN_POLICY}).allowed
    st = _first_statement(o)
    raw = st.raw if st is not None and isinstance(st.raw, dict) else {}
    if st is not None and st.not_action:
        excl = raw.get("NotAction")
        excl = excl if isinstance(excl, list) else [excl]
        what = f"an Allow with NotAction grants every action except {_names([str(x) for x in excl])} on every resource"
    else:
        what = "`Allow` of `*` on `*` grants every action on every resource"
    if admin:
        msg = f"{what}: the holder is an administrator{_when(o)}"
    else:
        msg = f"{what} (not IAM administration){_when(o)}; it implies every data, exposure and infrastructure finding"
    return [_finding("FULL-ADMIN", msg, st, "grant the actions the workload needs on the resources it uses "
                     "(`permwise generate` writes such a policy from requirements)", subject="*")], True, admin


def _prim_finding(prim: dict, o: Outcome, path: str, fix: str, subject: str) -> Finding:
    sev = AUDIT_TO_VALIDATE[prim["severity"]]
    return _finding(prim["id"], f"privilege escalation: {path}{_when(o)}", _first_statement(o), fix,
                    subject=subject, severity=sev)


def _escalation(c: _Ctx) -> list[Finding]:
    out: list[Finding] = []
    acct = c.account
    any_role = f"arn:aws:iam::{acct}:role/permwise-probe"
    any_user = f"arn:aws:iam::{acct}:user/permwise-probe"
    any_group = f"arn:aws:iam::{acct}:group/permwise-probe"
    any_policy = f"arn:aws:iam::{acct}:policy/permwise-probe"
    attach_ctx = {"iam:PolicyARN": ADMIN_POLICY}
    fired: set[str] = set()
    for prim in escalation_data():
        kind, pid = prim["kind"], prim["id"]
        acts = prim.get("actions", [])
        a = acts[0] if acts else ""
        ctx = attach_ctx if a.lower().startswith("iam:attach") else None
        found: tuple[Outcome, str, str] | None = None
        if kind == "self":
            who = c.role if prim.get("applies_to") == "role" else c.user
            o = c.can(a, who, principal=who, context=ctx)
            if o.allowed:
                noun = "role" if prim.get("applies_to") == "role" else "user"
                found = (o, f"`{a}` on its own {noun}: it {'attaches AdministratorAccess' if 'Attach' in a else 'writes an inline policy with `*`'} "
                            f"to itself and becomes an administrator", f"`{a}` on `*`")
        elif kind == "self-policy":
            o = c.can(a, any_policy)
            if o.allowed:
                found = (o, f"`{a}` on any customer-managed policy: it rewrites a policy attached to itself "
                            f"(or to anyone) to grant `*`", f"`{a}` on `*`")
        elif kind in ("self-group", "join-group"):
            o = c.can(a, any_group, principal=c.user, context=ctx)
            if o.allowed:
                how = ("adds itself to an administrator group" if kind == "join-group"
                       else "gives a group it belongs to AdministratorAccess")
                found = (o, f"`{a}` on any group: as a user it {how}", f"`{a}` on `*`")
        elif kind == "credentials":
            o = c.can(a, any_user)
            if o.allowed:
                found = (o, f"`{a}` on any user: it signs in or calls as another user, an administrator among them",
                         f"`{a}` on other users")
        elif kind == "trust":
            o = c.can(a, any_role)
            if o.allowed:
                found = (o, f"`{a}` on any role: it rewrites an administrator role's trust policy to trust "
                            f"itself, then assumes it", f"`{a}` on `*`")
        elif kind == "modify-role":
            if "PRIVESC-ATTACH-ROLE-POLICY" in fired or "PRIVESC-PUT-ROLE-POLICY" in fired:
                continue
            roles = [any_role] + [concretize(p, acct) for p in resource_patterns([c.cp]) if ":role/" in p]
            for r in dict.fromkeys(roles):
                assume = c.can("sts:AssumeRole", r)
                if not assume.allowed:
                    continue
                for act in acts:
                    o = c.can(act, r, context=attach_ctx if act.lower().startswith("iam:attach") else None)
                    if o.allowed:
                        name = r.rsplit("/", 1)[-1]
                        found = (o, f"`{act}` and `sts:AssumeRole` on role `{name}`: it grants the role `*`, "
                                    f"then assumes it", f"`{act}` on roles it may assume")
                        break
                if found:
                    break
        elif kind == "passrole":
            svc = prim["service"]
            o = c.can("iam:PassRole", any_role, context={"iam:PassedToService": svc})
            if not o.allowed:
                continue
            alt_ok = None
            for alt in prim["alternatives"]:
                if all(c.can(x).allowed for x in alt):
                    alt_ok = alt
                    break
            if alt_ok is None:
                continue
            how = " + ".join(f"`{x}`" for x in alt_ok)
            extra = " (given an instance profile that holds the role)" if prim.get("requires_instance_profile") else ""
            found = (o, f"`iam:PassRole` on any role to `{svc}` with {how}: it runs code as an administrator "
                        f"role it passes{extra}", "`iam:PassRole` on `*`")
        if found is not None:
            o, path, what = found
            fired.add(pid)
            out.append(_prim_finding(prim, o, path,
                                     f"remove {what} or scope it to resources that grant nothing more"
                                     + (" (for PassRole: name the roles and add `iam:PassedToService`)" if kind == "passrole" else ""),
                                     subject=pid))
    return out


def _category(c: _Ctx, rule_id: str, actions: Iterable[str], what: str, fix: str,
              reported: set[str] | None = None) -> list[Finding]:
    cat = catalog.get_catalog()
    by_stmt: dict[str, tuple[CompiledStatement, list[str], list[Outcome]]] = {}
    for a in actions:
        if a.lower() not in c.candidates or (reported is not None and a.lower() in reported):
            continue
        act = cat.action(a)
        key = act.key if act else a
        o = c.can(key)
        if not o.allowed:
            continue
        st = _first_statement(o)
        if st is None:
            continue
        if reported is not None:
            reported.add(key.lower())
        entry = by_stmt.setdefault(st.pointer, (st, [], []))
        entry[1].append(key)
        entry[2].append(o)
    out = []
    for ptr in sorted(by_stmt):
        st, acts, outs = by_stmt[ptr]
        acts = sorted(set(acts), key=str.lower)
        cond = next((o for o in outs if o.conditional), None)
        when = f" (when {cond.when()})" if cond is not None and all(o.conditional for o in outs) else ""
        out.append(_finding(rule_id, f"{what}: {_names(acts)} on every resource{when}", st, fix,
                            subject=",".join(acts[:MAX_LISTED])))
    return out


def identity_findings(doc: PolicyDocument, zone: Zone) -> list[Finding]:
    c = _Ctx(doc, zone)
    found, any_action, admin = _full_admin(c)
    if admin:
        return found
    found += _escalation(c)
    if any_action:
        return found
    cat = catalog.get_catalog()
    seen: set[str] = set()
    found += _category(c, "CREDENTIALS-EXPOSURE", CREDENTIAL_ACTIONS, "obtains credentials",
                       "limit credential actions to the holder's own user (`${aws:username}`) or named resources", seen)
    found += _category(c, "DATA-EXFILTRATION", DATA_ACTIONS, "reads data",
                       "name the buckets, secrets, parameters and keys the workload reads", seen)
    found += _category(c, "RESOURCE-EXPOSURE", resource_exposure_actions(), "rewrites who may use a resource",
                       "name the resources, or leave policy changes to the team that owns them", seen)
    writes = sorted(k for k in c.candidates if (a := cat.action(k)) is not None and a.access_level == "Write"
                    and k != "iam:passrole")
    found += _category(c, "INFRA-MODIFICATION", writes, "changes infrastructure",
                       "name the resources the workload changes (ARNs, or a tag condition)", seen)
    return found


# ------------------------------------------------------------------------------ resource and trust
def owner_account(cp: CompiledPolicy, zone: Zone) -> str:
    return holder_account([cp], zone.accounts)


def exposure_findings(doc: PolicyDocument, zone: Zone) -> list[Finding]:
    kind = "trust" if doc.type == "trust" else "resource"
    cp = compile_policy(doc.data, name=doc.name, kind=kind)
    owner = owner_account(cp, zone)
    owner_known = zone.given or any(arn_account(p) for p in resource_patterns([cp]))
    out: list[Finding] = []
    for e in _exposure.analyze(cp, kind, zone, owner, owner_known=owner_known):
        acts = _names(e.actions)
        when = f" (when {e.when})" if e.when else ""
        if e.kind == "public":
            rid = "TRUST-PUBLIC" if kind == "trust" else "PUBLIC-ACCESS"
            if e.limited_by:
                msg = (f"any AWS principal of any account is allowed {acts}, limited only by network conditions on "
                       f"{', '.join(f'`{k}`' for k in e.limited_by)}{when}")
                sev = "warning"
            else:
                msg = f"any AWS principal of any account is allowed {acts}: the Principal is open and no condition pins the caller's organization, account or source{when}"
                sev = "error"
            out.append(_finding(rid, msg, e.statement, "replace `*` with the principals that need access, or add "
                                "`StringEquals: {aws:PrincipalOrgID: o-...}`", subject="*", severity=sev))
        elif e.kind == "organization":
            out.append(_finding("CROSS-ACCOUNT-ACCESS", f"principals of organization `{e.who}`, outside the zone, are "
                                f"allowed {acts}{when}", e.statement, "name an organization of the zone, or pass it in --zone",
                                subject=e.who))
        else:
            lim = e.limited_by
            if lim:
                msg = (f"account {e.account} (`{e.who}`) is outside the zone and allowed {acts} when "
                       f"{', '.join(f'`{k}`' for k in lim)} holds{when}")
                sev = "suggestion"
            else:
                msg = f"account {e.account} (`{e.who}`) is outside the zone and allowed {acts} with no limiting condition{when}"
                sev = "warning"
            if not zone.given:
                msg += " (pass --zone to name your accounts)"
            out.append(_finding("CROSS-ACCOUNT-ACCESS", msg, e.statement, "remove the principal, or pass its account in --zone "
                                "if it is yours", subject=e.account, severity=sev))
    if kind == "trust":
        out += _trust_findings(doc, cp, zone, owner)
    return out


def _trust_findings(doc: PolicyDocument, cp: CompiledPolicy, zone: Zone, owner: str) -> list[Finding]:
    out: list[Finding] = []
    internal = set(zone.accounts) | {owner} if zone.given else set()
    issues = analyze_trust(doc.data if isinstance(doc.data, dict) else None, internal_accounts=internal,
                           approved_accounts=None, confused_deputy_services=confused_deputy_services())
    ps = PolicySet(identity=[compile_policy(_exposure.ALLOW_ALL, name="caller-identity", kind="identity")],
                   resource=[cp])
    role = f"arn:aws:iam::{owner}:role/permwise-probe"
    by_index = {st.index: st for st in cp.statements}
    seen: set[tuple[str, int, str]] = set()
    for iss in issues:
        if iss.rule_id not in ("TRUST-EXTERNAL-ID", "TRUST-OIDC-UNPINNED", "TRUST-SERVICE-CONFUSED-DEPUTY"):
            continue
        st = by_index.get(iss.index)
        if st is None or (iss.rule_id, iss.index, iss.principal) in seen:
            continue
        seen.add((iss.rule_id, iss.index, iss.principal))
        # confirm through the engine: the request the issue describes gets through
        if iss.rule_id == "TRUST-EXTERNAL-ID":
            who = _exposure.principal_request(iss.principal)
            o = ask(ps, who, "sts:AssumeRole", role, context=dict(HOLDER_CONTEXT), exclude=BINDING_KEYS)
        elif iss.rule_id == "TRUST-SERVICE-CONFUSED-DEPUTY":
            o = ask(ps, iss.principal, "sts:AssumeRole", role, context={}, exclude=BINDING_KEYS)
        else:
            o = ask(ps, iss.principal, "sts:AssumeRoleWithWebIdentity", role, context={},
                    exclude=BINDING_KEYS[:0] + ("aws:principalarn",))
        if not o.allowed:
            continue
        sev = AUDIT_TO_VALIDATE[security_rules_sev(iss.rule_id)]
        msg = iss.message
        if iss.rule_id == "TRUST-EXTERNAL-ID" and not zone.given:
            msg += " (pass --zone to name your accounts)"
        out.append(_finding(iss.rule_id, msg, st, iss.fix, subject=iss.principal, severity=sev))
    return out


def security_rules_sev(rule_id: str) -> str:
    from permwise.audit.registry import get_rule

    r = get_rule(rule_id)
    return r.severity if r is not None else "high"


def security_findings(doc: PolicyDocument, zone: Zone | None = None) -> list[Finding]:
    """Security findings of one parsed policy (pointer only; the caller locates them)."""
    zone = zone or Zone()
    if not isinstance(doc.data, dict) or not doc.statements:
        return []
    if doc.type == "identity":
        return identity_findings(doc, zone)
    if doc.type in ("resource", "trust"):
        return exposure_findings(doc, zone)
    return []
