"""External and public access: who outside the zone of trust (the account, the organization or a
list of accounts and organization ids) can reach each resource, decided by the engine.

>>> from permwise.environment import load_snapshot                    # doctest: +SKIP
>>> from permwise.access import analyze_access                        # doctest: +SKIP
>>> result = analyze_access(load_snapshot("snapshot/"), "organization")  # doctest: +SKIP

See docs/access.md for the method and the mapping to IAM Access Analyzer's findings.
"""

from permwise.access.analyze import AccessAnalyzer, analyze_access, parse_zone, targets
from permwise.access.model import RULES, RULES_BY_ID, AccessFinding, AccessResult, AccessRule, Zone

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "AccessAnalyzer",
    "AccessFinding",
    "AccessResult",
    "AccessRule",
    "Zone",
    "analyze_access",
    "parse_zone",
    "targets",
]
