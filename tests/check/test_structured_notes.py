"""The check report labels commands from data, never by reading its own sentences back (issue 13:
"report/check.py classifies notes by matching English text").

AWS Organizations, "Service control policies (SCPs)": SCPs affect neither the management
account's principals nor service-linked roles; the report's "deciding layer" cell says which
exemption applies from ``CommandResult.scp_exemption`` (the engine's ``Rule``). A blocker's
message is the engine's deciding ``Reason``, worded by ``permwise.report.reasons``.
"""

from __future__ import annotations

import json

from permwise.engine import Reason, ReasonKind, Rule
from permwise.report.check import blocker_message, render_json, render_markdown
from permwise.requirements.check import READY, Blocker, CheckReport, CommandResult


def _command(notes: list[str], exemption: Rule | None, blockers: list[Blocker] | None = None) -> CommandResult:
    return CommandResult(id="security.deploy", name="deploy", group="security", profile="ops", access="write",
                         account="111111111111", principal="arn:aws:iam::111111111111:role/ops", scp_risk="high",
                         status=READY if not blockers else "blocked", required_actions=["guardduty:CreateDetector"],
                         denied=[], blockers=blockers or [], allowed_requests=1, total_requests=1, notes=notes,
                         scp_exemption=exemption)


def _report(*commands: CommandResult) -> CheckReport:
    return CheckReport(tool="t", tool_version="1", snapshot="s", config=None, commands=list(commands))


def test_the_exemption_label_comes_from_the_rule_not_the_note():
    # a note that mentions the "management account" in passing; the rule says service-linked
    note = "SCPs never apply to service-linked roles: see the management account's SCPs"
    md = render_markdown(_report(_command([note], Rule.SCP_SERVICE_LINKED_ROLE)))
    assert "no SCPs (service-linked)" in md and "no SCPs (management)" not in md
    md = render_markdown(_report(_command(["anything"], Rule.SCP_MANAGEMENT_ACCOUNT)))
    assert "no SCPs (management)" in md
    # a note without the exemption rule is only "see note"
    assert "no SCPs" not in render_markdown(_report(_command(["SCPs never apply to ..."], None)))


def test_a_blockers_message_is_its_reason_in_words():
    reason = Reason(ReasonKind.NO_ALLOW, Rule.NO_LEVEL_ALLOW, "scp", level="ou-workloads",
                    action="guardduty:CreateDetector", policies=("DenyGuardDuty",))
    b = Blocker("scp", "implicitDeny", None, "ou-workloads", None, None, reason, ["guardduty:CreateDetector"], ["*"])
    want = "no Allow in SCP level ou-workloads ('DenyGuardDuty') for `guardduty:CreateDetector`"
    assert blocker_message(b) == want
    data = json.loads(render_json(_report(_command([], None, [b]))))
    assert data["commands"][0]["blockers"][0]["message"] == want
    assert "message" not in b.to_dict()  # the analysis itself holds no words
