"""Compile a policy document once into statements ready for fast evaluation.

``compile_policy(doc, name=..., kind=..., level=...)`` reads the IAM JSON grammar leniently (the
``policy`` layer validates and lints; the engine only needs to evaluate): each statement keeps
its raw dict and JSON pointer, a compiled Action/Resource/Principal matcher, compiled conditions
and the problems found. Statements are indexed by service prefix so that evaluating
``s3:GetObject`` only visits statements that can name an ``s3:`` action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise.engine.conditions import CompiledCondition, compile_conditions
from permwise.engine.errors import policy_error
from permwise.engine.matching import (
    ActionMatcher,
    PrincipalMatcher,
    ResourceMatcher,
    compile_actions,
    compile_principal,
    compile_resources,
)
from permwise.engine.variables import has_variables, parse_template

#: policy kinds understood by the engine
KINDS = ("identity", "resource", "boundary", "session", "scp", "rcp", "trust")

VARIABLES_VERSION = "2012-10-17"


@dataclass(eq=False, slots=True)
class CompiledStatement:
    """One statement, compiled. ``raw`` is the statement dict as written; ``pointer`` its JSON
    pointer in the policy document (``/Statement/2``)."""

    policy: CompiledPolicy
    index: int
    sid: str | None
    effect: str  # "Allow" | "Deny" | "" (invalid)
    raw: dict
    pointer: str
    actions: ActionMatcher | None
    not_action: bool
    resources: ResourceMatcher | None  # None: no Resource element (trust policies)
    not_resource: bool
    principal: PrincipalMatcher | None  # None: no Principal element
    not_principal: bool
    conditions: tuple[CompiledCondition, ...]
    errors: list[str] = field(default_factory=list)
    #: memoised explanation texts (filled by the evaluator)
    where_text: str | None = None
    reason_cache: dict = field(default_factory=dict)
    #: applies to every request its Action matches (no Resource test, Principal or Condition
    #: to check: ``Resource: "*"``); lets the evaluator skip the per-statement tests
    always: bool = False

    def __post_init__(self) -> None:
        rm = self.resources
        self.always = (
            (rm is None or (rm.match_all and not self.not_resource))
            and self.principal is None
            and not self.conditions
        )

    @property
    def has_conditions(self) -> bool:
        return bool(self.conditions)

    @property
    def resource_star(self) -> bool:
        """``Resource: "*"`` (or a list holding ``"*"``)."""
        return self.resources is not None and not self.not_resource and self.resources.star

    @property
    def label(self) -> str:
        """``'Sid'`` or ``#index`` for messages."""
        return f"'{self.sid}'" if self.sid else f"#{self.index}"

    @property
    def condition_keys(self) -> list[str]:
        return sorted({c.key_written for c in self.conditions})

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<statement {self.policy.name}{self.pointer} {self.effect}>"


@dataclass(eq=False, slots=True)
class CompiledPolicy:
    """A policy compiled for evaluation (immutable once built)."""

    name: str
    kind: str
    level: str | None
    doc: dict
    version: str | None
    statements: tuple[CompiledStatement, ...] = ()
    _by_prefix: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict)
    _any_prefix: tuple[CompiledStatement, ...] = ()

    def statements_for(self, prefix: str) -> tuple[CompiledStatement, ...]:
        """Statements that can match an action of service ``prefix`` (lowercase), in order."""
        hit = self._by_prefix.get(prefix)
        return self._any_prefix if hit is None else hit

    @property
    def errors(self) -> list[str]:
        return [f"{s.pointer}: {e}" for s in self.statements for e in s.errors]

    @property
    def condition_keys(self) -> list[str]:
        """Every condition key referenced by this policy (as written), sorted."""
        return sorted({k for s in self.statements for k in s.condition_keys})

    def __repr__(self) -> str:  # pragma: no cover
        lvl = f" level={self.level}" if self.level else ""
        return f"<policy {self.kind} {self.name!r}{lvl} {len(self.statements)} statements>"


def _as_list(v: Any) -> list:
    return v if isinstance(v, list) else [v]


