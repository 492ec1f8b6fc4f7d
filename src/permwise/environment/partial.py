"""Part of a snapshot at a time: the small shared part once, then one account (or a few).

An organization's snapshot is a small *shared part* (``snapshot.json``, ``organization/``,
``errors.json``, the list of ``accounts/<id>/`` directories and each account's small
``account.json``) and one large directory per account. :func:`load_shared` reads the shared part;
:func:`load_part` builds an :class:`~permwise.environment.Environment` holding the shared part
plus the IAM data of the accounts asked for, plus *foreign* records another pass found in other
accounts (roles whose trust policies name these accounts, resource policies that grant to them,
and which account owns each S3 bucket). Nothing here holds every account's documents at once;
``permwise.scale`` builds per-account work units on top of it (see docs/scale.md).

The rules of :func:`permwise.environment.load_snapshot` apply unchanged: the same readers, the
same problems, the same ``InputError`` for a snapshot that cannot be used.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from permwise.environment.env import Environment
from permwise.environment.load import OrgData, SnapshotReader, _tags, read_account, read_errors, read_meta, read_organization
from permwise.environment.model import Account, Principal, Problem, ResourcePolicy
from permwise.errors import InputError


@dataclass(slots=True)
class SharedPart:
    """What every unit of an organization's analysis needs: read once per process."""

    root: Path
    meta: dict
    org: OrgData
    #: ``accounts/<id>/`` directories named by a 12-digit id, sorted
    account_dirs: list[str]
    #: every account of the snapshot (organization and IAM directories), ``account.json`` applied
    accounts: dict[str, Account]
    errors: list[dict]
    problems: list[Problem] = field(default_factory=list)


def check_root(root: Path, shown: str) -> None:
    if not root.exists():
        raise InputError("no such snapshot directory", file=shown,
                         hint="build one with `permwise collect` or by hand (see docs/snapshots.md)")
    if not root.is_dir():
        raise InputError("a snapshot is a directory, not a file", file=shown,
                         hint="pass the directory that holds `snapshot.json` and `accounts/`")
    if not any((root / part).exists() for part in ("snapshot.json", "accounts", "organization")):
        raise InputError("not a snapshot directory: it has no `snapshot.json`, `accounts/` or `organization/`",
                         file=shown, hint="pass the directory `permwise collect --out` wrote (layout in docs/snapshots.md)")


def list_account_dirs(root: Path) -> list[str]:
    acc_dir = root / "accounts"
    return sorted(d.name for d in acc_dir.iterdir() if d.is_dir()) if acc_dir.is_dir() else []


def load_shared(path: str | Path, shown: str | None = None) -> SharedPart:
    """Read the shared part of the snapshot at ``path`` (a local directory)."""
    root = Path(path)
    check_root(root, shown or str(path))
    r = SnapshotReader(root)
    meta = read_meta(r)
    org = read_organization(r)
    accounts = {aid: dataclasses.replace(a) for aid, a in org.accounts.items()}
    dirs: list[str] = []
    listed = list_account_dirs(root)
    if not listed:
        r.problem("no-accounts", "accounts", "", "the snapshot has no `accounts/<account-id>/` directory, so no principals")
    for aid in listed:
        if not (len(aid) == 12 and aid.isdigit()):
            r.problem("bad-account-dir", f"accounts/{aid}", "", f"`accounts/{aid}` is not named by a 12-digit account id; ignored")
            continue
        dirs.append(aid)
        acc = accounts.get(aid)
        if acc is None:
            acc = accounts[aid] = Account(id=aid)
            if org.present:
                r.problem("account-not-in-organization", f"accounts/{aid}", "", f"account `{aid}` has IAM data but is "
                          "not in `organization/accounts.json`; no SCPs or RCPs are applied to it", aid)
        acc.has_iam = True
        rel = f"accounts/{aid}/account.json"
        if r.exists(rel):  # small: name, alias and tags label the account in every report
            src = r.read(rel)
            _apply_meta(acc, r.obj(rel, src.data, ""))
    errors = read_errors(r)
    return SharedPart(root, meta, org, dirs, accounts, errors, list(r.problems))


def _apply_meta(acc: Account, meta: dict) -> None:
    if not meta:
        return
    acc.meta = meta
    acc.name = acc.name or str(meta.get("Name") or "")
    acc.alias = str(meta.get("Alias") or "")
    tags = meta.get("Tags")
    if isinstance(tags, (list, dict)):
        acc.tags = _tags(tags)


