"""``permwise collect``: read an AWS Organization into an environment snapshot, read-only.

The snapshot layout is the one of docs/internal/CONTRACTS.md ("Environment snapshot"): AWS CLI
output kept unchanged where one exists. Work is cut into *units* so that a re-run resumes:

- ``organization``: describe-organization, roots, OUs (recursive), accounts with their parent,
  SCPs and RCPs with their targets, from the calling (management or delegated admin) profile;
- per account ``ACCOUNT/iam``: get-account-authorization-details (all pages merged) and the alias;
- per account ``ACCOUNT/s3``: bucket policies with the bucket's Block Public Access settings, and
  the account-level Block Public Access settings (S3 Control);
- per account ``ACCOUNT/region/REGION``: KMS (with grants), SQS, SNS, Lambda (functions and layers),
  Secrets Manager and ECR policies, S3 access points, EFS, EventBridge, Backup, Glacier, OpenSearch.

Member accounts are read through a role assumed from the calling profile (``--role-name``,
default ``OrganizationAccountAccessRole``); the caller's own account uses the caller's
credentials. Units run in a bounded thread pool (``concurrency`` workers across accounts and
regions). A unit that finished without errors is recorded in ``.permwise-collect.json`` in the
snapshot and skipped by the next run unless ``refresh``; a unit with errors is retried. Every
failure is an entry of ``errors.json``: nothing is left out silently.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from permwise.aws import breaker
from permwise.aws.session import (
    COLLECT_CONFIG,
    PREFLIGHT_CONFIG,
    Clients,
    classify,
    describe_failure,
    error_code,
    kind_of,
    open_session,
)
from permwise.environment import layout
from permwise.errors import AwsError, InputError
from permwise.fsutil import atomic_write
from permwise.sources import load_source

STATE_FILE = ".permwise-collect.json"
DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole"
AUTH_FILTER = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
REGIONAL_SERVICES = ("ecr", "kms", "lambda", "secretsmanager", "sns", "sqs",
                     # external-access resources (docs/access.md): S3 access points, EFS, EventBridge,
                     # Backup, Glacier, OpenSearch
                     "s3control", "efs", "events", "backup", "glacier", "opensearch")
#: AWS region names: ``us-east-1``, ``ap-southeast-2``, ``us-gov-west-1``, ``cn-north-1``...
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")

#: Error codes that mean "this resource has no policy", not a failure.
_NO_POLICY = {
    "NoSuchBucketPolicy",
    "NoSuchPublicAccessBlockConfiguration",
    "ResourceNotFoundException",
    "RepositoryPolicyNotFoundException",
    "NoSuchAccessPointPolicy",
    "PolicyNotFound",
}
#: account.json key of the account-level S3 Block Public Access settings (``null``: the account
#: has none configured; absent: not collected, see errors.json).
ACCOUNT_BPA_KEY = "S3PublicAccessBlock"


# --- serialization ------------------------------------------------------------------------------


def _default(obj: Any) -> Any:
    if isinstance(obj, dt.datetime):
        return obj.isoformat()
    if isinstance(obj, bytes):
        return obj.decode("utf-8", "replace")
    raise TypeError(f"cannot serialize {type(obj).__name__}")


def dumps(data: Any) -> bytes:
    """Stable JSON: sorted keys, two-space indent, datetimes as ISO 8601 (as the AWS CLI prints)."""
    return (
        orjson.dumps(
            data,
            default=_default,
            option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME,
        )
        + b"\n"
    )


def _strip(resp: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def _policy_doc(text: Any) -> Any:
    """A policy as a JSON object when it parses, else the string unchanged."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


# --- results ------------------------------------------------------------------------------------


@dataclass
class CollectError:
    account: str | None
    region: str | None
    service: str
    operation: str
    code: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "Account": self.account,
            "Region": self.region,
            "Service": self.service,
            "Operation": self.operation,
            "Code": self.code,
            "Message": self.message,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> CollectError:
        return cls(d.get("Account"), d.get("Region"), d["Service"], d["Operation"], d["Code"], d["Message"])

    @property
    def kind(self) -> str:
        """scp-deny, rcp-deny, access-denied, not-enabled, region-not-enabled, credentials,
        throttled, unreachable, silent-zero or other (shown in summaries; errors.json keeps
        AWS's code and message)."""
        if self.code == "CROSS_ACCOUNT_SILENT_ZERO":
            return "silent-zero"
        kind = kind_of(self.code, self.message)
        if kind == "credentials" and self.region:
            # the same credentials worked elsewhere: an opt-in region that is not enabled
            return "region-not-enabled"
        return kind

    def sort_key(self) -> tuple[str, ...]:
        return (self.account or "", self.region or "", self.service, self.operation, self.code, self.message)


@dataclass
class AccountResult:
    account_id: str
    name: str = ""
    #: "collected" (this run, no errors), "partial" (some units failed), "failed" (no access),
    #: "skipped" (already collected by an earlier run)
    status: str = "collected"
    units_done: int = 0
    units_skipped: int = 0
    principals: int = 0
    resource_policies: int = 0
    errors: int = 0


@dataclass
class CollectResult:
    out: Path
    caller_account: str
    caller_arn: str
    management_account: str | None
    organization: str  # "collected" | "partial" | "skipped" | "unavailable"
    regions: list[str]
    accounts: list[AccountResult] = field(default_factory=list)
    errors: list[CollectError] = field(default_factory=list)


