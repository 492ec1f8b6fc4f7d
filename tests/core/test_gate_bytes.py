"""The byte-level input gate (sources.json_bytes_problem, used by `simulate --jsonl` on every
line) decides exactly as the exact checks it replaces on the hot path: ``too_deep`` on the
parsed data and ``json_has_duplicates``'s exact scan of the text."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from permwise.sources import _json_duplicates, json_bytes_problem, too_deep

# string contents that stress the gate: brackets, colons, quotes and every kind of escape
_CHUNKS = st.sampled_from(["a", "s3:Get*", "${aws:username}", "[", "]", "{", "}", ":", '\\"', "\\\\", "\\/",
                           "\\u0022", "\\u003a", "\\u003A", "\\n", "é", '\\":', "x y"])
_STRINGS = st.lists(_CHUNKS, max_size=4).map(lambda cs: '"' + "".join(cs) + '"')
_WS = st.sampled_from(["", "", " ", "\n\t "])


def _value(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(_STRINGS, st.sampled_from(["1", "-2.5e3", "true", "null"]))
    if depth <= 0:
        return leaf
    inner = _value(depth - 1)
    arrays = st.tuples(st.lists(inner, max_size=3), _WS).map(lambda t: "[" + (t[1] + ",").join(t[0]) + "]")
    keys = st.sampled_from(['"a"', '"b"', '"Effect"', '"k:1"', '"\\u0061"', '"[x]"'])
    members = st.lists(st.tuples(keys, _WS, _WS, inner), max_size=4)
    objects = members.map(lambda ms: "{" + ",".join(f"{k}{w1}:{w2}{v}" for k, w1, w2, v in ms) + "}")
    return st.one_of(leaf, arrays, objects)


def _nest(text: str, n: int) -> str:
    return "[" * n + text + "]" * n


@settings(max_examples=400, deadline=None)
@given(_value(4), st.integers(min_value=0, max_value=66))
def test_byte_gate_agrees_with_the_exact_checks(text, extra):
    text = _nest(text, extra)
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:  # a generated escape the grammar refuses: not a gate input
        return
    if not isinstance(data, (dict, list)):
        return
    want = "deep" if too_deep(data) else ("duplicate" if _json_duplicates(text) else None)
    assert json_bytes_problem(text.encode(), data) == want


def test_depth_limit_is_exact_at_the_boundary():
    for body in ('{"a": "${x}"}', '"[[[{{"', "1"):
        ok, deep = _nest(body, 64 - (body[0] == "{")), _nest(body, 65 - (body[0] == "{"))
        assert json_bytes_problem(ok.encode(), orjson.loads(ok)) is None
        assert json_bytes_problem(deep.encode(), orjson.loads(deep)) == "deep"


def test_a_key_spelled_two_ways_or_after_a_space_is_a_duplicate():
    for text in ('{"k\\u0061": 1, "ka": 2}', '{"a" : 1, "a": 2}', '{"a": "\\"", "a": 2}'):
        assert json_bytes_problem(text.encode(), orjson.loads(text)) == "duplicate"
    assert json_bytes_problem(b'{"a": "x\\":y", "b": "\\u003a"}', {"a": 'x":y', "b": ":"}) is None


def test_depth_is_the_datas_when_a_repeated_key_held_the_deep_part():
    # as the exact checks decide: the data is not too deep (the deep value was dropped), the
    # repeated key is the problem; a text too deep in a kept value stays too deep
    text = "[" * 63 + '{"a": [], "a": 1}' + "]" * 63
    assert json_bytes_problem(text.encode(), orjson.loads(text)) == "duplicate"
    text = "[" * 63 + '{"a": 1, "a": []}' + "]" * 63
    assert json_bytes_problem(text.encode(), orjson.loads(text)) == "deep"
    deep = "[" * 300 + "]" * 300  # deeper than orjson can write back: never dumped
    assert json_bytes_problem(deep.encode(), orjson.loads(deep)) == "deep"


def test_jsonl_line_with_a_repeated_key_in_any_part_is_an_error_record():
    """`simulate --jsonl` counts the colons of one dump cut in two (policy part, request part):
    a key repeated in either part, or at the top level, is still found."""
    from permwise.jsonl import evaluate_line

    user = "arn:aws:iam::111122223333:user/a"
    pol = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    lines = {
        "request": f'{{"id":"r","request":{{"principal":"{user}","action":"s3:GetObject","action":"iam:PassRole"}},'
                   f'"identity_policies":[{pol}]}}',
        "policy": f'{{"id":"p","request":{{"principal":"{user}","action":"s3:GetObject"}},'
                  f'"identity_policies":[{pol[:-3]},"Effect":"Deny"}}]}}]}}',
        "top": f'{{"id":"t","request":{{"principal":"{user}","action":"s3:GetObject"}},'
               f'"identity_policies":[{pol}],"id":"t2"}}',
    }
    for where, line in lines.items():
        rec = orjson.loads(evaluate_line(1, line.encode()))
        assert rec["decision"] == "error" and "duplicate key" in rec["error"], where
    ok = f'{{"id":"ok","request":{{"principal":"{user}","action":"s3:GetObject"}},"identity_policies":[{pol}]}}'
    assert orjson.loads(evaluate_line(1, ok.encode()))["decision"] == "allowed"