class PartialEnvironment(Environment):
    """An :class:`Environment` holding some accounts' IAM data (``unit_accounts``) with the whole
    organization, plus foreign roles and resource policies; ``unit_principals`` are the users and
    roles read from the unit's own account directories (foreign roles are not among them)."""

    def __init__(self, root: Path, meta: dict) -> None:
        super().__init__(root, meta)
        self.unit_accounts: tuple[str, ...] = ()
        self.unit_principals: list[Principal] = []
        self.unit_problems: list[Problem] = []
        #: owner of each S3 bucket (whose ARN names no account) anywhere in the snapshot
        self.bucket_accounts: dict[str, str] = {}

    def resource_account(self, resource_arn: str | None) -> str | None:
        acct = super().resource_account(resource_arn)
        if acct is None and resource_arn and ":s3:::" in resource_arn:
            head, _, rest = resource_arn.partition(":s3:::")
            acct = self.bucket_accounts.get(f"{head}:s3:::{rest.split('/', 1)[0]}")
        return acct


def load_part(
    shared: SharedPart,
    account_ids: list[str] | tuple[str, ...],
    *,
    foreign_roles: list[Principal] = (),  # type: ignore[assignment]
    foreign_resource_policies: list[ResourcePolicy] = (),  # type: ignore[assignment]
    bucket_accounts: dict[str, str] | None = None,
    compile_all: bool = True,
) -> PartialEnvironment:
    """An environment of the shared part plus the IAM data of ``account_ids`` (directories of
    the snapshot), plus foreign records. Problems of the unit's accounts are in
    ``env.unit_problems``; ``env.problems`` holds those and the shared part's."""
    from permwise.environment import _dedupe, reference_problems

    r = SnapshotReader(shared.root)
    env = PartialEnvironment(shared.root, shared.meta)
    org = shared.org
    env.organization_id = org.id
    env.management_account_id = org.management_account_id
    env.root_id = org.root_id
    env.root_name = org.root_name
    env.scp_enabled = org.scp_enabled
    env.rcp_enabled = org.rcp_enabled
    env.ous = org.ous
    env.accounts = dict(shared.accounts)
    env.org_policies = org.policies
    env.unit_accounts = tuple(account_ids)
    own: list[Principal] = []
    for aid in account_ids:
        data = read_account(r, aid)
        rel = f"accounts/{aid}/authorization-details.json"
        for g in data.groups.values():
            env.groups[g.arn] = g
        for arn, mp in data.policies.items():
            env.managed_policies.setdefault(arn, mp)
        for pr in data.users + data.roles:
            if pr.account != aid:
                r.problem("principal-account", rel, pr.origin.pointer + "/Arn",
                          f"`{pr.arn}` belongs to account `{pr.account}` but is listed under `accounts/{aid}`", pr.arn)
            if pr.arn in env._principals:
                raise r.fail(rel, pr.origin.pointer + "/Arn", f"principal `{pr.arn}` is listed twice")
            env._add_principal(pr)
            own.append(pr)
        for rp in data.resource_policies:
            env.resource_policies[rp.arn] = rp
    for fr in foreign_roles:
        if fr.arn not in env._principals:
            env._add_principal(fr)
    for rp in foreign_resource_policies:
        env.resource_policies.setdefault(rp.arn, rp)
    env.bucket_accounts = dict(bucket_accounts or {})
    env.errors = shared.errors
    env._index()
    env._principal_problems = reference_problems(r, env, sorted(own, key=lambda p: p.arn))
    env.unit_principals = sorted(own, key=lambda p: p.arn)
    env.unit_problems = _dedupe(r.problems)
    env.problems = sort_problems(list(shared.problems) + env.unit_problems)
    if compile_all:
        _compile_unit(env)
    return env


def _compile_unit(env: PartialEnvironment) -> None:
    """What :func:`permwise.environment._compile_all` does, for the unit's accounts only: an
    invalid document is reported when its account is read."""
    for p in env.principals():
        env._identity_for(p)
        if p.kind == "role" and p.trust_policy is not None:
            env._resource_policy(p.arn)
    for arn in env.managed_policies:
        env._managed(arn, "identity")
    for aid in env.unit_accounts:
        if aid in env.accounts:
            if env.scp_enabled:
                env.scp_chain(aid)
            if env.rcp_enabled:
                env.rcp_chain(aid)
    for arn in env.resource_policies:
        env._resource_policy(arn)


