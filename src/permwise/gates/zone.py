"""The zone of trust: the accounts and organizations a gate treats as "ours"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from permwise.errors import InputError

_ACCOUNT = re.compile(r"^\d{12}$")
_ORG = re.compile(r"^o-[a-z0-9]{10,32}$")


@dataclass(frozen=True, slots=True)
class Zone:
    """Accounts (12 digits) and organization ids (``o-...``). Empty: nothing is known to be ours."""

    accounts: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        return bool(self.accounts or self.orgs)

    def has_account(self, account: str | None) -> bool:
        return account is not None and account in self.accounts

    def with_account(self, account: str | None) -> Zone:
        if not account or account in self.accounts:
            return self
        return Zone(tuple(sorted({*self.accounts, account})), self.orgs)

    def describe(self) -> str:
        parts = list(self.accounts) + list(self.orgs)
        return ", ".join(f"`{p}`" for p in parts) if parts else "(none)"

    @classmethod
    def parse(cls, values: list[str] | None, *, option: str = "--zone") -> Zone:
        accounts: set[str] = set()
        orgs: set[str] = set()
        for raw in values or []:
            for v in str(raw).split(","):
                v = v.strip()
                if not v:
                    continue
                if _ACCOUNT.match(v):
                    accounts.add(v)
                elif _ORG.match(v):
                    orgs.add(v)
                else:
                    raise InputError(f"`{v}` is neither a 12-digit account id nor an organization id (o-...)",
                                     file=option, hint="e.g. --zone 111122223333,o-a1b2c3d4e5")
        return cls(tuple(sorted(accounts)), tuple(sorted(orgs)))
