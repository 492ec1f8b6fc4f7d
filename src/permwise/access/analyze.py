"""Who outside the zone of trust can reach each resource: every resource-based policy and role
trust policy of a snapshot, decided by the engine for candidate external principals.

Method (docs/access.md):

1. **Candidates** come from the policy's ``Allow`` statements: each ``Principal`` entry (an
   account, a role or user ARN, a service, a federated provider, a canonical user, ``*``), and
   the values of identity conditions (``aws:PrincipalAccount``, ``aws:PrincipalArn``,
   ``aws:PrincipalOrgID``/``OrgPaths``, ``kms:CallerAccount``, and for services
   ``aws:SourceAccount``/``SourceOwner``/``SourceArn``/``SourceOrgID``). ``*`` stands for "any
   principal of an account outside the zone". Candidates inside the zone are dropped.
2. **Actions**: the statement's actions expanded through the catalog for the resource's service,
   kept when one of their resource types fits the resource.
3. **Decision**: the engine evaluates each (candidate, action, resource) with the layers that apply
   to an external caller: the resource policy (with the KMS grants of a key as extra statements),
   the RCPs of the resource's account. The caller's identity policies are assumed to allow and its
   SCPs are unknown (they live in the caller's organization): both are outside the snapshot.
4. **Conditions**: a request context holds only what the candidate implies. When the engine reports
   a missing key the caller controls (source VPC endpoint, IP, ``sts:ExternalId``...), a value that
   satisfies the policy is synthesised from the policy itself and the request decided again; the
   keys that were needed are the finding's conditions. Identity keys are never synthesised: a
   grant limited to the zone's organization id is not external.
5. **Blocks**: S3 Block Public Access (account and bucket or access point level,
   ``RestrictPublicBuckets``) applied to a public policy, and RCP denies, turn a grant into an
   ``ACCESS-BLOCKED`` entry instead of an active finding.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from permwise.access.model import (
    LEVEL_ORDER,
    POWERFUL_LEVELS,
    RULES_BY_ID,
    AccessFinding,
    AccessResult,
    Zone,
)
from permwise.catalog import get_catalog
from permwise.catalog.arn import Arn, account_id
from permwise.engine import ALLOWED, PolicySet, Request, compile_policy, evaluate
from permwise.engine.compile import CompiledPolicy, CompiledStatement
from permwise.errors import InputError
from permwise.wording import plural

#: account id used for "any principal of an account outside the zone" (no real account has it)
ANY_ACCOUNT = "000000000000"
ANY_PRINCIPAL = f"arn:aws:iam::{ANY_ACCOUNT}:role/permwise-any-external-principal"
#: a service principal standing for "any AWS service" (matched only by `*`)
ANY_SERVICE = "permwise-any-service.amazonaws.com"

#: keys that describe who calls (or for whom a service acts): their values come from the
#: candidate, never synthesised
IDENTITY_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalType",
    "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:userid",
    "aws:username", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceArn", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "kms:CallerAccount",
))
#: org keys an account candidate of unknown organization may take from the policy (outside the zone)
ORG_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths", "aws:sourceorgid", "aws:sourceorgpaths"})
#: keys whose fixed values make a `*` grant non-public (Amazon S3 User Guide, "The meaning of
#: public"): a condition on one of these only partly restricts who can use the grant
LIMITING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceVpce", "aws:SourceVpc", "aws:SourceIp", "aws:VpcSourceIp", "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount", "sts:ExternalId",
))
PUBLIC_FIXED_KEYS = frozenset(k.lower() for k in (
    "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceOwner", "aws:SourceAccount", "aws:userid",
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount", "aws:SourceIp",
))
TRUST_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:TagSession",
                 "sts:SetSourceIdentity", "sts:SetContext")
_SCP_NOTE = ("the caller's identity policies and SCPs are in its own account and organization, outside the "
             "snapshot: assumed to allow (unknown)")


# ------------------------------------------------------------------------------------------------
# zone of trust


def parse_zone(spec: str | None, env: Any) -> Zone:
    """``account``, ``organization`` or ``ID,ID,...`` (12-digit accounts and ``o-`` organization
    ids). ``None``: the organization when the snapshot has one, else the account."""
    if spec is None or spec == "":
        spec = "organization" if env.organization_id else "account"
    if spec == "account":
        return Zone("account")
    if spec == "organization":
        if not env.organization_id:
            raise InputError("`--zone organization`: the snapshot has no organization",
                             hint="use `--zone account` or list account ids: `--zone 111122223333,444455556666`")
        accts = frozenset(a.id for a in env.accounts.values() if a.in_organization)
        return Zone("organization", accts, frozenset({env.organization_id}))
    accounts: set[str] = set()
    orgs: set[str] = set()
    for part in spec.split(","):
        part = part.strip()
        if len(part) == 12 and part.isdigit():
            accounts.add(part)
        elif part.startswith("o-") and len(part) > 2 and part[2:].isalnum():
            orgs.add(part)
        else:
            raise InputError(f"`--zone`: `{part}` is neither a 12-digit account id nor an organization id (o-...)",
                             hint="use `account`, `organization` or a list such as `111122223333,o-a1b2c3d4e5`")
    if env.organization_id in orgs:
        accounts |= {a.id for a in env.accounts.values() if a.in_organization}
    return Zone("list", frozenset(accounts), frozenset(orgs))


# ------------------------------------------------------------------------------------------------
# resources


@dataclass(slots=True)
class Target:
    arn: str
    resource_type: str
    service: str  # the action prefix
    account: str
    policies: list[CompiledPolicy]
    file: str
    pointer: str
    trust: bool = False
    source: str = "POLICY"
    extra: dict[str, Any] = field(default_factory=dict)


def resource_type(arn: str, service: str) -> tuple[str, str]:
    """(CloudFormation-style type, action prefix) of a resource ARN."""
    parsed = Arn.parse(arn)
    svc = parsed.service if parsed is not None else service
    res = parsed.resource if parsed is not None else ""
    if svc == "s3":
        if res.startswith("accesspoint/"):
            return "AWS::S3::AccessPoint", "s3"
        return "AWS::S3::Bucket", "s3"
    if svc == "lambda":
        return ("AWS::Lambda::LayerVersion" if res.startswith("layer:") else "AWS::Lambda::Function"), "lambda"
    table = {
        "s3express": "AWS::S3Express::DirectoryBucket", "kms": "AWS::KMS::Key", "sqs": "AWS::SQS::Queue",
        "sns": "AWS::SNS::Topic", "secretsmanager": "AWS::SecretsManager::Secret", "ecr": "AWS::ECR::Repository",
        "elasticfilesystem": "AWS::EFS::FileSystem", "events": "AWS::Events::EventBus",
        "backup": "AWS::Backup::BackupVault", "glacier": "AWS::Glacier::Vault", "es": "AWS::OpenSearchService::Domain",
        "iam": "AWS::IAM::Role",
    }
    return table.get(svc, f"AWS::{svc}"), svc


def _grants_policy(key_arn: str, grants: list[Any]) -> dict | None:
    """KMS grants as policy statements, so the engine decides them like the key policy: each
    grant allows its grantee the grant's operations, limited by its encryption-context constraints."""
    statements = []
    for g in grants:
        if not isinstance(g, dict) or not g.get("GranteePrincipal") or not g.get("Operations"):
            continue
        grantee = str(g["GranteePrincipal"])
        principal = {"Service": grantee} if grantee.endswith(".amazonaws.com") else {"AWS": grantee}
        st: dict[str, Any] = {"Sid": f"grant:{g.get('GrantId', '')}", "Effect": "Allow", "Principal": principal,
                              "Action": [f"kms:{op}" for op in g["Operations"]], "Resource": key_arn}
        cons = g.get("Constraints") or {}
        ctx = dict(cons.get("EncryptionContextEquals") or {}) | dict(cons.get("EncryptionContextSubset") or {})
        if ctx:
            st["Condition"] = {"StringEquals": {f"kms:EncryptionContext:{k}": v for k, v in sorted(ctx.items())}}
        statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


