"""The requirement plan: from a manifest and a deployment config to concrete requests.

``plan(manifest, config)`` gives one :class:`CommandPlan` per selected command (sorted by id),
each with the exact :class:`RequiredRequest` list the command needs: every required action
expanded against the catalog, each on each resource its templates stand for. ``generate`` builds
policies from these requests and ``check`` evaluates them, so both agree on what "required" means.

Resource rules (documented in docs/manifests.md):

* an action that supports no resource-level permissions (wildcard-only in the catalog) is
  required on ``*``;
* otherwise the templates that fit one of the action's resource types are used, filled with the
  config's values (``{region}`` over every region);
* when no template fits and the permission has no templates or lists ``*``, the ARNs are derived
  from the catalog ARN pattern of every resource type of the action, with the partition, region
  and account filled in and ``*`` for resource names;
* except when the action has exactly one resource type and the catalog marks it optional: such
  a call may name no resource at all (``ce:GetCostAndUsage`` without a billing view,
  ``cloudformation:DescribeStacks`` without a stack name, ``rds:DescribeDBInstances`` listing
  every instance), and AWS then authorizes it against ``*``, so a derived ARN would deny the
  tool's ordinary call; such an action is required on ``*`` unless a template names its resource.
  (Several optional types are alternatives, one of which the call names, as with
  ``s3:GetObject`` on an object or an access-point object, so those stay scoped.)
* a wildcard kept as intended (``wildcard_intended``) with templates is required as written: an
  expanded action that fits none of the templates (or is wildcard-only) is required on the
  templates anyway, since the written statement is what the tool asks for;
* a permission with ``unscoped: true`` (extension) is required on ``*`` for every action.
"""

from __future__ import annotations

import fnmatch
import functools
import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from permwise.catalog import Action, closest, get_catalog
from permwise.errors import InputError
from permwise.policy.operators import written_operator
from permwise.requirements.config import config_source
from permwise.requirements.model import (
    BUILTIN_VARIABLES,
    Command,
    DeploymentConfig,
    Manifest,
    Permission,
)
from permwise.requirements.templates import (
    derived_arns,
    fill,
    fill_value,
    fits,
    resource_types_of,
    variables_of,
)


@dataclass(frozen=True)
class RequiredRequest:
    """One action on one resource that a command needs, with the permission's conditions."""

    action: str
    resource: str
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, hash=False)
    source_pattern: str = ""
    permission_index: int = 0
    #: Catalog resource type the resource is of (``None`` for ``*``) -- extension.
    resource_type: str | None = None
    #: The permission marks its wildcards as intended -- extension.
    wildcard_intended: bool = False
    #: The region the permission names (``region`` of the permission) -- extension.
    region: str | None = None

    @functools.cached_property
    def conditions_key(self) -> str:
        """The conditions as canonical JSON (a grouping key); computed once, ``{}`` without any."""
        if not self.conditions:
            return "{}"
        return json.dumps(self.conditions, sort_keys=True, separators=(",", ":"))

    def context(self) -> dict[str, Any]:
        """A request context that satisfies the conditions (best effort; see :func:`satisfying_context`)."""
        return satisfying_context(self.conditions)


@dataclass
class CommandPlan:
    command: Command
    profile: str
    account: str | None
    principal: str | None
    regions: list[str]
    requests: list[RequiredRequest]

    @property
    def actions(self) -> list[str]:
        return sorted({r.action for r in self.requests}, key=str.lower)


# ---------------------------------------------------------------------------------------------


def select_commands(m: Manifest, commands: Iterable[str] | None = None,
                    profiles: Iterable[str] | None = None) -> list[Command]:
    """Commands chosen by id, group or glob (``inventory``, ``inventory.*``) and by profile."""
    chosen = list(m.commands)
    if commands:
        wanted: dict[str, Command] = {}
        for sel in _split(commands):
            hits = [c for c in m.commands if c.id == sel or c.group == sel or fnmatch.fnmatchcase(c.id, sel)]
            if not hits:
                guess = closest(sel, [c.id for c in m.commands] + sorted({c.group for c in m.commands}), cutoff=0.6)
                raise InputError(f"no command of `{m.tool.name}` matches `{sel}`",
                                 hint=f"did you mean `{guess}`?" if guess else f"see `permwise manifest show {m.tool.name}`")
            for c in hits:
                wanted[c.id] = c
        chosen = [c for c in chosen if c.id in wanted]
    if profiles:
        names = _split(profiles)
        for p in names:
            if p not in m.profiles:
                guess = closest(p, list(m.profiles), cutoff=0.6)
                raise InputError(f"`{m.tool.name}` has no profile `{p}`",
                                 hint=f"did you mean `{guess}`?" if guess else f"profiles: {', '.join(sorted(m.profiles))}")
        chosen = [c for c in chosen if c.profile in names]
    return sorted(chosen, key=lambda c: c.id)


