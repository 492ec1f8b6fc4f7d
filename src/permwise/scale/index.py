"""The shared index: what one account's unit needs to know about the others.

A unit reads its own account's files and the shared part. Three things cross accounts, and a
first light pass (one *index unit* per account, run on the same executor) collects them:

* **Roles another account can assume**: a role whose trust policy names an account other than
  its own (an account id, an ``arn:aws:iam::ACCOUNT:root``, a principal ARN of that account),
  or ``*`` / ``NotPrincipal``. Only the role's identity and trust policy are kept. A unit for
  account A gets every role naming A or ``*``: that is every role a principal of A could ever
  assume, so ``sts:AssumeRole`` edges out of A are decided exactly as with the whole snapshot
  (the engine needs the caller's policies, which are A's, and the role's trust policy).
* **Resource policies that grant to other accounts** (same test on their ``Principal``): a
  cross-account request is allowed only when the resource policy names the caller, so these
  are the only foreign resource policies that can change a decision of A's principals.
* **The owner of each S3 bucket** (bucket ARNs carry no account): a request on another
  account's bucket is cross-account even when its policy does not name the caller.

``check`` adds the resources its commands name (``want``): their resource policies and roles
are included whatever they name.

The index is a few records per cross-account role or policy, not the accounts' documents.
Its roles (the bulk) are rows of a SQLite database on disk (:mod:`permwise.scale.store`), added
as index units return and read back per unit, sorted by ARN, in the account order of a merge of
every part; each unit carries its own slice to its worker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from permwise.catalog.arn import arn_account
from permwise.environment.load import SnapshotReader, read_account, read_resource_policies
from permwise.environment.model import Principal, ResourcePolicy

ANY = "*"
_ACCOUNT = re.compile(r"^\d{12}$")


def named_accounts(doc: Any, own: str) -> set[str]:
    """Accounts other than ``own`` that an Allow statement of ``doc`` names as AWS principals
    (``*`` for a wildcard principal or a ``NotPrincipal``: every account)."""
    out: set[str] = set()
    if not isinstance(doc, dict):
        return out
    sts = doc.get("Statement")
    for st in sts if isinstance(sts, list) else [sts]:
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        if "NotPrincipal" in st:
            out.add(ANY)
            continue
        pr = st.get("Principal")
        if pr == "*":
            out.add(ANY)
            continue
        if not isinstance(pr, dict):
            continue
        aws = pr.get("AWS", [])
        for v in aws if isinstance(aws, list) else [aws]:
            v = str(v)
            if v == "*" or "${" in v:
                out.add(ANY)
            elif _ACCOUNT.match(v):
                out.add(v)
            elif v.startswith("arn:"):
                acct = arn_account(v)
                if acct == "*" or (acct and "*" in acct):
                    out.add(ANY)
                elif acct:
                    out.add(acct)
    out.discard(own)
    return out


def _wanted(arn: str, want: frozenset[str]) -> bool:
    if arn in want:
        return True
    return ":s3:::" in arn and any(w.startswith(arn + "/") for w in want)


@dataclass(slots=True)
class IndexPart:
    """What one account contributes to the index."""

    account: str
    principals: int = 0
    roles: list[tuple[tuple[str, ...], tuple[str, bytes]]] = field(default_factory=list)
    policies: list[tuple[tuple[str, ...], ResourcePolicy]] = field(default_factory=list)
    buckets: dict[str, str] = field(default_factory=dict)
    #: the account's snapshot problems, when the pass was asked for them (``check``)
    problems: list[Any] = field(default_factory=list)


def index_account(r: SnapshotReader, account: str, want: frozenset[str] = frozenset(), read_iam: bool = True) -> IndexPart:
    """The index part of ``account``: with ``read_iam`` its authorization-details are read
    (for the roles), else only its resource policies."""
    if read_iam:
        data = read_account(r, account)
        return index_records(account, data.users + data.roles, data.resource_policies, want)
    return index_records(account, None, read_resource_policies(r, account), want)


def index_records(account: str, principals: list[Principal] | None, rps: list[ResourcePolicy],
                  want: frozenset[str] = frozenset()) -> IndexPart:
    """The index part of ``account`` from its principals (None: its IAM was not read) and its
    resource policies, read by :func:`index_account` or by a unit's load."""
    part = IndexPart(account)
    if principals is not None:
        part.principals = len(principals)
        for ro in principals:
            if ro.kind != "role":
                continue
            names = named_accounts(ro.trust_policy, ro.account)
            if ro.arn in want:
                names.add("want")
            if names:
                # compact: the record as JSON bytes (a few hundred bytes), read back by the unit
                # that needs it (permwise.environment.partial.foreign_role)
                part.roles.append((tuple(sorted(names)), (ro.arn, orjson.dumps({
                    "arn": ro.arn, "name": ro.name, "path": ro.path, "id": ro.id, "tags": ro.tags,
                    "trust": ro.trust_policy, "file": ro.origin.file, "pointer": ro.origin.pointer}))))
    for rp in rps:
        names = named_accounts(rp.document, account)
        if _wanted(rp.arn, want):
            names.add("want")
        if names:
            part.policies.append((tuple(sorted(names)), rp))
        if ":s3:::" in rp.arn:
            part.buckets[rp.arn] = account
    return part


