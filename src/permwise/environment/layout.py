"""The snapshot format, in one place: its version, the path of every file and the schema.

A snapshot is a directory (documented in ``docs/snapshots.md``; each file's JSON Schema is
``docs/schemas/snapshot.schema.json``, shipped as :data:`SCHEMA_RESOURCE`)::

    snapshot.json                               META: format, partition, regions, ...
    errors.json                                 ERRORS: what a collect run could not read
    organization/organization.json              ORGANIZATION
    organization/roots.json                     ROOTS
    organization/ous.json                       OUS
    organization/accounts.json                  ORG_ACCOUNTS
    organization/policies/<policy-id>.json      org_policy(id)
    organization/targets/<policy-id>.json       org_policy(id, targets=True)
    accounts/<account-id>/authorization-details.json   authorization_details(id)
    accounts/<account-id>/resource-policies.json       resource_policies(id)
    accounts/<account-id>/account.json                 account_meta(id)

Paths are relative to the snapshot directory, ``/``-separated. The loaders
(:mod:`permwise.environment.load`, :mod:`permwise.environment.partial`, :mod:`permwise.scale`),
the builder (:mod:`permwise.environment.builder`) and ``permwise collect``
(:mod:`permwise.aws.collect`) all name files through this module.
"""

from __future__ import annotations

from pathlib import Path

from permwise.errors import InputError

#: ``snapshot.json`` ``format`` value this version reads and writes
FORMAT = "permwise-snapshot/1"

META = "snapshot.json"
ERRORS = "errors.json"
ORG_DIR = "organization"
ORGANIZATION = f"{ORG_DIR}/organization.json"
ROOTS = f"{ORG_DIR}/roots.json"
OUS = f"{ORG_DIR}/ous.json"
ORG_ACCOUNTS = f"{ORG_DIR}/accounts.json"
ORG_POLICIES = f"{ORG_DIR}/policies"
ORG_TARGETS = f"{ORG_DIR}/targets"
ACCOUNTS_DIR = "accounts"

#: the published JSON Schema: inside the package, and where the docs publish it
SCHEMA_RESOURCE = "data/schemas/snapshot.schema.json"
SCHEMA_DOC = "docs/schemas/snapshot.schema.json"


#: the files of one account's directory
AUTHORIZATION_DETAILS = "authorization-details.json"
RESOURCE_POLICIES = "resource-policies.json"
ACCOUNT_META = "account.json"


def account_dir(account_id: str) -> str:
    return f"{ACCOUNTS_DIR}/{account_id}"


def authorization_details(account_id: str) -> str:
    """The unchanged output of ``aws iam get-account-authorization-details`` for the account."""
    return f"{account_dir(account_id)}/{AUTHORIZATION_DETAILS}"


def resource_policies(account_id: str) -> str:
    return f"{account_dir(account_id)}/{RESOURCE_POLICIES}"


def account_meta(account_id: str) -> str:
    return f"{account_dir(account_id)}/{ACCOUNT_META}"


def org_policy(policy_id: str, targets: bool = False) -> str:
    """The file of an organization policy (``targets``: the file of its attachments)."""
    return f"{ORG_TARGETS if targets else ORG_POLICIES}/{policy_id}.json"


def check_root(root: Path, shown: str) -> None:
    """Raise the one-line :class:`InputError` when ``root`` is not a snapshot directory."""
    if not root.exists():
        raise InputError("no such snapshot directory", file=shown,
                         hint="build one with `permwise collect` or by hand (see docs/snapshots.md)")
    if not root.is_dir():
        raise InputError("a snapshot is a directory, not a file", file=shown,
                         hint=f"pass the directory that holds `{META}` and `{ACCOUNTS_DIR}/`")
    if not any((root / part).exists() for part in (META, ACCOUNTS_DIR, ORG_DIR)):
        raise InputError(f"not a snapshot directory: it has no `{META}`, `{ACCOUNTS_DIR}/` or `{ORG_DIR}/`",
                         file=shown, hint="pass the directory `permwise collect --out` wrote (layout in docs/snapshots.md)")


def list_account_dirs(root: Path) -> list[str]:
    """Names of the directories under ``accounts/`` (sorted; not checked)."""
    acc_dir = root / ACCOUNTS_DIR
    return sorted(d.name for d in acc_dir.iterdir() if d.is_dir()) if acc_dir.is_dir() else []
