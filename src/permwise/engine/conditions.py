"""Condition operators as a table (AWS "IAM JSON policy elements: Condition operators").

An operator such as ``ForAllValues:StringLikeIfExists`` is parsed once into
``(set operator, base operator, if-exists)``; each base operator is one :class:`BaseOp` row with
its family, flags (negated, wildcards, variables) and three small functions: read a policy value,
read a request value, test one request value against one policy value.

Semantics (each cited in ``tests/engine/cases``):

* several values for one key are ORed; several keys, and several operators, are ANDed;
* a key absent from the request: the condition is **false**, except for negated operators
  (``StringNotEquals``, ``ArnNotLike``, ``NotIpAddress``, ...) where it is **true**
  (AWS "Condition element": "If the policy condition requires that the key is not matched ...
  and the right key is not present, the condition is true");
* ``...IfExists``: an absent key makes the condition true; a present key is tested normally;
* ``ForAllValues:`` true when every request value matches at least one policy value, and true
  when the key is absent or its value set is empty; ``ForAnyValue:`` true when at least one
  request value matches, false when the key is absent or empty. With a negated base operator a
  request value "matches" when it equals none of the policy values;
* ``Null``: ``true`` means "the key is absent", ``false`` "the key is present";
* a single-valued operator applied to a list of request values is true when any of them
  matches (negated: when none matches).

A condition that cannot be evaluated (unknown operator, a policy value its operator cannot read,
a request value of the wrong type) is recorded as an error and decided by the erroring statement
rule: true inside a ``Deny`` statement, false inside an ``Allow`` statement.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from permwise.engine.errors import ConditionValueError
from permwise.engine.matching import arn_regex, glob_regex
from permwise.engine.variables import Template, has_variables, parse_template
from permwise.policy.operators import (
    BASE_OPERATORS,
    SET_ALL,
    SET_ANY,
    BaseOperator,
    OperatorError,
    parse_operator,
)

# --------------------------------------------------------------------------------------------
# value readers


def _scalar_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (str, int, float)):
        return str(v)
    raise ConditionValueError(f"expected a string, got `{v!r}`")


def _str(v: Any) -> str:
    return _scalar_str(v)


def _lower(v: Any) -> str:
    return _scalar_str(v).lower()


def _num(v: Any) -> float:
    if isinstance(v, bool):
        raise ConditionValueError(f"`{v}` is not a number")
    try:
        return float(v)
    except (TypeError, ValueError):
        raise ConditionValueError(f"`{v}` is not a number") from None


@lru_cache(maxsize=4096)
def _date_from_str(s: str) -> float:
    s = s.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", s):  # epoch seconds
        return float(s)
    t = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
    try:
        d = datetime.fromisoformat(t)
    except ValueError:
        raise ConditionValueError(f"`{s}` is not an ISO 8601 date or epoch time") from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


def _date(v: Any) -> float:
    if isinstance(v, bool):
        raise ConditionValueError(f"`{v}` is not a date")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, datetime):
        return (v if v.tzinfo else v.replace(tzinfo=timezone.utc)).timestamp()
    if isinstance(v, str):
        return _date_from_str(v)
    raise ConditionValueError(f"`{v!r}` is not a date")


def _bool(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v.lower()
    raise ConditionValueError(f"`{v!r}` is not a boolean")


def _binary(v: Any) -> bytes:
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    if isinstance(v, str):
        try:
            return base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            raise ConditionValueError(f"`{v}` is not base64") from None
    raise ConditionValueError(f"`{v!r}` is not binary")


_IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8192)
def _ip_parse(v: str, network: bool) -> _IpNetwork | _IpAddress:
    """A policy value (``network``: an address or CIDR range) or a request value (an address;
    AWS also accepts a CIDR-looking one such as 203.0.113.5/32)."""
    text = v.strip()
    try:
        return ipaddress.ip_address(text) if not network else ipaddress.ip_network(text, strict=False)
    except ValueError:
        if network:
            raise ConditionValueError(f"`{v}` is not an IP address or CIDR range") from None
    try:
        return ipaddress.ip_network(text, strict=False).network_address
    except ValueError:
        raise ConditionValueError(f"`{v}` is not an IP address") from None


def _net(v: Any) -> Any:
    if not isinstance(v, str):
        raise ConditionValueError(f"`{v!r}` is not an IP address or CIDR range")
    return _ip_parse(v, True)


def _ip(v: Any) -> Any:
    if not isinstance(v, str):
        raise ConditionValueError(f"`{v!r}` is not an IP address")
    return _ip_parse(v, False)


@lru_cache(maxsize=2048)
def _glob_rx(v: str) -> re.Pattern[str]:
    return re.compile(glob_regex(v), re.DOTALL)


@lru_cache(maxsize=2048)
def _arn_rx(v: str) -> re.Pattern[str]:
    return re.compile(arn_regex(v), re.DOTALL)


def _like(v: Any) -> re.Pattern[str]:
    return _glob_rx(_scalar_str(v))


def _arnpat(v: Any) -> re.Pattern[str]:
    return _arn_rx(_scalar_str(v))


def _ip_in(ip: Any, net: Any) -> bool:
    return ip.version == net.version and ip in net


# --------------------------------------------------------------------------------------------
# evaluation functions, keyed by the rows of the one operator table (permwise.policy.operators)


@dataclass(frozen=True, slots=True)
class BaseOp:
    """A row of :data:`permwise.policy.operators.BASE_OPERATORS` with the functions that evaluate
    it: read a policy value, read a request value, test one request value against one policy value."""

    name: str
    family: str
    negated: bool
    wildcards: bool
    variables: bool  # policy variables allowed in values (String and ARN families)
    read_policy: Callable[[Any], Any]
    read_request: Callable[[Any], Any]
    test: Callable[[Any, Any], bool]  # (request value, policy value) -> positive match


def _eq(a: Any, b: Any) -> bool:
    return a == b  # type: ignore[no-any-return]


def _rx(a: Any, b: Any) -> bool:
    return b.fullmatch(a) is not None


#: (read policy value, read request value) per family
_READERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "string": (_str, _str), "numeric": (_num, _num), "date": (_date, _date), "bool": (_bool, _bool),
    "binary": (_binary, _binary), "ip": (_net, _ip), "arn": (_arnpat, _str), "null": (_bool, _bool),
}
#: ordering tests by the end of the operator name (Numeric and Date families)
_ORDER: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
    ("LessThanEquals", lambda a, b: a <= b), ("LessThan", lambda a, b: a < b),
    ("GreaterThanEquals", lambda a, b: a >= b), ("GreaterThan", lambda a, b: a > b),
)


def _evaluator(row: BaseOperator) -> BaseOp:
    read_policy, read_request = _READERS[row.family]
    if row.ignore_case:
        read_policy = read_request = _lower
    elif row.family == "string" and row.wildcards:
        read_policy = _like
    test = _rx if row.wildcards else _ip_in if row.family == "ip" else next(
        (f for suffix, f in _ORDER if row.name.endswith(suffix)), _eq)
    return BaseOp(row.name, row.family, row.negated, row.wildcards, row.variables, read_policy, read_request, test)


#: every base operator, by name
OPERATORS: dict[str, BaseOp] = {name: _evaluator(row) for name, row in BASE_OPERATORS.items()}


# --------------------------------------------------------------------------------------------
# compiled conditions


class CompiledCondition:
    """One (operator, key, values) triple of a Condition block."""

    __slots__ = (
        "operator",
        "key",
        "key_written",
        "set_op",
        "if_exists",
        "op",
        "negated",
        "values",
        "templates",
        "error",
        "pointer",
        "raw_values",
    )

    def __init__(self, operator: str, key: str, raw_values: Any, pointer: str, variables_on: bool):
        self.operator = operator
        self.key_written = key
        self.key = key.lower()
        self.pointer = pointer
        self.raw_values = raw_values
        self.error: str | None = None
        self.values: tuple[Any, ...] = ()
        self.templates: tuple[Template, ...] = ()
        self.set_op = None
        self.if_exists = False
        self.op: BaseOp | None = None
        self.negated = False
        try:
            po = parse_operator(operator)
        except OperatorError as exc:
            self.error = str(exc)
            return
        op = OPERATORS[po.base.name]
        self.set_op, self.op, self.if_exists = po.set_operator, op, po.if_exists
        self.negated = op.negated
        vals = raw_values if isinstance(raw_values, list) else [raw_values]
        statics = []
        templates = []
        for v in vals:
            if isinstance(v, (dict, list)) or v is None:
                self.error = f"condition `{operator}` on `{key}`: value `{v!r}` is not a scalar"
                return
            if variables_on and op.variables and isinstance(v, str) and has_variables(v):
                templates.append(parse_template(v))
                continue
            try:
                statics.append(op.read_policy(v))
            except ConditionValueError as exc:
                self.error = f"condition `{operator}` on `{key}`: {exc}"
                return
        self.values = tuple(statics)
        self.templates = tuple(templates)

    # ----------------------------------------------------------------------------------------
    def evaluate(self, ctx: dict[str, Any], missing: set[str], errors: list[str], deny: bool) -> bool:
        """Truth of this condition for request context ``ctx`` (lowercase keys).

        ``missing`` collects absent keys that were consulted; ``errors`` evaluation problems;
        ``deny`` selects the erroring statement rule."""
        if self.error is not None:
            errors.append(self.error)
            return deny
        op = self.op
        raw = ctx.get(self.key)
        absent = raw is None or (isinstance(raw, list) and not raw)
        if self.set_op is not None and raw == "":
            absent = True  # AWS: a key resolving to a null data set, "such as an empty string"
        if op.family == "null":  # type: ignore[union-attr]
            if absent:
                missing.add(self.key_written)
            return any((pv == "true") == absent for pv in self.values)
        if absent:
            missing.add(self.key_written)
            if self.templates and any(t.resolve(ctx, missing) is None for t in self.templates):
                # a policy variable that cannot be resolved makes the statement invalid: it does
                # not apply, whatever the operator (AWS "IAM policy elements: Variables and
                # tags"; docs/engine.md, "Unresolvable policy variables")
                return False
            if self.if_exists or self.set_op == SET_ALL:
                return True
            if self.set_op == SET_ANY:
                return False
            return self.negated
        # policy values (resolve variables)
        pvals = self.values
        if self.templates:
            resolved = list(pvals)
            for t in self.templates:
                if op.wildcards:  # type: ignore[union-attr]
                    rx = t.resolve_glob(ctx, op.family == "arn", missing)  # type: ignore[union-attr]
                    if rx is None:
                        return False
                    resolved.append(rx)
                else:
                    s = t.resolve(ctx, missing)
                    if s is None:
                        return False
                    resolved.append(op.read_policy(s))  # type: ignore[union-attr]
            pvals = tuple(resolved)
        read = op.read_request  # type: ignore[union-attr]
        test = op.test  # type: ignore[union-attr]
        try:
            if isinstance(raw, list):
                cvals = [read(v) for v in raw]
            else:
                cvals = [read(raw)]
        except ConditionValueError as exc:
            errors.append(f"condition `{self.operator}` on `{self.key_written}`: request value {exc}")
            return deny
        set_op = self.set_op
        if set_op is None:
            hit = False
            for cv in cvals:
                for pv in pvals:
                    if test(cv, pv):
                        hit = True
                        break
                if hit:
                    break
            return not hit if self.negated else hit
        neg = self.negated
        if set_op == SET_ANY:
            for cv in cvals:
                m = any(test(cv, pv) for pv in pvals)
                if m != neg:
                    return True
            return False
        for cv in cvals:  # ForAllValues
            m = any(test(cv, pv) for pv in pvals)
            if m == neg:
                return False
        return True


def compile_conditions(
    block: Any, base_pointer: str, variables_on: bool
) -> tuple[tuple[CompiledCondition, ...], list[str]]:
    """Compile a statement's Condition block; returns (conditions, errors)."""
    errors: list[str] = []
    out: list[CompiledCondition] = []
    if block is None:
        return (), errors
    if not isinstance(block, dict):
        errors.append("`Condition` must be an object")
        return (), errors
    for operator in sorted(block):
        body = block[operator]
        if not isinstance(body, dict):
            errors.append(f"condition `{operator}` must map keys to values")
            # keep a condition that always errors so the statement follows the erroring rule
            cc = CompiledCondition(operator, "?", [], f"{base_pointer}/{operator}", False)
            cc.error = f"condition `{operator}` must map keys to values"
            out.append(cc)
            continue
        for key in sorted(body):
            ptr = f"{base_pointer}/{_esc(operator)}/{_esc(key)}"
            cc = CompiledCondition(str(operator), str(key), body[key], ptr, variables_on)
            if cc.error:
                errors.append(cc.error)
            out.append(cc)
    return tuple(out), errors


def _esc(s: str) -> str:
    return str(s).replace("~", "~0").replace("/", "~1")


def evaluate_condition(
    operator: str, key: str, policy_values: Any, context: dict[str, Any]
) -> bool:
    """Evaluate one condition against a context (helper for tests and other layers)."""
    cc = CompiledCondition(operator, key, policy_values, "", True)
    ctx = {str(k).lower(): v for k, v in context.items()}
    return cc.evaluate(ctx, set(), [], False)
