"""Answers shared across accounts: policies as templates of their account.

An organization repeats itself: the same baseline roles, the same boundary, the same
application policies in every account, differing only in the account ID they name
(``arn:aws:logs:us-east-1:111122223333:*`` here, ``...:444455556666:*`` there). Within one
account, principals already share the engine's answers by their statements (see "Shared
answers" in :mod:`permwise.audit.probe`). Across accounts the statements are other objects and
other texts, so this module writes each text with the principal's own account ID replaced by a
mark (:data:`MARK`): the *template* of the text in the account's *frame*. Two principals of two
accounts whose statements, boundary, SCPs, context and the resources they ask about have equal
templates get equal answers, with the account put back: the engine's evaluation only compares
strings (literally, as globs, or as ARNs), and renaming one 12-digit account ID into another
everywhere cannot change a comparison, with the exceptions this module refuses to template:

* a digit next to a wildcard (``arn:aws:iam::1234*``, ``*6``): a glob can then match a part of
  an account ID, and one account's digits but not another's;
* the mark next to a digit (``12{account}``): the account ID would not be a whole digit run;
* numeric, date and IP address operators: they read an account ID as a number, or could;
* a policy variable (``${...}``): it is personal anyway (see :mod:`permwise.audit.probe`);
* the mark itself in a text (it could be confused with an account put back).

Why digits at all: a literal digit run bordered by anything but a wildcard (the ``1`` of
``us-east-1``, the ``3`` of ``s3``) can only ever be compared with a whole digit run of the
request, and the account's run is never one of the policy's literal runs (every occurrence of
the account ID is the mark), so the comparison comes out the same in every frame.

What a template cannot see, the check verifies when it reuses an answer: the resources that were
asked about, put in the new frame, must have the same facts there (no resource-based policy, the
same RCPs); see :meth:`permwise.audit.probe.Prober.resource_facts`.

Template numbers are shared by every prober of a process (a worker runs many accounts' units),
so keys built from them can be compared across accounts.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

#: stands for the frame's account ID in a template (a private-use character pair, never in AWS text)
MARK = "\ue000account\ue000"

#: entries of a process-wide table before it is emptied (numbers are never reused, so keys built
#: from an emptied table's numbers simply stop matching)
LIMIT = 200_000

_DIGIT_BY_WILDCARD = re.compile(r"[*?][0-9]|[0-9][*?]")
_UNSAFE_OPERATORS = ("numeric", "date", "ipaddress", "notipaddress")
_SKIPPED = ("Sid", "Effect", "Action", "NotAction")

_numbers: dict[Any, int] = {}
_counter = itertools.count(1)


def number(value: Any) -> int:
    """A process-wide number for the hashable ``value`` (equal values, equal numbers)."""
    hit = _numbers.get(value)
    if hit is None:
        if len(_numbers) >= LIMIT:
            _numbers.clear()
        hit = _numbers[value] = next(_counter)
    return hit


def template(text: str, account: str) -> str | None:
    """``text`` in ``account``'s frame, or None when it cannot be one (see the module doc)."""
    if MARK in text:
        return None
    t = text.replace(account, MARK) if account else text
    return t if text_safe(t) else None


def text_safe(t: str) -> bool:
    """Can a comparison with the templated string ``t`` not depend on the account put back?"""
    if "${" in t:
        return False
    parts = t.split(MARK)
    if len(parts) > 1:
        for i, part in enumerate(parts):
            if (i > 0 and part[:1].isdigit()) or (i < len(parts) - 1 and part[-1:].isdigit()):
                return False
    return _DIGIT_BY_WILDCARD.search(t) is None


def statement_template(raw: Any, account: str) -> str | None:
    """The statement ``raw`` (as written) in ``account``'s frame, as one JSON text; None when one
    of its strings cannot be templated or a condition operator reads numbers, dates or
    addresses. Action, Sid and Effect never meet an account ID and are kept as written."""
    if not isinstance(raw, dict):
        return None
    for k, v in raw.items():
        if k in _SKIPPED:
            continue
        if k == "Condition" and isinstance(v, dict):
            for op, block in v.items():
                name = str(op).lower().replace("forallvalues:", "").replace("foranyvalue:", "")
                if name.startswith(_UNSAFE_OPERATORS) or not _safe_value(op, account):
                    return None
                if not _safe_value(block, account, keys=True):
                    return None
        elif not _safe_value(v, account):
            return None
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    if MARK in text:
        return None
    return text.replace(account, MARK) if account else text


def _safe_value(v: Any, account: str, keys: bool = False) -> bool:
    if isinstance(v, str):
        return template(v, account) is not None
    if isinstance(v, bool) or v is None:
        return True
    if isinstance(v, (int, float)):
        return template(str(v), account) is not None
    if isinstance(v, list):
        return all(_safe_value(x, account) for x in v)
    if isinstance(v, dict):
        return all((not keys or _safe_value(str(k), account)) and _safe_value(x, account, keys) for k, x in v.items())
    return False


def put_back(text: str, account: str) -> str:
    """``text`` (a template) in ``account``'s frame."""
    return text.replace(MARK, account) if MARK in text else text


_answers: dict[tuple, Any] = {}


def remember(key: tuple, value: Any) -> None:
    """Keep ``value`` under the frame key ``key`` for the rest of the process (bounded)."""
    if len(_answers) >= LIMIT:
        _answers.clear()
    _answers[key] = value


def recall(key: tuple) -> Any:
    return _answers.get(key)


def forget() -> None:
    """Empty the process-wide tables (tests, or a long-lived worker between snapshots: not
    needed for correctness, keys carry everything an answer depends on)."""
    _answers.clear()
    _numbers.clear()
    _statement_numbers.clear()
    _policy_numbers.clear()


# ------------------------------------------------------------------ compiled policies as templates
_statement_numbers: dict[tuple[int, str], tuple[int | None, Any]] = {}
_policy_numbers: dict[tuple[int, str], tuple[int | None, Any]] = {}


def statement_number(st: Any, account: str) -> int | None:
    """The compiled statement ``st``'s template in ``account``'s frame, as a number (None: it
    has none). Memoised per statement and account."""
    memo = (id(st), account)
    hit = _statement_numbers.get(memo)
    if hit is None:
        t = statement_template(st.raw, account)
        if len(_statement_numbers) >= LIMIT:
            _statement_numbers.clear()
        # the statement is held, so that its id is not reused while it is kept
        hit = _statement_numbers[memo] = (None if t is None else number(("statement", t)), st)
    return hit[0]


def policy_number(cp: Any, account: str) -> int | None:
    """The compiled policy ``cp``'s template (its kind and every statement's) in ``account``'s
    frame, as a number (None: one statement has none). Memoised per policy and account."""
    memo = (id(cp), account)
    hit = _policy_numbers.get(memo)
    if hit is None:
        ids = tuple(statement_number(st, account) for st in cp.statements)
        value = None if None in ids else number(("policy", cp.kind, ids))
        if len(_policy_numbers) >= LIMIT:
            _policy_numbers.clear()
        hit = _policy_numbers[memo] = (value, cp)
    return hit[0]


def levels_template(levels: Any, account: str) -> tuple | None:
    """Policy levels (SCPs or RCPs, root first; or ``[boundary]``) as their templates' numbers."""
    out = tuple(tuple(policy_number(cp, account) for cp in level) for level in levels or ())
    return None if any(None in level for level in out) else out
