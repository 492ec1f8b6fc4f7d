"""Environment snapshots: load a snapshot directory and resolve a principal's effective policies.

>>> from permwise.environment import load_snapshot          # doctest: +SKIP
>>> env = load_snapshot("snapshot/")                         # doctest: +SKIP
>>> ps = env.policy_set("arn:aws:iam::222222222222:role/RunbooksBilling")   # doctest: +SKIP

The directory layout is documented in ``docs/snapshots.md`` and published as a JSON Schema in
``docs/schemas/snapshot.schema.json``.
"""

from __future__ import annotations

import time
from pathlib import Path

from permwise.environment.assemble import (
    add_account_iam,
    apply_account_meta,
    compile_documents,
    reference_problems,
    sort_problems,
)
from permwise.environment.documents import DocumentError, decode_document
from permwise.environment.env import Environment, PolicyRef
from permwise.environment.layout import (
    ACCOUNTS_DIR,
    META,
    ORG_ACCOUNTS,
    ORG_DIR,
    account_dir,
    authorization_details,
    check_root,
    list_account_dirs,
)
from permwise.environment.layout import FORMAT as SNAPSHOT_FORMAT
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
    check_root(root, str(path))
    r = SnapshotReader(root)
    meta = read_meta(r)
    org = read_organization(r)
    if meta.get("organization_id") and not org.present:
        raise InputError(f"`{META}` says the snapshot is of organization `{meta['organization_id']}`, "
                         f"but `{ORG_DIR}/` is missing", file=str(root / ORG_DIR),
                         hint="without it no SCP or RCP is applied; collect the snapshot again")
    if meta.get("complete") is False:
        r.problem("snapshot-incomplete", META, "/complete", "the snapshot is marked incomplete (a collect "
                  "run stopped before every unit was read); results that rely on it are unknown")
    env = Environment(root, meta, org)

    gaps = {str(e.get("Account")) for e in read_errors(SnapshotReader(root)) if e.get("Account")}
    account_dirs = list_account_dirs(root)
    if not account_dirs:
        r.problem("no-accounts", ACCOUNTS_DIR, "", "the snapshot has no `accounts/<account-id>/` directory, so no principals")
    for aid in account_dirs:
        if not (len(aid) == 12 and aid.isdigit()):
            r.problem("bad-account-dir", account_dir(aid), "", f"`accounts/{aid}` is not named by a 12-digit account id; ignored")
            continue
        if not r.exists(authorization_details(aid)) and aid in gaps:
            # collect recorded why this account's IAM is missing: its results are unknown, the rest stands
            r.problem("account-without-iam", account_dir(aid), "", f"account `{aid}` has no "
                      "`authorization-details.json`; errors.json records why: its principals and resources are "
                      "unknown (nothing about them is reported)", aid)
            continue
        data = read_account(r, aid)
        acc = env.accounts.get(aid)
        if acc is None:
            if org.present and not (isinstance(data.meta, dict) and data.meta.get("OutsideOrganization") is True):
                # its SCPs and RCPs are unknown: evaluating without them could report ready what is blocked
                raise InputError(f"account `{aid}` has IAM data but is not in `{ORG_ACCOUNTS}`",
                                 file=str(root / account_dir(aid)),
                                 hint="collect the snapshot again, remove the directory of an account that "
                                 "left the organization, or mark an outside account's IAM with "
                                 "`\"OutsideOrganization\": true` in its account.json")
            acc = env.accounts[aid] = Account(id=aid)
        acc.has_iam = True
        if data.meta:
            apply_account_meta(acc, data.meta)
        add_account_iam(env, r, aid, data)
    if org.present:
        for aid in sorted(set(org.accounts) - set(account_dirs)):
            r.problem("account-without-iam", ORG_ACCOUNTS, "/Accounts",
                      f"account `{aid}` is in the organization but has no `accounts/{aid}/` directory: its principals "
                      "and resources are unknown (nothing about them is reported)", aid)
    env.errors = read_errors(r)
    env.build_indexes()

    # references from principals: groups, managed policies, boundaries
    env.set_principal_problems(reference_problems(r, env, env.principals()))
    env.problems = sort_problems(r.problems)
    if compile_all:
        compile_documents(env, env.accounts, unattached=True)
    return env


def timed_load(path: str | Path) -> tuple[Environment, float]:
    """``load_snapshot`` and the seconds it took (for benchmarks and ``--verbose``)."""
    t = time.perf_counter()
    env = load_snapshot(path)
    return env, time.perf_counter() - t
