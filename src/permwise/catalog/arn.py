"""ARNs: the one :class:`Arn` type (fields, and the rules for "a concrete account" and "a concrete
region") and the one fit test :func:`could_match`: could a policy ``Resource`` string match some
ARN of a catalog resource type?

Both sides are patterns:

* the policy side (``arn:aws:s3:::bucket/*``) has literal characters, ``*``, ``?`` and policy
  variables (``${aws:username}``; ``${*}``, ``${?}``, ``${$}`` are the escaped literal characters);
* the catalog side (``arn:${Partition}:s3:::${BucketName}/${ObjectName}``) has literal characters,
  ``${Variable}`` placeholders and, in a few AWS patterns, a literal ``*``.

The question "is there one concrete ARN that both describe?" is answered exactly for the token
semantics below, by a search over the product of the two patterns (no regex backtracking, at most
``len(policy) * len(type) * 2`` states, memoised per pair).

Token semantics (documented in docs/catalog.md, "Resource types a Resource string can match"):

Matching is segment-wise, as in "IAM JSON policy elements: Resource" (wildcards in resource ARNs:
``*`` is any run of characters and ``?`` any one character, used within the colon-delimited
segments). Both strings are split at their first five colons (never inside ``${...}``) into
``arn``, partition, service, region, account and the resource part; each of the six pairs must
have a common match. A policy string with fewer than six segments whose last
segment ends in ``*`` lets that ``*`` run past the colons (the page's rule for a ``*`` that ends a
segment): its last segment is matched against the rest of the type's ARN. A policy variable
matches any text.

Catalog side: a ``${Variable}`` matches one or more characters, never ``:`` in the first five
segments. In the resource part a variable matches any text, except that a variable immediately
followed by a literal ``/`` or ``:`` in the pattern is one element of that hierarchy and cannot
contain that separator, and a few variables have AWS naming rules that exclude ``/`` and ``:``
(``BucketName``, ``AccessPointName``: see ``_NO_SEPARATOR_VARS``). A literal ``*`` in a catalog
pattern matches any text.

The answer over-approximates on purpose where AWS's naming rules are not encoded: "could match"
is meant never to say no to an ARN that AWS could produce for the type (the separator rule
assumes that a name followed by ``/`` or ``:`` in the pattern never contains it), but may say yes to a string no real
resource has (for instance the version ARN ``arn:aws:lambda:*:*:function:f:1`` also fits the
``function`` type, whose last variable may hold ``:``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Arn:
    """``arn:partition:service:region:account:resource``, split at the first five colons.

    Fields are kept as written (``""`` when empty, wildcards kept). The resource part holds any
    further colons (``log-group:g:log-stream:s``)."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @staticmethod
    def parse(text: str) -> Arn | None:
        """The ARN ``text`` names; ``None`` when it does not start with ``arn:`` or has fewer than
        six fields."""
        return _parse(text)

    @property
    def account_id(self) -> str | None:
        """The account when it is a concrete account id (12 digits), else ``None`` (empty, a
        wildcard, or ``aws`` as in AWS managed policy ARNs)."""
        a = self.account
        return a if len(a) == 12 and a.isdigit() else None

    @property
    def concrete_region(self) -> str | None:
        """The region when one is named without wildcards, else ``None``."""
        r = self.region
        return r if r and "*" not in r and "?" not in r else None

    def with_region(self, region: str) -> Arn:
        return Arn(self.partition, self.service, region, self.account, self.resource)

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


# the helpers below are memoised: an analysis asks about the same ARNs again and again


@lru_cache(maxsize=16384)
def _parse(text: str) -> Arn | None:
    # memoised: an Arn is frozen, so one object can serve every caller
    if not text.startswith("arn:"):
        return None
    parts = text.split(":", 5)
    if len(parts) != 6:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


@lru_cache(maxsize=4096)
def arn_account(text: str) -> str | None:
    """The account field of ARN ``text`` as written, ``None`` when empty or not an ARN."""
    arn = Arn.parse(text)
    return arn.account or None if arn is not None else None


@lru_cache(maxsize=4096)
def account_id(text: str) -> str | None:
    """The concrete account id (12 digits) ARN ``text`` names, else ``None``."""
    arn = Arn.parse(text)
    return arn.account_id if arn is not None else None


@lru_cache(maxsize=4096)
def arn_region(text: str) -> str | None:
    """The concrete region ARN ``text`` names (no wildcard), else ``None``."""
    arn = Arn.parse(text)
    return arn.concrete_region if arn is not None else None

# Token kinds
_LIT, _ONE, _STAR, _VAR = 0, 1, 2, 3

#: Variables whose AWS naming rules forbid ``/`` and ``:`` (so ``arn:aws:s3:::b/*`` is an object,
#: never a bucket). Source: Amazon S3 User Guide, "General purpose bucket naming rules" (only
#: lowercase letters, digits, dots and hyphens) and "Access points naming rules" (lowercase
#: letters, digits and hyphens).
_NO_SEPARATOR_VARS = frozenset({"bucketname", "accesspointname"})

_VAR_RX = re.compile(r"\$\{([^}]*)\}")

Token = tuple[int, str, frozenset[str]]  # (kind, literal char, characters a variable excludes)

_NONE: frozenset[str] = frozenset()
_COLON = frozenset(":")
_SEPARATORS = frozenset("/:")


