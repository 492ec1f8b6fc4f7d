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

from permwise.environment.assemble import (
    add_account_iam,
    apply_account_meta,
    compile_documents,
    dedupe,
    reference_problems,
    sort_problems,
)
from permwise.environment.env import Environment
from permwise.environment.layout import account_meta, check_root, list_account_dirs
from permwise.environment.load import (
    OrgData,
    SnapshotReader,
    read_account,
    read_errors,
    read_meta,
    read_organization,
)
from permwise.environment.model import Account, Principal, Problem, ResourcePolicy


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
        rel = account_meta(aid)
        if r.exists(rel):  # small: name, alias and tags label the account in every report
            src = r.read(rel)
            apply_account_meta(acc, r.obj(rel, src.data, ""))
    errors = read_errors(r)
    return SharedPart(root, meta, org, dirs, accounts, errors, list(r.problems))


class PartialEnvironment(Environment):
    """An :class:`Environment` holding some accounts' IAM data (``unit_accounts``) with the whole
    organization, plus foreign roles and resource policies; ``unit_principals`` are the users and
    roles read from the unit's own account directories (foreign roles are not among them)."""

    def __init__(self, root: Path, meta: dict, org: OrgData | None = None,
                 accounts: dict[str, Account] | None = None) -> None:
        super().__init__(root, meta, org, accounts)
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
    r = SnapshotReader(shared.root)
    env = PartialEnvironment(shared.root, shared.meta, shared.org, shared.accounts)
    env.unit_accounts = tuple(account_ids)
    own: list[Principal] = []
    for aid in account_ids:
        own.extend(add_account_iam(env, r, aid, read_account(r, aid)))
    for fr in foreign_roles:
        if env.principal(fr.arn) is None:
            env.add_principal(fr)
    for rp in foreign_resource_policies:
        env.resource_policies.setdefault(rp.arn, rp)
    env.bucket_accounts = dict(bucket_accounts or {})
    env.errors = shared.errors
    env.build_indexes()
    env.set_principal_problems(reference_problems(r, env, sorted(own, key=lambda p: p.arn)))
    env.unit_principals = sorted(own, key=lambda p: p.arn)
    env.unit_problems = dedupe(r.problems)
    env.problems = sort_problems(list(shared.problems) + env.unit_problems)
    if compile_all:
        # what load_snapshot compiles, for the unit's accounts only: an invalid document is
        # reported when its account is read
        compile_documents(env, [aid for aid in env.unit_accounts if aid in env.accounts], unattached=False)
    return env


#: at most this many documents are remembered as valid (then the set starts again): a worker's
#: memory stays bounded by its account, not by how many accounts it has read
VALID_MEMORY = 20_000


def validate_unit(env: PartialEnvironment, seen: set[tuple[str, bytes]]) -> None:
    """Every document :func:`permwise.environment.assemble.compile_documents` would compile is checked the same way, in the same
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
            once(mp.document, kind, lambda: env.managed(arn, kind))

    # the order of Environment.identity_for, then the trust policy
    for p in env.principals():
        for ip in p.inline_policies:
            once(ip.document, "identity", lambda ip=ip, p=p: env.compile(
                ("inline", p.arn, ip.name), ip.document, f"inline:{p.kind}/{p.name}/{ip.name}", "identity", ip.origin))
        for arn in p.managed_policy_arns:
            managed(arn, "identity")
        for gname in p.groups:
            g = env.group_named(p.account, gname)
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
            once(p.trust_policy, "trust", lambda p=p: env.resource_policy_of(p.arn))
    for arn in env.managed_policies:
        managed(arn, "identity")
    for aid in env.unit_accounts:
        if aid in env.accounts:
            if env.scp_enabled:
                env.scp_chain(aid)
            if env.rcp_enabled:
                env.rcp_chain(aid)
    for arn, rp in env.resource_policies.items():
        if env.principal(arn) is None:
            once(rp.document, "resource", lambda arn=arn: env.resource_policy_of(arn))
        else:
            env.resource_policy_of(arn)


def foreign_role(raw: dict[str, Any] | bytes) -> Principal:
    """A role of another account as the shared index keeps it (see ``permwise.scale.index``;
    a JSON object, or its bytes): its trust policy and identity, no permissions of its own in
    this unit."""
    from permwise.catalog.arn import arn_account
    from permwise.environment.model import Origin

    if isinstance(raw, bytes):
        import orjson

        raw = dict(orjson.loads(raw))
    assert isinstance(raw, dict)

    arn = raw["arn"]
    return Principal(
        arn=arn, account=arn_account(arn) or "", kind="role", name=raw.get("name") or arn.rsplit("/", 1)[-1],
        path=raw.get("path") or "/", id=raw.get("id") or "", tags=dict(raw.get("tags") or {}),
        trust_policy=raw["trust"], boundary_arn=None, inline_policies=[], managed_policy_arns=[], groups=[],
        origin=Origin(raw["file"], raw["pointer"]), raw={},
    )
