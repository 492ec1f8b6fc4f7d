"""SCP-* guardrails replayed per member account (AWS Organizations User Guide, "SCP evaluation":
an action is allowed only if every level from the root to the account allows it, an explicit Deny
at any level wins, and SCPs never apply to the management account).

The guardrail SCP-ORGANIZATIONS-1 names organizations:LeaveOrganization and
organizations:DeleteOrganization, exempting [INFRASTRUCTURE_AUTOMATION_ROLE]; its test scenario:
a non-exempt role is denied, the exempt role is not.
"""

from __future__ import annotations

import datetime as dt

import pytest

from permwise.audit import AuditConfig, run_audit
from permwise.environment import load_snapshot
from permwise.environment.builder import SnapshotBuilder, doc

MGMT = "111111111111"
FULL, PART, NONE, OVER, DEEP = "222222222222", "333333333333", "444444444444", "555555555555", "666666666666"
RULE = "SCP-ORGANIZATIONS-1"
EXEMPT = {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/OrgAdmin"}}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    b = SnapshotBuilder(management_account=MGMT, regions=["us-east-1"])
    b.account(MGMT, "mgmt")
    ou_full, ou_part = b.ou("ou-a1b2-full0000", "Full"), b.ou("ou-a1b2-part0000", "Part")
    ou_none, ou_over = b.ou("ou-a1b2-none0000", "None"), b.ou("ou-a1b2-over0000", "Over")
    ou_deep = b.ou("ou-a1b2-deep0000", "Deep", ou_full)  # inherits the Full OU's deny
    for acct, ou in ((FULL, ou_full), (PART, ou_part), (NONE, ou_none), (OVER, ou_over), (DEEP, ou_deep)):
        b.account(acct, acct, ou)
    both = ["organizations:LeaveOrganization", "organizations:DeleteOrganization"]
    b.scp("p-full0000", "Full", doc({"Effect": "Deny", "Action": both, "Resource": "*", "Condition": EXEMPT}), [ou_full])
    b.scp("p-part0000", "Part", doc({"Effect": "Deny", "Action": both[0], "Resource": "*", "Condition": EXEMPT}), [ou_part])
    b.scp("p-over0000", "Over", doc({"Effect": "Deny", "Action": both, "Resource": "*"}), [ou_over])
    env = load_snapshot(b.write(tmp_path_factory.mktemp("scp") / "snap"))
    cfg = AuditConfig.model_validate({"placeholders": {"INFRASTRUCTURE_AUTOMATION_ROLE": "OrgAdmin"}})
    return run_audit(env, cfg, today=dt.date(2025, 6, 1))


def _status(result, account):
    (r,) = [r for r in result.scp if r.rule_id == RULE and r.account == account]
    return r


@pytest.mark.parametrize(("account", "status"), [
    (FULL, "enforced"), (DEEP, "enforced"), (PART, "partial"), (NONE, "not-enforced"),
    (OVER, "blocks-exempt"), (MGMT, "management")])
def test_status_per_account(result, account, status):
    assert _status(result, account).status == status


def test_partial_names_what_is_denied_and_what_is_not(result):
    r = _status(result, PART)
    assert r.denied == ["organizations:LeaveOrganization"] and r.allowed == ["organizations:DeleteOrganization"]
    (f,) = [f for f in result.findings if f.rule_id == RULE and f.subject == PART]
    assert "deny only `organizations:LeaveOrganization`" in f.message


def test_findings_only_where_not_enforced(result):
    subjects = sorted(f.subject for f in result.findings if f.rule_id == RULE)
    assert subjects == sorted([PART, NONE])
    assert [f.subject for f in result.findings if f.rule_id == "AUDIT-SCP-OVERBROAD"
            and "SCP-ORGANIZATIONS-1" in f.message] == [OVER]


def test_exempt_role_comes_from_the_config(result):
    assert _status(result, FULL).exempt == f"arn:aws:iam::{FULL}:role/OrgAdmin"
