"""Compile a policy document once into statements ready for fast evaluation.

``compile_policy(doc, name=..., kind=..., level=...)`` builds the policy AST
(:mod:`permwise.policy.model`, the tree validation and lint read too) and compiles from it (the
``policy`` layer validates and lints; the engine only needs to evaluate): each statement keeps
its raw dict and JSON pointer, a compiled Action/Resource/Principal matcher, compiled conditions
and the problems found. Statements are indexed by service prefix so that evaluating
``s3:GetObject`` only visits (and builds the AST nodes of) statements that can name an ``s3:``
action.
"""

from __future__ import annotations

from typing import Any

import orjson

from permwise.engine.conditions import CompiledCondition, compile_conditions
from permwise.engine.errors import policy_error
from permwise.engine.matching import (
    ActionMatcher,
    PrincipalMatcher,
    ResourceMatcher,
    any_action_matches,
    compile_actions,
    compile_principal,
    compile_resources,
)
from permwise.engine.variables import has_variables, parse_template
from permwise.policy.model import (
    POLICY_TYPES,
    PolicyDocument,
    Statement,
    may_name_service,
)
from permwise.policy.parser import build, statement_list

#: policy kinds understood by the engine (:class:`permwise.policy.model.PolicyKind`)
KINDS = POLICY_TYPES

VARIABLES_VERSION = "2012-10-17"


#: the parts of a statement compiled on first use (see CompiledStatement)
_LAZY = frozenset({"resources", "not_resource", "principal", "not_principal", "conditions", "errors", "always"})


