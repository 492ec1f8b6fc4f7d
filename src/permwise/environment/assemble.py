"""Assembling an :class:`~permwise.environment.Environment` from snapshot files: the steps shared
by the whole-snapshot loader (:func:`permwise.environment.load_snapshot`) and the per-account
loader (:func:`permwise.environment.partial.load_part`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from permwise.environment.env import Environment
from permwise.environment.layout import authorization_details
from permwise.environment.load import AccountIam, SnapshotReader, tags_of
from permwise.environment.model import Account, Principal, Problem


def apply_account_meta(acc: Account, meta: dict[str, Any]) -> None:
    """Apply an account's ``account.json`` (name, alias, tags, S3 Block Public Access)."""
    if not meta:
        return
    acc.meta = meta
    acc.name = acc.name or str(meta.get("Name") or "")
    acc.alias = str(meta.get("Alias") or "")
    bpa = meta.get("S3PublicAccessBlock")
    acc.s3_public_access_block = bpa if isinstance(bpa, dict) else None
    tags = meta.get("Tags")
    if isinstance(tags, (list, dict)):
        acc.tags = tags_of(tags)


def add_account_iam(env: Environment, r: SnapshotReader, aid: str, data: AccountIam) -> list[Principal]:
    """Add the IAM data read from ``accounts/<aid>/`` to ``env``; the account's own principals."""
    rel = authorization_details(aid)
    own: list[Principal] = []
    for g in data.groups.values():
        env.groups[g.arn] = g
    for arn, mp in data.policies.items():
        env.managed_policies.setdefault(arn, mp)  # AWS managed policies repeat per account
    for pr in data.users + data.roles:
        if pr.account != aid:
            r.problem("principal-account", rel, pr.origin.pointer + "/Arn",
                      f"`{pr.arn}` belongs to account `{pr.account}` but is listed under `accounts/{aid}`", pr.arn)
        if env.principal(pr.arn) is not None:
            raise r.fail(rel, pr.origin.pointer + "/Arn", f"principal `{pr.arn}` is listed twice")
        env.add_principal(pr)
        own.append(pr)
    for rp in data.resource_policies:
        env.resource_policies[rp.arn] = rp
    return own


def reference_problems(r: SnapshotReader, env: Environment, principals: Iterable[Principal]) -> dict[str, list[Problem]]:
    """Problems of the references each principal makes (managed policies, its boundary, its
    groups and their policies) that the snapshot cannot resolve, recorded in ``r`` and returned
    by principal ARN."""
    pp: dict[str, list[Problem]] = {}

    def problem(p: Principal, code: str, rel: str, pointer: str, message: str) -> None:
        prob = Problem(code, rel, pointer, message, p.arn)
        r.problems.append(prob)
        pp.setdefault(p.arn, []).append(prob)

    for p in principals:
        rel = p.origin.file
        for i, arn in enumerate(p.managed_policy_arns):
            if arn not in env.managed_policies:
                problem(p, "absent-policy", rel, f"{p.origin.pointer}/AttachedManagedPolicies/{i}/PolicyArn",
                        f"policy `{arn}` is attached to `{p.arn}` but absent from the snapshot (collect "
                        "authorization-details without a `--filter`, or with `LocalManagedPolicy AWSManagedPolicy`); "
                        "its permissions are not counted")
        if p.boundary_arn and p.boundary_arn not in env.managed_policies:
            problem(p, "absent-boundary", rel, f"{p.origin.pointer}/PermissionsBoundary/PermissionsBoundaryArn",
                    f"permissions boundary `{p.boundary_arn}` of `{p.arn}` is absent from the snapshot; it is not applied")
        for i, gname in enumerate(p.groups):
            g = env.group_named(p.account, gname)
            if g is None:
                problem(p, "absent-group", rel, f"{p.origin.pointer}/GroupList/{i}",
                        f"user `{p.arn}` is in group `{gname}`, which is not in `GroupDetailList`; the group's "
                        "policies are not counted")
                continue
            for j, arn in enumerate(g.managed_policy_arns):
                if arn not in env.managed_policies:
                    problem(p, "absent-policy", g.origin.file, f"{g.origin.pointer}/AttachedManagedPolicies/{j}/PolicyArn",
                            f"policy `{arn}` is attached to group `{g.name}` but absent from the snapshot; its "
                            "permissions are not counted")
    return pp


def dedupe(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, first occurrence first."""
    return list(dict.fromkeys(problems))


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Deduplicated and sorted (file, pointer, code, message), as every loader reports them."""
    return sorted(dedupe(problems), key=lambda x: (x.file, x.pointer, x.code, x.message))


def compile_documents(env: Environment, accounts: Iterable[str], *, unattached: bool) -> None:
    """Compile every document in force for ``accounts`` now, so that an invalid one is reported
    at load time rather than in the middle of an analysis; ``unattached``: also the organization
    policies attached nowhere."""
    for p in env.principals():
        env.identity_for(p)
        if p.kind == "role" and p.trust_policy is not None:
            env.resource_policy_of(p.arn)
    for arn in env.managed_policies:
        env.managed(arn, "identity")
    for aid in accounts:
        if env.scp_enabled:
            env.scp_chain(aid)
        if env.rcp_enabled:
            env.rcp_chain(aid)
    for arn in env.resource_policies:
        env.resource_policy_of(arn)
    if unattached:
        for op in env.org_policies.values():
            env.compile(("org", op.id, None), op.document, op.name, op.kind, op.origin)
