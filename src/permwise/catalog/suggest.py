"""'Did you mean' suggestions for misspelled service prefixes, actions and keys."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def _norm(s: str) -> str:
    return s.lower().replace("-", "").replace("_", "")


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The best candidate for ``word``: an exact match ignoring case and ``-``/``_`` first
    (``computeoptimizer`` -> ``compute-optimizer``), then a unique prefix extension
    (``PutEncryption`` -> ``PutEncryptionConfiguration``), then the closest by edit ratio."""
    cands = list(candidates)
    n = _norm(word)
    by_norm: dict[str, str] = {}
    for c in cands:
        by_norm.setdefault(_norm(c), c)
    if n in by_norm:
        return by_norm[n]
    ext = sorted((c for c in cands if _norm(c).startswith(n) and len(n) >= 4), key=len)
    if ext:
        return ext[0]
    lowered = {c.lower(): c for c in cands}
    best = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[best[0]] if best else None


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours),
    case-insensitive. With ``limit``, returns ``limit + 1`` as soon as the distance must exceed it."""
    a, b = a.lower(), b.lower()
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def max_typo_distance(word: str) -> int:
    """How many edits still count as a typo of ``word``: 1 up to 11 characters, 2 up to 17, else 3."""
    return 1 if len(word) < 12 else 2 if len(word) < 18 else 3


def suggest_name(word: str, candidates: Iterable[str]) -> str | None:
    """A conservative "did you mean" for identifiers such as service prefixes and action names.

    Rules, first hit wins (deterministic; ties go to the shortest, then alphabetical):

    1. same name ignoring case, ``-`` and ``_`` (``computeoptimizer`` -> ``compute-optimizer``);
    2. a candidate that extends ``word`` (``word`` at least 4 characters): ``PutEncryption`` ->
       ``PutEncryptionConfiguration``;
    3. a candidate that ``word`` extends with trailing text, when the candidate covers at least 60%
       of ``word`` (fused names: ``ModifyVpcPeeringConnectionOptionsconnection``);
    4. a typo: edit distance at most :func:`max_typo_distance` (``GetObjct`` -> ``GetObject``).

    Anything further away has no suggestion (``InstanceSecurityGroup`` -> ``None``): a wrong
    suggestion is worse than none.
    """
    cands = sorted(set(candidates), key=lambda c: (len(c), c))
    n = _norm(word)
    if not n:
        return None
    for c in cands:
        if _norm(c) == n:
            return c
    if len(n) >= 4:
        for c in cands:
            if _norm(c).startswith(n):
                return c
    fused = [c for c in cands if len(_norm(c)) >= max(4, 0.6 * len(n)) and n.startswith(_norm(c))]
    if fused:
        return max(fused, key=lambda c: (len(c), [-ord(ch) for ch in c]))
    limit = max_typo_distance(word)
    best: tuple[int, int, str] | None = None
    for c in cands:
        d = edit_distance(word, c, limit)
        if d <= limit and (best is None or (d, len(c), c) < best):
            best = (d, len(c), c)
    return best[2] if best else None
