"""Policy gates for code review: security findings on one policy, custom checks, and ``diff``.

Analyses layer (they use the engine, the catalog and the audit's rule data):

- :mod:`permwise.gates.security`: ``FULL-ADMIN``, ``PRIVESC-*``, ``CREDENTIALS-EXPOSURE``,
  ``DATA-EXFILTRATION``, ``RESOURCE-EXPOSURE``, ``INFRA-MODIFICATION`` for identity policies;
  ``PUBLIC-ACCESS`` / ``TRUST-PUBLIC``, ``CROSS-ACCOUNT-ACCESS``, ``TRUST-EXTERNAL-ID``,
  ``TRUST-OIDC-UNPINNED``, ``TRUST-SERVICE-CONFUSED-DEPUTY`` for resource and trust policies;
- :mod:`permwise.gates.exposure`: who outside the zone a resource or trust policy lets in
  (reusable on its own);
- :mod:`permwise.gates.custom`: ``--deny-actions`` and ``--no-public``;
- :mod:`permwise.gates.diff`: the access NEW grants that OLD does not.
"""

from __future__ import annotations

from pathlib import Path

from permwise.gates.rules import security_rules
from permwise.gates.zone import Zone
from permwise.policy.findings import Finding, Rule
from permwise.policy.model import PolicyDocument


def gate_rules() -> list[Rule]:
    return list(security_rules())


def gate_document(doc: PolicyDocument, *, security: bool = True, zone: Zone | None = None,
                  deny_actions: list[str] | None = None, resources: list[str] | None = None,
                  no_public: bool = False) -> list[Finding]:
    """Security findings and custom checks of one parsed policy, located (file:line:col)."""
    from permwise.gates.custom import check_document
    from permwise.gates.security import security_findings
    from permwise.policy.validate import locate

    zone = zone or Zone()
    found: list[Finding] = []
    if security:
        found += security_findings(doc, zone)
    found += check_document(doc, deny_actions=deny_actions, resources=resources, no_public_check=no_public, zone=zone)
    return locate(doc, found)


def gate_snapshot(path: str, *, principals: list[str] | None = None, zone: Zone | None = None,
                  deny_actions: list[str] | None = None, resources: list[str] | None = None,
                  no_public: bool = False) -> tuple[list[Finding], list[str]]:
    """Custom checks over a snapshot: ``(findings, files they point into)``."""
    from permwise.gates.snapshot import run_snapshot

    return run_snapshot(Path(path), principals=principals, zone=zone or Zone(), deny_actions=deny_actions,
                        resources=resources, no_public=no_public)


__all__ = ["Zone", "gate_document", "gate_rules", "gate_snapshot"]
