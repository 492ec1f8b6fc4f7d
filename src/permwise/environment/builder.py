"""Build a snapshot directory from Python: for tests, the bundled demo organization and benchmarks.

The files written are exactly the documented layout (``docs/snapshots.md``), with the shapes the
AWS CLI prints (``get-account-authorization-details``, ``describe-organization``, ``list-roots``,
``describe-policy``, ``list-targets-for-policy``), so a snapshot built here reads like one
assembled by hand.

>>> b = SnapshotBuilder(management_account="111111111111")          # doctest: +SKIP
>>> b.account("222222222222", "prod", parent=b.ou("ou-ab12-11111111", "Workloads"))   # doctest: +SKIP
>>> b.role("222222222222", "Reader", trust=trust_account("111111111111"), inline={"read": allow(["s3:Get*"])})  # doctest: +SKIP
>>> b.write("snap/")                                                  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from permwise.environment.layout import (
    FORMAT,
    META,
    ORG_ACCOUNTS,
    ORGANIZATION,
    OUS,
    ROOTS,
    account_meta,
    authorization_details,
    org_policy,
    resource_policies,
)
from permwise.environment.model import RCP_TYPE, SCP_TYPE
from permwise.fsutil import atomic_write_many

FULL_AWS_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
RCP_FULL_AWS_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}
_DATE = "2025-01-15T09:30:00+00:00"


def allow(actions: list[str] | str, resources: list[str] | str = "*", sid: str | None = None,
          condition: dict | None = None) -> dict:
    """A one-statement Allow policy document."""
    st: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if sid:
        st = {"Sid": sid, **st}
    if condition:
        st["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [st]}


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def trust_account(account: str, *, partition: str = "aws", condition: dict | None = None) -> dict:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                          "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return doc(st)


def trust_service(service: str) -> dict:
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def _id(prefix: str, name: str) -> str:
    import hashlib

    return prefix + hashlib.sha1(name.encode()).hexdigest()[:17].upper()


class SnapshotBuilder:
    def __init__(
        self,
        management_account: str | None = None,
        *,
        org_id: str = "o-a1b2c3d4e5",
        root_id: str = "r-a1b2",
        partition: str = "aws",
        regions: list[str] | None = None,
        created: str = "2025-01-15T09:30:00Z",
        source: str = "manual",
        scp_enabled: bool = True,
        rcp_enabled: bool = False,
        full_access_everywhere: bool = True,
    ) -> None:
        self.management = management_account
        self.org_id = org_id
        self.root_id = root_id
        self.partition = partition
        self.regions = regions or []
        self.created = created
        self.source = source
        self.scp_enabled = scp_enabled
        self.rcp_enabled = rcp_enabled
        self.full_access_everywhere = full_access_everywhere
        self.ous: list[dict] = []
        self.accounts: list[dict] = []
        self.org_policies: dict[str, tuple[dict, list[str]]] = {}
        self.auth: dict[str, dict[str, list]] = {}
        self.resource_policies: dict[str, list[dict]] = {}
        self.account_meta: dict[str, dict] = {}
        self.extra_files: dict[str, Any] = {}

    # ------------------------------------------------------------------ organization
    @property
    def has_organization(self) -> bool:
        return self.management is not None

    def ou(self, ou_id: str, name: str, parent: str | None = None) -> str:
        self.ous.append({
            "Id": ou_id, "Arn": f"arn:{self.partition}:organizations::{self.management}:ou/{self.org_id}/{ou_id}",
            "Name": name, "ParentId": parent or self.root_id,
        })
        return ou_id

    def account(self, account_id: str, name: str, parent: str | None = None, *, email: str | None = None,
                alias: str | None = None, tags: dict[str, str] | None = None) -> str:
        if self.has_organization:
            self.accounts.append({
                "Id": account_id,
                "Arn": f"arn:{self.partition}:organizations::{self.management}:account/{self.org_id}/{account_id}",
                "Email": email or f"aws+{name}@example.com", "Name": name, "Status": "ACTIVE",
                "JoinedMethod": "INVITED" if account_id == self.management else "CREATED",
                "JoinedTimestamp": _DATE, "ParentId": parent or self.root_id,
            })
        meta = {"AccountId": account_id, "Name": name}
        if alias:
            meta["Alias"] = alias
        if tags:
            meta["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        self.account_meta[account_id] = meta
        self._auth(account_id)
        return account_id

    def org_policy(self, policy_id: str, name: str, document: dict, targets: list[str], *, type_: str = SCP_TYPE,
                   description: str = "", aws_managed: bool = False) -> str:
        kind = "service_control_policy" if type_ == SCP_TYPE else "resource_control_policy"
        owner = "aws" if aws_managed else self.management
        arn = (f"arn:{self.partition}:organizations::aws:policy/{kind}/{policy_id}" if aws_managed
               else f"arn:{self.partition}:organizations::{owner}:policy/{self.org_id}/{kind}/{policy_id}")
        summary = {"Id": policy_id, "Arn": arn, "Name": name, "Description": description, "Type": type_,
                   "AwsManaged": aws_managed}
        content = orjson.dumps(document).decode()
        self.org_policies[policy_id] = ({"Policy": {"PolicySummary": summary, "Content": content}}, list(targets))
        return policy_id

    def scp(self, policy_id: str, name: str, document: dict, targets: list[str], **kw: Any) -> str:
        return self.org_policy(policy_id, name, document, targets, type_=SCP_TYPE, **kw)

    def rcp(self, policy_id: str, name: str, document: dict, targets: list[str], **kw: Any) -> str:
        return self.org_policy(policy_id, name, document, targets, type_=RCP_TYPE, **kw)

    def all_nodes(self) -> list[str]:
        return [self.root_id] + [o["Id"] for o in self.ous] + [a["Id"] for a in self.accounts]

    # ------------------------------------------------------------------ IAM
    def _auth(self, account: str) -> dict[str, list]:
        return self.auth.setdefault(account, {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [],
                                              "Policies": []})

    def managed_policy(self, account: str, name: str, document: dict, *, path: str = "/",
                       aws_managed: bool = False, versions: int = 1) -> str:
        """Add a managed policy to ``account``'s authorization-details; returns its ARN. AWS
        managed policies (``aws_managed``) get ``arn:aws:iam::aws:policy/...``."""
        owner = "aws" if aws_managed else account
        arn = f"arn:{self.partition}:iam::{owner}:policy{path}{name}"
        pols = self._auth(account)["Policies"]
        if any(p["Arn"] == arn for p in pols):
            return arn
        vlist = []
        for v in range(versions, 0, -1):
            vlist.append({"Document": document if v == versions else allow("none:Placeholder"),
                          "VersionId": f"v{v}", "IsDefaultVersion": v == versions, "CreateDate": _DATE})
        pols.append({
            "PolicyName": name, "PolicyId": _id("ANPA", arn), "Arn": arn, "Path": path,
            "DefaultVersionId": f"v{versions}", "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True, "CreateDate": _DATE, "UpdateDate": _DATE, "PolicyVersionList": vlist,
        })
        return arn

    def role(self, account: str, name: str, *, trust: dict, inline: dict[str, dict] | None = None,
             managed: list[str] | None = None, boundary: str | None = None, tags: dict[str, str] | None = None,
             path: str = "/", last_used: str | None = None, description: str | None = None) -> str:
        arn = f"arn:{self.partition}:iam::{account}:role{path}{name}"
        entry: dict[str, Any] = {
            "Path": path, "RoleName": name, "RoleId": _id("AROA", arn), "Arn": arn, "CreateDate": _DATE,
            "AssumeRolePolicyDocument": trust, "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()],
            "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in managed or []],
            "Tags": [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())],
            "RoleLastUsed": {"LastUsedDate": last_used, "Region": "ap-southeast-2"} if last_used else {},
            "MaxSessionDuration": 3600,
        }
        if description:
            entry["Description"] = description
        if boundary:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        self._auth(account)["RoleDetailList"].append(entry)
        return arn

    def group(self, account: str, name: str, *, inline: dict[str, dict] | None = None,
              managed: list[str] | None = None, path: str = "/") -> str:
        arn = f"arn:{self.partition}:iam::{account}:group{path}{name}"
        self._auth(account)["GroupDetailList"].append({
            "Path": path, "GroupName": name, "GroupId": _id("AGPA", arn), "Arn": arn, "CreateDate": _DATE,
            "GroupPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()],
            "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in managed or []],
        })
        return arn

    def user(self, account: str, name: str, *, inline: dict[str, dict] | None = None, managed: list[str] | None = None,
             groups: list[str] | None = None, boundary: str | None = None, tags: dict[str, str] | None = None,
             path: str = "/") -> str:
        arn = f"arn:{self.partition}:iam::{account}:user{path}{name}"
        entry: dict[str, Any] = {
            "Path": path, "UserName": name, "UserId": _id("AIDA", arn), "Arn": arn, "CreateDate": _DATE,
            "UserPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()],
            "GroupList": list(groups or []),
            "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in managed or []],
            "Tags": [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())],
        }
        if boundary:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        self._auth(account)["UserDetailList"].append(entry)
        return arn

    def resource_policy(self, account: str, arn: str, document: dict, *, service: str | None = None,
                        region: str = "", extra: dict | None = None) -> str:
        entry: dict[str, Any] = {"Arn": arn, "Service": service or arn.split(":")[2], "Region": region, "Policy": document}
        if extra:
            entry["Extra"] = extra
        self.resource_policies.setdefault(account, []).append(entry)
        return arn

    # ------------------------------------------------------------------ output
    def files(self, *, indent: bool = True) -> dict[str, bytes]:
        opt = orjson.OPT_INDENT_2 if indent else 0

        def dump(v: Any) -> bytes:
            return orjson.dumps(v, option=opt) + b"\n"

        out: dict[str, bytes] = {
            META: dump({"format": FORMAT, "created": self.created, "source": self.source,
                                   "partition": self.partition, "regions": self.regions}),
        }
        if self.has_organization:
            types = []
            if self.scp_enabled:
                types.append({"Type": SCP_TYPE, "Status": "ENABLED"})
            if self.rcp_enabled:
                types.append({"Type": RCP_TYPE, "Status": "ENABLED"})
            avail = [{"Type": t["Type"], "Status": "ENABLED"} for t in types]
            out[ORGANIZATION] = dump({"Organization": {
                "Id": self.org_id, "Arn": f"arn:{self.partition}:organizations::{self.management}:organization/{self.org_id}",
                "FeatureSet": "ALL", "MasterAccountArn": f"arn:{self.partition}:organizations::{self.management}:account/{self.org_id}/{self.management}",
                "MasterAccountId": self.management, "MasterAccountEmail": "aws+management@example.com",
                "AvailablePolicyTypes": avail,
            }})
            out[ROOTS] = dump({"Roots": [{
                "Id": self.root_id, "Arn": f"arn:{self.partition}:organizations::{self.management}:root/{self.org_id}/{self.root_id}",
                "Name": "Root", "PolicyTypes": types,
            }]})
            out[OUS] = dump({"OrganizationalUnits": self.ous})
            out[ORG_ACCOUNTS] = dump({"Accounts": self.accounts})
            policies = dict(self.org_policies)
            if self.full_access_everywhere:
                nodes = self.all_nodes()
                if self.scp_enabled and "p-FullAWSAccess" not in policies:
                    self.scp("p-FullAWSAccess", "FullAWSAccess", FULL_AWS_ACCESS, nodes, aws_managed=True,
                             description="Allows access to every operation")
                if self.rcp_enabled and "p-RCPFullAWSAccess" not in policies:
                    self.rcp("p-RCPFullAWSAccess", "RCPFullAWSAccess", RCP_FULL_AWS_ACCESS, nodes, aws_managed=True,
                             description="Allows access to every operation")
            names = {self.root_id: "Root", **{o["Id"]: o["Name"] for o in self.ous},
                     **{a["Id"]: a["Name"] for a in self.accounts}}
            types_of = {self.root_id: "ROOT", **{o["Id"]: "ORGANIZATIONAL_UNIT" for o in self.ous},
                        **{a["Id"]: "ACCOUNT" for a in self.accounts}}
            for pid, (body, targets) in sorted(self.org_policies.items()):
                out[org_policy(pid)] = dump(body)
                out[org_policy(pid, targets=True)] = dump({"Targets": [
                    {"TargetId": t, "Arn": f"arn:{self.partition}:organizations::{self.management}:{types_of.get(t, 'ACCOUNT').lower()}/{self.org_id}/{t}",
                     "Name": names.get(t, t), "Type": types_of.get(t, "ACCOUNT")}
                    for t in targets
                ]})
        for acct, auth in sorted(self.auth.items()):
            out[authorization_details(acct)] = dump({**auth, "IsTruncated": False})
            if acct in self.account_meta:
                out[account_meta(acct)] = dump(self.account_meta[acct])
        for acct, rps in sorted(self.resource_policies.items()):
            out[resource_policies(acct)] = dump({"ResourcePolicies": rps})
        for rel, v in self.extra_files.items():
            out[rel] = v if isinstance(v, bytes) else dump(v)
        return out

    def write(self, out_dir: str | os.PathLike[str], *, indent: bool = True) -> Path:
        root = Path(out_dir)
        files = self.files(indent=indent)
        atomic_write_many({root / rel: data for rel, data in files.items()}, force=True)
        return root