class Progress:
    """What collect tells its caller while it works (the CLI draws a rich progress bar)."""

    def total(self, units: int) -> None: ...

    def advance(self, description: str) -> None: ...


def _read_json(path: Path) -> Any:
    """A file an earlier run wrote, read through the input gate (a FIFO or a device planted in
    the snapshot never blocks); any failure is a ValueError for the callers' fallbacks."""
    try:
        return load_source(str(path), fmt="json", max_bytes=256 << 20).data
    except InputError as exc:
        raise ValueError(exc.message) from None


def _live_organization(clients: Clients) -> tuple[str | None, str | None]:
    """(organization id, management account) of the caller, (None, None) outside an organization
    or when it cannot be read (then only the caller account is compared)."""
    try:
        org = clients.client("organizations").describe_organization()["Organization"]
        return org.get("Id"), org.get("MasterAccountId")
    except Exception:  # AWSOrganizationsNotInUseException, access denied, unreachable
        return None, None


def _start_over(out: Path) -> None:
    """Remove what a collect run wrote (and nothing else) so a --refresh starts from nothing."""
    import shutil

    for name in (layout.ORG_DIR, STATE_FILE, layout.META, layout.ERRORS):
        p = out / name
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()
    accounts = out / layout.ACCOUNTS_DIR
    if accounts.is_dir():
        for d in accounts.iterdir():
            if d.is_dir() and not d.is_symlink() and len(d.name) == 12 and d.name.isdigit():
                shutil.rmtree(d)


def _make_private(out: Path) -> None:
    """Directories 0700 and files 0600 under the snapshot (also what other writers created)."""
    for root, dirs, files in os.walk(out):
        for d in dirs:
            p = os.path.join(root, d)
            if not os.path.islink(p):
                os.chmod(p, 0o700)
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                os.chmod(p, 0o600)


# --- snapshot state ------------------------------------------------------------------------------


class _State:
    """Per-unit completion and errors, persisted after every unit so a re-run can resume."""

    def __init__(self, out: Path, refresh: bool) -> None:
        self.path = out / STATE_FILE
        self.lock = threading.RLock()
        #: with refresh every unit of this run is collected again; the units of accounts or
        #: regions this run does not touch keep their state (and their errors stay reported)
        self.refresh = refresh
        self.done: dict[str, str] = {}
        self.errors: dict[str, list[CollectError]] = {}
        #: a --refresh that has not finished: until one does, every unit is collected again, so
        #: an interrupted refresh can never pass for a complete snapshot with stale data
        self.refresh_pending = False
        self.resumed_refresh = False
        if self.path.exists() or self.path.is_symlink():
            try:
                data = load_source(str(self.path), fmt="json").data  # the input gate: regular file, depth
                self.done = dict(data.get("done", {}))
                self.errors = {
                    unit: [CollectError.from_json(e) for e in errs]
                    for unit, errs in data.get("errors", {}).items()
                }
                self.refresh_pending = data.get("refresh_pending") is True
            except (InputError, ValueError, KeyError, TypeError, AttributeError) as exc:
                if refresh:  # starting over anyway
                    self.done, self.errors = {}, {}
                    self._start_refresh()
                    return
                why = f" ({exc.message})" if isinstance(exc, InputError) else ""
                raise InputError(
                    f"`{self.path}` is not a permwise collect state file{why}",
                    hint="delete it or run with --refresh",
                ) from None
        if self.refresh_pending and not refresh:
            self.refresh = True
            self.resumed_refresh = True
        if refresh:
            self._start_refresh()

    def _start_refresh(self) -> None:
        self.refresh_pending = True
        if self.path.is_dir() and not self.path.is_symlink():
            raise InputError(f"`{self.path}` is a directory, not a collect state file", hint="remove it")
        self.save()

    def complete(self) -> None:
        """The run reached its end: a pending refresh is done."""
        with self.lock:
            self.refresh_pending = False
            self.save()

    def is_done(self, unit: str) -> bool:
        with self.lock:
            return not self.refresh and unit in self.done

    def finish(self, unit: str, errors: list[CollectError]) -> None:
        with self.lock:
            self.errors[unit] = errors
            if errors:
                self.done.pop(unit, None)
            else:
                self.done[unit] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            self.save()

    def save(self) -> None:
        data = {
            "done": dict(sorted(self.done.items())),
            "errors": {u: [e.as_json() for e in errs] for u, errs in sorted(self.errors.items()) if errs},
            **({"refresh_pending": True} if self.refresh_pending else {}),
        }
        atomic_write(self.path, dumps(data), private=True)

    def all_errors(self) -> list[CollectError]:
        with self.lock:
            return sorted((e for errs in self.errors.values() for e in errs), key=CollectError.sort_key)


# --- the collector ------------------------------------------------------------------------------


class _Unit:
    """Error recording for one unit of work."""

    def __init__(self, account: str | None) -> None:
        self.account = account
        self.errors: list[CollectError] = []

    def fail(self, exc: BaseException, service: str, operation: str, region: str | None, what: str = "") -> None:
        info = classify(exc)
        if info.kind == "credentials" and region:
            what = (what + "; " if what else "") + f"is region {region} enabled for this account?"
        message = info.message + (f" ({what})" if what else "")
        self.errors.append(CollectError(self.account, region, service, operation, info.code, message))

    def note(self, service: str, operation: str, region: str | None, code: str, message: str) -> None:
        self.errors.append(CollectError(self.account, region, service, operation, code, message))


