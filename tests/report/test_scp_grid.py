"""The SCP guardrail grid says what each row means and how to fix it, in the terminal and in
HTML: the guardrail's title beside its id, and for each row with a gap the explanation, the
accounts and the SCP statement to attach."""

from __future__ import annotations

import io
import json

from rich.console import Console

from htmltree import parse
from permwise.audit.registry import get_rule
from permwise.report.audit import audit_view, guardrail_statement, render_text
from permwise.report.html import audit_html


def _gaps(demo_audit):
    return sorted({r.rule_id for r in demo_audit.scp if r.status in ("not-enforced", "partial", "blocks-exempt")})


def test_terminal_grid_explains_every_gap(demo_audit):
    buf = io.StringIO()
    render_text(demo_audit, Console(file=buf, width=120, no_color=True))
    text = buf.getvalue()
    grid = text.split("SCP guardrails per member account", 1)[1]
    gaps = _gaps(demo_audit)
    assert gaps
    for rid in gaps:
        rule = get_rule(rid)
        flat = " ".join(grid.split())
        assert f"{rid} {rule.title}" in flat, rid
        assert rule.rationale in flat, rid
    assert grid.count("fix: attach an SCP with this statement") >= sum(
        1 for rid in gaps if any(r.status != "blocks-exempt" for r in demo_audit.scp if r.rule_id == rid))


def test_html_grid_has_titles_and_fixes(demo_audit):
    root = parse(audit_html(demo_audit))
    table = root.find("table", id="scp-matrix")
    for tr in table.find("tbody").find_all("tr"):
        rid = tr.find("a").text()
        assert tr.find("div", "scp-title").text() == get_rule(rid).title
    for rid in _gaps(demo_audit):
        block = root.find("div", id=f"scp-{rid}")
        assert get_rule(rid).title in block.text()
        fix = block.find("pre").text()
        st = json.loads(fix)
        assert st["Effect"] == "Deny" and st["Action"]


def test_guardrail_statement_is_a_valid_scp():
    """The statement shown as the fix is valid SCP grammar (placeholders filled)."""
    from permwise.policy import validate_document

    st = guardrail_statement(get_rule("SCP-S3-3"))
    assert st["Condition"] == {"StringNotEquals": {"s3:x-amz-acl": "private"}}
    doc = {"Version": "2012-10-17", "Statement": [st]}
    problems = [p for p in validate_document(doc, "scp") if p.severity == "error"]
    assert problems == []


def test_view_carries_details_only_for_gaps(demo_audit):
    v = audit_view(demo_audit)
    assert {d.rule_id for d in v.scp.details} == set(_gaps(demo_audit))


def test_placeholder_hint_only_when_the_statement_has_placeholders(demo_audit):
    v = audit_view(demo_audit)
    by_id = {d.rule_id: d for d in v.scp.details}
    assert "placeholders" not in by_id["SCP-S3-3"].fix
    assert "placeholders" in by_id["SCP-ACCOUNT-1"].fix  # [INFRASTRUCTURE_AUTOMATION_ROLE]
