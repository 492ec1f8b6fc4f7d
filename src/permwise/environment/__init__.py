"""Environment snapshots: load a snapshot directory and resolve a principal's effective policies.

>>> from permwise.environment import load_snapshot          # doctest: +SKIP
>>> env = load_snapshot("snapshot/")                         # doctest: +SKIP
>>> ps = env.policy_set("arn:aws:iam::222222222222:role/RunbooksBilling")   # doctest: +SKIP

The directory layout is documented in ``docs/snapshots.md`` and published as a JSON Schema in
``docs/schemas/snapshot.schema.json``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from permwise.environment.documents import DocumentError, decode_document
from permwise.environment.env import Environment, PolicyRef
from permwise.environment.load import (
    SnapshotReader,
    read_account,
    read_errors,
    read_meta,
    read_organization,
)
from permwise.environment.model import (
    RCP_TYPE,
    SCP_TYPE,
    SNAPSHOT_FORMAT,
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
from permwise.errors import InputError

__all__ = [
    "RCP_TYPE",
    "SCP_TYPE",
    "SNAPSHOT_FORMAT",
    "Account",
    "DocumentError",
    "Environment",
    "Group",
    "InlinePolicy",
    "ManagedPolicy",
    "OrgPolicy",
    "OrgUnit",
    "Origin",
    "PolicyRef",
    "Principal",
    "Problem",
    "ResourcePolicy",
    "decode_document",
    "load_snapshot",
]


def load_snapshot(path: str | Path, *, compile_all: bool = True) -> Environment:
    """Load the snapshot directory ``path``.

    Raises :class:`~permwise.errors.InputError` (file, line and JSON pointer) when the snapshot
    cannot be used; records everything else that is incomplete in ``env.problems``. With
    ``compile_all`` (the default) every policy document is compiled now, so that an invalid one
    is reported at load time rather than in the middle of an analysis.
    """
    root = Path(path)
    if not root.exists():
        raise InputError("no such snapshot directory", file=str(path),
                         hint="build one with `permwise collect` or by hand (see docs/snapshots.md)")
    if not root.is_dir():
        raise InputError("a snapshot is a directory, not a file", file=str(path),
                         hint="pass the directory that holds `snapshot.json` and `accounts/`")
    if not any((root / part).exists() for part in ("snapshot.json", "accounts", "organization")):
        raise InputError("not a snapshot directory: it has no `snapshot.json`, `accounts/` or `organization/`",
                         file=str(path),
                         hint="pass the directory `permwise collect --out` wrote (layout in docs/snapshots.md)")
    r = SnapshotReader(root)
    meta = read_meta(r)
    env = Environment(root, meta)
    org = read_organization(r)
    if meta.get("organization_id") and not org.present:
        raise InputError(f"`snapshot.json` says the snapshot is of organization `{meta['organization_id']}`, "
                         "but `organization/` is missing", file=str(root / "organization"),
                         hint="without it no SCP or RCP is applied; collect the snapshot again")
    if meta.get("complete") is False:
        r.problem("snapshot-incomplete", "snapshot.json", "/complete", "the snapshot is marked incomplete (a collect "
                  "run stopped before every unit was read); results that rely on it are unknown")
    env.organization_id = org.id
    env.management_account_id = org.management_account_id
    env.root_id = org.root_id
    env.root_name = org.root_name
    env.scp_enabled = org.scp_enabled
    env.rcp_enabled = org.rcp_enabled
    env.ous = org.ous
    env.accounts = dict(org.accounts)
    env.org_policies = org.policies

    gaps = {str(e.get("Account")) for e in read_errors(SnapshotReader(root)) if e.get("Account")}
    acc_dir = root / "accounts"
    account_dirs = sorted(d.name for d in acc_dir.iterdir() if d.is_dir()) if acc_dir.is_dir() else []
    if not account_dirs:
        r.problem("no-accounts", "accounts", "", "the snapshot has no `accounts/<account-id>/` directory, so no principals")
    for aid in account_dirs:
        if not (len(aid) == 12 and aid.isdigit()):
            r.problem("bad-account-dir", f"accounts/{aid}", "", f"`accounts/{aid}` is not named by a 12-digit account id; ignored")
            continue
        if not r.exists(f"accounts/{aid}/authorization-details.json") and aid in gaps:
            # collect recorded why this account's IAM is missing: its results are unknown, the rest stands
            r.problem("account-without-iam", f"accounts/{aid}", "", f"account `{aid}` has no "
                      "`authorization-details.json`; errors.json records why: its principals and resources are "
                      "unknown (nothing about them is reported)", aid)
            continue
        data = read_account(r, aid)
        acc = env.accounts.get(aid)
        if acc is None:
            if org.present and not (isinstance(data.meta, dict) and data.meta.get("OutsideOrganization") is True):
                # its SCPs and RCPs are unknown: evaluating without them could report ready what is blocked
                raise InputError(f"account `{aid}` has IAM data but is not in `organization/accounts.json`",
                                 file=str(root / "accounts" / aid),
                                 hint="collect the snapshot again, remove the directory of an account that "
                                 "left the organization, or mark an outside account's IAM with "
                                 "`\"OutsideOrganization\": true` in its account.json")
            acc = env.accounts[aid] = Account(id=aid)
        acc.has_iam = True
        if data.meta:
            acc.meta = data.meta
            acc.name = acc.name or str(data.meta.get("Name") or "")
            acc.alias = str(data.meta.get("Alias") or "")
            bpa = data.meta.get("S3PublicAccessBlock")
            acc.s3_public_access_block = bpa if isinstance(bpa, dict) else None
            tags = data.meta.get("Tags")
            if isinstance(tags, (list, dict)):
                from permwise.environment.load import tag_map

                acc.tags = tag_map(tags)
        rel = f"accounts/{aid}/authorization-details.json"
        for g in data.groups.values():
            env.groups[g.arn] = g
        for arn, mp in data.policies.items():
            env.managed_policies.setdefault(arn, mp)  # AWS managed policies repeat per account
        for pr in data.users + data.roles:
            if pr.account != aid:
                r.problem("principal-account", rel, pr.origin.pointer + "/Arn",
                          f"`{pr.arn}` belongs to account `{pr.account}` but is listed under `accounts/{aid}`", pr.arn)
            if pr.arn in env._principals:
                raise r.fail(rel, pr.origin.pointer + "/Arn", f"principal `{pr.arn}` is listed twice")
            env._add_principal(pr)
        for rp in data.resource_policies:
            env.resource_policies[rp.arn] = rp
    if org.present:
        for aid in sorted(set(org.accounts) - set(account_dirs)):
            r.problem("account-without-iam", "organization/accounts.json", "/Accounts",
                      f"account `{aid}` is in the organization but has no `accounts/{aid}/` directory: its principals "
                      "and resources are unknown (nothing about them is reported)", aid)
    env.errors = read_errors(r)
    env._index()

    # references from principals: groups, managed policies, boundaries
    env._principal_problems = reference_problems(r, env, env.principals())
    env.problems = sorted(
        dedupe_problems(r.problems), key=lambda x: (x.file, x.pointer, x.code, x.message)
    )
    if compile_all:
        _compile_all(env)
    return env



def reference_problems(r: SnapshotReader, env: Environment, principals: Iterable[Principal]) -> dict[str, list[Problem]]:
    """Problems of the references each principal makes (managed policies, its boundary, its
    groups and their policies) that the snapshot cannot resolve, recorded in ``r`` and returned
    by principal ARN. Shared by the whole-snapshot and the per-account loader."""
    pp: dict[str, list[Problem]] = {}
    for p in principals:
        rel = p.origin.file
        for i, arn in enumerate(p.managed_policy_arns):
            if arn not in env.managed_policies:
                _ref_problem(r, pp, p, "absent-policy", rel, f"{p.origin.pointer}/AttachedManagedPolicies/{i}/PolicyArn",
                             f"policy `{arn}` is attached to `{p.arn}` but absent from the snapshot (collect "
                             "authorization-details without a `--filter`, or with `LocalManagedPolicy AWSManagedPolicy`); "
                             "its permissions are not counted")
        if p.boundary_arn and p.boundary_arn not in env.managed_policies:
            _ref_problem(r, pp, p, "absent-boundary", rel, f"{p.origin.pointer}/PermissionsBoundary/PermissionsBoundaryArn",
                         f"permissions boundary `{p.boundary_arn}` of `{p.arn}` is absent from the snapshot; it is not applied")
        for i, gname in enumerate(p.groups):
            g = env._groups_by_name.get((p.account, gname))
            if g is None:
                _ref_problem(r, pp, p, "absent-group", rel, f"{p.origin.pointer}/GroupList/{i}",
                             f"user `{p.arn}` is in group `{gname}`, which is not in `GroupDetailList`; the group's "
                             "policies are not counted")
                continue
            for j, arn in enumerate(g.managed_policy_arns):
                if arn not in env.managed_policies:
                    _ref_problem(r, pp, p, "absent-policy", g.origin.file, f"{g.origin.pointer}/AttachedManagedPolicies/{j}/PolicyArn",
                                 f"policy `{arn}` is attached to group `{g.name}` but absent from the snapshot; its "
                                 "permissions are not counted")
    return pp


def _ref_problem(r: SnapshotReader, pp: dict, p: Principal, code: str, rel: str, pointer: str, message: str) -> None:
    prob = Problem(code, rel, pointer, message, p.arn)
    r.problems.append(prob)
    pp.setdefault(p.arn, []).append(prob)


def dedupe_problems(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _compile_all(env: Environment) -> None:
    for p in env.principals():
        env._identity_for(p)
        if p.kind == "role" and p.trust_policy is not None:
            env._resource_policy(p.arn)
    for arn in env.managed_policies:
        env._managed(arn, "identity")
    for aid in env.accounts:
        if env.scp_enabled:
            env.scp_chain(aid)
        if env.rcp_enabled:
            env.rcp_chain(aid)
    for arn in env.resource_policies:
        env._resource_policy(arn)
    for op in env.org_policies.values():  # validate policies attached nowhere too
        env.compile(("org", op.id, None), op.document, op.name, op.kind, op.origin)


def timed_load(path: str | Path) -> tuple[Environment, float]:
    """``load_snapshot`` and the seconds it took (for benchmarks and ``--verbose``)."""
    t = time.perf_counter()
    env = load_snapshot(path)
    return env, time.perf_counter() - t
