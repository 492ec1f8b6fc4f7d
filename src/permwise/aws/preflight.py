"""``permwise preflight``: are the credential profiles routed to the right accounts?

For each profile (management, operations, billing, workload by default; a manifest's own profiles
when one is given), preflight asks STS who the profile is and Organizations which account is the
management account, then gives one verdict per profile with the fix:

- the management profile must be in the organization's management account (``MasterAccountId``);
- management, operations and billing must be three different accounts (the four-profile
  contract: "all three get-caller-identity calls return different account IDs");
- with a manifest, every command is routed command -> profile -> account and flagged when that
  account cannot serve it: Organizations APIs outside the management account and the delegated
  administrators (AWS answers those with AccessDenied, or an empty list: the *cross-account
  silent zero*, never to be read as "no resources"), Cost Explorer outside the management (payer)
  account (only that account's own costs).

Statuses: ``ok``; ``skip`` (profile not set); ``warn`` (works, with a caveat); ``fail`` (a verdict
failed: exit 1); ``error`` (the check could not run: missing profile, bad credentials,
unreachable endpoint: exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions

from permwise.aws.session import PREFLIGHT_CONFIG, Clients, classify, make_session, missing_profile_message
from permwise.errors import InputError

#: The four-profile contract (runbooks-four-profile-contract.txt).
DEFAULT_PROFILES: dict[str, tuple[str, str]] = {
    "management": ("AWS_MANAGEMENT_PROFILE", "management"),
    "operations": ("AWS_OPERATIONS_PROFILE", "member"),
    "billing": ("AWS_BILLING_PROFILE", "billing"),
    "workload": ("AWS_PROFILE", "member"),
}
#: Profiles that must land in pairwise different accounts.
DISTINCT_PROFILES = ("management", "operations", "billing")

#: Organizations operations a member account may call (AWS Organizations User Guide, "Actions
#: you can perform as a member account"); every other organizations:* action needs the
#: management account or a delegated administrator.
MEMBER_ORGANIZATIONS_ACTIONS = frozenset(
    a.lower()
    for a in (
        "organizations:DescribeOrganization",
        "organizations:LeaveOrganization",
        "organizations:AcceptHandshake",
        "organizations:DeclineHandshake",
        "organizations:DescribeHandshake",
        "organizations:ListHandshakesForAccount",
        "organizations:DescribeEffectivePolicy",
    )
)
#: Services whose organization-wide data only the management (payer) account sees.
PAYER_SERVICES = frozenset({"ce", "cur", "billing", "consolidatedbilling", "bcm-data-exports"})

OK, SKIP, WARN, FAIL, ERROR = "ok", "skip", "warn", "fail", "error"
_RANK = {OK: 0, SKIP: 0, WARN: 1, FAIL: 2, ERROR: 3}


@dataclass
class ProfileCheck:
    name: str  # the manifest/contract profile name (management, operations...)
    env_var: str | None
    aws_profile: str | None
    account_kind: str | None
    account: str | None = None
    arn: str | None = None
    organization: str | None = None
    management_account: str | None = None
    verdict: str = "OK"
    status: str = OK
    message: str = ""
    fix: str | None = None
    notes: list[str] = field(default_factory=list)

    def set(self, verdict: str, status: str, message: str, fix: str | None = None) -> None:
        """Record a verdict; the first of the most severe ones stays the verdict, the others
        become notes (so a wrong management account is not hidden by a shared account)."""
        if self.status == OK or _RANK[status] > _RANK[self.status]:
            if self.status not in (OK, SKIP):
                self.notes.insert(0, f"{self.verdict}: {self.message}")
            self.verdict, self.status, self.message, self.fix = verdict, status, message, fix
        else:
            self.notes.append(f"{verdict}: {message}" + (f" (fix: {fix})" if fix else ""))

    def as_json(self) -> dict[str, Any]:
        return {
            "profile": self.name,
            "env_var": self.env_var,
            "aws_profile": self.aws_profile,
            "account_kind": self.account_kind,
            "account": self.account,
            "arn": self.arn,
            "organization": self.organization,
            "management_account": self.management_account,
            "verdict": self.verdict,
            "status": self.status,
            "message": self.message,
            "fix": self.fix,
            "notes": self.notes,
        }


@dataclass
class RouteCheck:
    command: str
    profile: str
    aws_profile: str | None
    account: str | None
    needs: str  # "any" | "organizations" | "payer"
    verdict: str
    status: str
    message: str
    fix: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("command", "profile", "aws_profile", "account", "needs", "verdict", "status", "message", "fix")}


@dataclass
class PreflightReport:
    profiles: list[ProfileCheck]
    routes: list[RouteCheck]
    management_account: str | None
    delegated_administrators: list[str] | None  # None: unknown
    manifest: str | None = None

    @property
    def exit_code(self) -> int:
        statuses = {p.status for p in self.profiles} | {r.status for r in self.routes}
        if ERROR in statuses:
            return 2
        if FAIL in statuses:
            return 1
        return 0

    def errors(self) -> list[ProfileCheck]:
        return [p for p in self.profiles if p.status == ERROR]

    def as_json(self) -> dict[str, Any]:
        return {
            "manifest": self.manifest,
            "management_account": self.management_account,
            "delegated_administrators": self.delegated_administrators,
            "profiles": [p.as_json() for p in self.profiles],
            "routes": [r.as_json() for r in self.routes],
            "exit_code": self.exit_code,
        }


# --- manifest ------------------------------------------------------------------------------------


@dataclass
class _ManifestView:
    name: str
    profiles: dict[str, tuple[str | None, str | None]]  # name -> (env_var, account_kind)
    commands: list[tuple[str, str, list[str]]]  # (id, profile, actions)


def _load_manifest(name_or_path: str) -> _ManifestView:
    from permwise.requirements import load_manifest  # imported on use: most preflight runs name no manifest

    m = load_manifest(name_or_path)
    return _ManifestView(
        name=m.tool.name,
        profiles={n: (p.env_var, p.account_kind) for n, p in m.profiles.items()},
        commands=[(c.id, c.profile, [a for perm in c.permissions for a in perm.actions]) for c in m.commands],
    )


def _needs(actions: list[str]) -> str:
    needs = "any"
    for action in actions:
        service = action.split(":", 1)[0].lower()
        if service == "organizations" and action.lower() not in MEMBER_ORGANIZATIONS_ACTIONS:
            return "organizations"
        if service in PAYER_SERVICES:
            needs = "payer"
    return needs


# --- the checks ----------------------------------------------------------------------------------


def _open(profile: str, endpoint_url: str | None) -> Clients:
    session = make_session(profile, endpoint_url=endpoint_url, max_attempts=2)
    return Clients(session, endpoint_url=endpoint_url, config=PREFLIGHT_CONFIG)


def _identify(check: ProfileCheck, endpoint_url: str | None) -> Clients | None:
    profile = check.aws_profile
    assert profile
    try:
        clients = _open(profile, endpoint_url)
        ident = clients.client("sts").get_caller_identity()
    except botocore.exceptions.ProfileNotFound:
        check.set("MISSING_PROFILE", ERROR, missing_profile_message(profile).split("; hint: ")[0],
                  f"add `[profile {profile}]` to the AWS config file or set {check.env_var or 'the variable'} to an existing profile")
        return None
    except Exception as exc:
        info = classify(exc)
        if info.kind == "unreachable":
            check.set("UNREACHABLE", ERROR, f"cannot reach the endpoint ({info.message})",
                      "check the network, a proxy, or --endpoint-url")
        elif info.kind == "credentials":
            check.set("BAD_CREDENTIALS", ERROR, f"no valid credentials ({info.code}: {info.message})",
                      f"run `aws sso login --profile {profile}` or fix the keys of profile `{profile}`")
        else:
            check.set("ERROR", ERROR, f"{info.code}: {info.message}", None)
        return None
    check.account, check.arn = ident["Account"], ident["Arn"]
    return clients


def _describe_org(check: ProfileCheck, clients: Clients) -> None:
    try:
        org = clients.client("organizations").describe_organization()["Organization"]
    except Exception as exc:
        info = classify(exc)
        check.notes.append(f"organizations:DescribeOrganization: {info.code}")
        if check.account_kind == "management":
            if info.kind == "not-enabled":
                check.set("NO_ORGANIZATION", FAIL, f"account {check.account} is not in an organization ({info.code})",
                          f"point {check.env_var or 'the profile'} at the organization's management account")
            else:
                check.set("CANNOT_VERIFY", FAIL, f"cannot read the organization from account {check.account} ({info.code}: {info.message})",
                          "grant organizations:DescribeOrganization (see `permwise generate permwise`)")
        return
    check.organization = org.get("Id")
    check.management_account = org.get("MasterAccountId")


def _probe_listing(check: ProfileCheck, clients: Clients) -> str:
    """Call organizations:ListAccounts; return "listed", "empty" or "denied:CODE"."""
    try:
        page = clients.client("organizations").list_accounts(MaxResults=1)
    except Exception as exc:
        return f"denied:{classify(exc).code}"
    return "listed" if page.get("Accounts") else "empty"


def preflight(
    profiles: Mapping[str, str | None] | None = None,
    *,
    manifest: str | None = None,
    endpoint_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    expected_accounts: Mapping[str, str] | None = None,
) -> PreflightReport:
    """Check the profiles; ``profiles`` overrides the env vars by profile name.
    ``expected_accounts`` (profile name -> account id, from a deployment config) makes a profile
    that reaches another account a failure (``CONFIG_ACCOUNT_MISMATCH``)."""
    env = os.environ if environ is None else environ
    overrides = {k: v for k, v in (profiles or {}).items() if v}
    view = _load_manifest(manifest) if manifest else None
    declared = (
        {n: (ev, kind) for n, (ev, kind) in view.profiles.items()}
        if view
        else {n: (ev, kind) for n, (ev, kind) in DEFAULT_PROFILES.items()}
    )
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise InputError(
            f"profile `{unknown[0]}` is not declared" + (f" by manifest `{view.name}`" if view else ""),
            hint="use one of " + ", ".join(f"`{n}`" for n in sorted(declared)),
        )
    checks: list[ProfileCheck] = []
    for name, (env_var, kind) in sorted(declared.items(), key=lambda kv: _order(kv[0])):
        aws_profile = overrides.get(name) or (env.get(env_var) if env_var else None) or None
        checks.append(ProfileCheck(name, env_var, aws_profile, kind))
    if not any(c.aws_profile for c in checks):
        raise InputError(
            "no profile to check",
            hint="set " + ", ".join(c.env_var for c in checks if c.env_var) + " or pass --profile-management and friends",
        )

    clients: dict[str, Clients] = {}
    for c in checks:
        if not c.aws_profile:
            c.set("NOT_SET", SKIP, f"{c.env_var or 'no variable'} is not set", f"export {c.env_var}=<profile>" if c.env_var else None)
            continue
        cl = _identify(c, endpoint_url)
        if cl is None:
            continue
        clients[c.name] = cl
        _describe_org(c, cl)

    # the management account, as the organization itself says
    mgmt = next((c.management_account for c in checks if c.account_kind == "management" and c.management_account), None)
    mgmt = mgmt or next((c.management_account for c in checks if c.management_account), None)
    delegated: list[str] | None = None
    mgmt_check = next((c for c in checks if c.account_kind == "management" and c.name in clients), None)
    for c in checks:
        if c.name not in clients or c.account_kind != "management" or c.management_account is None:
            continue
        if c.account != c.management_account:
            c.set(
                "NOT_MANAGEMENT_ACCOUNT", FAIL,
                f"{c.aws_profile} is in account {c.account}, but the organization's management account is {c.management_account}",
                f"point {c.env_var or 'the profile'} at a profile in account {c.management_account}",
            )
            probe = _probe_listing(c, clients[c.name])
            if probe == "empty":
                c.notes.append(
                    "CROSS_ACCOUNT_SILENT_ZERO: organizations:ListAccounts returned no accounts from this account; "
                    "that is account scoping, not an empty organization"
                )
            elif probe.startswith("denied:"):
                c.notes.append(f"organizations:ListAccounts: {probe[7:]}")
    if mgmt_check and mgmt_check.verdict == "OK":
        try:
            org = clients[mgmt_check.name].client("organizations")
            delegated = sorted(
                {
                    d["Id"]
                    for page in org.get_paginator("list_delegated_administrators").paginate()
                    for d in page.get("DelegatedAdministrators", [])
                }
            )
        except Exception as exc:
            mgmt_check.notes.append(f"organizations:ListDelegatedAdministrators: {classify(exc).code}")

    # distinct accounts (four-profile contract)
    by_account: dict[str, list[ProfileCheck]] = {}
    for c in checks:
        if c.name in DISTINCT_PROFILES and c.account and c.name in clients:
            by_account.setdefault(c.account, []).append(c)
    for account, group in by_account.items():
        if len(group) < 2:
            continue
        names = ", ".join(g.name for g in group)
        for g in group:
            others = [o for o in group if o is not g]
            g.set(
                "SHARED_ACCOUNT", FAIL,
                f"{names} all return account {account}; the contract wants different accounts",
                f"map {g.env_var or g.name} to its own account's profile (now shared with "
                + ", ".join(o.env_var or o.name for o in others) + "); confirm with your AWS admin",
            )

    # a member profile of the contract (operations, workload) must not land in the management
    # account: "Management/Root account (hub - no workload resources)"; SCPs do not restrict it
    if mgmt:
        for c in checks:
            if c.name in clients and c.account == mgmt and c.account_kind == "member" and c.env_var:
                c.set(
                    "MEMBER_PROFILE_ON_MANAGEMENT_ACCOUNT", WARN,
                    f"{c.aws_profile} is in the management account {mgmt}, which holds no workload resources "
                    "and is not restricted by SCPs",
                    f"point {c.env_var} at a profile in a member account",
                )

    # the deployment config says which account each profile must reach (generate/check used it)
    for c in checks:
        want = (expected_accounts or {}).get(c.name)
        if want and c.account and c.account != want:
            c.set(
                "CONFIG_ACCOUNT_MISMATCH", FAIL,
                f"{c.aws_profile} is in account {c.account}, but the deployment config expects account {want} "
                f"for profile `{c.name}`",
                f"point {c.env_var or 'the profile'} at a profile of account {want}, or correct "
                f"`profiles.{c.name}.account` in the config",
            )

    for c in checks:
        if c.status == OK and c.verdict == "OK":
            c.message = f"{c.aws_profile} -> account {c.account}" + (
                " (the management account)" if mgmt and c.account == mgmt else ""
            )

    routes = _routes(view, checks, clients, mgmt, delegated) if view else []
    return PreflightReport(
        profiles=checks,
        routes=routes,
        management_account=mgmt,
        delegated_administrators=delegated,
        manifest=view.name if view else None,
    )


def _order(name: str) -> tuple[int, str]:
    order = list(DEFAULT_PROFILES)
    return (order.index(name) if name in order else len(order), name)


def _routes(
    view: _ManifestView,
    checks: list[ProfileCheck],
    clients: dict[str, Clients],
    mgmt: str | None,
    delegated: list[str] | None,
) -> list[RouteCheck]:
    by_name = {c.name: c for c in checks}
    probes: dict[str, str] = {}
    routes: list[RouteCheck] = []
    for cid, profile, actions in sorted(view.commands):
        c = by_name.get(profile)
        needs = _needs(actions)
        if c is None or not c.aws_profile:
            routes.append(RouteCheck(cid, profile, None, None, needs, "NOT_SET", SKIP,
                                     f"profile `{profile}` is not set", f"export {c.env_var}=<profile>" if c and c.env_var else None))
            continue
        if c.status == ERROR or c.account is None:
            routes.append(RouteCheck(cid, profile, c.aws_profile, None, needs, "PROFILE_UNUSABLE", FAIL,
                                     f"profile `{c.aws_profile}` could not be checked ({c.verdict})", c.fix))
            continue
        r = RouteCheck(cid, profile, c.aws_profile, c.account, needs, "OK", OK, f"runs in account {c.account}")
        if needs == "organizations" and c.account != mgmt:
            if delegated is not None and c.account in delegated:
                r.message = f"account {c.account} is a delegated administrator"
            else:
                if profile not in probes:
                    probes[profile] = _probe_listing(c, clients[profile]) if profile in clients else "unknown"
                probe = probes[profile]
                fix = (
                    f"route `{cid}` to the management account"
                    + (f" {mgmt}" if mgmt else "")
                    + f", or register account {c.account} as a delegated administrator"
                )
                if probe == "empty":
                    r.verdict, r.status = "CROSS_ACCOUNT_SILENT_ZERO", FAIL
                    r.message = (
                        f"Organizations list calls from account {c.account} (neither the management account nor a "
                        "delegated administrator) return empty results: that is not 'no resources'"
                    )
                    r.fix = fix
                elif probe == "listed":
                    r.message = f"account {c.account} can list the organization's accounts"
                else:
                    r.verdict, r.status = "ORGANIZATIONS_NOT_SERVED", FAIL
                    r.message = (
                        f"account {c.account} is neither the management account"
                        + (f" ({mgmt})" if mgmt else "")
                        + " nor a delegated administrator"
                        + (f"; organizations:ListAccounts: {probe[7:]}" if probe.startswith("denied:") else "")
                    )
                    r.fix = fix
        elif needs == "payer" and mgmt and c.account != mgmt:
            r.verdict, r.status = "MEMBER_ACCOUNT_COSTS_ONLY", WARN
            r.message = (
                f"Cost Explorer and billing data from member account {c.account} cover only that account; "
                f"organization-wide costs need the management (payer) account {mgmt}"
            )
            r.fix = f"route `{cid}` to a profile in account {mgmt} if it needs the whole organization's costs"
        routes.append(r)
    return routes
