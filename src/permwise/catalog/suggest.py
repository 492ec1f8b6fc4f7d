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
    by_norm = {}
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