def _split(items: Iterable[str]) -> list[str]:
    return [p.strip() for item in items for p in item.split(",") if p.strip()]


def _needed_variables(cmd: Command) -> set[str]:
    names: set[str] = set()
    for perm in cmd.permissions:
        for tpl in perm.resources or []:
            names |= set(variables_of(tpl))
        for block in perm.conditions.values():
            for v in block.values():
                for s in v if isinstance(v, list) else [v]:
                    if isinstance(s, str):
                        names |= set(variables_of(s))
    return names - set(BUILTIN_VARIABLES)


def variable_value(m: Manifest, cfg: DeploymentConfig | None, name: str) -> str | None:
    """The value of manifest variable ``name``: the config's, else the manifest's default; without
    a config, its example. ``None`` when none applies (the caller says what is missing)."""
    var = m.variables.get(name)
    if cfg is not None and name in cfg.variables:
        return cfg.variables[name]
    if var is not None and var.default is not None:
        return var.default
    if cfg is None and var is not None and var.example is not None:
        return var.example
    return None


def resolve_values(m: Manifest, cfg: DeploymentConfig | None, cmd: Command) -> dict[str, str | list[str]]:
    """Values of every variable ``cmd`` uses: the config's, else the manifest's default; without a
    config the example; ``{account}``/``{region}`` become ``*`` when unknown."""
    src = config_source(cfg)
    account = None
    if cfg is not None:
        pc = cfg.profiles.get(cmd.profile)
        if pc is None:
            pos = src.locate("/profiles") if src else None
            raise InputError(
                f"the config gives no account for profile `{cmd.profile}` (needed by `{cmd.id}`)",
                file=src.path if src else None, line=pos[0] if pos else None, column=pos[1] if pos else None,
                pointer="/profiles",
                hint=f'add `profiles: {{{cmd.profile}: {{account: "123456789012"}}}}` or leave the profile out with --profile',
            )
        account = pc.account
    values: dict[str, str | list[str]] = {
        "partition": cfg.partition if cfg else "aws",
        "account": account or "*",
        "region": [cmd.region] if cmd.region else (list(cfg.regions) if cfg and cfg.regions else "*"),
    }
    for name in sorted(_needed_variables(cmd)):
        value = variable_value(m, cfg, name)
        if value is not None:
            values[name] = value
        elif cfg is not None:
            pos = src.locate("/variables") if src else None
            raise InputError(
                f"the config gives no value for variable `{{{name}}}` (used by `{cmd.id}`)",
                file=src.path if src else None, line=pos[0] if pos else None, column=pos[1] if pos else None,
                pointer="/variables", hint=f"add `variables: {{{name}: ...}}`",
            )
        else:
            raise InputError(
                f"variable `{{{name}}}` of `{m.tool.name}` has no value (used by `{cmd.id}`)",
                hint="pass --config FILE with `variables`, or give the variable an `example` or `default` in the manifest",
            )
    return values


def permission_requests(perm: Permission, index: int, values: Mapping[str, str | Sequence[str]]) -> list[RequiredRequest]:
    """The requests one permission stands for (see the module docstring for the resource rules)."""
    cat = get_catalog()
    if perm.region:
        values = {**values, "region": perm.region}
    conditions = {op: {k: fill_value(v, values) for k, v in block.items()} for op, block in perm.conditions.items()}
    templates = perm.resources or []
    derive = perm.resources is None or "*" in templates
    filled = [(t, fill(t, values)) for t in templates if t != "*"]
    out: dict[tuple[str, str], RequiredRequest] = {}
    as_written = [(None, arn) for _t, arns in filled for arn in arns]
    for pattern in perm.actions:
        keep = perm.wildcard_intended and ("*" in pattern or "?" in pattern) and bool(filled)
        for action in cat.expand(pattern):
            if perm.unscoped:
                pairs: list[tuple[str | None, str]] = [(None, "*")]
            else:
                pairs = _resources_for(action, filled, derive, values)
                if keep and (not pairs or pairs == [(None, "*")]) and not derive:
                    pairs = as_written
            for rtype, resource in pairs:
                out.setdefault((action.key, resource), RequiredRequest(
                    action=action.key, resource=resource, conditions=conditions, source_pattern=pattern,
                    permission_index=index, resource_type=rtype, wildcard_intended=perm.wildcard_intended,
                    region=perm.region,
                ))
    return list(out.values())