class CompiledStatement:
    """One statement, compiled. ``raw`` is the statement dict as written; ``pointer`` its JSON
    pointer in the policy document (``/Statement/2``).

    Effect and Action are compiled at once (the service index needs them); Resource, Principal
    and Condition (and with them ``errors`` and ``always``) the first time anything reads them,
    which for a batch of fresh policies is only for the statements whose Action matches a
    request. The result is the same either way; each part is shared with every other statement
    that writes the same text (see :func:`_resources`, :func:`_conditions`)."""

    __slots__ = (
        "policy", "index", "sid", "effect", "raw", "pointer", "actions", "not_action",
        "resources", "not_resource", "principal", "not_principal", "conditions", "errors",
        "where_text", "reason_cache", "always", "_early_errors", "_variables_on", "node",
    )

    policy: CompiledPolicy
    index: int
    sid: str | None
    effect: str  # "Allow" | "Deny" | "" (invalid)
    raw: dict[str, Any]
    pointer: str
    actions: ActionMatcher | None
    not_action: bool
    resources: ResourceMatcher | None  # None: no Resource element (trust policies)
    not_resource: bool
    principal: PrincipalMatcher | None  # None: no Principal element
    not_principal: bool
    conditions: tuple[CompiledCondition, ...]
    errors: list[str]
    #: applies to every request its Action matches (no Resource test, Principal or Condition
    #: to check: ``Resource: "*"``); lets the evaluator skip the per-statement tests
    always: bool

    def __init__(self, policy: CompiledPolicy, node: Statement, sid: str | None, effect: str, raw: dict[str, Any],
                 actions: ActionMatcher | None, not_action: bool, errors: list[str], variables_on: bool | None) -> None:
        self.policy = policy
        self.node = node
        index, pointer = node.index, node.pointer
        self.index = index
        self.sid = sid
        self.effect = effect
        self.raw = raw
        self.pointer = pointer
        self.actions = actions
        self.not_action = not_action
        self._early_errors = errors
        self._variables_on = variables_on
        #: memoised explanation texts (filled by the evaluator)
        self.where_text: str | None = None
        self.reason_cache: dict[Any, Any] = {}

    def __getattr__(self, name: str) -> Any:
        # only reached for an unset slot: compile the rest of the statement now
        if name in _LAZY:
            self._finish()
            return object.__getattribute__(self, name)
        raise AttributeError(name)

    def _finish(self) -> None:
        st = self.node
        raw = st.raw  # the node names the keys present; their values are read from it
        errors = self._early_errors
        if self._variables_on is None:  # not an object at all: nothing more to compile
            self.resources, self.not_resource, self.principal, self.not_principal = None, False, None, False
            self.conditions = ()
            self.errors = errors
            self.always = False
            return
        variables_on = self._variables_on
        # Resource / NotResource (the first present is the key; the other present too is an error)
        resources = None
        not_resource = False
        key = st.resource_key
        if key is not None:
            if key == "Resource" and "NotResource" in raw:
                errors.append("statement has both `Resource` and `NotResource`")
            not_resource = key == "NotResource"
            resources, rerrs = _resources(raw[key], variables_on)
            if rerrs:
                errors.extend(rerrs)
        # Principal / NotPrincipal
        principal = None
        not_principal = False
        key = st.principal_key
        if key is not None:
            not_principal = key == "NotPrincipal"
            try:
                principal = _principal(raw[key])
            except ValueError as exc:
                errors.append(str(exc))
                principal = PrincipalMatcher()  # matches nothing
        elif self.policy.kind in ("resource", "trust"):
            errors.append("statement in a resource-based policy has no `Principal`")
        conditions: tuple[CompiledCondition, ...] = ()
        if st.condition is not None:
            conditions, cerrs = _conditions(st.condition, f"{self.pointer}/Condition", variables_on)
            errors.extend(cerrs)
        self.resources = resources
        self.not_resource = not_resource
        self.principal = principal
        self.not_principal = not_principal
        self.conditions = conditions
        self.errors = errors
        self.always = (
            (resources is None or (resources.match_all and not not_resource))
            and principal is None
            and not conditions
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


# --------------------------------------------------------------------------------------------
# shared parts: the same text compiles once (bounded tables, cleared when full)

_INTERN_MAX = 4096
_RESOURCES: dict[tuple[Any, ...], tuple[ResourceMatcher, tuple[str, ...]]] = {}
_CONDITIONS: dict[tuple[Any, ...], tuple[tuple[CompiledCondition, ...], tuple[str, ...]]] = {}
_PRINCIPALS: dict[bytes, PrincipalMatcher] = {}


def _resources(value: Any, variables_on: bool) -> tuple[ResourceMatcher, tuple[str, ...]]:
    if isinstance(value, str):
        vals: tuple[str, ...] = (value,)
    else:
        vals = tuple([v for v in value if isinstance(v, str)]) if isinstance(value, list) else ()
    key = (vals, variables_on)
    hit = _RESOURCES.get(key)
    if hit is None:
        statics = [v for v in vals if not (variables_on and has_variables(v))]
        templates = tuple(parse_template(v, resource_arn=True) for v in vals if variables_on and has_variables(v))
        hit = (compile_resources(statics, templates), tuple(t.error for t in templates if t.error))
        if len(_RESOURCES) >= _INTERN_MAX:
            _RESOURCES.clear()
        _RESOURCES[key] = hit
    return hit


def _conditions(block: Any, pointer: str, variables_on: bool) -> tuple[tuple[CompiledCondition, ...], list[str]]:
    if block is None:
        return (), []
    try:
        key = (orjson.dumps(block), pointer, variables_on)
    except TypeError:  # not JSON data (a YAML date, ...): compile without sharing
        return compile_conditions(block, pointer, variables_on)
    hit = _CONDITIONS.get(key)
    if hit is None:
        conds, errs = compile_conditions(block, pointer, variables_on)
        hit = (conds, tuple(errs))
        if len(_CONDITIONS) >= _INTERN_MAX:
            _CONDITIONS.clear()
        _CONDITIONS[key] = hit
    return hit[0], list(hit[1])


def _principal(element: Any) -> PrincipalMatcher:
    try:
        key = orjson.dumps(element)
    except TypeError:
        return compile_principal(element)
    hit = _PRINCIPALS.get(key)
    if hit is None:
        hit = compile_principal(element)  # raises ValueError for a bad element (not cached)
        if len(_PRINCIPALS) >= _INTERN_MAX:
            _PRINCIPALS.clear()
        _PRINCIPALS[key] = hit
    return hit


class CompiledPolicy:
    """A policy compiled for evaluation (immutable once built).

    Statements are compiled when first needed: :meth:`statements_for` (the evaluator's entry)
    reads only the raw ``Effect`` and ``Action`` of each statement to find those that can
    match an action of the asked service, and compiles just those; :attr:`statements`
    compiles all of them. Either way a statement is compiled once and is the same object."""

    __slots__ = ("name", "kind", "level", "doc", "version", "_ast", "_raw", "_variables_on", "_stmts",
                 "_all", "_by_prefix", "_asked")

    def __init__(self, name: str, kind: str, level: str | None, doc: dict[str, Any]) -> None:
        self.name = name
        self.kind = kind
        self.level = level
        #: the document as given; :attr:`ast` is its tree, built when a statement is first compiled
        self.doc = doc
        self.version = doc.get("Version")
        self._ast: PolicyDocument | None = None
        self._raw, _single = statement_list(doc)
        self._variables_on = self.version == VARIABLES_VERSION
        self._stmts: list[CompiledStatement | None] = [None] * len(self._raw)
        self._all: tuple[CompiledStatement, ...] | None = None
        self._by_prefix: dict[str, tuple[CompiledStatement, ...]] = {}
        self._asked = False

    @property
    def ast(self) -> PolicyDocument:
        """The policy's AST (policy layer), built on first use: a policy none of whose
        statements a request reaches never needs it."""
        if self._ast is None:
            self._ast = build(self.doc, self.kind, name=self.name)
        return self._ast

    def _statement(self, i: int, whole: bool = False) -> CompiledStatement:
        """Statement ``i``, compiled on first use (``whole``: all its parts at once, for a
        statement whose Action is known to match)."""
        s = self._stmts[i]
        if s is None:
            s = self._stmts[i] = _compile_statement(self, self.ast.statement(i), self._variables_on)
            if whole:
                s._finish()
        return s

    def forget_statements(self) -> None:
        """Drop the compiled statements (compiled again if asked; see ``cases.release``)."""
        if self._ast is None:  # no statement was compiled (each is built from its AST node)
            return
        self._stmts = [None] * len(self._raw)
        self._all = None
        self._by_prefix = {}

    @property
    def statements(self) -> tuple[CompiledStatement, ...]:
        if self._all is None:
            self._all = tuple(self._statement(i) for i in range(len(self._raw)))
        return self._all

    def statements_for(self, prefix: str, action: str | None = None) -> tuple[CompiledStatement, ...]:
        """Statements that can match an action of service ``prefix`` (lowercase), in order:
        those naming that service, a service wildcard or ``*``, and every NotAction statement.

        ``action`` (lowercase, of service ``prefix``): the action asked. The first time a policy
        is asked, only the statements whose Action matches it (and every NotAction statement)
        are compiled and returned, uncached: a batch of fresh policies asks each policy one
        question. From the second question on, the service index is built and kept. Either way
        the caller gets every statement whose Action can match ``action``, in order."""
        hit = self._by_prefix.get(prefix)
        if hit is None:
            if action is not None and not self._asked:
                self._asked = True
                first = []
                for i, st in enumerate(self._raw):
                    if _may_match(st, action):
                        first.append(self._statement(i, True))
                return tuple(first)
            hit = self._by_prefix[prefix] = tuple(
                self._statement(i) for i, st in enumerate(self._raw) if may_name_service(st, prefix)
            )
        return hit

    @property
    def errors(self) -> list[str]:
        return [f"{s.pointer}: {e}" for s in self.statements for e in s.errors]

    @property
    def condition_keys(self) -> list[str]:
        """Every condition key referenced by this policy (as written), sorted."""
        return sorted({k for s in self.statements for k in s.condition_keys})

    def __repr__(self) -> str:  # pragma: no cover
        lvl = f" level={self.level}" if self.level else ""
        return f"<policy {self.kind} {self.name!r}{lvl} {len(self._raw)} statements>"


def _may_match(raw: Any, action: str) -> bool:
    """Can the statement ``raw`` (as written) match ``action`` (lowercase)? The statements
    :func:`may_name_service` keeps, narrowed to those whose Action list matches the action by
    the compiler's own pattern test (:func:`any_action_matches`); a NotAction statement is kept
    (its matcher decides). Exact: a statement left out is one whose compiled Action would not
    match."""
    if not isinstance(raw, dict) or raw.get("Effect") not in ("Allow", "Deny"):
        return False  # an invalid statement never matches
    if "Action" in raw:
        vals = raw["Action"]
        if type(vals) is str and "*" not in vals and "?" not in vals:  # one literal action
            return vals.lower() == action
        return any_action_matches(vals if isinstance(vals, list) else (vals,), action)
    return "NotAction" in raw


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def compile_policy(
    doc: dict[str, Any] | str | bytes,
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
        try:
            doc = orjson.loads(doc)
        except orjson.JSONDecodeError as exc:
            raise policy_error(name, f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise policy_error(name, "a policy document must be a JSON object", hint="`{\"Version\": \"2012-10-17\", \"Statement\": [...]}`")
    if "Statement" not in doc:
        raise policy_error(name, "missing `Statement`", pointer="/Statement", hint="add a `Statement` list")
    if not isinstance(doc["Statement"], (dict, list)):
        raise policy_error(name, "`Statement` must be an object or a list", pointer="/Statement")
    return CompiledPolicy(name, kind, level, doc)


_JUST_STR = {str}


def _compile_statement(policy: CompiledPolicy, st: Statement, variables_on: bool) -> CompiledStatement:
    errors: list[str] = []
    if not st.is_object:
        return CompiledStatement(policy, st, None, "", {"_invalid": st.raw}, None, False,
                                 [f"statement must be an object, got `{st.raw!r}`"], None)
    raw = st.raw  # the node names the keys present; their values are read from it
    sid = st.sid
    sid = None if sid is None or sid == "" else str(sid)
    effect = st.effect
    if effect != "Allow" and effect != "Deny":
        errors.append(f"`Effect` must be `Allow` or `Deny`, got `{effect}`")
        effect = ""

    # Action / NotAction (the first present is the key; the other present too is an error)
    actions = None
    not_action = False
    key = st.action_key
    if key is not None:
        if key == "Action" and "NotAction" in raw:
            errors.append("statement has both `Action` and `NotAction`")
        not_action = key == "NotAction"
        vals = raw[key]
        if not isinstance(vals, list):
            vals = [vals]
        if set(map(type, vals)) != _JUST_STR and not all(isinstance(v, str) for v in vals):
            errors.append("`Action` values must be strings")
            vals = [v for v in vals if isinstance(v, str)]
        actions = compile_actions(vals)
    else:
        errors.append("statement has no `Action` or `NotAction`")
    # Resource, Principal and Condition: on first use (CompiledStatement._finish)
    return CompiledStatement(policy, st, sid, effect, raw, actions, not_action, errors, variables_on)
