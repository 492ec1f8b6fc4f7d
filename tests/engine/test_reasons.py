"""The engine explains with data, not English (issue 13: "structured reasons: a kind enum and
typed fields"), and stays pure: the caller gives the instant and the RCP-supported services.

Each decision below is one of AWS's documented rules ("Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html;
"Cross-account policy evaluation logic"; AWS STS API Reference, AssumeRole; AWS Organizations,
"Service control policies": the management account is not restricted by SCPs); the test reads
the reason's fields, and the sentence comes from ``permwise.report.reasons``.
"""

from __future__ import annotations

import ast
from datetime import datetime, timezone
from pathlib import Path

import permwise.engine as engine_pkg
from permwise.engine import (
    Grant,
    PolicySet,
    ReasonKind,
    Request,
    Rule,
    compile_policy,
    evaluate,
)
from permwise.engine import decision
from permwise.report.reasons import SENTENCES, reason_dict, render_reason

USER = "arn:aws:iam::111122223333:user/alice"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
ENGINE = Path(engine_pkg.__file__).parent


def _pol(statement: dict, name: str, kind: str = "identity", level: str | None = None):
    return compile_policy({"Version": "2012-10-17", "Statement": [statement]}, name=name, kind=kind, level=level)


def test_explicit_deny_reason_locates_the_statement():
    deny = _pol({"Sid": "NoGD", "Effect": "Deny", "Action": "guardduty:*", "Resource": "*"}, "DenyGD", "scp", "ou-x")
    r = evaluate(PolicySet(identity=[compile_policy(ALLOW_ALL, "admin")], scps=[[deny]]),
                 Request(USER, "guardduty:DeleteDetector"))
    (reason,) = r.reasons
    assert reason.kind is ReasonKind.EXPLICIT_DENY and reason.rule is Rule.DENY_STATEMENT
    assert (reason.layer, reason.policy, reason.level, reason.sid, reason.index, reason.pointer) == (
        "scp", "DenyGD", "ou-x", "NoGD", 0, "/Statement/0")
    assert render_reason(reason) == "explicit Deny in SCP 'DenyGD' (level ou-x) statement 'NoGD'"


def test_missing_layer_allow_names_the_layer_and_its_policies():
    gd = _pol({"Effect": "Deny", "Action": "guardduty:*", "Resource": "*"}, "DenyGuardDuty", "scp", "ou-workloads")
    r = evaluate(PolicySet(identity=[compile_policy(ALLOW_ALL, "admin")], scps=[[], [gd], []]),
                 Request(USER, "s3:GetObject"))
    (reason,) = r.reasons
    assert reason.kind is ReasonKind.NO_ALLOW and reason.rule is Rule.NO_LEVEL_ALLOW
    assert (reason.layer, reason.level, reason.policies, reason.action) == (
        "scp", "ou-workloads", ("DenyGuardDuty",), "s3:GetObject")


def test_special_rules_are_named_by_their_rule_not_their_words():
    admin = compile_policy(ALLOW_ALL, "admin")
    root = evaluate(PolicySet(identity=[admin]), Request("arn:aws:iam::111122223333:root", "sts:AssumeRole",
                                                        "arn:aws:iam::111122223333:role/r"))
    assert [(x.kind, x.rule, x.layer) for x in root.reasons] == [
        (ReasonKind.NO_ALLOW, Rule.ROOT_CANNOT_ASSUME_ROLE, "principal")]
    scp = _pol({"Effect": "Deny", "Action": "*", "Resource": "*"}, "DenyAll", "scp", "root")
    mgmt = evaluate(PolicySet(identity=[admin], scps=[[scp]], management_account_id="111122223333"),
                    Request(USER, "s3:GetObject"))
    exempt = [x for x in mgmt.reasons if x.kind is ReasonKind.NOT_APPLICABLE]
    assert [(x.rule, x.layer, x.account) for x in exempt] == [(Rule.SCP_MANAGEMENT_ACCOUNT, "scp", "111122223333")]