#: at most this many documents are remembered as valid (then the set starts again): a worker's
#: memory stays bounded by its account, not by how many accounts it has read
VALID_MEMORY = 20_000


def validate_unit(env: PartialEnvironment, seen: set[tuple[str, bytes]]) -> None:
    """Every document :func:`_compile_unit` would compile is checked the same way, in the same
    order (so the first invalid one raises the same one-line error), but a document whose text
    and policy type were already found valid in this process (``seen``: one set for a worker's
    accounts, each remembered by a 128-bit BLAKE2 digest of its JSON text, at most
    :data:`VALID_MEMORY` of them) is not compiled again: the same AWS managed policies, trust
    policies and templated inline policies repeat across an organization's accounts. Nothing
    compiled is kept: this is the check of a pass that only needs the accounts' problems
    (``check``'s index pass)."""
    import hashlib

    import orjson

    def once(doc: Any, kind: str, do: Any) -> None:
        try:
            key = (kind, hashlib.blake2b(orjson.dumps(doc), digest_size=16).digest())
        except TypeError:
            do()
            return
        if key not in seen:
            do()
            if len(seen) >= VALID_MEMORY:
                seen.clear()
            seen.add(key)

    def managed(arn: str, kind: str) -> None:
        mp = env.managed_policies.get(arn)
        if mp is not None:
            once(mp.document, kind, lambda: env._managed(arn, kind))

    # the order of Environment._identity_for, then the trust policy
    for p in env.principals():
        for ip in p.inline_policies:
            once(ip.document, "identity", lambda ip=ip, p=p: env.compile(
                ("inline", p.arn, ip.name), ip.document, f"inline:{p.kind}/{p.name}/{ip.name}", "identity", ip.origin))
        for arn in p.managed_policy_arns:
            managed(arn, "identity")
        for gname in p.groups:
            g = env._groups_by_name.get((p.account, gname))
            if g is None:
                continue
            for ip in g.inline_policies:
                once(ip.document, "identity", lambda ip=ip, g=g: env.compile(
                    ("inline", g.arn, ip.name), ip.document, f"inline:group/{g.name}/{ip.name}", "identity", ip.origin))
            for arn in g.managed_policy_arns:
                managed(arn, "identity")
        if p.boundary_arn:
            managed(p.boundary_arn, "boundary")
        if p.kind == "role" and p.trust_policy is not None:
            once(p.trust_policy, "trust", lambda p=p: env._resource_policy(p.arn))
    for arn in env.managed_policies:
        managed(arn, "identity")
    for aid in env.unit_accounts:
        if aid in env.accounts:
            if env.scp_enabled:
                env.scp_chain(aid)
            if env.rcp_enabled:
                env.rcp_chain(aid)
    for arn, rp in env.resource_policies.items():
        if env._principals.get(arn) is None:
            once(rp.document, "resource", lambda arn=arn: env._resource_policy(arn))
        else:
            env._resource_policy(arn)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Deduplicated and sorted as :func:`permwise.environment.load_snapshot` sorts them."""
    return sorted(dict.fromkeys(problems), key=lambda x: (x.file, x.pointer, x.code, x.message))


def foreign_role(raw: dict[str, Any] | bytes) -> Principal:
    """A role of another account as the shared index keeps it (see ``permwise.scale.index``;
    a JSON object, or its bytes): its trust policy and identity, no permissions of its own in
    this unit."""
    from permwise.environment.model import Origin, arn_account

    if isinstance(raw, bytes):
        import orjson

        raw = orjson.loads(raw)

    arn = raw["arn"]
    return Principal(
        arn=arn, account=arn_account(arn), kind="role", name=raw.get("name") or arn.rsplit("/", 1)[-1],
        path=raw.get("path") or "/", id=raw.get("id") or "", tags=dict(raw.get("tags") or {}),
        trust_policy=raw["trust"], boundary_arn=None, inline_policies=[], managed_policy_arns=[], groups=[],
        origin=Origin(raw["file"], raw["pointer"]), raw={},
    )
