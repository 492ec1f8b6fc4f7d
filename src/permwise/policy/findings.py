"""The policy layer's names for the one diagnostics model (:mod:`permwise.diagnostics`): a lint
or grammar finding is a :class:`~permwise.diagnostics.Diagnostic` on ``validate``'s scale."""

from __future__ import annotations

from permwise.diagnostics import (
    SEVERITIES,
    Diagnostic,
    Rule,
    RuleRegistry,
    Severity,
    at_or_above,
    count_by_severity,
    severity_rank,
)
from permwise.diagnostics import sort_diagnostics as sort_findings

#: a finding of ``validate`` (lint, grammar, gates) is a plain diagnostic
Finding = Diagnostic

__all__ = ["SEVERITIES", "Finding", "Rule", "RuleRegistry", "Severity", "at_or_above", "count_by_severity",
           "severity_rank", "sort_findings"]
