"""HTML reports of audit and check: self-contained (one inline script of our own, no external asset), structured as
the terminal story, every user value escaped. Parsed with html.parser; facts, not bytes.

AWS rules behind the facts asserted (IAM User Guide, "Policy evaluation logic"): an explicit deny
in an SCP or a permissions boundary blocks a request whatever the identity policy allows, and a
request with no identity allow is implicitly denied: the check report names that deciding layer.
"""

from __future__ import annotations

import copy
import dataclasses
import json

from typer.testing import CliRunner

from htmltree import parse
from permwise.audit.model import Finding
from permwise.cli.main import app
from permwise.report.audit import category
from permwise.report.html import audit_html, check_html, ticks

XSS = '<script>alert("pwned")</script>'


def _only_our_script(root) -> None:
    """The one inline script is permwise's own UI (search, filters, sorting, keys); it loads
    nothing (no URL, no fetch) and user data never adds another."""
    scripts = root.find_all("script")
    assert [n.attrs for n in scripts] == [{"id": "permwise-ui"}]
    code = scripts[0].text()
    for banned in ("http:", "https:", "fetch(", "XMLHttpRequest", "import(", "eval(", "innerHTML"):
        assert banned not in code


def _self_contained(root) -> None:
    _only_our_script(root)
    assert not root.find_all("link")
    for n in root.iter():
        for attr in ("src", "href"):
            v = n.attrs.get(attr)
            assert v is None or v.startswith("#"), (n.tag, v)
        assert not any(k.startswith("on") for k in n.attrs), n.attrs
    assert root.find("style").text().strip()


# ---------------------------------------------------------------------------------------------- audit


def test_audit_html_structure(demo_audit):
    root = parse(audit_html(demo_audit, environment="demo"))
    _self_contained(root)
    ids = [s.attrs["id"] for s in root.find_all("section")]
    assert ids == ["summary", "escalation", "trust", "guardrails", "scp"]
    cards = {c.find("span", "l").text(): int(c.find("span", "n").text()) for c in root.find_all("div", "card")}
    assert cards["findings"] == len(demo_audit.active)
    for sev, n in demo_audit.counts().items():
        assert cards[sev] == n


def test_audit_html_escalation_paths(demo_audit):
    root = parse(audit_html(demo_audit))
    esc = [f for f in demo_audit.active if category(f.rule_id) == "escalation"]
    items = root.find("section", id="escalation").find_all("div", "item")
    assert len(items) == len(esc)
    ci = next(i for i in items if "role/CiDeployRole" in i.find("span", "subject").text())
    assert "critical" in ci.classes
    kinds = [(li.attrs["class"].split()[0], li.text()) for li in ci.find("ol", "path").find_all("li")]
    assert [k for k, _ in kinds] == ["node", "edge", "node", "end"]
    assert "role/CiDeployRole" in kinds[0][1]
    assert "iam:PassRole" in kinds[1][1] and "PRIVESC-PASSROLE-LAMBDA" in kinds[1][1]
    assert "role/LambdaAdminExecutionRole" in kinds[2][1]
    assert "administrator power" in kinds[3][1]


def test_audit_html_guardrails_by_principal(demo_audit):
    root = parse(audit_html(demo_audit))
    blocks = root.find("section", id="guardrails").find_all("details", "principal")
    subjects = [b.attrs["data-principal"] for b in blocks]
    expected = {f.subject for f in demo_audit.active if category(f.rule_id) == "guardrails"}
    assert sorted(subjects) == sorted(expected) and len(subjects) == len(set(subjects))
    for b in blocks:
        rows = b.find("tbody").find_all("tr")
        n = sum(1 for f in demo_audit.active if f.subject == b.attrs["data-principal"] and category(f.rule_id) == "guardrails")
        assert len(rows) == n
        if b.attrs["data-principal"] in demo_audit.admins:
            assert "open" not in b.attrs  # collapsed: one line says why
            assert f"admin: can do everything; {n} guardrail findings follow from that" in b.text()
        else:
            assert "open" in b.attrs
    verbose = parse(audit_html(demo_audit, verbose=True))
    assert all("open" in b.attrs for b in verbose.find_all("details", "principal"))


def test_audit_html_scp_matrix(demo_audit):
    root = parse(audit_html(demo_audit))
    table = root.find("table", id="scp-matrix")
    accounts = [th.text() for th in table.find("thead").find_all("th")][1:]
    assert accounts == sorted({r.account for r in demo_audit.scp})
    status = {(r.rule_id, r.account): r.status for r in demo_audit.scp}
    for tr in table.find("tbody").find_all("tr"):
        cells = tr.find_all("td")
        rid = cells[0].find("a").text()
        for acct, td in zip(accounts, cells[1:], strict=True):
            assert status[(rid, acct)] in td.find("span", "badge").classes


def test_audit_html_escapes_user_data(demo_audit):
    evil = f"arn:aws:iam::555555555555:role/{XSS}"
    result = copy.copy(demo_audit)
    result.findings = [Finding(rule_id="IAM-CLOUDTRAIL-1", severity="critical", subject=evil, account="555555555555",
                               message=f"role `{XSS}` can `cloudtrail:StopLogging`", notes=[XSS], fix=XSS)] \
        + [dataclasses.replace(f) for f in demo_audit.findings]
    result.admins = [*demo_audit.admins, evil]
    html = audit_html(result, environment=XSS, verbose=True)
    assert "<script>" not in html
    root = parse(html)
    _only_our_script(root)
    block = root.find("details", **{"data-principal": evil})
    assert XSS in block.text()
    assert XSS in root.find("header").text()


