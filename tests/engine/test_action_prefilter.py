"""The raw-text Action prefilter (a policy's first question compiles only the statements whose
Action can match the asked action) agrees with the compiled matcher: it never leaves out a
statement that the compiled Action would match, so no decision can change (AWS "IAM JSON policy
elements: Action": case-insensitive, `*` any run, `?` one character)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from permwise.engine.compile import compile_policy
from permwise.engine.matching import any_action_matches, compile_actions

_PIECES = st.sampled_from(["s3", "S3", "ec2", "iam", ":", "Get", "get", "Object", "*", "?", "Put", "x", "", "s"])
_NAMES = st.sampled_from(["s3:GetObject", "S3:putObject", "s3:Get", "iam:PassRole", "ec2:GetX"])


def _wild(name: str, cuts: list[tuple[int, str]]) -> str:
    """``name`` with some characters replaced by (or extended with) wildcards."""
    chars = list(name)
    for at, w in cuts:
        chars[at % len(chars)] = w
    return "".join(chars)


_PATTERNS = st.one_of(
    st.lists(_PIECES, min_size=1, max_size=5).map("".join),
    _NAMES,
    st.builds(_wild, _NAMES, st.lists(st.tuples(st.integers(0, 20), st.sampled_from(["*", "?", "x*", "*:"])),
                                      max_size=2)),
)
_ACTIONS = st.sampled_from(["s3:getobject", "s3:putobject", "s3:get", "ec2:getx", "iam:passrole", "s3:", "s3:get?x",
                            "sx:getobject", "s3:getobject*"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(_PATTERNS, st.integers(), st.none()), max_size=5), _ACTIONS)
def test_raw_action_test_is_the_compiled_matcher(patterns, action):
    strings = [p for p in patterns if isinstance(p, str)]
    assert any_action_matches(patterns, action) == compile_actions(strings).matches(action)


_ACTION_ELEMENT = st.one_of(_PATTERNS, st.lists(_PATTERNS, max_size=3), st.integers(), st.none())
_STATEMENTS = st.lists(
    st.fixed_dictionaries(
        {"Effect": st.sampled_from(["Allow", "Deny", "allow", 3])},
        optional={"Action": _ACTION_ELEMENT, "NotAction": _ACTION_ELEMENT, "Resource": st.just("*")},
    ) | st.sampled_from(["not a statement", None]),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(_STATEMENTS, _ACTIONS)
def test_first_question_sees_every_statement_the_index_would_match(statements, action):
    prefix = action.partition(":")[0]
    doc = {"Version": "2012-10-17", "Statement": statements}

    def matching(stmts):
        return [(s.index, s.effect) for s in stmts
                if s.actions is not None and s.actions.matches(action) != s.not_action]

    first = compile_policy(doc).statements_for(prefix, action)
    index = compile_policy(doc).statements_for(prefix)
    assert {s.index for s in first} <= {s.index for s in index}
    assert matching(first) == matching(index)
    # and the same policy asked again builds its index: the same statement objects
    p = compile_policy(doc)
    once = p.statements_for(prefix, action)
    again = p.statements_for(prefix, action)
    assert [s.index for s in again] == [s.index for s in index]
    assert all(any(s is t for t in again) for s in once)