def targets(env: Any) -> list[Target]:
    """Every resource-based policy and role trust policy of ``env``, sorted by ARN."""
    from permwise.environment import Origin

    out: list[Target] = []
    for arn, rp in sorted(env.resource_policies.items()):
        rtype, svc = resource_type(arn, rp.service)
        pol = env.compile(("resource", rp.arn), rp.document, rp.arn, "resource", rp.origin)
        pols = [pol]
        source = "S3_ACCESS_POINT" if rtype == "AWS::S3::AccessPoint" else "POLICY"
        grants = (rp.extra or {}).get("Grants")
        if svc == "kms" and isinstance(grants, list):
            doc = _grants_policy(arn, grants)
            if doc is not None:
                pols.append(env.compile(("kms-grants", arn), doc, f"grants:{arn}", "resource",
                                        Origin(rp.origin.file, rp.origin.pointer.rsplit("/", 1)[0] + "/Extra/Grants")))
        out.append(Target(arn, rtype, svc, rp.account, pols, rp.origin.file, rp.origin.pointer, source=source,
                          extra=dict(rp.extra or {})))
    for role in env.roles():
        if role.trust_policy is None or role.service_linked:
            continue
        pol = env.resource_policy_of(role.arn)
        if pol is None:
            continue
        out.append(Target(role.arn, "AWS::IAM::Role", "sts", role.account, [pol], role.origin.file,
                          role.origin.pointer + "/AssumeRolePolicyDocument", trust=True, source="TRUST_POLICY"))
    return out