def test_cross_account_grant_and_note_carry_both_accounts():
    bucket = _pol({"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::b/*"}, "bucket", "resource")
    r = evaluate(PolicySet(identity=[compile_policy(ALLOW_ALL, "admin")], resource=bucket),
                 Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account="444455556666"))
    assert r.decision == "allowed"
    assert [x.grant for x in r.reasons if x.rule is Rule.RESOURCE_GRANT] == [Grant.CROSS_ACCOUNT]
    denied = evaluate(PolicySet(identity=[], resource=bucket),
                      Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", resource_account="444455556666"))
    note = next(x for x in denied.reasons if x.rule is Rule.CROSS_ACCOUNT)
    assert (note.account, note.resource_account) == ("111122223333", "444455556666")


def test_every_rule_has_exactly_one_sentence_and_json_keeps_its_shape():
    assert set(SENTENCES) == set(Rule)
    r = evaluate(PolicySet(identity=[]), Request(USER, "s3:GetObject", "arn:aws:s3:::b/k"))
    assert list(reason_dict(r.reasons[0])) == [
        "kind", "policy", "policy_kind", "level", "sid", "index", "pointer", "effect", "message"]
    assert not hasattr(r.reasons[0], "message")


def _strings_outside_docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_the_explaining_modules_hold_no_sentence():
    # the words live in permwise/report/reasons.py; the engine's explain, decision and reason
    # model only name kinds, rules and layers (identifiers: no spaces)
    for name in ("explain.py", "decision.py", "reasons.py"):
        sentences = [s for s in _strings_outside_docstrings(ENGINE / name) if " " in s.strip()]
        assert sentences == [], (name, sentences)


def test_the_engine_reads_neither_the_clock_nor_the_catalog():
    for path in sorted(ENGINE.glob("*.py")):
        tree = ast.parse(path.read_text())
        for n in ast.walk(tree):
            if isinstance(n, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in n.names] if isinstance(n, ast.Import) else [n.module or ""]
                # ARNs are parsed by the catalog's pure `Arn` type; the catalog's data is passed in
                assert not any(m == "time" or (m.startswith("permwise.catalog") and m != "permwise.catalog.arn")
                               for m in mods), (path.name, mods)
            if isinstance(n, ast.Attribute):
                assert n.attr not in ("now", "utcnow", "today", "get_catalog"), (path.name, n.attr)
            if isinstance(n, ast.Name):
                assert n.id != "get_catalog", path.name


def test_the_instant_is_the_requests():
    guard = _pol({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                  "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-06-01T00:00:00Z"}}}, "until-june")
    ps = PolicySet(identity=[guard])
    before = datetime(2026, 5, 1, tzinfo=timezone.utc)
    after = datetime(2026, 7, 1, tzinfo=timezone.utc)
    assert evaluate(ps, Request(USER, "s3:GetObject", at=before)).decision == "allowed"
    assert evaluate(ps, Request(USER, "s3:GetObject", at=after)).decision == "implicitDeny"
    r = evaluate(ps, Request(USER, "s3:GetObject", at=before))
    assert (r.context["aws:currenttime"], r.context["aws:epochtime"]) == ("2026-05-01T00:00:00Z", 1777593600)
    # no instant given: the time keys are absent (a condition on them reports the key missing)
    none = evaluate(ps, Request(USER, "s3:GetObject"))
    assert none.decision == "implicitDeny" and "aws:CurrentTime" in none.missing_keys


def test_the_decision_order_cites_aws():
    doc = decision.__doc__ or ""
    assert "reference_policies_evaluation-logic.html" in doc
    assert "reference_policies_evaluation-logic-cross-account.html" in doc


def test_a_layer_without_an_allow_names_the_condition_that_failed():
    # "Policy evaluation logic": a statement whose condition is false does not apply, so the
    # layer has no allow (implicit deny); the reason names that statement, condition and value
    guard = _pol({"Sid": "FromOffice", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                  "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}, "ip-guard")
    ps = PolicySet(identity=[guard])
    r = evaluate(ps, Request(USER, "s3:GetObject", "arn:aws:s3:::b/k", context={"aws:SourceIp": "192.0.2.1"}))
    (reason,) = r.reasons
    miss = reason.condition
    assert reason.rule is Rule.NO_IDENTITY_ALLOW and miss is not None
    assert (miss.policy, miss.sid, miss.index, miss.statement_pointer) == ("ip-guard", "FromOffice", 0, "/Statement/0")
    assert (miss.operator, miss.key, miss.values, miss.value) == ("IpAddress", "aws:SourceIp", "10.0.0.0/8", "192.0.2.1")
    assert miss.pointer == "/Statement/0/Condition/IpAddress/aws:SourceIp"
    absent = evaluate(ps, Request(USER, "s3:GetObject", "arn:aws:s3:::b/k")).reasons[0].condition
    assert absent is not None and absent.value is None  # the key is absent from the request
    # an allow that does not name the resource is no near miss: no condition to blame
    other = evaluate(ps, Request(USER, "s3:PutObject", "arn:aws:s3:::b/k", context={"aws:SourceIp": "192.0.2.1"}))
    assert other.reasons[0].condition is None
    # the decision-only path keeps nothing of it
    assert evaluate(ps, Request(USER, "s3:GetObject"), explain=False).reasons == []
