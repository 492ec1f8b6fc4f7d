"""Condition operators as data: each base operator is one table row (family, flags).

``ForAllValues:StringLikeIfExists`` parses once into ``(set_operator, base, if_exists)``; the
engine layer builds its matchers on the same table. The family says which key types fit:
``String`` operators take String and ARN keys, ``Arn`` operators ARN keys, and so on.
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


_TABLE: tuple[BaseOperator, ...] = (
    BaseOperator("StringEquals", "string"),
    BaseOperator("StringNotEquals", "string", negated=True),
    BaseOperator("StringEqualsIgnoreCase", "string", ignore_case=True),
    BaseOperator("StringNotEqualsIgnoreCase", "string", negated=True, ignore_case=True),
    BaseOperator("StringLike", "string", wildcards=True),
    BaseOperator("StringNotLike", "string", negated=True, wildcards=True),
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
    BaseOperator("ArnEquals", "arn", wildcards=True),
    BaseOperator("ArnLike", "arn", wildcards=True),
    BaseOperator("ArnNotEquals", "arn", negated=True, wildcards=True),
    BaseOperator("ArnNotLike", "arn", negated=True, wildcards=True),
    BaseOperator("Null", "null"),
)

BASE_OPERATORS: dict[str, BaseOperator] = {op.name: op for op in _TABLE}
_BY_LOWER = {op.name.lower(): op for op in _TABLE}

SET_OPERATORS = ("ForAllValues", "ForAnyValue")

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


@lru_cache(maxsize=1024)
def parse_operator(text: str) -> ParsedOperator | None:
    """Parse ``[ForAllValues:|ForAnyValue:]Base[IfExists]`` case-insensitively; ``None`` if unknown."""
    rest = text.strip()
    set_op = None
    if ":" in rest:
        prefix, _, rest = rest.partition(":")
        match = [s for s in SET_OPERATORS if s.lower() == prefix.lower()]
        if not match:
            return None
        set_op = match[0]
    if_exists = False
    base = _BY_LOWER.get(rest.lower())
    if base is None and rest.lower().endswith("ifexists"):
        base = _BY_LOWER.get(rest[: -len("IfExists")].lower())
        if_exists = base is not None
    if base is None:
        return None
    canonical = (f"{set_op}:" if set_op else "") + base.name + ("IfExists" if if_exists else "")
    return ParsedOperator(text, base, set_op, if_exists, canonical)


def all_operator_names() -> list[str]:
    """Every base name and its IfExists form (for suggestions)."""
    out = []
    for op in _TABLE:
        out.append(op.name)
        if op.name != "Null":
            out.append(op.name + "IfExists")
    return out