def test_ticks_escapes_before_marking_code():
    out = str(ticks("a `<b>` & `x`"))
    assert out == "a <code>&lt;b&gt;</code> &amp; <code>x</code>"


def test_audit_cli_html_out_file(tmp_path):
    out = tmp_path / "audit.html"
    fixed = {"SOURCE_DATE_EPOCH": "1764547200"}  # the report date is the only varying part
    r = CliRunner().invoke(app, ["audit", "--format", "html", "--out", str(out)], env=fixed)
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    root = parse(out.read_text())
    assert root.find("section", id="escalation")
    r2 = CliRunner().invoke(app, ["audit", "--format", "html"], env=fixed)
    assert "2025-12-01 00:00 UTC" in r2.stdout
    assert r2.stdout == out.read_text()  # deterministic, same to stdout and to a file


# ---------------------------------------------------------------------------------------------- check


def test_check_html_structure(demo_check):
    root = parse(check_html(demo_check))
    _self_contained(root)
    counts = demo_check.counts()
    cards = {c.find("span", "l").text(): int(c.find("span", "n").text()) for c in root.find_all("div", "card")}
    assert cards["commands"] == len(demo_check.commands)
    for s in ("ready", "partial", "blocked"):
        assert cards[s] == counts[s]
    rows = root.find("section", id="commands").find("tbody").find_all("tr")
    assert [r.find_all("td")[0].text() for r in rows] == [c.id for c in demo_check.commands]
    for r, c in zip(rows, demo_check.commands, strict=True):
        tds = r.find_all("td")
        assert tds[2].text().split()[0] == c.account
        assert c.status in tds[3].find("span", "badge").classes


def test_check_html_details_and_fixes(demo_check):
    root = parse(check_html(demo_check))
    not_ready = [c for c in demo_check.commands if c.status != "ready"]
    items = root.find("section", id="details").find_all("div", "command")
    assert [i.find("h3").text() for i in items] == [c.id for c in not_ready]
    for item, c in zip(items, not_ready, strict=True):
        # the table links to the details
        link = root.find("section", id="commands").find("a", href="#" + item.attrs["id"])
        assert link.text() == c.id
        pres = item.find_all("pre")
        fixes = [b.fix for b in c.blockers if b.fix is not None]
        assert [json.loads(p.text()) for p in pres] == [f.statement for f in fixes]
        layers = item.find_all("div", "blocker")
        assert len(layers) == len(c.blockers)
        for blk, b in zip(layers, c.blockers, strict=True):
            assert f"deciding layer: {b.layer}" in " ".join(blk.text().split())
    vpc = next(i for i in items if i.find("h3").text() == "operate.vpc-create-vpc")
    assert "boundary" in vpc.text() and "NetworkTeamOwnsVpcs" in vpc.text()


def test_check_html_excess(demo_check):
    root = parse(check_html(demo_check))
    sec = root.find("section", id="excess")
    rows = sec.find("table").find("tbody").find_all("tr")
    assert [r.find_all("td")[0].text() for r in rows] == [e.principal for e in demo_check.excess]
    for r, e in zip(rows, demo_check.excess, strict=True):
        assert int(r.find_all("td")[3].text()) == e.total


def test_check_html_escapes_user_data(demo_check):
    report = copy.copy(demo_check)
    cmd = next(c for c in demo_check.commands if c.status != "ready")
    evil = dataclasses.replace(cmd, principal=f"arn:aws:iam::222222222222:role/{XSS}", notes=[XSS])
    report.commands = [evil if c is cmd else c for c in demo_check.commands]
    html = check_html(report)
    assert "<script>" not in html
    root = parse(html)
    _only_our_script(root)
    item = next(i for i in root.find_all("div", "command") if i.find("h3").text() == cmd.id)
    assert XSS in item.find("span", "subject").text()
    assert f"note: {XSS}" in item.find("ul", "notes").text()


def test_check_cli_html(tmp_path):
    out = tmp_path / "check.html"
    r = CliRunner().invoke(app, ["check", "--format", "html", "-o", str(out)])
    assert r.exit_code == 0, r.output
    root = parse(out.read_text())
    assert root.find("section", id="details")


def test_check_html_notes_on_ready_commands(demo_check):
    # Organizations, "SCP evaluation": SCPs never apply to the management account; the page says
    # why a management-account command is ready while the same reads are denied in member accounts
    root = parse(check_html(demo_check))
    noted = [c for c in demo_check.commands if c.status == "ready" and c.notes]
    assert noted, "the demo has a ready command with a note (security.deploy-guardduty)"
    items = root.find("section", id="notes").find_all("div", "command")
    assert [i.find("h3").text() for i in items] == [c.id for c in noted]
    deploy = next(i for i in items if i.find("h3").text() == "security.deploy-guardduty")
    assert "DenyGuardDuty" in deploy.text() and "management account" in deploy.text()
    assert root.find("section", id="commands").find("a", href="#" + deploy.attrs["id"]) is not None
