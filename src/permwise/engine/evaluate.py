"""The decision across policy types (AWS "Policy evaluation logic"): the engine's public entry.

:func:`evaluate` runs the engine's three parts on one request:

1. :func:`permwise.engine.analyse.analyse`: which layers apply, and for each (every RCP and SCP
   level, the resource-based policy, identity-based policies, permissions boundary, session
   policy) which statements match, with their effect; computed once per request.
2. :func:`permwise.engine.decision.decide`: AWS's documented order over those results
   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
   and, across accounts,
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
3. :func:`permwise.engine.explain.explain` (only with ``explain=True``): the structured
   :class:`~permwise.engine.reasons.Reason` objects. Their English is
   :func:`permwise.report.reasons.render_reason`.

Everything is returned as data: :class:`Result` with ``decision``, ordered reasons,
``missing_keys`` and ``errors``. The engine reads neither the clock nor the catalog: the
request's instant is ``Request.at`` and the RCP-supported services are ``PolicySet.rcp_services``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from permwise.engine.analyse import PolicySet, Request, analyse
from permwise.engine.compile import CompiledStatement
from permwise.engine.decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY
from permwise.engine.decision import decide as _decide
from permwise.engine.explain import explain as _explain
from permwise.engine.reasons import Reason

#: the names other modules import from here (the engine's entry)
__all__ = ["ALLOWED", "EXPLICIT_DENY", "IMPLICIT_DENY", "PolicySet", "Reason", "Request", "Result", "decide", "evaluate"]


@dataclass(slots=True)
class Result:
    """The decision and why. ``allow_statements``: the statements that granted (identity and
    resource-based ``Allow`` statements that matched, for an ``allowed`` decision);
    ``deny_statements``: the matching ``Deny`` statements (for ``explicitDeny``), the deciding one
    first."""

    decision: str
    reasons: list[Reason]
    missing_keys: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allow_statements: list[CompiledStatement] = field(default_factory=list)
    deny_statements: list[CompiledStatement] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    #: for a denial, the deciding layer: the ``layer`` of the first reason (``identity``,
    #: ``boundary``, ``session``, ``resource``/``trust``, ``scp``, ``rcp``, ``principal``), set
    #: with or without ``explain``; None when allowed
    deny_layer: str | None = None
    #: the SCP/RCP level of the deciding layer (the deny statement's policy level for an explicit
    #: deny, the level without an Allow for an implicit deny), else None
    deny_level: str | None = None

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


def evaluate(ps: PolicySet, req: Request, explain: bool = True) -> Result:
    """Decide ``req`` against ``ps`` as AWS would. Never raises for policy or context problems:
    they are recorded in ``Result.errors``.

    ``explain=False`` is the decision-only path: the same decision, ``missing_keys``,
    ``errors``, ``allow_statements``/``deny_statements``, ``deny_layer`` and ``deny_level``, but
    ``reasons`` is empty (no :class:`Reason` objects are built). Use it for bulk evaluation and
    call again with ``explain=True`` for the requests worth explaining.
    """
    a = analyse(ps, req, explain)
    o = _decide(a)
    decision = o.decision
    return Result(decision, _explain(a, o) if explain else [], a.missing, a.errors, o.grants,
                  a.denies if decision == EXPLICIT_DENY else [], a.ctx, o.layer, o.level)


def decide(ps: PolicySet, req: Request) -> str:
    """Only the decision (``allowed``, ``explicitDeny`` or ``implicitDeny``) of ``req``: the
    decision-only path of :func:`evaluate` (``explain=False``)."""
    return _decide(analyse(ps, req)).decision