def compile_policy(
    doc: dict | str | bytes,
    name: str = "policy",
    kind: str = "identity",
    level: str | None = None,
) -> CompiledPolicy:
    """Compile policy ``doc`` (a dict, or JSON text) of type ``kind``.

    ``kind`` is one of :data:`KINDS`; ``level`` names the SCP/RCP level (``root``,
    ``ou-workloads (Workloads)``, ``account 222222222222``). Raises
    :class:`~permwise.errors.InputError` only when ``doc`` is not a policy document at all;
    problems inside a statement are recorded in ``statement.errors`` and evaluated by the
    erroring statement rule.
    """
    if kind not in KINDS:
        raise policy_error(name, f"unknown policy kind `{kind}`", hint="use one of " + ", ".join(KINDS))
    if isinstance(doc, (str, bytes)):
        import orjson

        try:
            doc = orjson.loads(doc)
        except orjson.JSONDecodeError as exc:
            raise policy_error(name, f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise policy_error(name, "a policy document must be a JSON object", hint="`{\"Version\": \"2012-10-17\", \"Statement\": [...]}`")
    if "Statement" not in doc:
        raise policy_error(name, "missing `Statement`", pointer="/Statement", hint="add a `Statement` list")
    raw_statements = doc["Statement"]
    single = isinstance(raw_statements, dict)
    if single:
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list):
        raise policy_error(name, "`Statement` must be an object or a list", pointer="/Statement")
    version = doc.get("Version")
    variables_on = version == VARIABLES_VERSION
    policy = CompiledPolicy(name=name, kind=kind, level=level, doc=doc, version=version)
    statements = []
    for i, st in enumerate(raw_statements):
        pointer = "/Statement" if single else f"/Statement/{i}"
        statements.append(_compile_statement(policy, i, st, pointer, variables_on))
    policy.statements = tuple(statements)
    _index(policy)
    return policy


def _compile_statement(
    policy: CompiledPolicy, index: int, st: Any, pointer: str, variables_on: bool
) -> CompiledStatement:
    errors: list[str] = []
    if not isinstance(st, dict):
        return CompiledStatement(
            policy, index, None, "", {"_invalid": st}, pointer, None, False, None, False, None,
            False, (), [f"statement must be an object, got `{st!r}`"],
        )
    sid = st.get("Sid")
    sid = str(sid) if sid not in (None, "") else None
    effect = st.get("Effect")
    if effect not in ("Allow", "Deny"):
        errors.append(f"`Effect` must be `Allow` or `Deny`, got `{effect}`")
        effect = ""

    # Action / NotAction
    actions = None
    not_action = False
    if "Action" in st and "NotAction" in st:
        errors.append("statement has both `Action` and `NotAction`")
    if "Action" in st or "NotAction" in st:
        not_action = "Action" not in st
        vals = _as_list(st["NotAction" if not_action else "Action"])
        if not all(isinstance(v, str) for v in vals):
            errors.append("`Action` values must be strings")
            vals = [v for v in vals if isinstance(v, str)]
        actions = compile_actions(vals)
    else:
        errors.append("statement has no `Action` or `NotAction`")

    # Resource / NotResource
    resources = None
    not_resource = False
    if "Resource" in st or "NotResource" in st:
        if "Resource" in st and "NotResource" in st:
            errors.append("statement has both `Resource` and `NotResource`")
        not_resource = "Resource" not in st
        vals = _as_list(st["NotResource" if not_resource else "Resource"])
        vals = [v for v in vals if isinstance(v, str)]
        statics = [v for v in vals if not (variables_on and has_variables(v))]
        templates = tuple(
            parse_template(v, resource_arn=True) for v in vals if variables_on and has_variables(v)
        )
        errors.extend(t.error for t in templates if t.error)
        resources = compile_resources(statics, templates)

    # Principal / NotPrincipal
    principal = None
    not_principal = False
    if "Principal" in st or "NotPrincipal" in st:
        not_principal = "Principal" not in st
        try:
            principal = compile_principal(st["NotPrincipal" if not_principal else "Principal"])
        except ValueError as exc:
            errors.append(str(exc))
            principal = PrincipalMatcher()  # matches nothing
    elif policy.kind in ("resource", "trust"):
        errors.append("statement in a resource-based policy has no `Principal`")

    conditions, cerrs = compile_conditions(st.get("Condition"), f"{pointer}/Condition", variables_on)
    errors.extend(cerrs)
    return CompiledStatement(
        policy, index, sid, effect, st, pointer, actions, not_action, resources, not_resource,
        principal, not_principal, conditions, errors,
    )


def _index(policy: CompiledPolicy) -> None:
    """Build the service-prefix index: statements whose Action names only known prefixes go in
    those buckets; NotAction and wildcard-prefix statements go in every bucket."""
    anyp = []
    prefixes: set[str] = set()
    for s in policy.statements:
        if s.actions is None or not s.effect:
            continue  # can never match
        if s.not_action or s.actions.prefixes is None:
            anyp.append(s)
        else:
            prefixes.update(s.actions.prefixes)
    by: dict[str, tuple[CompiledStatement, ...]] = {}
    for p in prefixes:
        by[p] = tuple(
            s
            for s in policy.statements
            if s.actions is not None
            and s.effect
            and (s.not_action or s.actions.prefixes is None or p in s.actions.prefixes)
        )
    policy._by_prefix = by
    policy._any_prefix = tuple(anyp)
