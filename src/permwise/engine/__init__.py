"""The evaluation engine: decide a request against the policies in force, as AWS would, and say
why. Pure (no I/O, no clock, no catalog read), compiled once and evaluated many times.

Three parts: :mod:`~permwise.engine.analyse` (per-layer results of a request),
:mod:`~permwise.engine.decision` (AWS's order), :mod:`~permwise.engine.explain` (structured
reasons, :mod:`~permwise.engine.reasons`); :func:`evaluate` runs them.

>>> from permwise.engine import compile_policy, PolicySet, Request, evaluate
>>> p = compile_policy({"Version": "2012-10-17", "Statement": [
...     {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}]}, name="read")
>>> r = evaluate(PolicySet(identity=[p]), Request(
...     principal="arn:aws:iam::111122223333:user/alice", action="s3:GetObject",
...     resource="arn:aws:s3:::b/k"))
>>> r.decision
'allowed'
"""

from permwise.engine.compile import KINDS, CompiledPolicy, CompiledStatement, compile_policy
from permwise.engine.conditions import OPERATORS, evaluate_condition
from permwise.policy.operators import parse_operator
from permwise.engine.context import build_context
from permwise.engine.analyse import PolicySet, Request
from permwise.engine.decision import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY
from permwise.engine.evaluate import Result, decide, evaluate
from permwise.engine.reasons import ConditionMiss, Grant, Reason, ReasonKind, Rule
from permwise.engine.matching import (
    action_matches,
    arn_matches,
    parse_principal,
    principal_matches,
)

__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "KINDS",
    "OPERATORS",
    "CompiledPolicy",
    "CompiledStatement",
    "ConditionMiss",
    "Grant",
    "PolicySet",
    "Reason",
    "ReasonKind",
    "Request",
    "Result",
    "Rule",
    "action_matches",
    "arn_matches",
    "build_context",
    "compile_policy",
    "decide",
    "evaluate",
    "evaluate_condition",
    "parse_operator",
    "parse_principal",
    "principal_matches",
]
