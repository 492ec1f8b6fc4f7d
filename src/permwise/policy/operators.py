"""Condition operators as data: the one table of base operators (AWS "IAM JSON policy elements:
Condition operators") read by validation, lint, the manifest checks and the engine.

``ForAllValues:StringLikeIfExists`` parses once into ``(set operator, base, if-exists)``. Each base
operator is one :class:`BaseOperator` row: its family (which says which catalog key types fit:
``string`` operators take String and ARN keys, ``arn`` operators ARN keys, and so on) and its flags
(negated, wildcards in values, policy variables in values, case-insensitive). The engine keys its
evaluation functions by these rows (:mod:`permwise.engine.conditions`).

:func:`parse_operator` fails one way: :class:`OperatorError` (a ``ValueError``). When the text names
a known base operator with a qualifier it cannot take (``NullIfExists``, ``ForAllValues:Null``),
the error carries the parse in ``parsed`` so that validation can report the precise problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class BaseOperator:
    name: str
    family: str  # string | numeric | date | bool | binary | ip | arn | null
    negated: bool = False
    wildcards: bool = False  # `*` and `?` in values are patterns
    ignore_case: bool = False
    #: policy variables (``${aws:username}``) allowed in values (String and ARN families)
    variables: bool = False


_TABLE: tuple[BaseOperator, ...] = (
    BaseOperator("StringEquals", "string", variables=True),
    BaseOperator("StringNotEquals", "string", negated=True, variables=True),
    BaseOperator("StringEqualsIgnoreCase", "string", ignore_case=True, variables=True),
    BaseOperator("StringNotEqualsIgnoreCase", "string", negated=True, ignore_case=True, variables=True),
    BaseOperator("StringLike", "string", wildcards=True, variables=True),
    BaseOperator("StringNotLike", "string", negated=True, wildcards=True, variables=True),
    BaseOperator("NumericEquals", "numeric"),
    BaseOperator("NumericNotEquals", "numeric", negated=True),
    BaseOperator("NumericLessThan", "numeric"),
    BaseOperator("NumericLessThanEquals", "numeric"),
    BaseOperator("NumericGreaterThan", "numeric"),
    BaseOperator("NumericGreaterThanEquals", "numeric"),
    BaseOperator("DateEquals", "date"),
    BaseOperator("DateNotEquals", "date", negated=True),
    BaseOperator("DateLessThan", "date"),
    BaseOperator("DateLessThanEquals", "date"),
    BaseOperator("DateGreaterThan", "date"),
    BaseOperator("DateGreaterThanEquals", "date"),
    BaseOperator("Bool", "bool"),
    BaseOperator("BinaryEquals", "binary"),
    BaseOperator("IpAddress", "ip"),
    BaseOperator("NotIpAddress", "ip", negated=True),
    BaseOperator("ArnEquals", "arn", wildcards=True, variables=True),
    BaseOperator("ArnLike", "arn", wildcards=True, variables=True),
    BaseOperator("ArnNotEquals", "arn", negated=True, wildcards=True, variables=True),
    BaseOperator("ArnNotLike", "arn", negated=True, wildcards=True, variables=True),
    BaseOperator("Null", "null"),
)

#: every base operator, by name
BASE_OPERATORS: dict[str, BaseOperator] = {op.name: op for op in _TABLE}
_BY_LOWER = {op.name.lower(): op for op in _TABLE}

SET_ALL = "ForAllValues"
SET_ANY = "ForAnyValue"
SET_OPERATORS = (SET_ALL, SET_ANY)

#: Catalog key types (without the ``ArrayOf`` prefix, lower case) each family accepts.
FAMILY_KEY_TYPES: dict[str, frozenset[str]] = {
    "string": frozenset({"string", "arn"}),
    "numeric": frozenset({"numeric", "long", "integer"}),
    "date": frozenset({"date"}),
    "bool": frozenset({"bool", "boolean"}),
    "binary": frozenset({"binary"}),
    "ip": frozenset({"ipaddress"}),
    "arn": frozenset({"arn"}),
}


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    text: str
    base: BaseOperator
    set_operator: str | None
    if_exists: bool
    #: the spelling AWS documents (differs from ``text`` only in letter case)
    canonical: str

    @property
    def family(self) -> str:
        return self.base.family

    @property
    def set_op(self) -> str | None:
        return self.set_operator


class OperatorError(ValueError):
    """``text`` is not a condition operator; ``parsed`` is set when it names a known base operator
    with a qualifier that operator cannot take (``NullIfExists``)."""

    def __init__(self, message: str, parsed: ParsedOperator | None = None) -> None:
        super().__init__(message)
        self.parsed = parsed


@lru_cache(maxsize=1024)
def _parse(text: str) -> ParsedOperator | str:
    set_op = None
    rest = text
    if ":" in text:
        prefix, _, rest = text.partition(":")
        match = [s for s in SET_OPERATORS if s.lower() == prefix.lower()]
        if not match:
            return f"unknown set operator `{prefix}` in `{text}`"
        set_op = match[0]
    low = rest.lower()
    if_exists = False
    base = _BY_LOWER.get(low)
    if base is None and low.endswith("ifexists"):
        base = _BY_LOWER.get(low[: -len("ifexists")])
        if_exists = base is not None
    if base is None:
        return f"unknown condition operator `{text}`"
    canonical = (f"{set_op}:" if set_op else "") + base.name + ("IfExists" if if_exists else "")
    return ParsedOperator(text, base, set_op, if_exists, canonical)


def parse_operator(text: str) -> ParsedOperator:
    """Parse ``[ForAllValues:|ForAnyValue:]Base[IfExists]`` (letter case ignored).

    Raises :class:`OperatorError` for an unknown operator, and for ``Null`` with a qualifier
    (``IfExists`` or a set operator): ``Null`` takes none."""
    got = _parse(text)
    if isinstance(got, str):
        raise OperatorError(got)
    if got.base.name == "Null" and (got.if_exists or got.set_operator):
        raise OperatorError(f"`{text}` is not a valid operator: `Null` takes no qualifier", got)
    return got


def written_operator(op: object) -> ParsedOperator | None:
    """The operator a Condition key names, as written (surrounding blanks and a qualifier the base
    operator cannot take are left to the checks that report them); ``None`` if unknown."""
    if not isinstance(op, str):
        return None
    try:
        return parse_operator(op.strip())
    except OperatorError as exc:
        return exc.parsed


def all_operator_names() -> list[str]:
    """Every base name and its IfExists form (for suggestions)."""
    out = []
    for op in _TABLE:
        out.append(op.name)
        if op.name != "Null":
            out.append(op.name + "IfExists")
    return out
