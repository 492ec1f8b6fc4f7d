"""Audit views that already name a finding's subject print the finding's ``detail`` (set by the
producer beside the message), never the message with its head cut off by matching its words.
Read on the bundled demo, where every escalation, guardrail and trust finding names its role or
user at the head of its message."""

from __future__ import annotations

from pathlib import Path

import permwise
from permwise.audit import run_audit
from permwise.environment import load_snapshot
from permwise.report.audit import strip_subject

DEMO = Path(permwise.__file__).parent / "data" / "demo"


def test_subject_views_use_the_producers_detail():
    result = run_audit(load_snapshot(str(DEMO / "snapshot")))
    named = [f for f in result.findings if f.message.startswith(("role `", "user `", "group `"))]
    assert named, "the demo has findings about roles and users"
    for f in named:
        assert f.detail and f.message.endswith(f.detail), f.message
        assert strip_subject(f) == f.detail
    # a finding about an account has no subject head to leave out
    other = [f for f in result.findings if f.message.startswith("account ")]
    assert all(strip_subject(f) == f.message for f in other)
