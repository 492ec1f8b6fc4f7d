"""The terminal audit report tells the story in sections (headline, privilege escalation,
trust policies, guardrails by principal, SCP matrix), folds an administrator's guardrail
findings into one line, and places every active finding in exactly one section.

AWS rules behind the demo's story (IAM User Guide): "Grant a user permissions to pass a role
to an AWS service": `iam:PassRole` on a role plus `lambda:CreateFunction`/`InvokeFunction`
lets the caller run code as that role; "The confused deputy problem": a third-party trust
without `sts:ExternalId` lets the vendor be tricked into acting on your account.
"""

from __future__ import annotations

import io

from rich.console import Console

from permwise.report.audit import audit_view, category, render_text


def _render(result, *, verbose=False, width=120) -> list[str]:
    console = Console(file=io.StringIO(), width=width, record=True, highlight=False)
    render_text(result, console, verbose=verbose)
    return console.export_text().splitlines()


def _index(lines, predicate) -> int:
    return next(i for i, ln in enumerate(lines) if predicate(ln))


def test_sections_in_order_after_headline(demo_audit):
    lines = _render(demo_audit)
    starts = [_index(lines, lambda ln, t=t: ln.startswith(t))
              for t in ("Privilege escalation:", "Trust policies:", "Guardrails:", "SCP guardrails per member account")]
    assert starts == sorted(starts)
    counts = demo_audit.counts()
    head = lines[0]
    assert head.startswith(f"{len(demo_audit.active)} findings")
    for sev, n in counts.items():
        if n:
            assert f"{n} {sev}" in head
    # the headline matrix: one row per section, totals from the findings themselves
    esc = sum(category(f.rule_id) == "escalation" for f in demo_audit.active)
    row = next(ln for ln in lines[:starts[0]] if ln.startswith("Privilege escalation "))
    assert row.split()[-1] == str(esc)


def test_story_is_near_the_top(demo_audit):
    lines = _render(demo_audit)
    for needle in ("PRIVESC-PASSROLE-LAMBDA", "TRUST-EXTERNAL-ID", "IAM-CLOUDTRAIL-1"):
        assert _index(lines, lambda ln, n=needle: n in ln) < 60, needle


def test_escalation_path_hop_by_hop(demo_audit):
    lines = _render(demo_audit)
    start = _index(lines, lambda ln: "PRIVESC-PASSROLE-LAMBDA" in ln and "CiDeployRole" in ln)
    block = lines[start:start + 12]
    first = _index(block, lambda ln: ln.strip().startswith("1.") and "role/CiDeployRole" in ln)
    via = _index(block, lambda ln: "`iam:PassRole`" in ln)
    second = _index(block, lambda ln: ln.strip().startswith("2.") and "role/LambdaAdminExecutionRole" in ln)
    end = _index(block, lambda ln: ln.strip().startswith("=> administrator power"))
    assert first < via < second < end


def test_admin_guardrails_folded_unless_verbose(demo_audit):
    admin = "arn:aws:iam::555555555555:role/LambdaAdminExecutionRole"
    assert admin in demo_audit.admins
    own = [f for f in demo_audit.active if f.subject == admin and category(f.rule_id) == "guardrails"]
    assert len(own) > 20
    only_admin = {f.rule_id for f in own} - {f.rule_id for f in demo_audit.active if f.subject != admin}
    assert only_admin  # rules only the administrator violates (IAM-KMS-3, ...)
    text = "\n".join(_render(demo_audit))
    assert f"admin: can do everything; {len(own)} guardrail findings follow from that" in text
    assert not any(f"  {rid} " in text for rid in only_admin)
    verbose = "\n".join(_render(demo_audit, verbose=True))
    assert all(rid in verbose for rid in only_admin)
    assert "fix:" in verbose


def test_every_active_finding_in_exactly_one_section(demo_audit):
    v = audit_view(demo_audit)
    placed = [p.finding for p in v.escalation] + list(v.trust) + [f for b in v.principals for f in b.findings] \
        + list(v.expired) + [f for f in demo_audit.active if category(f.rule_id) == "scp"]
    assert sorted(map(id, placed)) == sorted(map(id, demo_audit.active))
    assert sum(sum(c.values()) for c in v.by_category.values()) == len(demo_audit.active)


def test_principal_blocks_sorted_worst_first(demo_audit):
    from permwise.audit.model import SEVERITY_RANK

    v = audit_view(demo_audit)
    ranks = [SEVERITY_RANK[b.worst] for b in v.principals]
    assert ranks == sorted(ranks, reverse=True)
    assert len({b.subject for b in v.principals}) == len(v.principals)


def test_no_trailing_blanks(demo_audit):
    assert not [ln for ln in _render(demo_audit, width=100) if ln != ln.rstrip()]
