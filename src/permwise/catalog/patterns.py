"""Action patterns (``ec2:Describe*``, ``*:Get*``, ``s3:?etObject``) compiled once and cached."""

from __future__ import annotations

import re
from functools import lru_cache

# Action names are letters and digits, with one ``-`` in the data so far
# (``vpc-lattice:AssociateViaAWSService-EventsAndStates``); ``_`` and ``.`` are accepted too.
_VALID = re.compile(r"^(?:\*|[A-Za-z0-9*?-]+:[A-Za-z0-9*?_.-]+)$")


def is_action_pattern_valid(pattern: str) -> bool:
    """Shape check: ``*`` alone or ``prefix:name`` with letters, digits, ``-`` and wildcards
    (``_`` and ``.`` also allowed in the name)."""
    return bool(_VALID.match(pattern))


@lru_cache(maxsize=65536)
def compile_action_pattern(pattern: str) -> re.Pattern[str]:
    """Case-insensitive full-match regex for an action pattern; ``*`` is any run, ``?`` one char."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out) + r"\Z", re.IGNORECASE | re.DOTALL)
