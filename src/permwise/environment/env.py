"""The loaded environment: principals, their effective policy sets, and what AWS puts in force.

``Environment.policy_set(principal, resource, resource_account)`` assembles, for the engine:

* identity: a role's inline and attached managed policies; a user's inline and attached policies
  plus, for each group it belongs to, the group's inline and attached policies;
* boundary: the managed policy named by ``PermissionsBoundary``;
* SCPs: one level per organization node on the principal account's path (root, each OU, the
  account), each level holding the SCPs whose targets include that node. Nothing is invented: a
  node that the snapshot shows without any SCP gets an empty placeholder level (nothing allowed)
  and a problem in ``env.problems``. SCPs never apply to the management account nor to
  service-linked roles (``/aws-service-role/``);
* RCPs: the same chain for the *resource's* account (the engine adds AWS's non-detachable
  ``RCPFullAWSAccess`` and applies RCPs only to the services that support them);
* resource: the resource-based policy of the resource (a bucket policy also covers the bucket's
  objects), or a role's trust policy when the resource is that role.

Every document is compiled once (cached by policy ARN and kind, or by owner and inline name);
per-principal and per-account lists are cached too, so ``policy_set`` is cheap to call often.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from permwise.catalog.arn import arn_account
from permwise.engine import (
    EXPLICIT_DENY,
    CompiledPolicy,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
)
from permwise.engine.context import (
    PrincipalFacts,
    ResourceFacts,
    Runtime,
    Unknown,
    derived_context,
)
from permwise.catalog import get_catalog
from permwise.clock import now_instant
from permwise.engine.matching import parse_principal
from permwise.engine.reasons import Rule
from permwise.engine.scope import rcp_exempt_account, scp_exemption
from permwise.environment.load import OrgData
from permwise.environment.model import (
    RCP_TYPE,
    SCP_TYPE,
    Account,
    Group,
    ManagedPolicy,
    OrgPolicy,
    OrgUnit,
    Origin,
    Principal,
    Problem,
    ResourcePolicy,
)
from permwise.errors import InputError

_EMPTY_DOC: dict = {"Version": "2012-10-17", "Statement": []}
_ALLOW_ALL: dict = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


#: (name, kind, level, document text) -> the policy compiled from it, for every environment of
#: the process (compiled policies are read-only once built); emptied when full
_COMPILED: dict[tuple, CompiledPolicy] = {}
_COMPILED_LIMIT = 2_000


def _shared_kind(name: str, kind: str) -> bool:
    """Is a policy of this name and kind likely to be written the same in other environments of
    the process: an organization policy, or an AWS managed policy (inline and customer managed
    policies name their principal or account, and are not kept)?"""
    return kind in ("scp", "rcp") or ":iam::aws:policy/" in name


def _document_text(doc: Any) -> bytes | None:
    """The document as canonical JSON (keys sorted), or None when it has no such form."""
    try:
        return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """An identity policy of a principal as written in the snapshot (for audit and excess)."""

    name: str  # display/engine name: a managed policy ARN, or ``inline:role/Name/Policy``
    kind: str  # "identity" | "boundary"
    document: dict
    origin: Origin
    via: str | None = None  # group name, for user policies inherited from a group


class Environment:
    """A loaded snapshot. Build it with :func:`permwise.environment.load_snapshot`."""

    def __init__(self, root: Path, meta: dict, org: OrgData | None = None,
                 accounts: dict[str, Account] | None = None) -> None:
        """``meta`` is ``snapshot.json``; ``org`` the organization read from ``organization/``
        (none: a standalone account); ``accounts`` the accounts (default: the organization's)."""
        org = org if org is not None else OrgData()
        self.root = root
        self.meta = meta
        self.partition: str = meta.get("partition") or "aws"
        self.regions: list[str] = list(meta.get("regions") or [])
        self.organization_id: str = org.id
        self.management_account_id: str | None = org.management_account_id
        self.root_id: str = org.root_id
        self.root_name: str = org.root_name
        self.scp_enabled = org.scp_enabled
        self.rcp_enabled = org.rcp_enabled
        self.ous: dict[str, OrgUnit] = org.ous
        self.accounts: dict[str, Account] = dict(org.accounts if accounts is None else accounts)
        self.org_policies: dict[str, OrgPolicy] = org.policies
        self.managed_policies: dict[str, ManagedPolicy] = {}
        self.groups: dict[str, Group] = {}  # group ARN -> group
        self.resource_policies: dict[str, ResourcePolicy] = {}
        self.errors: list[dict] = []
        self.problems: list[Problem] = []
        self._principals: dict[str, Principal] = {}
        self._sorted: list[Principal] | None = None
        self._groups_by_name: dict[tuple[str, str], Group] = {}
        # caches
        self._compiled: dict[tuple, CompiledPolicy] = {}
        self._identity: dict[str, tuple[list[CompiledPolicy], list[CompiledPolicy]]] = {}
        self._scp_chain: dict[str, list[list[CompiledPolicy]]] = {}
        self._rcp_chain: dict[str, list[list[CompiledPolicy]]] = {}
        self._resource: dict[str, CompiledPolicy | None] = {}
        self._principal_problems: dict[str, list[Problem]] = {}
        self._by_node: dict[tuple[str, str], list[OrgPolicy]] = {}
        self._sets: dict[tuple, PolicySet] = {}
        self._role_names: dict[tuple[str, str], Principal] | None = None
        self._labels: dict[str, dict[str, str]] | None = None
        #: ``check``'s per-resource context keys, (resource, account) -> [(key, value)]
        self.check_resource_keys: dict[tuple, list] = {}
        self._policy_refs: dict[tuple, dict[str, Any]] = {}
        #: the one instant of a run (``aws:CurrentTime``, ``--at``)
        self.at = now_instant()

    # ------------------------------------------------------------------ principals
    def principals(self) -> list[Principal]:
        """Every IAM user and role, sorted by ARN."""
        if self._sorted is None:
            self._sorted = sorted(self._principals.values(), key=lambda p: p.arn)
        return self._sorted

    def principal(self, arn: str) -> Principal | None:
        return self._principals.get(arn)

    def roles(self) -> list[Principal]:
        return [p for p in self.principals() if p.kind == "role"]

    def users(self) -> list[Principal]:
        return [p for p in self.principals() if p.kind == "user"]

    #: problems of an account or organization node that leave the SCP/RCP chain of the
    #: principals below it uncertain
    CHAIN_PROBLEMS = frozenset({"account-no-parent", "account-not-in-organization", "node-without-policy",
                                "collection-error"})
    #: problems that make every result unknown
    GLOBAL_PROBLEMS = frozenset({"snapshot-incomplete"})

    def principal_problems(self, arn: str) -> list[Problem]:
        """Problems that make this principal's policy set incomplete: absent policies, boundary or
        groups, and problems of its account or of an organization node above it (an account in
        no OU, a node without any SCP), which leave its SCP chain uncertain."""
        out = list(self._principal_problems.get(arn, []))
        p = self._principals.get(arn)
        if p is not None:
            nodes = set(self.org_path(p.account)) | {p.account}
            out += [x for x in self.problems if x.code in self.CHAIN_PROBLEMS and x.subject in nodes]
        out += [x for x in self.problems if x.code in self.GLOBAL_PROBLEMS]
        return out

    def account_label(self, account_id: str | None) -> str:
        if not account_id:
            return "?"
        acc = self.accounts.get(account_id)
        return acc.label if acc else account_id

    def node_label(self, node_id: str) -> str:
        """``root r-ab12``, ``ou-ab12-11111111 (Workloads)``, ``account 222222222222 (prod)``."""
        if node_id == self.root_id:
            return f"root {node_id}"
        if node_id in self.ous:
            return f"{node_id} ({self.ous[node_id].name})"
        acc = self.accounts.get(node_id)
        return f"account {acc.label if acc else node_id}"

    def node_ref(self, label: str | None) -> dict[str, str] | None:
        """An organization level as data: ``{"type": "ROOT" | "ORGANIZATIONAL_UNIT" | "ACCOUNT",
        "id", "name"}`` from a node id or the label :meth:`node_label` gives it."""
        if not label:
            return None
        if self._labels is None:
            self._labels = {}
            if self.root_id:
                self._labels[self.node_label(self.root_id)] = self._labels[self.root_id] = {
                    "type": "ROOT", "id": self.root_id, "name": self.root_name}
            for ou in self.ous.values():
                self._labels[self.node_label(ou.id)] = self._labels[ou.id] = {
                    "type": "ORGANIZATIONAL_UNIT", "id": ou.id, "name": ou.name}
            for acc in self.accounts.values():
                self._labels[self.node_label(acc.id)] = self._labels[acc.id] = {
                    "type": "ACCOUNT", "id": acc.id, "name": acc.name}
        return self._labels.get(label)

    def policy_ref(self, name: str, kind: str, sid: str | None = None, level: str | None = None) -> dict[str, Any]:
        """A policy as data: ``{"kind", "name", "arn", "sid", "level"}`` (``arn`` None for inline
        policies; ``level`` the organization node of an SCP/RCP). Cached: treat as read-only."""
        key = (name, kind, sid, level)
        hit = self._policy_refs.get(key)
        if hit is not None:
            return hit
        hit = self._policy_refs[key] = self._policy_ref(name, kind, sid, level)
        return hit

    def _policy_ref(self, name: str, kind: str, sid: str | None, level: str | None) -> dict[str, Any]:
        arn = None
        shown = name
        if kind in ("scp", "rcp"):
            op = self.org_policy_by_name(name)
            arn = op.arn if op is not None else None
        elif name.startswith("trust:"):
            arn = name[len("trust:"):]
        elif name.startswith("arn:"):
            arn = name
            mp = self.managed_policies.get(name)
            shown = mp.name if mp is not None else name.rsplit("/", 1)[-1]
        elif name.startswith("inline:"):
            shown = name.rsplit("/", 1)[-1]
        return {"kind": kind, "name": shown, "arn": arn, "sid": sid, "level": self.node_ref(level)}

    def org_path(self, account_id: str) -> list[str]:
        """Root-first organization nodes down to and including the account; [] outside an org."""
        acc = self.accounts.get(account_id)
        if acc is None or not acc.in_organization:
            return []
        return [*acc.parent_path, account_id]

    def principal_org_paths(self, account_id: str) -> str | None:
        """The ``aws:PrincipalOrgPaths`` value: ``o-id/r-id/ou-id/.../`` (the account excluded)."""
        acc = self.accounts.get(account_id)
        if acc is None or not acc.in_organization or not self.organization_id:
            return None
        return "/".join([self.organization_id, *acc.parent_path]) + "/"

    def principal_facts(self, principal_arn: str) -> PrincipalFacts:
        """What the snapshot knows about a principal for the request-context model: its unique
        id, its role ARN with path (also for a session ARN of a role in the snapshot), its
        organization id and path, its tags."""
        p = self._principals.get(principal_arn)
        role_arn = None
        if p is None and ":assumed-role/" in principal_arn:
            # a session of a role the snapshot has: the role (with its path) answers for it
            pi = parse_principal(principal_arn)
            p = self._roles_by_name().get((pi.account or "", pi.role_name or ""))
        if p is not None and p.kind == "role":
            role_arn = p.arn
        account = p.account if p else arn_account(principal_arn) or ""
        acc = self.accounts.get(account)
        org_id, paths = None, ()
        if acc is not None and acc.in_organization and self.organization_id:
            org_id = self.organization_id
            path = self.principal_org_paths(account)
            paths = (path,) if path else ()
        return PrincipalFacts(principal_arn, (p.id or None) if p else None, role_arn, org_id, paths,
                              dict(p.tags) if p else {})

    def _roles_by_name(self) -> dict[tuple[str, str], Principal]:
        if self._role_names is None:
            self._role_names = {(p.account, p.name): p for p in self._principals.values() if p.kind == "role"}
        return self._role_names

    def resource_facts(self, resource_arn: str | None, resource_account: str | None = None) -> ResourceFacts:
        """What the snapshot knows about a resource: its account, the account's organization id
        and path (``aws:ResourceOrgID``/``aws:ResourceOrgPaths``, for accounts in the snapshot's
        organization) and its tags (IAM roles and users of the snapshot; a resource policy's
        ``Extra.Tags``). Tags the snapshot does not hold are left out, not invented."""
        racct = resource_account or self.resource_account(resource_arn)
        org_id, paths = None, ()
        acc = self.accounts.get(racct) if racct else None
        if acc is not None and acc.in_organization and self.organization_id:
            org_id = self.organization_id
            path = self.principal_org_paths(racct)  # type: ignore[arg-type]
            paths = (path,) if path else ()
        tags = None
        if resource_arn and resource_arn != "*":
            p = self._principals.get(resource_arn)
            if p is not None:
                tags = dict(p.tags)
            else:
                rp = self.find_resource_policy(resource_arn)
                if rp is not None and isinstance(rp.extra.get("Tags"), (list, dict)):
                    from permwise.environment.load import tags_of

                    tags = tags_of(rp.extra["Tags"])
        return ResourceFacts(racct, org_id, paths, tags)

    def request_model(
        self,
        principal_arn: str,
        action: str,
        resource: str = "*",
        resource_account: str | None = None,
        region: str | None = None,
        runtime: Runtime | None = None,
    ) -> tuple[dict[str, Any], dict[str, Unknown]]:
        """The full request context of one call (docs/context.md) and its unknown keys."""
        rt = (runtime or Runtime()).merged(None)
        if rt.at is None:
            rt = Runtime(rt.source_ip, rt.vpc_endpoint, rt.vpc, rt.mfa, rt.session_name, rt.session_tags, self.at)
        return derived_context(self.principal_facts(principal_arn), action, resource, region=region,
                               resource_facts=self.resource_facts(resource, resource_account), runtime=rt)

    def request_context(self, principal_arn: str, runtime: Runtime | None = None,
                        unknown_absent: bool = False) -> dict[str, Any]:
        """Context keys of requests made by this principal (the request-context model of
        docs/context.md without the per-call keys): its exact ARN (with path), type, unique id,
        organization id and paths, tags as ``aws:PrincipalTag/<key>``, the credential keys
        (``aws:MultiFactorAuthPresent`` ``false`` and ``aws:TokenIssueTime`` for role
        sessions), ``aws:ViaAWSService`` ``false`` and the run's instant. A role ARN stands for
        a session of the role. ``unknown_absent``: leave out the keys nobody stated (MFA of a
        session, the session name) instead of giving their base value (``audit`` asks what a
        principal *can* do, so it looks for a request-time value that satisfies a condition)."""
        rt = runtime or Runtime()
        if rt.at is None:
            rt = Runtime(rt.source_ip, rt.vpc_endpoint, rt.vpc, rt.mfa, rt.session_name, rt.session_tags, self.at)
        ctx, unknown = derived_context(self.principal_facts(principal_arn), "", "*", runtime=rt)
        if unknown_absent and unknown:
            ctx = {k: v for k, v in ctx.items() if k.lower() not in unknown}
        return ctx

    def s3_restrict_public(self, resource_arn: str | None) -> bool:
        """``RestrictPublicBuckets`` of S3 Block Public Access for a bucket or object ARN: the
        account-level setting or the bucket's own (S3 applies the most restrictive combination)."""
        if not resource_arn or ":s3:::" not in resource_arn:
            return False
        rp = self.find_resource_policy(resource_arn)
        bucket_bpa = (rp.extra.get("PublicAccessBlock") if rp is not None else None) or {}
        acct = rp.account if rp is not None else None
        acc = self.accounts.get(acct) if acct else None
        acct_bpa = (acc.s3_public_access_block if acc is not None else None) or {}
        return bool(bucket_bpa.get("RestrictPublicBuckets")) or bool(acct_bpa.get("RestrictPublicBuckets"))

    def aws_managed_key(self, resource_arn: str | None) -> bool:
        """A KMS key the snapshot records as AWS managed (``Extra.KeyManager`` ``AWS``, from
        ``DescribeKey``): RCPs do not apply to it."""
        if not resource_arn or ":kms:" not in resource_arn:
            return False
        rp = self.resource_policies.get(resource_arn)
        return rp is not None and rp.extra.get("KeyManager") == "AWS"

    # ------------------------------------------------------------------ policies as written
    def identity_policies(self, principal_arn: str) -> list[PolicyRef]:
        """The identity policies (and the boundary, ``kind="boundary"``) of a principal as
        written, in the order the engine receives them. Absent managed policies are skipped
        (they are in ``principal_problems``)."""
        p = self._principals.get(principal_arn)
        if p is None:
            return []
        out: list[PolicyRef] = []
        owner = f"{p.kind}/{p.name}"
        for ip in p.inline_policies:
            out.append(PolicyRef(f"inline:{owner}/{ip.name}", "identity", ip.document, ip.origin))
        for arn in p.managed_policy_arns:
            mp = self.managed_policies.get(arn)
            if mp is not None:
                out.append(PolicyRef(arn, "identity", mp.document, mp.origin))
        for gname in p.groups:
            g = self._groups_by_name.get((p.account, gname))
            if g is None:
                continue
            for ip in g.inline_policies:
                out.append(PolicyRef(f"inline:group/{g.name}/{ip.name}", "identity", ip.document, ip.origin, g.name))
            for arn in g.managed_policy_arns:
                mp = self.managed_policies.get(arn)
                if mp is not None:
                    out.append(PolicyRef(arn, "identity", mp.document, mp.origin, g.name))
        if p.boundary_arn:
            mp = self.managed_policies.get(p.boundary_arn)
            if mp is not None:
                out.append(PolicyRef(mp.arn, "boundary", mp.document, mp.origin))
        return out

    def scps_for(self, node_id: str) -> list[OrgPolicy]:
        return list(self._by_node.get((SCP_TYPE, node_id), []))

    def rcps_for(self, node_id: str) -> list[OrgPolicy]:
        return list(self._by_node.get((RCP_TYPE, node_id), []))

    def org_policy_by_name(self, name: str) -> OrgPolicy | None:
        for p in self.org_policies.values():
            if p.name == name:
                return p
        return None

    # ------------------------------------------------------------------ compilation
    def compile(self, key: tuple, doc: dict, name: str, kind: str, origin: Origin, level: str | None = None) -> CompiledPolicy:
        """Compile ``doc`` once per ``key``. A document that is not a valid policy is an
        ``InputError`` naming the snapshot file and the JSON pointer of the offending part."""
        hit = self._compiled.get(key)
        if hit is not None:
            return hit
        # the same document under the same name, kind and level compiles to the same policy in
        # every environment of the process (an AWS managed policy or an SCP in each account's
        # unit of an organization): compiled, checked and indexed once
        text = _document_text(doc) if _shared_kind(name, kind) else None
        shared_key = (name, kind, level, text) if text is not None else None
        cp = _COMPILED.get(shared_key) if shared_key is not None else None
        if cp is None:
            try:
                cp = compile_policy(doc, name=name, kind=kind, level=level)
            except InputError as exc:
                raise _located(self, origin, exc.pointer or "", exc.message, exc.hint) from None
            for st in cp.statements:
                if st.errors:
                    raise _located(self, origin, st.pointer, f"policy `{name}`: {st.errors[0]}",
                                   "fix the policy document (AWS would have rejected it)")
            if shared_key is not None:
                if len(_COMPILED) >= _COMPILED_LIMIT:
                    _COMPILED.clear()
                _COMPILED[shared_key] = cp
        self._compiled[key] = cp
        return cp

    def managed(self, arn: str, kind: str) -> CompiledPolicy | None:
        mp = self.managed_policies.get(arn)
        if mp is None:
            return None
        return self.compile(("managed", arn, kind), mp.document, arn, kind, mp.origin)

    def identity_for(self, p: Principal) -> tuple[list[CompiledPolicy], list[CompiledPolicy]]:
        hit = self._identity.get(p.arn)
        if hit is not None:
            return hit
        owner = f"{p.kind}/{p.name}"
        ident: list[CompiledPolicy] = []
        for ip in p.inline_policies:
            ident.append(self.compile(("inline", p.arn, ip.name), ip.document, f"inline:{owner}/{ip.name}", "identity", ip.origin))
        for arn in p.managed_policy_arns:
            cp = self.managed(arn, "identity")
            if cp is not None:
                ident.append(cp)
        for gname in p.groups:
            g = self._groups_by_name.get((p.account, gname))
            if g is None:
                continue
            for ip in g.inline_policies:
                ident.append(self.compile(("inline", g.arn, ip.name), ip.document, f"inline:group/{g.name}/{ip.name}",
                                          "identity", ip.origin))
            for arn in g.managed_policy_arns:
                cp = self.managed(arn, "identity")
                if cp is not None:
                    ident.append(cp)
        boundary: list[CompiledPolicy] = []
        if p.boundary_arn:
            cp = self.managed(p.boundary_arn, "boundary")
            if cp is None:
                # absent boundary: reported (principal_problems); evaluated with no boundary
                pass
            else:
                boundary.append(cp)
        self._identity[p.arn] = (ident, boundary)
        return ident, boundary

    def _chain(self, ptype: str, account_id: str) -> list[list[CompiledPolicy]]:
        cache = self._scp_chain if ptype == SCP_TYPE else self._rcp_chain
        hit = cache.get(account_id)
        if hit is not None:
            return hit
        enabled = self.scp_enabled if ptype == SCP_TYPE else self.rcp_enabled
        kind = "scp" if ptype == SCP_TYPE else "rcp"
        levels: list[list[CompiledPolicy]] = []
        if enabled:
            for node in self.org_path(account_id):
                label = self.node_label(node)
                pols = [
                    self.compile(("org", op.id, node), op.document, op.name, kind, op.origin, label)
                    for op in self._by_node.get((ptype, node), [])
                ]
                if not pols and kind == "scp":
                    # no SCP attached here in the snapshot: do not invent FullAWSAccess (the
                    # engine would); an empty policy makes the level allow nothing
                    pols = [self.compile(("empty-scp", node), _EMPTY_DOC, "(no SCP attached in snapshot)",
                                         "scp", Origin("organization/targets"), label)]
                levels.append(pols)
        cache[account_id] = levels
        return levels

    def scp_chain(self, account_id: str) -> list[list[CompiledPolicy]]:
        """Compiled SCP levels of ``account_id``, root first ([] outside an organization)."""
        return self._chain(SCP_TYPE, account_id)

    def rcp_chain(self, account_id: str) -> list[list[CompiledPolicy]]:
        return self._chain(RCP_TYPE, account_id)

    # ------------------------------------------------------------------ resources
    def find_resource_policy(self, resource_arn: str) -> ResourcePolicy | None:
        """The resource-based policy governing ``resource_arn``: an exact match, else for S3
        the bucket of an object ARN (``arn:aws:s3:::bucket/key`` -> the bucket policy)."""
        rp = self.resource_policies.get(resource_arn)
        if rp is not None:
            return rp
        if resource_arn.startswith("arn:") and ":s3:::" in resource_arn:
            head, _, rest = resource_arn.partition(":s3:::")
            bucket = rest.split("/", 1)[0]
            return self.resource_policies.get(f"{head}:s3:::{bucket}")
        return None

    def resource_account(self, resource_arn: str | None) -> str | None:
        """The account owning ``resource_arn``: the ARN's account field, else the account whose
        snapshot holds the resource's policy (S3 bucket ARNs carry no account)."""
        if not resource_arn or resource_arn == "*":
            return None
        acct = arn_account(resource_arn)
        if acct and acct not in ("*", "aws") and acct.isdigit():
            return acct
        rp = self.find_resource_policy(resource_arn)
        return rp.account if rp else None

    def resource_policy_of(self, resource_arn: str) -> CompiledPolicy | None:
        if resource_arn in self._resource:
            return self._resource[resource_arn]
        cp = None
        role = self._principals.get(resource_arn)
        if role is not None and role.kind == "role" and role.trust_policy is not None:
            cp = self.compile(("trust", role.arn), role.trust_policy, f"trust:{role.arn}", "trust",
                              Origin(role.origin.file, role.origin.pointer + "/AssumeRolePolicyDocument"))
        else:
            rp = self.find_resource_policy(resource_arn)
            if rp is not None:
                cp = self.compile(("resource", rp.arn), rp.document, rp.arn, "resource", rp.origin)
        self._resource[resource_arn] = cp
        return cp

    # ------------------------------------------------------------------ the policy set
    def policy_set(
        self,
        principal_arn: str,
        resource_arn: str | None = None,
        resource_account: str | None = None,
    ) -> PolicySet:
        """The policies in force for ``principal_arn`` acting on ``resource_arn``.

        Policy sets are cached and shared: treat the returned object as read-only."""
        p = self._principals.get(principal_arn)
        if p is None:
            raise InputError(
                f"principal `{principal_arn}` is not in the snapshot `{self.root}`",
                hint="use a user or role ARN listed by the snapshot's authorization-details",
            )
        mgmt = self.management_account_id
        racct = resource_account or self.resource_account(resource_arn)
        rcp_acct = None if (racct is None or rcp_exempt_account(racct, mgmt) or not self.rcp_enabled) else racct
        resource = self.resource_policy_of(resource_arn) if resource_arn and resource_arn != "*" else None
        key = (principal_arn, rcp_acct, id(resource) if resource is not None else None)
        hit = self._sets.get(key)
        if hit is not None:
            return hit
        ident, boundary = self.identity_for(p)
        scps = [] if scp_exemption(p.arn, mgmt) else self._chain(SCP_TYPE, p.account)
        rcps = self._chain(RCP_TYPE, rcp_acct) if rcp_acct else []
        if rcps and self.aws_managed_key(resource_arn):
            rcps = []  # RCPs do not apply to AWS managed KMS keys
        ps = PolicySet(identity=ident, boundary=boundary or None, scps=scps, rcps=rcps,
                       resource=resource, management_account_id=mgmt,
                       rcp_services=get_catalog().rcp_supported_services() if rcps else None,
                       s3_restrict_public=self.s3_restrict_public(resource_arn) if resource is not None else False)
        if len(self._sets) > 100_000:
            self._sets.clear()
        self._sets[key] = ps
        return ps

    def scp_exempt(self, principal_arn: str) -> bool:
        """True when SCPs never restrict this principal: it is in the management account, or it
        is a service-linked role (AWS Organizations User Guide, "Service control policies")."""
        return self.scp_exemption_of(principal_arn) is not None

    def scp_exemption_of(self, principal_arn: str) -> Rule | None:
        """The engine's rule exempting this principal of the snapshot from SCPs (None: they apply)."""
        p = self._principals.get(principal_arn)
        return None if p is None else scp_exemption(p.arn, self.management_account_id)

    def scps_denying(
        self,
        principal_arn: str,
        action: str,
        resource: str = "*",
        context: dict[str, Any] | None = None,
        resource_account: str | None = None,
    ) -> list[tuple[OrgPolicy, str | None]]:
        """The SCPs of the organization whose explicit deny matches this request *if SCPs applied
        to the principal*, wherever each SCP is attached: ``[(policy, statement sid)]`` sorted by
        name. For a principal that SCPs never restrict (:meth:`scp_exempt`) this is what the
        exemption spares it; ``check`` says so on the management account's commands.
        Only SCPs attached somewhere, while SCPs are enabled, are considered."""
        if not self.scp_enabled:
            return []
        allow_all = self.compile(("allow-all", "identity"), _ALLOW_ALL, "(any identity allow)", "identity",
                                 Origin(""))
        full = self.compile(("allow-all", "scp"), _ALLOW_ALL, "FullAWSAccess", "scp", Origin(""))
        ctx = dict(context) if context is not None else self.request_context(principal_arn)
        req = Request(principal=principal_arn, action=action, resource=resource,
                      resource_account=resource_account, context=ctx)
        out: list[tuple[OrgPolicy, str | None]] = []
        for op in sorted(self.org_policies.values(), key=lambda o: (o.name, o.id)):
            if op.type != SCP_TYPE or not op.targets:
                continue
            cp = self.compile(("org", op.id, None), op.document, op.name, "scp", op.origin)
            ps = PolicySet(identity=[allow_all], scps=[[full, cp]], scp_exempt=False)
            r = evaluate(ps, req, explain=False)
            if r.decision == EXPLICIT_DENY:
                sid = next((s.sid for s in r.deny_statements if s.policy is cp), None)
                out.append((op, sid))
        return out

    # ------------------------------------------------------------------ building (loader)
    def add_principal(self, p: Principal) -> None:
        self._principals[p.arn] = p
        self._sorted = None
        self._role_names = None

    def set_principal_problems(self, problems: dict[str, list[Problem]]) -> None:
        """The unresolved references of each principal, by ARN (see ``problems_of``)."""
        self._principal_problems = problems

    def group_named(self, account: str, name: str) -> Group | None:
        """The group ``name`` of ``account`` (after :meth:`build_indexes`)."""
        return self._groups_by_name.get((account, name))

    def build_indexes(self) -> None:
        self._by_node.clear()
        for op in sorted(self.org_policies.values(), key=lambda o: (o.name, o.id)):
            for t in op.targets:
                self._by_node.setdefault((op.type, t), []).append(op)
        self._groups_by_name = {(g.account, g.name): g for g in self.groups.values()}


def _located(env: Environment, origin: Origin, pointer: str, message: str, hint: str | None) -> InputError:
    from permwise.sources import load_source

    full = origin.pointer + (pointer or "")
    path = str(env.root / origin.file)
    try:
        src = load_source(path, max_bytes=1 << 30, fmt="json")
    except InputError:
        return InputError(message, file=path, pointer=full or None, hint=hint)
    # the document may be embedded as a JSON string: point at the string itself then
    pos = src.locate(full)
    return InputError(message, file=path, line=pos[0] if pos else None, column=pos[1] if pos else None,
                      pointer=full or None, hint=hint)