# ------------------------------------------------------------------------------------------------
# candidates


@dataclass(frozen=True, slots=True)
class Candidate:
    kind: str  # public, account, arn, org, service, federated, canonical
    principal: str  # the request principal given to the engine
    label: str
    shape: tuple[tuple[str, str], ...]  # Access Analyzer's principal map
    account: str | None = None
    org: str | None = None
    source_account: str | None = None
    source_arn: str | None = None


def _instance(pattern: str) -> str:
    return pattern.replace("*", "permwise-any").replace("?", "x")


def _as_list(v: Any) -> list:
    return v if isinstance(v, list) else [v]


def _candidates(t: Target, env: Any) -> list[Candidate]:
    out: dict[tuple, Candidate] = {}

    def add(c: Candidate) -> None:
        out.setdefault((c.kind, c.principal, c.org, c.source_account, c.source_arn), c)

    def account(acct: str) -> None:
        add(Candidate("account", f"arn:aws:iam::{acct}:role/permwise-external-principal", f"account {acct}",
                      (("AWS", acct),), account=acct))

    for pol in t.policies:
        for s in pol.statements:
            if s.effect != "Allow":
                continue
            principal = s.raw.get("Principal")  # NotPrincipal: everyone but those listed => `*`
            star = principal == "*" or "NotPrincipal" in s.raw
            services: list[str] = []
            if isinstance(principal, dict):
                for ptype, vals in principal.items():
                    for v in _as_list(vals):
                        v = str(v)
                        if ptype == "AWS":
                            if v == "*":
                                star = True
                            elif len(v) == 12 and v.isdigit():
                                account(v)
                            elif v.endswith(":root") and account_id(v):
                                account(account_id(v))  # type: ignore[arg-type]
                            elif account_id(v):
                                add(Candidate("arn", v, v, (("AWS", v),), account=account_id(v)))
                        elif ptype == "Service":
                            if v == "*":
                                star = True
                            else:
                                services.append(v)
                        elif ptype == "Federated":
                            add(Candidate("federated", v, v, (("Federated", v),)))
                        elif ptype == "CanonicalUser":
                            add(Candidate("canonical", v, f"canonical user {v[:12]}...", (("CanonicalUser", v),)))
            conds = [(c, c.raw_values) for c in s.conditions if not c.negated and c.op is not None]
            if star:
                add(Candidate("public", ANY_PRINCIPAL, "*", (("AWS", "*"),)))
                for c, vals in conds:
                    for v in _as_list(vals):
                        v = str(v)
                        if c.key in ("aws:principalaccount", "kms:calleraccount") and len(v) == 12 and v.isdigit():
                            account(v)
                        elif c.key == "aws:principalarn" and account_id(v):
                            arn = _instance(v)
                            add(Candidate("arn", arn, v, (("AWS", v),), account=account_id(v)))
                        elif c.key in ("aws:sourceaccount", "aws:sourceowner", "aws:sourcearn"):
                            # `*` fixed to what a service acts for: services acting for that account
                            acct = v if c.key != "aws:sourcearn" else (account_id(v) or
                                                                         env.resource_account(_instance(v)))
                            if acct and len(acct) == 12 and acct.isdigit():
                                add(Candidate("service", ANY_SERVICE, f"AWS services for account {acct}",
                                              (("AWS", "*"),), source_account=acct,
                                              source_arn=_instance(v) if c.key == "aws:sourcearn" else None))
                        elif c.key in ("aws:principalorgid", "aws:principalorgpaths") and v.startswith("o-"):
                            org = v.split("/", 1)[0]
                            if "*" not in org and "?" not in org:
                                add(Candidate("org", ANY_PRINCIPAL, f"organization {org}", (("AWS", "*"),), org=org))
            for svc in services:
                pinned = False
                for c, vals in conds:
                    for v in _as_list(vals):
                        v = str(v)
                        if c.key in ("aws:sourceaccount", "aws:sourceowner") and len(v) == 12 and v.isdigit():
                            pinned = True
                            add(Candidate("service", svc, f"{svc} for account {v}", (("Service", svc),),
                                          source_account=v))
                        elif c.key == "aws:sourcearn":
                            pinned = True
                            acct = account_id(v) or env.resource_account(_instance(v))
                            add(Candidate("service", svc, f"{svc} for {v}", (("Service", svc),),
                                          source_account=acct, source_arn=_instance(v)))
                        elif c.key == "aws:sourceorgid" and v.startswith("o-"):
                            pinned = True
                            add(Candidate("service", svc, f"{svc} for organization {v}", (("Service", svc),),
                                          org=v))
                if not pinned:
                    add(Candidate("service", svc, svc, (("Service", svc),)))
    return sorted(out.values(), key=lambda c: (c.kind, c.label))


