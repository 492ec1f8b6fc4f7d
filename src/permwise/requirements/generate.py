"""Least-privilege policy generation from the requirement plan.

For each profile, the identity policies its commands need, and nothing more:

* only the required actions: a manifest wildcard is expanded to the actions it matches unless the
  permission sets ``wildcard_intended``; explicit actions are compressed back to a wildcard only
  where the wildcard's catalog expansion is entirely required on the same resources (so the
  wildcard grants nothing beyond the requirement, as of the pinned catalog);
* resources scoped wherever the catalog says the action supports it (filled templates or ARNs
  derived from the catalog ARN pattern), ``Resource: "*"`` only for wildcard-only actions, in
  separate statements; the permission's conditions carried through;
* deterministic: every grant is owned by the first command (by id) that needs it; statements are
  grouped by (command, service, read/write, conditions, resources) and sorted; Sids read
  ``<Command><Service><Read|Write>[<ResourceType>]`` (``InventoryCollectEc2Read``,
  ``OperateS3CreateBucketS3WriteBucket``), or ``<Command><Service><Stem>All`` for a wildcard kept
  as intended (``InventoryCollectIamGetAll`` for ``iam:Get*``);
* split to AWS's size limit (6,144 characters per managed policy, whitespace not counted) with a
  warning past 10 managed policies per role; every document passes ``permwise validate``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from permwise.catalog import get_catalog
from permwise.errors import InputError, PermwiseError
from permwise.policy.size import policy_size
from permwise.requirements.model import DeploymentConfig, Manifest
from permwise.requirements.plan import (
    CommandPlan,
    RequiredRequest,
    plan,
    variable_value,
)

#: IAM quotas ("IAM and AWS STS quotas"): a customer managed policy is at most 6,144 characters,
#: white space not counted; a role has at most 10 managed policies attached by default.
MANAGED_POLICY_MAX_CHARS = 6144
MANAGED_POLICIES_PER_ROLE = 10
#: Organizations quotas: an SCP document is at most 5,120 characters.
SCP_MAX_CHARS = 5120

VERSION = "2012-10-17"


def pascal(text: str) -> str:
    """``inventory.collect`` -> ``InventoryCollect``, ``resource-explorer-2`` -> ``ResourceExplorer2``."""
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", text) if p)


def access_class(action_key: str) -> str:
    """``Read`` for the List and Read access levels, ``Write`` for Write, Tagging and
    Permissions management."""
    a = get_catalog().action(action_key)
    return "Write" if a is not None and a.is_write else "Read"


@dataclass
class Statement:
    owner: str
    service: str
    access: str
    actions: list[str]
    resources: list[str]
    conditions: dict[str, Any]
    label: str = ""
    sid: str = ""

    def sort_key(self, order: dict[str, int]) -> tuple:
        return (order.get(self.owner, 0), self.service, self.access, self.resources != ["*"],
                self.label, json.dumps(self.conditions, sort_keys=True), self.resources, self.actions)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Sid": self.sid, "Effect": "Allow",
                               "Action": self.actions[0] if len(self.actions) == 1 else self.actions,
                               "Resource": self.resources[0] if len(self.resources) == 1 else self.resources}
        if self.conditions:
            out["Condition"] = self.conditions
        return out


@dataclass
class GeneratedPolicy:
    """One managed policy document for one profile."""

    name: str
    tool: str
    profile: str
    account: str | None
    principal: str | None
    description: str
    document: dict[str, Any]
    commands: list[str]
    kind: str = "identity"

    @property
    def size(self) -> int:
        return policy_size(self.document)


@dataclass
class GenerationResult:
    policies: list[GeneratedPolicy] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    plans: list[CommandPlan] = field(default_factory=list)
    #: The role's trust policy (manifest ``trust_policy`` extension) with its variables filled.
    trust_policy: GeneratedPolicy | None = None

    def by_profile(self) -> dict[str, list[GeneratedPolicy]]:
        out: dict[str, list[GeneratedPolicy]] = defaultdict(list)
        for p in self.policies:
            out[p.profile].append(p)
        return dict(out)


# ---------------------------------------------------------------------------------------------
# Action compression


def _prefixes(name: str) -> list[str]:
    """Proper prefixes of an action name at CamelCase word starts: ``DescribeInstanceStatus`` ->
    ``Describe``, ``DescribeInstance``."""
    return [name[:i] for i in range(1, len(name)) if name[i].isupper() and not name[i - 1].isupper()]


def compress_actions(service: str, names: Iterable[str]) -> list[str]:
    """The shortest listing of ``service:name`` actions using ``Prefix*`` wildcards whose catalog
    expansion lies entirely within ``names`` (a wildcard never adds an action). Sorted."""
    cat = get_catalog()
    wanted = {n.lower(): n for n in names}
    remaining = set(wanted)
    chosen: list[str] = []
    candidates = {""} | {p for n in wanted.values() for p in _prefixes(n)}
    for prefix in sorted(candidates, key=lambda p: (len(p), p.lower())):
        exp = {a.name.lower() for a in cat.expand(f"{service}:{prefix}*")}
        if len(exp) >= 2 and exp <= wanted.keys() and len(exp & remaining) >= 2:
            chosen.append(f"{service}:{prefix}*")
            remaining -= exp
    out = chosen + [f"{service}:{wanted[n]}" for n in remaining]
    return sorted(out, key=str.lower)


# ---------------------------------------------------------------------------------------------
# Statements


def _covers(stmt_actions: set[str], stmt_resources: list[str], stmt_cond: str, req: RequiredRequest) -> bool:
    if req.action.lower() not in stmt_actions:
        return False
    if stmt_resources != ["*"] and req.resource not in stmt_resources:
        return False
    return stmt_cond in ("{}", req.conditions_key)


def build_statements(plans: list[CommandPlan], compress: bool = True) -> list[Statement]:
    """Statements for the commands of one profile, merged and ordered deterministically."""
    cat = get_catalog()
    order = {cp.command.id: i for i, cp in enumerate(plans)}
    statements: list[Statement] = []
    covered: list[tuple[set[str], list[str], str]] = []

    # 1. wildcards the manifest marks as intended stay as written
    intended: dict[tuple, list[RequiredRequest]] = defaultdict(list)
    for cp in plans:
        for r in cp.requests:
            if r.wildcard_intended and ("*" in r.source_pattern or "?" in r.source_pattern):
                intended[(cp.command.id, r.source_pattern, r.conditions_key)].append(r)
    for (owner, pattern, ckey), reqs in sorted(intended.items(), key=lambda kv: (order[kv[0][0]], kv[0][1:])):
        resources = sorted({r.resource for r in reqs})
        if "*" in resources:
            resources = ["*"]
        acts = {a.key.lower() for a in cat.expand(pattern)}
        if all(any(_covers(c[0], c[1], c[2], r) for c in covered) for r in reqs):
            continue
        stem = pascal(re.sub(r"[*?]", " ", pattern.split(":", 1)[1])) or "Any"
        statements.append(Statement(owner, pattern.split(":")[0].lower(), "", [pattern], resources,
                                    reqs[0].conditions, stem + "All"))
        covered.append((acts, resources, ckey))

    # 2. everything else: each (action, resource, conditions) owned by the first command needing it
    unconditional = {(r.action.lower(), r.resource) for cp in plans for r in cp.requests if not r.conditions}
    owned: dict[tuple[str, str, str], tuple[str, RequiredRequest]] = {}
    for cp in plans:
        for r in cp.requests:
            if r.conditions and (r.action.lower(), r.resource) in unconditional:
                continue
            if any(_covers(c[0], c[1], c[2], r) for c in covered):
                continue
            owned.setdefault((r.action.lower(), r.resource, r.conditions_key), (cp.command.id, r))

    # per owner, action and conditions: the set of resources (and their types)
    per_action: dict[tuple[str, str, str], dict[str, str | None]] = defaultdict(dict)
    conds: dict[str, dict[str, Any]] = {}
    for (_a, resource, ckey), (owner, r) in owned.items():
        per_action[(owner, r.action, ckey)][resource] = r.resource_type
        conds[ckey] = dict(r.conditions)
    groups: dict[tuple, set[str]] = defaultdict(set)
    labels: dict[tuple, set[str | None]] = defaultdict(set)
    for (owner, action, ckey), res in per_action.items():
        service = action.split(":")[0].lower()
        key = (owner, service, access_class(action), ckey, tuple(sorted(res)))
        groups[key].add(action.split(":", 1)[1])
        labels[key] |= set(res.values())
    for key, names in groups.items():
        owner, service, access, ckey, resources = key
        types = sorted(t for t in labels[key] if t)
        label = "" if list(resources) == ["*"] else (pascal(types[0]) if len(types) == 1 else "Scoped")
        actions = compress_actions(service, names) if compress else sorted(f"{service}:{n}" for n in names)
        statements.append(Statement(owner, service, access, actions, list(resources), conds[ckey], label))

    statements.sort(key=lambda s: s.sort_key(order))
    _assign_sids(statements)
    return statements


def _assign_sids(statements: list[Statement]) -> None:
    counts: dict[str, int] = defaultdict(int)
    for s in statements:
        base = pascal(s.owner) + pascal(s.service) + s.access + s.label
        counts[base] += 1
        s.sid = base if counts[base] == 1 else f"{base}{counts[base]}"


# ---------------------------------------------------------------------------------------------
# Packing into policies


def _doc(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


def _chunks(items: list[str], fits) -> list[list[str]]:
    """Greedy consecutive chunks of ``items`` for which ``fits(chunk)`` holds (a single item that
    does not fit alone still makes its own chunk; the caller reports it)."""
    out: list[list[str]] = []
    current: list[str] = []
    for item in items:
        if current and not fits(current + [item]):
            out.append(current)
            current = []
        current.append(item)
    if current:
        out.append(current)
    return out


def _split_statement(stmt: dict[str, Any], limit: int, kind: str = "identity") -> list[dict[str, Any]]:
    """Split one statement too big for one policy into several with the same effect and
    conditions: first the Resource list into chunks that fit with the longest action, then, per
    chunk, the Action list. The union of the parts allows exactly what the statement allowed."""
    actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
    resources = stmt["Resource"] if isinstance(stmt["Resource"], list) else [stmt["Resource"]]

    def make(acts: list[str], res: list[str]) -> dict[str, Any]:
        return dict(stmt, Action=acts[0] if len(acts) == 1 else acts, Resource=res[0] if len(res) == 1 else res)

    def size(acts: list[str], res: list[str]) -> int:
        return policy_size(_doc([make(acts, res)]), kind)

    room = limit - len("Part9999")  # the Sid of each part grows by `PartN`
    longest = [max(actions, key=len)]
    parts = [make(acts, res)
             for res in _chunks(resources, lambda r: size(longest, r) <= room)
             for acts in _chunks(actions, lambda a, res=res: size(a, res) <= room)]
    if len(parts) > 1:
        for i, part in enumerate(parts, 1):
            part["Sid"] = f"{stmt['Sid']}Part{i}"
    for part in parts:
        if policy_size(_doc([part]), kind) > limit:
            raise InputError(f"statement `{stmt['Sid']}` does not fit in one policy ({policy_size(_doc([part]), kind)} characters)",
                             hint="an action with a resource too long for a managed policy; shorten the resource template")
    return parts


def pack(statements: list[dict[str, Any]], limit: int = MANAGED_POLICY_MAX_CHARS,
         kind: str = "identity") -> list[dict[str, Any]]:
    """Documents of at most ``limit`` characters (counted for policy type ``kind``, see
    :func:`permwise.policy.size.policy_size`), statements kept in order."""
    docs: list[list[dict[str, Any]]] = [[]]
    for stmt in statements:
        for part in (_split_statement(stmt, limit, kind) if policy_size(_doc([stmt]), kind) > limit else [stmt]):
            if docs[-1] and policy_size(_doc(docs[-1] + [part]), kind) > limit:
                docs.append([])
            docs[-1].append(part)
    return [_doc(s) for s in docs if s]


# ---------------------------------------------------------------------------------------------
# Validation of generated documents


def validate_generated(doc: dict[str, Any], kind: str, name: str) -> list[str]:
    """Every generated policy must pass ``permwise validate`` clean before it is written: no
    ``error`` or ``warning`` finding (those raise). ``suggestion`` findings are returned as text;
    they only come from wildcards the manifest keeps on purpose (``wildcard_intended``)."""
    from permwise.policy import validate_document

    findings = validate_document(doc, kind, name=name)
    bad = [f for f in findings if f.severity in ("error", "warning")]
    if bad:
        f = bad[0]
        raise PermwiseError(
            f"generated policy `{name}` does not validate: {f.code} {f.message} (at {f.pointer}); "
            "this is a bug in permwise generate, please report it with the manifest"
        )
    return [f"policy `{name}` {f.pointer}: {f.message} ({f.code} {f.severity})" for f in findings]


# ---------------------------------------------------------------------------------------------


def generate_policies(m: Manifest, cfg: DeploymentConfig | None = None, commands: Iterable[str] | None = None,
                      profiles: Iterable[str] | None = None, *, compress: bool = True) -> GenerationResult:
    """The identity policies each profile needs for the selected commands."""
    plans = plan(m, cfg, commands, profiles)
    result = GenerationResult(plans=plans)
    by_profile: dict[str, list[CommandPlan]] = defaultdict(list)
    for cp in plans:
        by_profile[cp.profile].append(cp)
    for profile in sorted(by_profile):
        cps = by_profile[profile]
        stmts = build_statements(cps, compress=compress)
        docs = pack([s.to_json() for s in stmts])
        base = f"{m.tool.name}-{profile}"
        for i, doc in enumerate(docs, 1):
            name = base if len(docs) == 1 else f"{base}-{i}"
            sids = {s["Sid"] for s in doc["Statement"]}
            owners = sorted({s.owner for s in stmts if s.sid in sids or any(x.startswith(s.sid + "Part") for x in sids)})
            result.warnings.extend(validate_generated(doc, "identity", name))
            part = "" if len(docs) == 1 else f" (part {i} of {len(docs)})"
            result.policies.append(GeneratedPolicy(
                name=name, tool=m.tool.name, profile=profile, account=cps[0].account, principal=cps[0].principal,
                description=_describe(f"{m.tool.name} {m.tool.version}: least-privilege policy for the `{profile}` profile{part}; "
                                      f"commands: {', '.join(owners)}. Generated by permwise."),
                document=doc, commands=owners,
            ))
        if len(docs) > MANAGED_POLICIES_PER_ROLE:
            result.warnings.append(
                f"profile `{profile}` needs {len(docs)} managed policies; a role can have {MANAGED_POLICIES_PER_ROLE} "
                f"attached by default (hint: request a quota increase to 20, or generate fewer commands per role)")
    if plans:
        result.trust_policy = trust_policy(m, cfg, plans)
    return result


def _fill_doc(value: Any, values: dict[str, str]) -> Any:
    from permwise.requirements.templates import VARIABLE

    if isinstance(value, dict):
        return {k: _fill_doc(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_doc(v, values) for v in value]
    if isinstance(value, str):
        return VARIABLE.sub(lambda mo: values[mo.group(1)], value)
    return value


def trust_policy(m: Manifest, cfg: DeploymentConfig | None, plans: list[CommandPlan]) -> GeneratedPolicy | None:
    """The manifest's trust policy with its ``{variables}`` filled like resource templates: the
    config's value, else the variable's default, else (without a config) its example. It is
    validated as a trust policy before anything is written."""
    if m.trust_policy is None:
        return None
    from permwise.requirements.config import config_source
    from permwise.requirements.manifest import trust_policy_variables
    from permwise.sources import parse_text

    used = trust_policy_variables(m.trust_policy, "", parse_text("{}", "-", "json"), [], set())
    accounts = sorted({cp.account for cp in plans if cp.account})
    profiles = sorted({cp.profile for cp in plans})
    values: dict[str, str] = {"partition": cfg.partition if cfg else "aws",
                              "account": accounts[0] if len(accounts) == 1 else "*", "region": "*"}
    src = config_source(cfg)
    for name in sorted(used - set(values)):
        value = variable_value(m, cfg, name)
        if value is not None:
            values[name] = value
        else:
            pos = src.locate("/variables") if src else None
            raise InputError(f"the config gives no value for variable `{{{name}}}` (used by the trust policy)",
                             file=src.path if src else None, line=pos[0] if pos else None,
                             column=pos[1] if pos else None, pointer="/variables",
                             hint=f"add `variables: {{{name}: ...}}`")
    doc = _fill_doc(m.trust_policy, values)
    name = f"{m.tool.name}-trust-policy"
    validate_generated(doc, "trust", name)
    pc = cfg.profiles.get(profiles[0]) if cfg and len(profiles) == 1 else None
    return GeneratedPolicy(name=name, tool=m.tool.name, profile=profiles[0] if len(profiles) == 1 else "",
                           account=pc.account if pc else None, principal=pc.principal if pc else None,
                           description=f"{m.tool.name} {m.tool.version}: trust policy of the tool's role. Generated by permwise.",
                           document=doc, commands=[], kind="trust")


def _describe(text: str) -> str:
    """CloudFormation and IAM accept at most 1,000 characters of description."""
    return text if len(text) <= 1000 else text[:996] + " ..."