def _paginate(client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
    """All pages merged the way the AWS CLI merges them (no pagination markers)."""
    return _strip(client.get_paginator(operation).paginate(**kwargs).build_full_result())


class Collector:
    def __init__(
        self,
        out: str | Path,
        *,
        profile: str | None = None,
        regions: Iterable[str] | None = None,
        role_name: str = DEFAULT_ROLE_NAME,
        accounts: Iterable[str] | None = None,
        concurrency: int = 4,
        refresh: bool = False,
        endpoint_url: str | None = None,
        progress: Progress | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.out = Path(out)
        if self.out.exists() and not self.out.is_dir():
            raise InputError(f"`{self.out}` exists and is not a directory", hint="pass a directory to --out")
        if concurrency < 1 or concurrency > 64:
            raise InputError(f"concurrency `{concurrency}` is out of range", hint="use 1 to 64")
        self.profile = profile
        self.regions_arg = sorted(set(regions)) if regions else None
        for region in self.regions_arg or []:
            if not REGION_RE.match(region):
                raise InputError(
                    f"`{region}` is not an AWS region name", hint="pass --regions us-east-1,eu-west-1"
                )
        self.role_name = role_name
        self.accounts_arg = sorted(set(accounts)) if accounts else None
        for acct in self.accounts_arg or []:
            if not (len(acct) == 12 and acct.isdigit()):
                raise InputError(f"account id `{acct}` is not 12 digits", hint="pass --accounts 111122223333,...")
        self.concurrency = concurrency
        self.refresh = refresh
        self.endpoint_url = endpoint_url
        self.progress = progress or Progress()
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self._files_lock = threading.Lock()
        self._partition = "aws"

    # -- entry point -----------------------------------------------------------------------------

    def run(self) -> CollectResult:
        session = open_session(self.profile, endpoint_url=self.endpoint_url)
        base = Clients(session, endpoint_url=self.endpoint_url, config=COLLECT_CONFIG)
        try:
            # fail fast (short timeouts, few retries) when the endpoint or credentials are wrong
            quick = Clients(session, endpoint_url=self.endpoint_url, config=PREFLIGHT_CONFIG)
            ident = quick.client("sts").get_caller_identity()
        except Exception as exc:  # credentials, endpoint: nothing can be collected
            raise AwsError(describe_failure(exc, profile=self.profile, endpoint_url=self.endpoint_url)) from None
        caller_account, caller_arn = ident["Account"], ident["Arn"]
        partition = caller_arn.split(":")[1] if caller_arn.count(":") >= 5 else "aws"
        self._partition = partition
        regions = self.regions_arg or [base.default_region]
        live_org, live_management = _live_organization(quick)
        self._check_same_owner(caller_account, live_org, live_management)
        self.out.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.out, 0o700)  # a map of the organization's IAM: for its owner only
        breaker.reset()
        state = _State(self.out, self.refresh)
        # marked incomplete until this run reaches its end (an interrupted run, a killed
        # --refresh, stays marked; the loader reports it and nothing is reported ready)
        identity = {"organization_id": live_org, "management_account_id": live_management,
                    "caller_account": caller_account}
        self._write_meta(partition, regions, identity, complete=False)

        org_status, management, org_accounts = self._organization(base, state)
        if self.accounts_arg:
            targets = {a: org_accounts.get(a, "") for a in self.accounts_arg}
        elif org_accounts:
            targets = org_accounts
        else:
            targets = {caller_account: ""}

        results = self._accounts(base, state, targets, caller_account, partition, regions)

        errors = state.all_errors()
        atomic_write(self.out / layout.ERRORS, dumps({"Errors": [e.as_json() for e in errors]}), private=True)
        snapshot = self._write_meta(partition, regions, identity, complete=True)
        state.complete()
        _make_private(self.out)
        for res in results.values():
            res.errors = sum(1 for e in errors if e.account == res.account_id)
        return CollectResult(
            out=self.out,
            caller_account=caller_account,
            caller_arn=caller_arn,
            management_account=management,
            organization=org_status,
            regions=snapshot["regions"],
            accounts=[results[a] for a in sorted(results)],
            errors=errors,
        )

    def _write_meta(self, partition: str, regions: list[str], identity: dict[str, Any], *, complete: bool) -> dict:
        snapshot = {
            "format": layout.FORMAT,
            "created": self.clock().isoformat(timespec="seconds"),
            "source": "collect",
            "partition": partition,
            "regions": sorted(set(regions) | set(self._previous_regions())),
            **identity,
            "complete": complete,
        }
        atomic_write(self.out / layout.META, dumps(snapshot), private=True)
        return snapshot

    def _previous_owner(self) -> tuple[str | None, str | None, str | None] | None:
        """(organization id, management account, caller account) of the snapshot in ``out``,
        or None when there is none yet."""
        meta_path, org_path = self.out / layout.META, self.out / layout.ORGANIZATION
        org_id = management = caller = None
        found = False
        if meta_path.is_file():
            meta = load_source(str(meta_path), fmt="json").data
            if isinstance(meta, dict):
                found = True
                org_id, management = meta.get("organization_id"), meta.get("management_account_id")
                caller = meta.get("caller_account")
        if org_path.is_file() and not org_id:
            data = load_source(str(org_path), fmt="json").data
            org = data.get("Organization") if isinstance(data, dict) else None
            if isinstance(org, dict):
                found = True
                org_id, management = org.get("Id"), org.get("MasterAccountId")
        return (org_id, management, caller) if found else None

    def _check_same_owner(self, caller: str, live_org: str | None, live_management: str | None) -> None:
        """Refuse to resume into a snapshot of another organization (``--refresh`` starts over)."""
        if not self.out.is_dir():
            return
        try:
            prev = self._previous_owner()
        except InputError:
            if not self.refresh:
                raise
            _start_over(self.out)
            return
        if prev is None:
            return
        org_id, management, prev_caller = prev
        theirs = (f"organization `{org_id}` (management account `{management}`)" if org_id
                  else f"account `{prev_caller}` (no organization)")
        ours = (f"organization `{live_org}` (management account `{live_management}`)" if live_org
                else f"account `{caller}` (no organization)")
        if org_id or live_org:
            same = org_id == live_org and (not management or not live_management or management == live_management)
        else:
            same = not prev_caller or prev_caller == caller
        if same:
            return
        if not self.refresh:
            raise InputError(f"`{self.out}` holds a snapshot of {theirs}, but this profile reaches {ours}; "
                             "resuming would mix the two", hint="pass --refresh to start over in this directory, "
                             "or give another --out")
        _start_over(self.out)

    def _previous_regions(self) -> list[str]:
        try:
            return list(_read_json(self.out / layout.META).get("regions", []))
        except (OSError, ValueError, AttributeError):
            return []

    # -- organization ----------------------------------------------------------------------------

    def _organization(self, base: Clients, state: _State) -> tuple[str, str | None, dict[str, str]]:
        """Collect the organization unit; return (status, management account, {account: name})."""
        if state.is_done("organization"):
            try:
                org = _read_json(self.out / layout.ORGANIZATION)
                accts = _read_json(self.out / layout.ORG_ACCOUNTS)
                return (
                    "skipped",
                    org["Organization"]["MasterAccountId"],
                    {a["Id"]: a.get("Name", "") for a in accts["Accounts"] if _active(a)},
                )
            except (OSError, ValueError, KeyError):
                pass  # state says done but files are gone: collect again
        unit = _Unit(None)
        org = base.client("organizations")
        files: dict[Path, bytes] = {}
        try:
            desc = _strip(org.describe_organization())
        except Exception as exc:
            unit.fail(exc, "organizations", "DescribeOrganization", None)
            state.finish("organization", unit.errors)
            return "unavailable", None, {}
        management = desc["Organization"]["MasterAccountId"]
        files[self.out / layout.ORGANIZATION] = dumps(desc)
        accounts: dict[str, str] = {}
        try:
            # accounts first: from an account that is neither the management account nor a
            # delegated administrator the listing is empty (or denied), and the tree is moot
            listed = _paginate(org, "list_accounts").get("Accounts", [])
            if not listed:
                unit.note(
                    "organizations",
                    "ListAccounts",
                    None,
                    "CROSS_ACCOUNT_SILENT_ZERO",
                    "list-accounts returned no accounts, but an organization always has its management "
                    f"account `{management}`: the caller is neither the management account nor a "
                    "delegated administrator; run collect with the management account's profile",
                )
                state.finish("organization", unit.errors)
                return "unavailable", management, {}
            for acct in listed:
                if _active(acct):
                    accounts[acct["Id"]] = acct.get("Name", "")
            out_accounts = []
            for acct in listed:
                parents = org.list_parents(ChildId=acct["Id"]).get("Parents", [])
                out_accounts.append({**acct, **({"ParentId": parents[0]["Id"]} if parents else {})})
            files[self.out / layout.ORG_ACCOUNTS] = dumps({"Accounts": sorted(out_accounts, key=lambda a: a["Id"])})
            roots = _paginate(org, "list_roots")
            roots["Roots"] = sorted(roots.get("Roots", []), key=lambda r: r["Id"])
            files[self.out / layout.ROOTS] = dumps(roots)
            ous: list[dict[str, Any]] = []
            queue = [r["Id"] for r in roots["Roots"]]
            while queue:
                parent = queue.pop(0)
                for ou in _paginate(org, "list_organizational_units_for_parent", ParentId=parent).get(
                    "OrganizationalUnits", []
                ):
                    ous.append({**ou, "ParentId": parent})
                    queue.append(ou["Id"])
            files[self.out / layout.OUS] = dumps({"OrganizationalUnits": sorted(ous, key=lambda o: o["Id"])})
        except Exception as exc:
            # the tree is incomplete: nothing of it is written (an earlier run's complete files
            # stay), but the accounts that were listed are still collected
            unit.fail(exc, "organizations", _failed_operation(exc), None)
            state.finish("organization", unit.errors)
            return "unavailable", management, accounts
        listed_types: set[str] = set()
        listed_ids: set[str] = set()
        for ptype in POLICY_TYPES:
            try:
                summaries = _paginate(org, "list_policies", Filter=ptype).get("Policies", [])
            except Exception as exc:
                unit.fail(exc, "organizations", "ListPolicies", None, f"policy type {ptype}")
                continue
            listed_types.add(ptype)
            listed_ids.update(summary["Id"] for summary in summaries)
            for summary in summaries:
                pid = summary["Id"]
                try:
                    files[self.out / layout.org_policy(pid)] = dumps(_strip(org.describe_policy(PolicyId=pid)))
                    targets = _paginate(org, "list_targets_for_policy", PolicyId=pid)
                    targets["Targets"] = sorted(targets.get("Targets", []), key=lambda t: t["TargetId"])
                    files[self.out / layout.org_policy(pid, targets=True)] = dumps(targets)
                except Exception as exc:
                    unit.fail(exc, "organizations", _failed_operation(exc), None, f"policy `{pid}`")
        for path, data in sorted(files.items()):
            atomic_write(path, data, private=True)
        self._prune_policies(self.out, listed_ids, listed_types)
        state.finish("organization", unit.errors)
        return ("partial" if unit.errors else "collected"), management, accounts

    @staticmethod
    def _prune_policies(out: Path, listed_ids: set[str], listed_types: set[str]) -> None:
        """Remove the policy and target files of an earlier run whose policy is gone.

        A deleted SCP left on disk would still deny in every offline decision. Only policies of
        a type that was listed in this run are pruned; a policy whose describe call failed this
        time keeps its earlier file (the failure is an errors.json entry).
        """
        for path in sorted((out / layout.ORG_POLICIES).glob("*.json")):
            if path.stem in listed_ids:
                continue
            try:
                ptype = _read_json(path)["Policy"]["PolicySummary"]["Type"]
            except (OSError, ValueError, KeyError, TypeError):
                ptype = None
            if ptype in listed_types:
                path.unlink()
                (out / layout.ORG_TARGETS / path.name).unlink(missing_ok=True)

    # -- accounts --------------------------------------------------------------------------------

    def _accounts(
        self,
        base: Clients,
        state: _State,
        targets: dict[str, str],
        caller_account: str,
        partition: str,
        regions: list[str],
    ) -> dict[str, AccountResult]:
        """Collect every unit of every target account in one bounded pool.

        First the credentials of each account that has work (the caller's own, or the collection
        role assumed), then every (account, unit) pair as its own task, so ``concurrency`` bounds
        the calls in flight across accounts *and* regions.
        """
        results = {acct: AccountResult(account_id=acct, name=name) for acct, name in sorted(targets.items())}
        plan: dict[str, list[str]] = {}
        for acct in results:
            units = [f"{acct}/iam", f"{acct}/s3"] + [f"{acct}/region/{r}" for r in regions]
            todo = [u for u in units if not state.is_done(u)]
            results[acct].units_skipped = len(units) - len(todo)
            plan[acct] = todo
        self.progress.total(sum(len(plan[a]) + results[a].units_skipped for a in results))
        for acct, res in results.items():
            for _ in range(res.units_skipped):
                self.progress.advance(f"{acct} (already collected)")
        failed_units: dict[str, int] = {a: 0 for a in results}
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="permwise-collect") as pool:
            access = {
                pool.submit(self._access, base, state, acct, acct == caller_account, partition): acct
                for acct in results
                if plan[acct]
            }
            clients: dict[str, Clients] = {}
            for fut in as_completed(access):
                acct = access[fut]
                got = fut.result()
                if got is None:
                    results[acct].status = "failed"
                    for u in plan[acct]:
                        self.progress.advance(f"{acct} {u.split('/', 1)[1]} (no access)")
                else:
                    clients[acct] = got
            work = {
                pool.submit(self._unit, clients[acct], state, acct, results[acct].name, u): (acct, u)
                for acct in sorted(clients)
                for u in plan[acct]
            }
            for fut in as_completed(work):
                acct, u = work[fut]
                failed_units[acct] += not fut.result()
                results[acct].units_done += 1
                self.progress.advance(f"{acct} {u.split('/', 1)[1]}")
        for acct, res in results.items():
            if not plan[acct]:
                res.status = "skipped"
            elif res.status != "failed":
                res.status = "partial" if failed_units[acct] else "collected"
            self._count(res)
        return results

    def _access(self, base: Clients, state: _State, account: str, is_caller: bool, partition: str) -> Clients | None:
        """The clients that read ``account``; None (and an error entry) when it cannot be entered."""
        if is_caller:
            return base
        role_arn = f"arn:{partition}:iam::{account}:role/{self.role_name}"
        try:
            clients = base.assume(role_arn)
        except Exception as exc:
            unit = _Unit(account)
            unit.fail(exc, "sts", "AssumeRole", None, f"role `{role_arn}`")
            state.finish(f"{account}/assume", unit.errors)
            return None
        state.finish(f"{account}/assume", [])
        return clients

    def _unit(self, clients: Clients, state: _State, account: str, name: str, unit_id: str) -> bool:
        """Run one unit; record its errors; True when it had none."""
        unit = _Unit(account)
        kind = unit_id.split("/", 1)[1]
        try:
            if kind == "iam":
                self._iam(clients, unit, account, name)
            elif kind == "s3":
                self._s3(clients, unit, account)
            else:
                self._regional(clients, unit, account, kind.split("/", 1)[1])
        except Exception as exc:  # a bug or an unexpected answer: still a recorded gap, never a crash
            unit.fail(exc, kind.split("/", 1)[0], _failed_operation(exc), None, f"unit `{unit_id}`")
        state.finish(unit_id, unit.errors)
        return not unit.errors

    def _count(self, res: AccountResult) -> None:
        try:
            auth = _read_json(self.out / layout.authorization_details(res.account_id))
            res.principals = len(auth.get("UserDetailList", [])) + len(auth.get("RoleDetailList", []))
        except (OSError, ValueError):
            pass
        try:
            rp = _read_json(self.out / layout.resource_policies(res.account_id))
            res.resource_policies = len(rp.get("ResourcePolicies", []))
        except (OSError, ValueError):
            pass

    def _iam(self, clients: Clients, unit: _Unit, account: str, name: str) -> None:
        iam = clients.client("iam")
        try:
            details = _paginate(iam, "get_account_authorization_details", Filter=AUTH_FILTER)
        except Exception as exc:
            unit.fail(exc, "iam", "GetAccountAuthorizationDetails", None)
            return
        for key, sort_field in (
            ("UserDetailList", "Arn"),
            ("GroupDetailList", "Arn"),
            ("RoleDetailList", "Arn"),
            ("Policies", "Arn"),
        ):
            details[key] = sorted(details.get(key, []), key=lambda d, f=sort_field: d.get(f, ""))
        atomic_write(self.out / layout.authorization_details(account), dumps(details), private=True)
        info: dict[str, Any] = {"AccountId": account}
        if name:
            info["Name"] = name
        alias: str | None = None
        try:
            aliases = iam.list_account_aliases().get("AccountAliases", [])
            alias = aliases[0] if aliases else None
        except Exception as exc:
            unit.fail(exc, "iam", "ListAccountAliases", None)
        if alias:
            info["Alias"] = alias
        # the published schema types Name and Alias as strings: an absent alias is left out
        self._update_account_json(account, info, drop=() if alias else ("Alias",))

    def _update_account_json(self, account: str, updates: dict[str, Any], drop: Iterable[str] = ()) -> None:
        """Merge into accounts/ID/account.json (the iam and s3 units each own some of its keys)."""
        path = self.out / layout.account_meta(account)
        with self._files_lock:
            data: dict[str, Any] = {}
            if path.exists():
                try:
                    loaded = _read_json(path)
                    data = loaded if isinstance(loaded, dict) else {}
                except ValueError:
                    data = {}
            data.setdefault("AccountId", account)
            data.update(updates)
            for key in drop:
                data.pop(key, None)
            atomic_write(path, dumps(data), private=True)

    def _s3(self, clients: Clients, unit: _Unit, account: str) -> None:
        self._account_public_access_block(clients, unit, account)
        s3 = clients.client("s3")
        found: list[dict[str, Any]] = []
        try:
            buckets = s3.list_buckets().get("Buckets", [])
        except Exception as exc:
            unit.fail(exc, "s3", "ListBuckets", None)
            buckets = []
        for b in buckets:
            bucket = b["Name"]
            arn = f"arn:{self._partition}:s3:::{bucket}"
            try:
                policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
            except Exception as exc:
                if error_code(exc) not in _NO_POLICY:
                    unit.fail(exc, "s3", "GetBucketPolicy", None, f"bucket `{bucket}`")
                continue
            region = None
            try:
                loc = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
                region = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(loc, loc)
            except Exception as exc:
                unit.fail(exc, "s3", "GetBucketLocation", None, f"bucket `{bucket}`")
            bpa = None
            try:
                bpa = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
            except Exception as exc:
                if error_code(exc) not in _NO_POLICY:
                    unit.fail(exc, "s3", "GetPublicAccessBlock", None, f"bucket `{bucket}`")
            found.append(
                {
                    "Arn": arn,
                    "Service": "s3",
                    "Region": region,
                    "Policy": _policy_doc(policy),
                    "Extra": {"BucketName": bucket, "PublicAccessBlock": bpa},
                }
            )
        self._merge_resource_policies(account, found, lambda rp: rp.get("Service") == "s3" and not _regional_s3(rp))

    def _account_public_access_block(self, clients: Clients, unit: _Unit, account: str) -> None:
        """`aws s3control get-public-access-block --account-id ID` into account.json.

        The account-level settings override a bucket's own (Amazon S3 User Guide, "Blocking public
        access to your Amazon S3 storage": S3 applies the most restrictive combination of the
        bucket and account settings). ``null`` means the account has none configured; when the
        call fails the key is left out and the failure is an errors.json entry.
        """
        try:
            resp = clients.client("s3control").get_public_access_block(AccountId=account)
        except Exception as exc:
            if error_code(exc) == "NoSuchPublicAccessBlockConfiguration":
                self._update_account_json(account, {ACCOUNT_BPA_KEY: None})
            else:
                unit.fail(exc, "s3control", "GetPublicAccessBlock", None, "account-level S3 Block Public Access")
                self._update_account_json(account, {}, drop=(ACCOUNT_BPA_KEY,))
            return
        self._update_account_json(account, {ACCOUNT_BPA_KEY: resp.get("PublicAccessBlockConfiguration")})

    def _regional(self, clients: Clients, unit: _Unit, account: str, region: str) -> None:
        found: list[dict[str, Any]] = []
        for service in REGIONAL_SERVICES:
            reader = getattr(self, f"_rp_{service}")
            try:
                reader(clients.client(service, region), unit, region, found)
            except Exception as exc:  # the list call itself failed
                unit.fail(exc, service, _failed_operation(exc, service), region)
        self._merge_resource_policies(
            account, found, lambda rp: (rp.get("Service") != "s3" or _regional_s3(rp)) and rp.get("Region") == region
        )

    def _merge_resource_policies(
        self, account: str, found: list[dict[str, Any]], replaces: Callable[[dict[str, Any]], bool]
    ) -> None:
        path = self.out / layout.resource_policies(account)
        with self._files_lock:
            existing: list[dict[str, Any]] = []
            if path.exists():
                try:
                    existing = _read_json(path).get("ResourcePolicies", [])
                except ValueError:
                    existing = []
            kept = [rp for rp in existing if not replaces(rp)]
            merged = sorted(kept + found, key=lambda rp: (rp["Arn"], rp.get("Service", "")))
            atomic_write(path, dumps({"ResourcePolicies": merged}), private=True)

    # -- regional resource policies (one reader per service) -------------------------------------

    @staticmethod
    def _entry(arn: str, service: str, region: str, policy: Any, **extra: Any) -> dict[str, Any]:
        return {"Arn": arn, "Service": service, "Region": region, "Policy": _policy_doc(policy), "Extra": extra}

    def _get(self, unit: _Unit, service: str, operation: str, region: str, arn: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:
            if error_code(exc) not in _NO_POLICY:
                unit.fail(exc, service, operation, region, f"resource `{arn}`")
            return None

    def _rp_kms(self, kms: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for key in _paginate(kms, "list_keys").get("Keys", []):
            arn = key["KeyArn"]
            resp = self._get(
                unit, "kms", "GetKeyPolicy", region, arn,
                lambda k=key: kms.get_key_policy(KeyId=k["KeyId"], PolicyName="default"),
            )
            if resp and resp.get("Policy"):
                grants = self._get(unit, "kms", "ListGrants", region, arn,
                                   lambda k=key: _paginate(kms, "list_grants", KeyId=k["KeyId"]).get("Grants", []))
                extra: dict[str, Any] = {"KeyId": key["KeyId"]}
                if grants is not None:  # None: not readable (recorded in errors.json), so unknown
                    extra["Grants"] = sorted(grants, key=lambda g: str(g.get("GrantId", "")))
                # KeyManager (AWS or CUSTOMER) from DescribeKey: RCPs do not apply to AWS managed
                # keys (AWS KMS Developer Guide, "Resource control policies in AWS KMS")
                meta = self._get(unit, "kms", "DescribeKey", region, arn,
                                 lambda k=key: kms.describe_key(KeyId=k["KeyId"]))
                manager = ((meta or {}).get("KeyMetadata") or {}).get("KeyManager")
                if manager:
                    extra["KeyManager"] = manager
                found.append(self._entry(arn, "kms", region, resp["Policy"], **extra))

    def _rp_sqs(self, sqs: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for url in _paginate(sqs, "list_queues").get("QueueUrls", []):
            resp = self._get(
                unit, "sqs", "GetQueueAttributes", region, url,
                lambda u=url: sqs.get_queue_attributes(QueueUrl=u, AttributeNames=["QueueArn", "Policy"]),
            )
            attrs = (resp or {}).get("Attributes", {})
            if attrs.get("Policy"):
                found.append(self._entry(attrs["QueueArn"], "sqs", region, attrs["Policy"], QueueUrl=url))

    def _rp_sns(self, sns: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for topic in _paginate(sns, "list_topics").get("Topics", []):
            arn = topic["TopicArn"]
            resp = self._get(unit, "sns", "GetTopicAttributes", region, arn, lambda a=arn: sns.get_topic_attributes(TopicArn=a))
            attrs = (resp or {}).get("Attributes", {})
            if attrs.get("Policy"):
                found.append(self._entry(arn, "sns", region, attrs["Policy"]))

    def _rp_lambda(self, lam: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for fn in _paginate(lam, "list_functions").get("Functions", []):
            arn = fn["FunctionArn"]
            resp = self._get(unit, "lambda", "GetPolicy", region, arn, lambda a=arn: lam.get_policy(FunctionName=a))
            if resp and resp.get("Policy"):
                found.append(self._entry(arn, "lambda", region, resp["Policy"], FunctionName=fn["FunctionName"]))
        # layers: each version has its own policy (who may use the layer)
        for layer in _paginate(lam, "list_layers").get("Layers", []):
            name = layer["LayerName"]
            versions = self._get(unit, "lambda", "ListLayerVersions", region, layer.get("LayerArn", name),
                                 lambda n=name: _paginate(lam, "list_layer_versions", LayerName=n).get("LayerVersions", []))
            for v in versions or []:
                arn = v["LayerVersionArn"]
                resp = self._get(unit, "lambda", "GetLayerVersionPolicy", region, arn,
                                 lambda n=name, num=v["Version"]: lam.get_layer_version_policy(LayerName=n, VersionNumber=num))
                if resp and resp.get("Policy"):
                    found.append(self._entry(arn, "lambda", region, resp["Policy"], LayerName=name, Version=v["Version"]))

    def _rp_secretsmanager(self, sm: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for secret in _paginate(sm, "list_secrets").get("SecretList", []):
            arn = secret["ARN"]
            resp = self._get(
                unit, "secretsmanager", "GetResourcePolicy", region, arn, lambda a=arn: sm.get_resource_policy(SecretId=a)
            )
            if resp and resp.get("ResourcePolicy"):
                found.append(self._entry(arn, "secretsmanager", region, resp["ResourcePolicy"], Name=secret.get("Name")))

    def _rp_ecr(self, ecr: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for repo in _paginate(ecr, "describe_repositories").get("repositories", []):
            arn = repo["repositoryArn"]
            resp = self._get(
                unit, "ecr", "GetRepositoryPolicy", region, arn,
                lambda r=repo: ecr.get_repository_policy(repositoryName=r["repositoryName"], registryId=r["registryId"]),
            )
            if resp and resp.get("policyText"):
                found.append(self._entry(arn, "ecr", region, resp["policyText"], RepositoryName=repo["repositoryName"]))


    # -- external-access resources (read-only; a call the service or the emulator lacks is a
    #    recorded gap in errors.json, see docs/access.md)

    def _rp_s3control(self, s3c: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        account = unit.account or ""
        points: list[dict[str, Any]] = []
        token = None
        while True:  # ListAccessPoints has no paginator in botocore
            resp = s3c.list_access_points(AccountId=account, **({"NextToken": token} if token else {}))
            points += resp.get("AccessPointList", [])
            token = resp.get("NextToken")
            if not token:
                break
        for ap in points:
            name = ap["Name"]
            arn = ap.get("AccessPointArn") or f"arn:{self._partition}:s3:{region}:{account}:accesspoint/{name}"
            resp = self._get(unit, "s3control", "GetAccessPointPolicy", region, arn,
                             lambda n=name: s3c.get_access_point_policy(AccountId=account, Name=n))
            if not resp or not resp.get("Policy"):
                continue
            info = self._get(unit, "s3control", "GetAccessPoint", region, arn,
                             lambda n=name: s3c.get_access_point(AccountId=account, Name=n)) or {}
            found.append(self._entry(
                arn, "s3", region, resp["Policy"], Name=name, Bucket=ap.get("Bucket") or info.get("Bucket"),
                NetworkOrigin=ap.get("NetworkOrigin") or info.get("NetworkOrigin"),
                VpcConfiguration=ap.get("VpcConfiguration") or info.get("VpcConfiguration"),
                PublicAccessBlockConfiguration=info.get("PublicAccessBlockConfiguration"),
            ))

    def _rp_efs(self, efs: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for fs in _paginate(efs, "describe_file_systems").get("FileSystems", []):
            arn = fs.get("FileSystemArn") or fs["FileSystemId"]
            resp = self._get(unit, "elasticfilesystem", "DescribeFileSystemPolicy", region, arn,
                             lambda i=fs["FileSystemId"]: efs.describe_file_system_policy(FileSystemId=i))
            if resp and resp.get("Policy"):
                found.append(self._entry(arn, "elasticfilesystem", region, resp["Policy"], FileSystemId=fs["FileSystemId"]))

    def _rp_events(self, ev: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        buses: list[dict[str, Any]] = []
        token = None
        while True:  # ListEventBuses has no paginator in botocore
            resp = ev.list_event_buses(**({"NextToken": token} if token else {}))
            buses += resp.get("EventBuses", [])
            token = resp.get("NextToken")
            if not token:
                break
        for bus in buses:
            arn = bus["Arn"]
            policy = bus.get("Policy")
            if policy is None:
                desc = self._get(unit, "events", "DescribeEventBus", region, arn,
                                 lambda n=bus["Name"]: ev.describe_event_bus(Name=n))
                policy = (desc or {}).get("Policy")
            if policy:
                found.append(self._entry(arn, "events", region, policy, Name=bus["Name"]))

    def _rp_backup(self, bk: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for vault in _paginate(bk, "list_backup_vaults").get("BackupVaultList", []):
            arn = vault["BackupVaultArn"]
            resp = self._get(unit, "backup", "GetBackupVaultAccessPolicy", region, arn,
                             lambda n=vault["BackupVaultName"]: bk.get_backup_vault_access_policy(BackupVaultName=n))
            if resp and resp.get("Policy"):
                found.append(self._entry(arn, "backup", region, resp["Policy"], BackupVaultName=vault["BackupVaultName"]))

    def _rp_glacier(self, gl: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for vault in _paginate(gl, "list_vaults", accountId="-").get("VaultList", []):
            arn = vault["VaultARN"]
            resp = self._get(unit, "glacier", "GetVaultAccessPolicy", region, arn,
                             lambda n=vault["VaultName"]: gl.get_vault_access_policy(accountId="-", vaultName=n))
            policy = ((resp or {}).get("policy") or {}).get("Policy")
            if policy:
                found.append(self._entry(arn, "glacier", region, policy, VaultName=vault["VaultName"]))

    def _rp_opensearch(self, osd: Any, unit: _Unit, region: str, found: list[dict[str, Any]]) -> None:
        for d in osd.list_domain_names().get("DomainNames", []):
            name = d["DomainName"]
            resp = self._get(unit, "es", "DescribeDomainConfig", region, name,
                             lambda n=name: osd.describe_domain_config(DomainName=n))
            policy = (((resp or {}).get("DomainConfig") or {}).get("AccessPolicies") or {}).get("Options")
            if policy:
                arn = f"arn:{self._partition}:es:{region}:{unit.account}:domain/{name}"
                found.append(self._entry(arn, "es", region, policy, DomainName=name))


def _regional_s3(rp: dict[str, Any]) -> bool:
    """An S3 entry of the regional unit (an access point), not of the account-wide s3 unit."""
    return ":accesspoint/" in str(rp.get("Arn", ""))


_LIST_OPERATION = {
    "ecr": "DescribeRepositories",
    "kms": "ListKeys",
    "lambda": "ListFunctions",
    "secretsmanager": "ListSecrets",
    "sns": "ListTopics",
    "sqs": "ListQueues",
    "s3control": "ListAccessPoints",
    "efs": "DescribeFileSystems",
    "events": "ListEventBuses",
    "backup": "ListBackupVaults",
    "glacier": "ListVaults",
    "opensearch": "ListDomainNames",
}


def _failed_operation(exc: BaseException, service: str | None = None) -> str:
    """The operation named by a botocore error, else the service's list operation."""
    op = getattr(exc, "operation_name", None)
    if op:
        return str(op)
    return _LIST_OPERATION.get(service or "", "Unknown")


def _active(account: dict[str, Any]) -> bool:
    state = account.get("State") or account.get("Status") or "ACTIVE"
    return state == "ACTIVE"


def collect(out: str | Path, **kwargs: Any) -> CollectResult:
    """Collect a snapshot into ``out`` (see :class:`Collector` for the options)."""
    return Collector(out, **kwargs).run()
