"""Read an environment snapshot directory into an :class:`~permwise.environment.Environment`.

Rules (documented in ``docs/snapshots.md``):

* A file that is not valid JSON, a policy document that is not a policy, a required field that
  is missing, or a reference that breaks the organization tree (an OU whose parent does not
  exist, an account whose ``ParentId`` names no OU) makes the snapshot unusable: ``InputError``
  naming the file, line and JSON pointer.
* Everything else that is incomplete is *reported, not guessed*: an attached managed policy whose
  document is absent, a policy target that does not exist, an account without ``ParentId``, a
  group a user belongs to that is not listed, an organization node with no SCP attached. Each is a
  :class:`~permwise.environment.model.Problem` in ``env.problems``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from permwise.catalog.arn import Arn, arn_account
from permwise.environment.documents import DocumentError, decode_document
from permwise.environment.layout import (
    ERRORS,
    FORMAT,
    META,
    ORG_ACCOUNTS,
    ORG_DIR,
    ORG_POLICIES,
    ORG_TARGETS,
    ORGANIZATION,
    OUS,
    ROOTS,
    SCHEMA_DOC,
    account_meta,
    authorization_details,
    resource_policies,
)
from permwise.environment.model import (
    RCP_TYPE,
    SCP_TYPE,
    Account,
    Group,
    InlinePolicy,
    ManagedPolicy,
    OrgPolicy,
    OrgUnit,
    Origin,
    Principal,
    Problem,
    ResourcePolicy,
)
from permwise.environment.schema import schema_error
from permwise.errors import InputError
from permwise.sources import Source, load_source, read_bytes

#: snapshot files can be large (authorization-details of a big account); policies are small.
#: `PERMWISE_MAX_FILE_SIZE` replaces this limit (docs/bad-input.md).
MAX_SNAPSHOT_FILE = 256 << 20

_ACCOUNT_ID = re.compile(r"^\d{12}$")

_HINT_JQ = "see docs/snapshots.md for the AWS CLI and jq commands that build this file"


class SnapshotReader:
    """Reads the files of one snapshot; collects problems; raises ``InputError`` for fatal ones."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.problems: list[Problem] = []
        self._sources: dict[str, Source] = {}

    # ------------------------------------------------------------------ helpers
    def exists(self, rel: str) -> bool:
        """True for a regular file; a FIFO, device, directory or dangling link in its place is an
        error from the input gate (never silently "absent", never read)."""
        path = self.root / rel
        if path.is_file():
            return True
        if path.exists() or path.is_symlink():
            read_bytes(str(path), max_bytes=MAX_SNAPSHOT_FILE)  # raises the gate's one-line error
        return False

    def read(self, rel: str) -> Source:
        src = load_source(str(self.root / rel), max_bytes=MAX_SNAPSHOT_FILE, fmt="json")
        self._sources[rel] = src
        bad = schema_error(rel, src.data)  # the whole file against the published schema
        if bad is not None:
            raise src.error(bad[1], bad[0], "the snapshot layout and types are in docs/snapshots.md "
                            f"(schema: {SCHEMA_DOC})")
        return src

    def source(self, rel: str) -> Source | None:
        return self._sources.get(rel)

    def problem(self, code: str, rel: str, pointer: str, message: str, subject: str | None = None) -> None:
        self.problems.append(Problem(code, rel, pointer, message, subject))

    def fail(self, rel: str, pointer: str, message: str, hint: str | None = None) -> InputError:
        src = self._sources.get(rel)
        if src is not None:
            return src.error(message, pointer, hint)
        return InputError(message, file=str(self.root / rel), pointer=pointer or None, hint=hint)

    def obj(self, rel: str, value: Any, pointer: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(rel, pointer, f"expected an object, got {_type(value)}", _HINT_JQ)
        return value

    def lst(self, rel: str, parent: dict, key: str, pointer: str, required: bool = True) -> list:
        if key not in parent:
            if required:
                raise self.fail(rel, pointer, f"missing `{key}`", _HINT_JQ)
            return []
        value = parent[key]
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(rel, f"{pointer}/{key}", f"`{key}` must be a list, got {_type(value)}", _HINT_JQ)
        return value

    def string(self, rel: str, parent: dict, key: str, pointer: str, required: bool = True) -> str:
        value = parent.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(rel, pointer, f"missing `{key}`", _HINT_JQ)
            return ""
        if not isinstance(value, str):
            raise self.fail(rel, f"{pointer}/{key}", f"`{key}` must be a string, got {_type(value)}")
        return value

    def document(self, rel: str, value: Any, pointer: str) -> dict:
        try:
            return decode_document(value)
        except DocumentError as exc:
            raise self.fail(rel, pointer, str(exc), "a policy document is a JSON object (or JSON text) with `Statement`") from None


def _type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def tags_of(items: Any) -> dict[str, str]:
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    out: dict[str, str] = {}
    for t in items or []:
        if isinstance(t, dict) and "Key" in t:
            out[str(t["Key"])] = str(t.get("Value", ""))
    return out


# ---------------------------------------------------------------------------------------------
# snapshot.json


def read_meta(r: SnapshotReader) -> dict:
    if not r.exists(META):
        r.problem("no-metadata", META, "", "no `snapshot.json`; read as format "
                  f"`{FORMAT}` with partition `aws`")
        return {"format": FORMAT, "partition": "aws", "regions": [], "source": "manual"}
    src = r.read(META)
    meta = r.obj(META, src.data, "")
    fmt = meta.get("format")
    if fmt != FORMAT:
        raise r.fail(META, "/format", f"unsupported snapshot format `{fmt}`",
                     f"this version of permwise reads `{FORMAT}`")
    regions = meta.get("regions", [])
    if not isinstance(regions, list) or not all(isinstance(x, str) for x in regions):
        raise r.fail(META, "/regions", "`regions` must be a list of region names")
    return meta


# ---------------------------------------------------------------------------------------------
# organization/


class OrgData:
    def __init__(self) -> None:
        self.present = False
        self.id = ""
        self.management_account_id: str | None = None
        self.root_id = ""
        self.root_name = "Root"
        self.scp_enabled = False
        self.rcp_enabled = False
        self.ous: dict[str, OrgUnit] = {}
        self.accounts: dict[str, Account] = {}
        self.policies: dict[str, OrgPolicy] = {}


def read_organization(r: SnapshotReader) -> OrgData:
    org = OrgData()
    if not (r.root / ORG_DIR).is_dir():
        return org
    org.present = True

    rel = ORGANIZATION
    if not r.exists(rel):
        raise InputError("missing `organization/organization.json`", file=str(r.root / rel),
                         hint="run `aws organizations describe-organization > organization/organization.json`")
    src = r.read(rel)
    o = r.obj(rel, r.obj(rel, src.data, "").get("Organization"), "/Organization")
    org.id = r.string(rel, o, "Id", "/Organization", required=False)
    org.management_account_id = r.string(rel, o, "MasterAccountId", "/Organization")

    rel = ROOTS
    if not r.exists(rel):
        raise InputError("missing `organization/roots.json`", file=str(r.root / rel),
                         hint="run `aws organizations list-roots > organization/roots.json`")
    src = r.read(rel)
    roots = r.lst(rel, r.obj(rel, src.data, ""), "Roots", "")
    if len(roots) != 1:
        raise r.fail(rel, "/Roots", f"expected exactly one root, found {len(roots)}")
    root = r.obj(rel, roots[0], "/Roots/0")
    org.root_id = r.string(rel, root, "Id", "/Roots/0")
    org.root_name = root.get("Name") or "Root"
    types = root.get("PolicyTypes")
    if isinstance(types, list):
        enabled = {t.get("Type") for t in types if isinstance(t, dict) and t.get("Status") == "ENABLED"}
        org.scp_enabled = SCP_TYPE in enabled
        org.rcp_enabled = RCP_TYPE in enabled
        types_known = True
    else:
        types_known = False

    rel = OUS
    if r.exists(rel):
        src = r.read(rel)
        for i, ou in enumerate(r.lst(rel, r.obj(rel, src.data, ""), "OrganizationalUnits", "")):
            ptr = f"/OrganizationalUnits/{i}"
            ou = r.obj(rel, ou, ptr)
            oid = r.string(rel, ou, "Id", ptr)
            parent = r.string(rel, ou, "ParentId", ptr)
            if oid in org.ous:
                raise r.fail(rel, ptr + "/Id", f"duplicate organizational unit `{oid}`")
            org.ous[oid] = OrgUnit(oid, ou.get("Name") or oid, ou.get("Arn") or "", parent, Origin(rel, ptr))
    for oid in sorted(org.ous):
        _ou_path(r, org, oid)  # raises on dangling parents and cycles

    rel = ORG_ACCOUNTS
    if not r.exists(rel):
        raise InputError("missing `organization/accounts.json`", file=str(r.root / rel),
                         hint="run `aws organizations list-accounts` and add each account's ParentId; " + _HINT_JQ)
    src = r.read(rel)
    first_seen: dict[str, str] = {}
    for i, acc in enumerate(r.lst(rel, r.obj(rel, src.data, ""), "Accounts", "")):
        ptr = f"/Accounts/{i}"
        acc = r.obj(rel, acc, ptr)
        aid = r.string(rel, acc, "Id", ptr)
        if not _ACCOUNT_ID.match(aid):
            raise r.fail(rel, ptr + "/Id", f"account id `{aid}` is not 12 digits")
        if aid in first_seen:
            # an account is in exactly one place of the tree; which listing is right is unknowable
            # (reading the last would silently drop the SCPs of the other OU)
            raise r.fail(rel, ptr + "/Id", f"account `{aid}` is listed twice (also at {first_seen[aid]})"
                         + (f", under `{acc.get('ParentId')}` and `{org.accounts[aid].parent_id}`"
                            if acc.get("ParentId") != org.accounts[aid].parent_id else ""),
                         "an account sits in exactly one OU: collect the snapshot again")
        first_seen[aid] = ptr
        parent = acc.get("ParentId")
        if parent in (None, ""):
            r.problem("account-no-parent", rel, ptr, f"account `{aid}` has no `ParentId` (in no OU); its SCPs "
                      "and RCPs are resolved as if it sat directly under the root", aid)
            path = [org.root_id]
            parent = None
        elif parent == org.root_id:
            path = [org.root_id]
        elif parent in org.ous:
            path = _ou_path(r, org, parent)
        else:
            raise r.fail(rel, ptr + "/ParentId", f"account `{aid}` has parent `{parent}`, which is neither "
                         "the root nor an organizational unit in `organization/ous.json`", _HINT_JQ)
        org.accounts[aid] = Account(
            id=aid, name=acc.get("Name") or "", email=acc.get("Email") or "", status=acc.get("Status") or "",
            parent_id=parent, parent_path=path, in_organization=True,
        )
    if org.management_account_id not in org.accounts:
        r.problem("management-not-listed", ORG_ACCOUNTS, "/Accounts",
                  f"the management account `{org.management_account_id}` is not in `accounts.json`")

    # policies and their targets
    pol_dir = r.root / ORG_POLICIES
    files = sorted(pol_dir.glob("*.json")) if pol_dir.is_dir() else []
    for f in files:
        rel = f"{ORG_POLICIES}/{f.name}"
        src = r.read(rel)
        p = r.obj(rel, r.obj(rel, src.data, "").get("Policy"), "/Policy")
        summ = r.obj(rel, p.get("PolicySummary"), "/Policy/PolicySummary")
        pid = r.string(rel, summ, "Id", "/Policy/PolicySummary")
        ptype = r.string(rel, summ, "Type", "/Policy/PolicySummary")
        if ptype not in (SCP_TYPE, RCP_TYPE):
            r.problem("other-policy-type", rel, "/Policy/PolicySummary/Type",
                      f"policy `{pid}` is of type `{ptype}`; only SCPs and RCPs are evaluated")
            continue
        if f.stem != pid:
            r.problem("policy-file-name", rel, "/Policy/PolicySummary/Id",
                      f"file name `{f.name}` does not match policy id `{pid}`; targets are read from "
                      f"`organization/targets/{pid}.json`")
        if "Content" not in p:
            raise r.fail(rel, "/Policy", "missing `Content`", "use the unchanged output of `aws organizations describe-policy`")
        doc = r.document(rel, p["Content"], "/Policy/Content")
        org.policies[pid] = OrgPolicy(
            id=pid, name=summ.get("Name") or pid, arn=summ.get("Arn") or "", type=ptype,
            aws_managed=bool(summ.get("AwsManaged")), description=summ.get("Description") or "",
            document=doc, targets=[], origin=Origin(rel, "/Policy/Content"),
        )
    nodes = {org.root_id} | set(org.ous) | set(org.accounts)
    tgt_dir = r.root / ORG_TARGETS
    tfiles = {f.stem: f for f in sorted(tgt_dir.glob("*.json"))} if tgt_dir.is_dir() else {}
    for stem, f in sorted(tfiles.items()):
        rel = f"{ORG_TARGETS}/{f.name}"
        if stem not in org.policies:
            r.problem("targets-without-policy", rel, "", f"targets of policy `{stem}`, which is not in "
                      "`organization/policies/`; ignored")
            continue
        src = r.read(rel)
        for i, t in enumerate(r.lst(rel, r.obj(rel, src.data, ""), "Targets", "")):
            ptr = f"/Targets/{i}"
            t = r.obj(rel, t, ptr)
            tid = r.string(rel, t, "TargetId", ptr)
            if tid not in nodes:
                # ignoring the attachment could drop a Deny and report a blocked command ready
                raise r.fail(rel, ptr + "/TargetId", f"policy `{org.policies[stem].name}` is attached to "
                             f"`{tid}`, which is not the root, an OU or an account of the organization",
                             "collect the snapshot again (the tree and the targets must be read together)")
            org.policies[stem].targets.append(tid)
    for pid, pol in sorted(org.policies.items()):
        if pid not in tfiles:
            r.problem("policy-without-targets", pol.origin.file, "", f"policy `{pol.name}` has no "
                      f"`organization/targets/{pid}.json`; it is treated as attached nowhere")
        pol.targets.sort()

    if not types_known:
        # PolicyTypes not collected: a type is in force when policies of that type exist
        org.scp_enabled = any(p.type == SCP_TYPE for p in org.policies.values())
        org.rcp_enabled = any(p.type == RCP_TYPE for p in org.policies.values())
    else:
        for ptype, on in ((SCP_TYPE, org.scp_enabled), (RCP_TYPE, org.rcp_enabled)):
            # `list-policies` lists AWS managed policies (RCPFullAWSAccess) even while their type
            # is disabled; AWS detaches every policy of a type when it is disabled, so only an
            # attached one is inconsistent
            if not on and any(p.type == ptype and p.targets for p in org.policies.values()):
                r.problem("policy-type-disabled", ROOTS, "/Roots/0/PolicyTypes",
                          f"`{ptype}` is not enabled on the root, so its attached policies are not in force")

    # AWS requires at least one SCP on every node while SCPs are enabled (FullAWSAccess by
    # default); a node without one means the snapshot missed its attachments. Report it; the
    # engine then finds no allow at that level, which is what AWS would do without an SCP.
    for ptype, on, what in ((SCP_TYPE, org.scp_enabled, "SCP"), (RCP_TYPE, org.rcp_enabled, "RCP")):
        if not on:
            continue
        attached = {t for p in org.policies.values() if p.type == ptype for t in p.targets}
        for node in sorted(nodes - attached):
            r.problem("node-without-policy", ORG_TARGETS, "", f"no {what} is attached to `{node}`; "
                      f"AWS attaches at least one to every node while {what}s are enabled, so the snapshot "
                      f"probably misses its targets (nothing is allowed at that level)", node)
    return org


def _ou_path(r: SnapshotReader, org: OrgData, oid: str) -> list[str]:
    """Root-first path of node ids ending with ``oid``."""
    path = [oid]
    seen = {oid}
    cur = org.ous[oid]
    while cur.parent_id != org.root_id:
        parent = org.ous.get(cur.parent_id)
        if parent is None:
            raise r.fail(cur.origin.file, cur.origin.pointer + "/ParentId",
                         f"organizational unit `{cur.id}` has parent `{cur.parent_id}`, which is neither the "
                         "root nor another organizational unit", _HINT_JQ)
        if parent.id in seen:
            raise r.fail(cur.origin.file, cur.origin.pointer + "/ParentId",
                         f"organizational units form a cycle through `{parent.id}`")
        seen.add(parent.id)
        path.append(parent.id)
        cur = parent
    path.append(org.root_id)
    return path[::-1]


# ---------------------------------------------------------------------------------------------
# accounts/<id>/


class AccountIam:
    def __init__(self) -> None:
        self.users: list[Principal] = []
        self.roles: list[Principal] = []
        self.groups: dict[str, Group] = {}  # name -> group
        self.policies: dict[str, ManagedPolicy] = {}
        self.resource_policies: list[ResourcePolicy] = []
        self.meta: dict = {}


def _inline(r: SnapshotReader, rel: str, items: list, ptr: str) -> list[InlinePolicy]:
    out = []
    for i, p in enumerate(items):
        pp = f"{ptr}/{i}"
        p = r.obj(rel, p, pp)
        name = r.string(rel, p, "PolicyName", pp)
        if "PolicyDocument" not in p:
            raise r.fail(rel, pp, f"inline policy `{name}` has no `PolicyDocument`")
        out.append(InlinePolicy(name, r.document(rel, p["PolicyDocument"], pp + "/PolicyDocument"),
                                Origin(rel, pp + "/PolicyDocument")))
    return out


def _attached(r: SnapshotReader, rel: str, items: list, ptr: str) -> list[str]:
    out = []
    for i, p in enumerate(items):
        pp = f"{ptr}/{i}"
        p = r.obj(rel, p, pp)
        out.append(r.string(rel, p, "PolicyArn", pp))
    return out


#: per principal kind: the names of its fields in ``get-account-authorization-details``
_DETAIL_KEYS = {"user": ("UserName", "UserId", "UserPolicyList"), "role": ("RoleName", "RoleId", "RolePolicyList")}


def _principal(r: SnapshotReader, rel: str, raw: Any, ptr: str, kind: str) -> Principal:
    """A user or role of ``UserDetailList``/``RoleDetailList``, its fields checked in file order."""
    name_key, id_key, inline_key = _DETAIL_KEYS[kind]
    item = r.obj(rel, raw, ptr)
    arn = r.string(rel, item, "Arn", ptr)
    trust_doc = None
    if kind == "role":
        trust = item.get("AssumeRolePolicyDocument")
        trust_doc = r.document(rel, trust, ptr + "/AssumeRolePolicyDocument") if trust not in (None, "") else None
    pb = item.get("PermissionsBoundary") or {}
    inline = _inline(r, rel, r.lst(rel, item, inline_key, ptr, required=False), f"{ptr}/{inline_key}")
    attached = _attached(r, rel, r.lst(rel, item, "AttachedManagedPolicies", ptr, required=False),
                         ptr + "/AttachedManagedPolicies")
    extra: dict[str, Any] = {}
    if kind == "user":
        extra["groups"] = [str(g) for g in r.lst(rel, item, "GroupList", ptr, required=False)]
    else:
        last = item.get("RoleLastUsed") or {}
        extra.update(groups=[], last_used=last.get("LastUsedDate") if isinstance(last, dict) else None,
                     max_session_duration=item.get("MaxSessionDuration"))
    return Principal(
        arn=arn, account=arn_account(arn) or "", kind=kind, name=item.get(name_key) or arn.rsplit("/", 1)[-1],
        path=item.get("Path") or "/", id=item.get(id_key) or "", tags=tags_of(item.get("Tags")), trust_policy=trust_doc,
        boundary_arn=pb.get("PermissionsBoundaryArn") if isinstance(pb, dict) else None,
        inline_policies=inline, managed_policy_arns=attached, origin=Origin(rel, ptr),
        create_date=item.get("CreateDate"), raw=item, **extra,
    )


def read_account(r: SnapshotReader, account_id: str) -> AccountIam:
    data = AccountIam()
    rel = authorization_details(account_id)
    if not r.exists(rel):
        raise InputError(f"missing `{rel}`", file=str(r.root / rel),
                         hint=f"run `aws iam get-account-authorization-details > {rel}` with that account's credentials")
    src = r.read(rel)
    top = r.obj(rel, src.data, "")
    known = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
    if not any(k in top for k in known):
        # the AWS CLI always prints these lists (empty ones too): this is some other file
        raise src.error(f"`{rel}` is not the output of `aws iam get-account-authorization-details`: it has none of "
                        + ", ".join(f"`{k}`" for k in known),
                        hint=f"run `aws iam get-account-authorization-details > {rel}` with that account's credentials")

    for i, u in enumerate(r.lst(rel, top, "UserDetailList", "", required=False)):
        data.users.append(_principal(r, rel, u, f"/UserDetailList/{i}", "user"))

    for i, g in enumerate(r.lst(rel, top, "GroupDetailList", "", required=False)):
        ptr = f"/GroupDetailList/{i}"
        g = r.obj(rel, g, ptr)
        arn = r.string(rel, g, "Arn", ptr)
        name = g.get("GroupName") or arn.rsplit("/", 1)[-1]
        data.groups[name] = Group(
            arn=arn, name=name, account=arn_account(arn) or "",
            inline_policies=_inline(r, rel, r.lst(rel, g, "GroupPolicyList", ptr, required=False), ptr + "/GroupPolicyList"),
            managed_policy_arns=_attached(r, rel, r.lst(rel, g, "AttachedManagedPolicies", ptr, required=False), ptr + "/AttachedManagedPolicies"),
            origin=Origin(rel, ptr),
        )

    for i, ro in enumerate(r.lst(rel, top, "RoleDetailList", "", required=False)):
        data.roles.append(_principal(r, rel, ro, f"/RoleDetailList/{i}", "role"))

    for i, p in enumerate(r.lst(rel, top, "Policies", "", required=False)):
        ptr = f"/Policies/{i}"
        p = r.obj(rel, p, ptr)
        arn = r.string(rel, p, "Arn", ptr)
        versions = r.lst(rel, p, "PolicyVersionList", ptr)
        default = None
        for j, v in enumerate(versions):
            v = r.obj(rel, v, f"{ptr}/PolicyVersionList/{j}")
            if v.get("IsDefaultVersion") is True:
                default = (j, v)
                break
        if default is None:
            r.problem("no-default-version", rel, ptr + "/PolicyVersionList",
                      f"managed policy `{arn}` has no version with `IsDefaultVersion: true`; it is treated as absent", arn)
            continue
        j, v = default
        vptr = f"{ptr}/PolicyVersionList/{j}/Document"
        if "Document" not in v:
            raise r.fail(rel, f"{ptr}/PolicyVersionList/{j}", f"default version of `{arn}` has no `Document`")
        data.policies[arn] = ManagedPolicy(
            arn=arn, name=p.get("PolicyName") or arn.rsplit("/", 1)[-1], version_id=v.get("VersionId") or "",
            document=r.document(rel, v["Document"], vptr), origin=Origin(rel, vptr),
        )

    data.resource_policies = read_resource_policies(r, account_id)

    rel = account_meta(account_id)
    if r.exists(rel):
        src = r.read(rel)
        data.meta = r.obj(rel, src.data, "")
    return data


def read_resource_policies(r: SnapshotReader, account_id: str) -> list[ResourcePolicy]:
    """``accounts/<id>/resource-policies.json`` (empty when the file is absent)."""
    rel = resource_policies(account_id)
    out: list[ResourcePolicy] = []
    if not r.exists(rel):
        return out
    src = r.read(rel)
    for i, rp in enumerate(r.lst(rel, r.obj(rel, src.data, ""), "ResourcePolicies", "")):
        ptr = f"/ResourcePolicies/{i}"
        rp = r.obj(rel, rp, ptr)
        arn = r.string(rel, rp, "Arn", ptr)
        if "Policy" not in rp:
            raise r.fail(rel, ptr, f"resource policy of `{arn}` has no `Policy`")
        parsed = Arn.parse(arn)
        service = rp.get("Service") or (parsed.service if parsed is not None else "")
        out.append(ResourcePolicy(
            arn=arn, service=service, region=rp.get("Region") or "", account=account_id,
            document=r.document(rel, rp["Policy"], ptr + "/Policy"), origin=Origin(rel, ptr + "/Policy"),
            extra=rp.get("Extra") if isinstance(rp.get("Extra"), dict) else {},
        ))
    return out


def read_errors(r: SnapshotReader) -> list[dict]:
    if not r.exists(ERRORS):
        return []
    src = r.read(ERRORS)
    errs = r.lst(ERRORS, r.obj(ERRORS, src.data, ""), "Errors", "")
    for i, e in enumerate(errs):
        if isinstance(e, dict):
            r.problem("collection-error", ERRORS, f"/Errors/{i}",
                      f"collection error in account `{e.get('Account', '?')}` {e.get('Service', '')} "
                      f"{e.get('Operation', '')}: {e.get('Code', '')} {e.get('Message', '')}".strip(), e.get("Account"))
    return [e for e in errs if isinstance(e, dict)]