def split_arn(text: str) -> list[str]:
    """Split at the first five colons that are not inside ``${...}``."""
    parts: list[str] = []
    depth, start = 0, 0
    i = 0
    while i < len(text) and len(parts) < 5:
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        ch = text[i]
        if ch == "}" and depth:
            depth -= 1
        elif ch == ":" and not depth:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def _policy_tokens(segment: str) -> tuple[Token, ...]:
    out: list[Token] = []
    last = 0
    for m in _VAR_RX.finditer(segment):
        out.extend(_policy_chars(segment[last : m.start()]))
        inner = m.group(1).strip()
        # ``${*}``, ``${?}``, ``${$}`` are the literal characters; any other variable is a value
        out.append((_LIT, inner, _NONE) if inner in ("*", "?", "$") else (_STAR, "", _NONE))
        last = m.end()
    out.extend(_policy_chars(segment[last:]))
    return tuple(out)


def _policy_chars(text: str) -> list[Token]:
    return [(_STAR, "", _NONE) if ch == "*" else (_ONE, "", _NONE) if ch == "?" else (_LIT, ch, _NONE)
            for ch in text]


def _type_tokens(segment: str, resource_part: bool, may_be_empty: bool = False) -> tuple[Token, ...]:
    out: list[Token] = []
    last = 0
    for m in _VAR_RX.finditer(segment):
        out.extend(_type_chars(segment[last : m.start()]))
        name = m.group(1).strip().lower()
        if may_be_empty:  # an empty region or account field (see could_match)
            out.append((_STAR, "", _COLON))
            last = m.end()
            continue
        if not resource_part:
            excl = _COLON
        elif name in _NO_SEPARATOR_VARS:
            excl = _SEPARATORS
        else:
            nxt = segment[m.end() : m.end() + 1]
            excl = frozenset(nxt) if nxt in ("/", ":") else _NONE
        out.append((_VAR, "", excl))
        last = m.end()
    out.extend(_type_chars(segment[last:]))
    return tuple(out)


def _type_chars(text: str) -> list[Token]:
    # A literal ``*`` in an AWS ARN pattern means "anything": an empty-able run.
    return [(_STAR, "", _NONE) if ch == "*" else (_LIT, ch, _NONE) for ch in text]


@lru_cache(maxsize=8192)
def _compile_type(arn: str, empty_scope: bool) -> tuple[tuple[Token, ...], ...]:
    parts = split_arn(arn)
    return tuple(_type_tokens(seg, i == 5, empty_scope and i in (3, 4)) for i, seg in enumerate(parts))


@lru_cache(maxsize=8192)
def _compile_policy(pattern: str) -> tuple[tuple[Token, ...], ...]:
    return tuple(_policy_tokens(seg) for seg in split_arn(pattern))


def _classes_meet(a: Token, b: Token) -> bool:
    """Is there one character that both token classes accept?"""
    if a[0] == _LIT and b[0] == _LIT:
        return a[1] == b[1]
    if a[0] == _LIT:
        return a[1] not in b[2]
    if b[0] == _LIT:
        return b[1] not in a[2]
    return True  # complements of finite sets always share a character


def _meet(p: tuple[Token, ...], t: tuple[Token, ...]) -> bool:
    """Do the policy tokens ``p`` and the type tokens ``t`` describe a common string?"""
    np_, nt = len(p), len(t)
    seen: set[tuple[int, int, bool]] = set()
    stack = [(0, 0, False)]  # (i in p, j in t, current type variable already non-empty)
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j, used = state
        if i == np_ and j == nt:
            return True
        pi = p[i] if i < np_ else None
        tj = t[j] if j < nt else None
        if pi is not None and pi[0] == _STAR:  # policy * matches the empty string
            stack.append((i + 1, j, used))
        if tj is not None and (tj[0] == _STAR or (tj[0] == _VAR and used)):
            stack.append((i, j + 1, False))  # leave a type * or a non-empty variable
        if pi is None or tj is None or not _classes_meet(pi, tj):
            continue
        ni = i if pi[0] == _STAR else i + 1
        if tj[0] == _LIT:
            stack.append((ni, j + 1, False))
        else:
            stack.append((ni, j, tj[0] == _VAR))
    return False


_COLON_TOKEN: Token = (_LIT, ":", _NONE)


@lru_cache(maxsize=65536)
def could_match(resource_pattern: str, type_arn: str, empty_scope: bool = False) -> bool:
    """True when some concrete ARN is described both by the policy ``resource_pattern`` and by
    the catalog ARN pattern ``type_arn``. ``"*"`` matches every type.

    ``empty_scope``: the type's region and account variables may also be empty. AWS publishes
    ARNs with an empty account for some types (the public CloudFormation registry types,
    ``arn:aws:cloudformation:us-east-1::type/resource/AWS-IAM-Role``), so the policy linter asks
    with ``empty_scope=True`` (it must not call such a Resource a misfit); the catalog's
    resource-type lookup keeps the strict reading."""
    if resource_pattern.strip() == "*":
        return True
    p = _compile_policy(resource_pattern)
    t = _compile_type(type_arn, empty_scope)
    if len(t) < 6:  # not an ARN pattern: compare as whole strings
        return _meet(_join(p), _join(t))
    if len(p) < 6:
        last_raw = split_arn(resource_pattern)[-1]
        if not last_raw.endswith("*"):
            return False
        k = len(p) - 1
        return all(_meet(p[i], t[i]) for i in range(k)) and _meet(p[k], _join(t[k:]))
    return all(_meet(p[i], t[i]) for i in range(6))


def _join(segments: tuple[tuple[Token, ...], ...]) -> tuple[Token, ...]:
    out: list[Token] = []
    for i, seg in enumerate(segments):
        if i:
            out.append(_COLON_TOKEN)
        out.extend(seg)
    return tuple(out)
