"""``check --format json`` is written with orjson for speed (issue 14) but must stay byte for byte
what ``json.dumps(indent=2, sort_keys=True)`` wrote: non-ASCII text \\u-escaped (a bidi override
or C1 control from a file cannot act in a terminal showing the report), same layout."""

from __future__ import annotations

import json

import orjson
from hypothesis import given
from hypothesis import strategies as st

from permwise.report import check as report_check

values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(values)
def test_orjson_with_ascii_escapes_equals_json_dumps(value):
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    got = report_check._NON_ASCII.sub(report_check._ascii_escape, text)
    assert got == json.dumps(value, indent=2, sort_keys=True)