def _resources_for(action: Action, filled: list[tuple[str, list[str]]], derive: bool,
                   values: Mapping[str, str | Sequence[str]]) -> list[tuple[str | None, str]]:
    types = resource_types_of(action)
    if not types:
        return [(None, "*")]
    out: list[tuple[str | None, str]] = []
    for _tpl, arns in filled:
        for arn in arns:
            rt = next((rt for rt in types if fits(arn, rt)), None)
            if rt is not None:
                out.append((rt.name, arn))
    if not out and derive:
        if len(action.resources) == 1 and not action.resources[0].required:
            return [(None, "*")]
        out = [(rt.name, arn) for rt, arn in derived_arns(action, values)]
    return out


def plan(m: Manifest, cfg: DeploymentConfig | None = None, commands: Iterable[str] | None = None,
         profiles: Iterable[str] | None = None) -> list[CommandPlan]:
    """One :class:`CommandPlan` per selected command, sorted by command id."""
    out = []
    for cmd in select_commands(m, commands, profiles):
        values = resolve_values(m, cfg, cmd)
        reqs: dict[tuple[str, str, str], RequiredRequest] = {}
        for pi, perm in enumerate(cmd.permissions):
            for r in permission_requests(perm, pi, values):
                reqs.setdefault((r.action.lower(), r.resource, r.conditions_key), r)
        pc = cfg.profiles.get(cmd.profile) if cfg else None
        out.append(CommandPlan(
            command=cmd, profile=cmd.profile, account=pc.account if pc else None,
            principal=pc.principal if pc else None,
            regions=[cmd.region] if cmd.region else (list(cfg.regions) if cfg else []),
            requests=[reqs[k] for k in sorted(reqs)],
        ))
    return out


# ---------------------------------------------------------------------------------------------
# A context that satisfies a condition block (for evaluating required requests)


def satisfying_context(conditions: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Best-effort request context under which the condition block is true: for each positive
    operator the first value (wildcards in ``...Like`` values replaced by ``x``, numbers and dates
    at the boundary that satisfies the comparison); negated operators and ``Null: true`` leave the
    key absent, which makes them true. Used to evaluate a required request as the tool would send it
    when it respects the manifest's conditions."""
    ctx: dict[str, Any] = {}
    for op, block in conditions.items():
        parsed = written_operator(op)
        low = parsed.base.name.lower() if parsed is not None else op.lower()
        set_op = parsed.set_operator if parsed is not None else None
        for key, value in block.items():
            vals = value if isinstance(value, list) else [value]
            if not vals:
                continue
            first = vals[0]
            if "not" in low or (low == "null" and str(first).lower() == "true"):
                continue
            if low == "null":
                ctx[key] = "x"
                continue
            if low.endswith("like"):
                v: Any = str(first).replace("*", "x").replace("?", "x")
            elif low.startswith("numeric"):
                n = float(first)
                n = n + 1 if "greaterthan" in low and not low.endswith("equals") else n - 1 if "lessthan" in low and not low.endswith("equals") else n
                v = str(int(n)) if n == int(n) else str(n)
            elif low.startswith("date"):
                v = ("1970-01-01T00:00:00Z" if "lessthan" in low and not low.endswith("equals") else
                     "2999-12-31T00:00:00Z" if "greaterthan" in low and not low.endswith("equals") else str(first))
            elif low == "ipaddress":
                v = str(ipaddress.ip_network(str(first), strict=False).network_address)
            elif low == "bool":
                v = str(first).lower()
            else:
                v = str(first)
            ctx[key] = [v] if set_op else v
    return ctx
