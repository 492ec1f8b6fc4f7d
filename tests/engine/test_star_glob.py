"""A resolved policy-variable pattern matched without a regular expression (variables.StarGlob)
answers exactly as the regular expression it replaces: the template's own `*` matches any run
(never a `:` in the first five parts of an ARN), substituted values are literal (AWS "IAM policy
elements: Variables and tags")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from permwise.engine.variables import StarGlob, _compile_parts, _parts_regex, _star_glob

_OWN = st.lists(st.sampled_from(["arn", ":", "*", "a", "b", "/", "s3", "x*y", "::", "?"]), max_size=8).map("".join)
_VALUE = st.lists(st.sampled_from(["a", "b", "*", ":", "/", "?", "ab"]), max_size=3).map("".join)
_PARTS = st.lists(st.tuples(st.one_of(_OWN, _VALUE), st.booleans()), min_size=1, max_size=4)
_TEXT = st.lists(st.sampled_from(["arn", ":", "a", "b", "/", "s3", "ab", "*", "?", "x", "y"]), max_size=10).map("".join)


def _split(vals):
    own = "".join(t if not lit else "x" for t, lit in vals)
    return own.startswith("arn:"), min(own.count(":"), 5)


@settings(max_examples=600, deadline=None)
@given(st.one_of(_PARTS, _PARTS.map(lambda v: [("arn:", False), *v])), st.booleans(), _TEXT, st.data())
def test_star_glob_is_the_regex(vals, arn, text, data):
    vals = tuple(vals)
    arn_aware, n_parts = _split(vals)
    arn_aware = arn_aware and arn
    star = _star_glob(vals, arn_aware, n_parts)
    if star is None:  # `?` or a colon substituted into an ARN head part: the regex decides
        assert isinstance(_compile_parts(vals, arn), type(_parts_regex(vals, arn_aware, n_parts)))
        return
    rx = _parts_regex(vals, arn_aware, n_parts)
    # the text itself, and texts built from the pattern's pieces, so that matches are common
    built = "".join(data.draw(st.sampled_from([t, t.replace("*", "zz:"), t.replace("*", ""), t + ":q"]))
                    for t, _ in vals)
    for candidate in (text, built):
        assert (star.fullmatch(candidate) is not None) == (rx.fullmatch(candidate) is not None), candidate


def test_arn_head_wildcards_never_cross_a_colon():
    star = _star_glob((("arn:aws:dynamodb:*:*:table/", False), ("team-1", True), ("-*", False)), True, 5)
    assert isinstance(star, StarGlob)
    assert star.fullmatch("arn:aws:dynamodb:us-east-1:111122223333:table/team-1-x")
    assert star.fullmatch("arn:aws:dynamodb:us-east-1:1:2:table/team-1-x") is None  # `*` is one part
    assert star.fullmatch("arn:aws:dynamodb:r:a:table/team-1-x:y/z")  # the tail spans colons
    assert star.fullmatch("arn:aws:dynamodb:r:a:table/team-2-x") is None  # the value is literal