_ROLES_SCHEMA = """
CREATE TABLE roles (name TEXT NOT NULL, owner TEXT NOT NULL, account TEXT NOT NULL, seq INTEGER NOT NULL,
                    arn TEXT NOT NULL, rec BLOB NOT NULL);
"""


class SharedIndex:
    """The merged index. Roles (the bulk: tens of thousands at organization scale) are rows of a
    SQLite database on disk (:class:`~permwise.scale.store.Db`), read back per unit; resource
    policies that grant to other accounts and the bucket owners are few and stay in memory.
    Parts may be added in any order (:meth:`add`); :meth:`finish` fixes the account order, as
    merging the parts sorted by account does."""

    def __init__(self) -> None:
        from permwise.scale.store import Db

        self._db = Db("permwise-index-", _ROLES_SCHEMA)
        self._parts: list[tuple[str, list[tuple[tuple[str, ...], ResourcePolicy]], dict[str, str]]] = []
        #: named account | "*" | "want" -> resource policies
        self.policies: dict[str, list[ResourcePolicy]] = {}
        self.buckets: dict[str, str] = {}
        self._finished = False

    @classmethod
    def merge(cls, parts: list[IndexPart]) -> SharedIndex:
        idx = cls()
        for part in parts:
            idx.add(part)
        idx.finish()
        return idx

    def add(self, part: IndexPart) -> None:
        """One account's part: its roles go to disk at once, the rest is kept until :meth:`finish`."""
        rows = [(n, arn_account(arn) or "", part.account, seq, arn, rec)
                for seq, (names, (arn, rec)) in enumerate(part.roles) for n in names]
        if rows:
            self._db.conn.executemany("INSERT INTO roles VALUES (?, ?, ?, ?, ?, ?)", rows)
        self._parts.append((part.account, part.policies, part.buckets))

    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._db.conn.execute("CREATE INDEX roles_name ON roles (name)")
        for _, policies, buckets in sorted(self._parts, key=lambda p: p[0]):
            for names, rp in policies:
                for n in names:
                    self.policies.setdefault(n, []).append(rp)
            self.buckets.update(buckets)
        self._parts = []

    def close(self) -> None:
        self._db.close()

    def foreign_for(self, accounts: tuple[str, ...] | list[str]) -> tuple[list[Principal], list[ResourcePolicy]]:
        """Foreign roles and resource policies for a unit of ``accounts`` (sorted by ARN)."""
        from permwise.environment.partial import foreign_role

        roles, pols = self.slice_for(accounts)
        return [foreign_role(r) for r in roles], pols

    def _select(self, accounts: tuple[str, ...] | list[str], what: str, tail: str = "") -> str:
        # the first row of each ARN in the order of the in-memory merge: the unit's accounts,
        # then "*", then "want"; then account directory and position in its file
        keys = [*accounts, ANY, "want"]
        marks = ", ".join("?" * len(keys))
        owners = f"AND owner NOT IN ({', '.join('?' * len(accounts))})" if accounts else ""
        rank = " ".join(f"WHEN ? THEN {i}" for i in range(len(keys)))
        return (f"SELECT {what} FROM (SELECT arn, rec, ROW_NUMBER() OVER (PARTITION BY arn ORDER BY "
                f"CASE name {rank} END, account, seq) AS k FROM roles WHERE name IN ({marks}) "
                f"{owners}) WHERE k = 1 {tail}")

    def _args(self, accounts: tuple[str, ...] | list[str]) -> list[str]:
        keys = [*accounts, ANY, "want"]
        return [*keys, *keys, *accounts]

    def role_count(self, accounts: tuple[str, ...] | list[str]) -> int:
        """How many foreign roles a unit of ``accounts`` gets."""
        self.finish()
        return int(self._db.conn.execute(self._select(accounts, "COUNT(*)"), self._args(accounts)).fetchone()[0])

    def role_records(self, accounts: tuple[str, ...] | list[str], offset: int = 0, limit: int = -1) -> list[bytes]:
        """The foreign roles of a unit of ``accounts`` (JSON bytes), sorted by ARN, from
        ``offset``, at most ``limit`` (-1: all)."""
        self.finish()
        sql = self._select(accounts, "rec", "ORDER BY arn LIMIT ? OFFSET ?")
        return [bytes(r[0]) for r in self._db.conn.execute(sql, [*self._args(accounts), limit, offset])]

    def policies_for(self, accounts: tuple[str, ...] | list[str]) -> list[ResourcePolicy]:
        self.finish()
        pols: dict[str, ResourcePolicy] = {}
        for k in [*accounts, ANY, "want"]:
            for rp in self.policies.get(k, ()):
                if rp.account not in accounts:
                    pols.setdefault(rp.arn, rp)
        return [pols[a] for a in sorted(pols)]

    def slice_for(self, accounts: tuple[str, ...] | list[str]) -> tuple[list[bytes], list[ResourcePolicy]]:
        """The part of the index a unit of ``accounts`` needs (role records as JSON bytes,
        resource policies), sorted by ARN: what travels with the unit."""
        return self.role_records(accounts), self.policies_for(accounts)

    def size(self) -> dict[str, int]:
        self.finish()
        roles = self._db.conn.execute("SELECT COUNT(DISTINCT arn) FROM roles").fetchone()[0]
        return {"roles": int(roles), "policies": len({p.arn for v in self.policies.values() for p in v}),
                "buckets": len(self.buckets)}
