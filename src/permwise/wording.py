"""Small wording helpers shared by every output: counts read as English ("1 profile", "2 profiles").

A leaf module (no permwise imports), usable from every layer."""

from __future__ import annotations

_IRREGULAR = {"policy": "policies", "entry": "entries", "summary": "summaries", "is": "are", "has": "have"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "profile")`` -> ``"1 profile"``; ``plural(2, "policy")`` -> ``"2 policies"``."""
    if n == 1:
        return f"{n:,} {word}"
    return f"{n:,} {many or _IRREGULAR.get(word) or word + 's'}"


def noun(n: int, word: str, many: str | None = None) -> str:
    """The word alone in the number ``n`` takes: ``noun(1, "path")`` -> ``"path"``."""
    return word if n == 1 else (many or _IRREGULAR.get(word) or word + "s")
