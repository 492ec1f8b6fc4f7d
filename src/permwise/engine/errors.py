"""Errors of the evaluation engine (sibling of :mod:`permwise.engine.evaluate`).

The engine never raises while deciding a request: problems met during evaluation (a condition
value that does not parse, an unknown operator, a context value of the wrong type) are recorded as
:class:`EvaluationIssue` strings in ``Result.errors`` and the statement is handled by the
documented *erroring statement rule* (see ``docs/engine.md``): an erroring condition counts as
**true** in a ``Deny`` statement (the deny applies) and as **false** in an ``Allow`` statement (it
grants nothing). Only malformed input to :func:`~permwise.engine.compile_policy` (a document that
is not a policy at all) raises :class:`~permwise.errors.InputError`.
"""

from __future__ import annotations

from permwise.errors import InputError, PermwiseError

__all__ = ["ConditionValueError", "EngineError", "InputError", "policy_error"]


class EngineError(PermwiseError):
    """Base class for engine errors that are raised (programming errors, bad API use)."""


class ConditionValueError(ValueError):
    """A value that cannot be read by a condition operator (internal; recorded, never escapes)."""


def policy_error(name: str, message: str, pointer: str = "", hint: str | None = None) -> InputError:
    """An :class:`InputError` about policy ``name`` (lowercase message, input in backticks)."""
    return InputError(f"policy `{name}`: {message}", pointer=pointer or None, hint=hint)