# ------------------------------------------------------------------------------------------------
# the analysis


class AccessAnalyzer:
    def __init__(self, env: Any, zone: Zone, *, confused_deputy_services: Iterable[str] | None = None) -> None:
        self.env = env
        self.zone = zone
        self.cat = get_catalog()
        self.evaluations = 0
        self._allow_all = compile_policy({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, name="(the caller's identity policies: unknown, "
            "assumed to allow)", kind="identity")
        if confused_deputy_services is None:
            from permwise.audit.registry import confused_deputy_services as cds

            confused_deputy_services = cds()
        self.trust_services = frozenset(s.lower() for s in confused_deputy_services)

    # --- zone ------------------------------------------------------------------------------------
    def org_of(self, account: str | None) -> str | None:
        if account is None:
            return None
        a = self.env.accounts.get(account)
        if a is not None and a.in_organization and self.env.organization_id:
            return self.env.organization_id
        return None

    def account_in_zone(self, account: str | None, t: Target) -> bool:
        if account is None:
            return False
        if account == t.account or account in self.zone.accounts:
            return True
        org = self.org_of(account)
        return org is not None and org in self.zone.organizations

    def in_zone(self, c: Candidate, t: Target) -> bool:
        if c.kind in ("account", "arn"):
            return self.account_in_zone(c.account, t)
        if c.kind == "org":
            return c.org in self.zone.organizations
        if c.kind == "service":
            if t.trust and c.principal.lower() not in self.trust_services:
                return True  # a service role: the service acts only for the role's own account
            if c.org is not None:
                return c.org in self.zone.organizations
            if c.source_account is not None:
                return self.account_in_zone(c.source_account, t)
            return False
        return False

    # --- per resource ---------------------------------------------------------------------------
    def actions_for(self, t: Target, samples: list[str]) -> list[tuple[Any, list[str]]]:
        """(catalog action, samples it applies to) for every action an Allow statement names."""
        if t.trust:
            return [(self.cat.action(a), [t.arn]) for a in TRUST_ACTIONS if self.cat.action(a) is not None]
        patterns: set[str] = set()
        for pol in t.policies:
            for s in pol.statements:
                if s.effect != "Allow":
                    continue
                acts = [str(a) for a in _as_list(s.raw.get("Action", s.raw.get("NotAction", [])))]
                if "NotAction" in s.raw:
                    patterns.add(f"{t.service}:*")
                else:
                    patterns.update(acts)
        found: dict[str, Any] = {}
        for p in sorted(patterns):
            if p == "*":
                p = f"{t.service}:*"
            for a in self.cat.expand(p):
                if a.service == t.service:
                    found[a.key] = a
        out = []
        for key in sorted(found):
            a = found[key]
            fits = [s for s in samples if self.cat.resource_types_matching(a, s)]
            if fits:
                out.append((a, fits))
        return out

    def samples(self, t: Target) -> list[str]:
        out = {t.arn}
        if t.resource_type in ("AWS::S3::Bucket", "AWS::S3Express::DirectoryBucket"):
            out.add(f"{t.arn}/permwise-any-object")
        if t.resource_type == "AWS::S3::AccessPoint":
            out.add(f"{t.arn}/object/permwise-any-object")
        for pol in t.policies:
            for s in pol.statements:
                for r in _as_list(s.raw.get("Resource", [])):
                    inst = _instance(str(r))
                    if inst.startswith(t.arn + "/"):
                        out.add(inst)
        return sorted(out)

    def rcps(self, t: Target) -> list:
        env = self.env
        if not env.rcp_enabled or t.account == env.management_account_id:
            return []
        return env.rcp_chain(t.account)

    def bpa(self, t: Target) -> tuple[bool, list[str], str]:
        """(RestrictPublicBuckets in force, notes, which level) for S3 buckets and access points."""
        if t.resource_type not in ("AWS::S3::Bucket", "AWS::S3::AccessPoint"):
            return False, [], ""
        notes: list[str] = []
        acc = self.env.accounts.get(t.account)
        meta = acc.meta if acc is not None else {}
        levels = []
        if "S3PublicAccessBlock" not in meta:
            notes.append(f"the account-level S3 Block Public Access of {t.account} was not collected (unknown)")
            account_cfg = None
        else:
            account_cfg = meta.get("S3PublicAccessBlock") or {}
        own = t.extra.get("PublicAccessBlock") if t.resource_type == "AWS::S3::Bucket" else \
            t.extra.get("PublicAccessBlockConfiguration")
        if isinstance(account_cfg, dict) and account_cfg.get("RestrictPublicBuckets"):
            levels.append("account-level")
        if isinstance(own, dict) and own.get("RestrictPublicBuckets"):
            levels.append("access point" if t.resource_type == "AWS::S3::AccessPoint" else "bucket-level")
        if isinstance(account_cfg, dict) and account_cfg.get("BlockPublicPolicy"):
            notes.append("account-level BlockPublicPolicy is on: S3 would refuse to put a new public policy")
        return bool(levels), notes, " and ".join(levels)

    def is_public_policy(self, t: Target) -> bool:
        """Amazon S3's meaning of public: an Allow to `*` not fixed by a condition on one of
        PUBLIC_FIXED_KEYS (with a non-wildcard value; a source IP range narrower than /8)."""
        for pol in t.policies[:1]:
            for s in pol.statements:
                if s.effect != "Allow":
                    continue
                principal = s.raw.get("Principal")
                star = principal == "*" or "NotPrincipal" in s.raw or (
                    isinstance(principal, dict) and "*" in [str(v) for v in _as_list(principal.get("AWS", []))])
                if not star:
                    continue
                fixed = False
                for c in s.conditions:
                    if c.negated or c.key not in PUBLIC_FIXED_KEYS:
                        continue
                    vals = [str(v) for v in _as_list(c.raw_values)]
                    if c.key == "aws:sourceip":
                        if all(_prefix_len(v) >= 8 for v in vals):
                            fixed = True
                    elif not any("*" in v or "?" in v for v in vals):
                        fixed = True
                if not fixed:
                    return True
        return False

    # --- deciding ------------------------------------------------------------------------------
    def _context(self, c: Candidate) -> dict[str, Any]:
        ctx: dict[str, Any] = {}
        org = c.org or self.org_of(c.account)
        if c.kind == "service":
            if c.source_account:
                ctx["aws:SourceAccount"] = c.source_account
                ctx["aws:SourceOwner"] = c.source_account
            if c.source_arn:
                ctx["aws:SourceArn"] = c.source_arn
            if c.org:
                ctx["aws:SourceOrgID"] = c.org
        elif org:
            ctx["aws:PrincipalOrgID"] = org
            paths = self.env.principal_org_paths(c.account) if c.account else None
            if paths:
                ctx["aws:PrincipalOrgPaths"] = [paths]
        if c.kind == "arn" and c.principal.startswith("arn:"):
            p = self.env.principal(c.principal)
            if p is not None:  # a principal of the snapshot (account zone): what the snapshot knows of it
                ctx.update(self.env.request_context(p.arn))
            else:
                ctx["aws:PrincipalArn"] = c.principal
        return ctx

    def _synth(self, t: Target, key: str) -> Any:
        """A value of ``key`` that satisfies an Allow statement's condition on it (else one that
        avoids a Deny statement's); None when none can be built."""
        for effect in ("Allow", "Deny"):
            for pol in t.policies:
                for s in pol.statements:
                    if s.effect != effect:
                        continue
                    for c in s.conditions:
                        if c.key != key or c.op is None:
                            continue
                        want_true = effect == "Allow"
                        v = _value(c, want_true)
                        if v is not None:
                            return [v] if c.set_op else v
        return None

    def decide(self, t: Target, c: Candidate, action: str, resource: str, rcps: list,
               with_rcps: bool = True) -> tuple[bool, dict[str, Any], list[CompiledStatement], list[str]]:
        """(allowed, synthesised context, granting statements, missing keys left)."""
        key = (id(t), with_rcps)
        ps = self._sets.get(key)
        if ps is None:
            ps = self._sets[key] = PolicySet(
                identity=[self._allow_all], resource=t.policies, rcps=rcps if with_rcps else None,
                management_account_id=self.env.management_account_id, scp_exempt=True,
                resource_policy_required=True if t.trust else None,
                rcp_services=get_catalog().rcp_supported_services() if with_rcps and rcps else None)
        base = self._context(c)
        synth: dict[str, Any] = {}
        unknown_org = c.kind in ("account", "arn", "canonical") and not self.org_of(c.account)
        for _round in range(6):
            self.evaluations += 1
            r = evaluate(ps, Request(principal=c.principal, action=action, resource=resource,
                                     resource_account=t.account, context=base | synth, at=self.env.at),
                         explain=False)
            if r.decision == ALLOWED:
                return True, synth, [s for s in r.allow_statements if s.policy in t.policies], []
            if r.decision != "implicitDeny":
                return False, synth, [], []
            added = False
            for k in r.missing_keys:
                kl = k.lower()
                if kl in {x.lower() for x in synth} or kl in {x.lower() for x in base}:
                    continue
                if kl in IDENTITY_KEYS and not (unknown_org and kl in ORG_KEYS):
                    continue
                v = self._synth(t, kl)
                if v is None:
                    continue
                if kl in ORG_KEYS:
                    org = str(v[0] if isinstance(v, list) else v).split("/", 1)[0]
                    if org in self.zone.organizations:
                        continue
                synth[k] = v
                added = True
            if not added:
                return False, synth, [], list(r.missing_keys)
        return False, synth, [], []

    def analyze_target(self, t: Target) -> list[AccessFinding]:
        self._sets: dict[tuple, PolicySet] = {}  # this target's policy sets, with and without RCPs
        findings: list[AccessFinding] = []
        cands = [c for c in _candidates(t, self.env) if not self.in_zone(c, t)]
        if not cands:
            return findings
        samples = self.samples(t)
        actions = self.actions_for(t, samples)
        rcps = self.rcps(t)
        restrict, bpa_notes, bpa_level = self.bpa(t)
        public_policy = restrict and self.is_public_policy(t)
        for c in cands:
            groups: dict[tuple, dict[str, Any]] = {}
            for a, fits in actions:
                for sample in fits:
                    ok, synth, stmts, _missing = self.decide(t, c, a.key, sample, rcps)
                    blocked = ""
                    if not ok:
                        if rcps:
                            ok2, synth, stmts, _ = self.decide(t, c, a.key, sample, rcps, with_rcps=False)
                            if ok2:
                                blocked = "an RCP of account " + t.account
                                ok = True
                        if not ok:
                            continue
                    if not blocked and public_policy and c.kind != "service":
                        blocked = f"{bpa_level} S3 Block Public Access (RestrictPublicBuckets)"
                    keys = tuple(sorted(k for k in synth if k.lower() in LIMITING_KEYS | ORG_KEYS))
                    g = groups.setdefault((blocked, keys), {"actions": {}, "stmts": {}, "synth": {}})
                    g["synth"].update(synth)
                    g["actions"][a.key] = a
                    for s in stmts:
                        g["stmts"][(s.policy.name, s.index)] = s
                    break
            org_cands = {x.org for x in cands if x.kind == "org"}
            for (blocked, keys), g in sorted(groups.items()):
                if c.kind != "org" and any(k.lower() in ORG_KEYS for k in keys) and \
                        _first(g["synth"], ORG_KEYS) in org_cands:
                    continue  # the ACCESS-CROSS-ORG finding of that organization covers it
                findings.append(self._finding(t, c, g["actions"], list(g["stmts"].values()), g["synth"], blocked,
                                              bpa_notes))
        return findings

    def _finding(self, t: Target, c: Candidate, actions: dict[str, Any], stmts: list[CompiledStatement],
                 synth: dict[str, Any], blocked: str, bpa_notes: list[str]) -> AccessFinding:
        levels: dict[str, list[str]] = {}
        for key, a in sorted(actions.items()):
            levels.setdefault(a.access_level, []).append(key)
        levels = {lv: levels[lv] for lv in sorted(levels, key=lambda x: (LEVEL_ORDER.index(x) if x in LEVEL_ORDER
                                                                           else 99, x))}
        powerful = any(lv in POWERFUL_LEVELS for lv in levels)
        limiting = sorted(k for k in synth if k.lower() in LIMITING_KEYS)
        condition: dict[str, list[str]] = {}
        for s in stmts:
            for cond in s.conditions:
                condition.setdefault(cond.key_written, [])
                for v in _as_list(cond.raw_values):
                    if str(v) not in condition[cond.key_written]:
                        condition[cond.key_written].append(str(v))
        notes = [_SCP_NOTE] if c.kind not in ("public", "service", "federated") else []
        if c.kind == "public":
            notes = ["`*`: any principal of any account, and anonymous callers where the service allows them"]
        notes += bpa_notes
        fix = ""
        if blocked:
            rule = "ACCESS-BLOCKED"
            fix = "remove the grant from the policy so it does not become reachable when the block is lifted"
        elif c.kind == "public":
            rule = "ACCESS-PUBLIC-CONDITIONAL" if limiting else "ACCESS-PUBLIC"
            fix = ("name the principals that need access, or add an `aws:PrincipalOrgID` condition" if not limiting
                   else "check that only the zone's principals reach " + ", ".join(f"`{k}`" for k in limiting)
                   + "; add an `aws:PrincipalOrgID` condition to be sure")
        elif c.kind == "org":
            rule = "ACCESS-CROSS-ORG"
            fix = f"remove the grant to organization {c.org} if it is not approved"
        elif c.kind == "service" and c.source_account is None and c.org is None:
            rule = "ACCESS-SERVICE-DEPUTY"
            fix = (f"add `Condition: {{StringEquals: {{aws:SourceAccount: {t.account}}}}}` (or `aws:SourceArn`) so "
                   f"`{c.principal}` acts only for your own resources")
        elif c.kind == "federated":
            rule = "ACCESS-FEDERATED"
            fix = "pin the identities with conditions on the provider's `aud` and `sub` keys"
        else:
            rule = "ACCESS-CROSS-ACCOUNT"
            fix = "remove the grant if the account is not approved, or suppress the finding with a reason"
        severity = RULES_BY_ID[rule].severity
        if rule == "ACCESS-PUBLIC" and powerful:
            severity = "critical"
        elif rule == "ACCESS-PUBLIC-CONDITIONAL" and powerful:
            severity = "high"
        elif rule == "ACCESS-CROSS-ACCOUNT":
            if (t.trust and c.kind in ("account", "arn") and self.org_of(c.account) is None
                    and not any(k.lower() == "sts:externalid" for k in synth)):
                severity = "high"
                notes.append("no `sts:ExternalId` condition: a third party acting for several customers can be "
                             "made to use this role (confused deputy)")
                fix = "add `Condition: {StringEquals: {sts:ExternalId: <the id agreed with the account owner>}}`"
            elif powerful:
                severity = "medium"
        if c.kind == "org" and c.org:
            principal_note = f"any principal of organization {c.org}"
            notes.append(principal_note)
        if any(k.lower() in ORG_KEYS for k in synth) and c.kind != "org":
            notes.append(f"if {c.label} is in organization {_first(synth, ORG_KEYS)}")
        acts = sorted(actions)
        shown = ", ".join(f"`{a}`" for a in acts[:4]) + (f" and {len(acts) - 4} more" if len(acts) > 4 else "")
        who = {"public": "anyone", "service": c.label}.get(c.kind, c.label)
        cond_text = ""
        if synth:
            cond_text = " when " + ", ".join(
                f"`{k}` is {_show(condition.get(k) or v)}" for k, v in sorted(synth.items()))
        if blocked.endswith("(RestrictPublicBuckets)"):
            notes.append("RestrictPublicBuckets: while the policy is public, only AWS service principals and "
                         "principals of the bucket owner's account can use it (Amazon S3 User Guide, \"Blocking "
                         "public access to your Amazon S3 storage\")")
        if blocked:
            message = f"{who} would be allowed {shown}{cond_text}, but {blocked} stops it"
        else:
            message = f"{who} can {shown}{cond_text}"
        pointer = t.pointer
        file = t.file
        if stmts:
            s0 = sorted(stmts, key=lambda s: (s.policy.name, s.index))[0]
            if s0.policy is t.policies[0]:
                pointer = f"{t.pointer}{s0.pointer}"
            else:
                pointer = f"{t.pointer.rsplit('/', 1)[0]}/Extra/Grants/{s0.index}"
        source = t.source
        if stmts and all(s.policy is not t.policies[0] for s in stmts):
            source = "KMS_GRANT"
            grant_ids = sorted({str(s.sid).removeprefix("grant:") for s in stmts})
            message += " through KMS grant " + ", ".join(f"`{g}`" for g in grant_ids)
        return AccessFinding(
            code=rule, severity=severity, resource=t.arn, resource_type=t.resource_type,
            resource_account=t.account, principal=dict(c.shape), principal_label=c.label, actions=acts,
            levels=levels, condition=condition, limiting=limiting,
            is_public=(c.kind == "public" and not limiting), status="BLOCKED" if blocked else "ACTIVE",
            source=source, blocked_by=blocked, file=file, pointer=pointer, message=message, fix=fix, notes=notes,
        )


def _prefix_len(cidr: str) -> int:
    """The prefix length of a CIDR (a bare address is /32); 0 when unreadable."""
    if "/" not in cidr:
        return 32
    try:
        return int(cidr.rsplit("/", 1)[1])
    except ValueError:
        return 0


def _first(synth: dict[str, Any], keys: frozenset[str]) -> str:
    for k, v in synth.items():
        if k.lower() in keys:
            return str(v[0] if isinstance(v, list) else v).split("/", 1)[0]
    return "?"


def _show(v: Any) -> str:
    if isinstance(v, list):
        return " or ".join(f"`{x}`" for x in v)
    return f"`{v}`"


def _value(c: Any, want_true: bool) -> Any:
    """A request value for condition ``c`` that makes it true (``want_true``) or false."""
    family = c.op.family
    vals = [str(v) for v in _as_list(c.raw_values)]
    positive = want_true != c.negated  # do we need a value among the listed ones?
    if family == "null":
        present = any(v.lower() == "false" for v in vals) == want_true
        return "permwise-present" if present else None
    if not vals:
        return None
    if family in ("string", "arn"):
        return _instance(vals[0]) if positive else "permwise-unlisted"
    if family == "bool":
        v = vals[0].lower()
        return v if positive else ("false" if v == "true" else "true")
    if family == "ip":
        if positive:
            return vals[0].split("/", 1)[0]
        return "198.51.100.77"
    if family == "numeric":
        try:
            n = float(vals[0])
        except ValueError:
            return None
        name = c.op.name
        if not want_true:
            return None
        if name == "NumericLessThan":
            n -= 1
        elif name == "NumericGreaterThan":
            n += 1
        elif name == "NumericNotEquals":
            n += 1
        return str(int(n)) if n.is_integer() else str(n)
    return None


def analyze_access(env: Any, zone: Zone | str | None = None, suppressions: Any = None, *,
                   today: Any = None) -> AccessResult:
    """Every external access finding of ``env`` for ``zone`` (sorted), suppressions applied."""
    import datetime as _dt

    if not isinstance(zone, Zone):
        zone = parse_zone(zone, env)
    analyzer = AccessAnalyzer(env, zone)
    findings: list[AccessFinding] = []
    ts = targets(env)
    for t in ts:
        findings.extend(analyzer.analyze_target(t))
    expired: list[Any] = []
    if suppressions is not None:
        expired = suppressions.apply(findings, today or _dt.date.today())
        for f in findings:
            if f.suppressed_by is not None:
                f.status = "SUPPRESSED"
    findings.sort(key=AccessFinding.sort_key)
    notes = [_SCP_NOTE + " for every cross-account finding"]
    if not env.rcp_enabled:
        notes.append("RCPs are not enabled in the snapshot: no RCP limits external access")
    no_grants = sorted(t.arn for t in ts if t.service == "kms" and "Grants" not in t.extra)
    if no_grants:
        notes.append(f"{plural(len(no_grants), 'KMS key')} without collected grants (`Extra.Grants`): access through "
                     "their grants is unknown")
    if env.errors:
        notes.append(f"{plural(len(env.errors), 'collection error')} in errors.json: the policies they concern are missing "
                     "from the snapshot, so their external access is unknown")
    return AccessResult(zone, findings, len(ts), analyzer.evaluations, notes, expired)
