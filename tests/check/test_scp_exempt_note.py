"""The SCP exemption of the management account is explained by the library, not only the CLI.

AWS Organizations, "Service control policies (SCPs)": SCPs do not affect users or roles in the
management account. The report must say which SCP would otherwise deny the command.
"""

from pathlib import Path

import permwise
from permwise.environment import load_snapshot
from permwise.requirements import load_config, load_manifest
from permwise.requirements.check import SCP_EXEMPT_NOTE, check

DEMO = Path(permwise.__file__).parent / "data" / "demo"


def test_library_check_notes_the_management_exemption():
    report = check(load_manifest("runbooks"), load_config(str(DEMO / "config.yaml")),
                   load_snapshot(str(DEMO / "snapshot")), commands=["security.deploy-guardduty", "validation.benchmark"],
                   excess=False)
    by_id = {c.id: c for c in report.commands}
    deploy = by_id["security.deploy-guardduty"]
    assert deploy.status == "ready"
    [note] = [n for n in deploy.notes if n.startswith(SCP_EXEMPT_NOTE)]
    assert "DenyGuardDuty" in note and "guardduty:ListDetectors" in note
    # the member-account command is not exempt, so it carries no such note
    assert not [n for n in by_id["validation.benchmark"].notes if n.startswith(SCP_EXEMPT_NOTE)]


def _with_suspended_ou(tmp_path, accounts_in_it=()):
    """The demo organization plus a `Suspended` OU with a deny-all SCP attached (the usual
    parking lot for closed accounts), holding ``accounts_in_it``."""
    import json
    import shutil

    snap = tmp_path / "snapshot"
    shutil.copytree(DEMO / "snapshot", snap)
    org = snap / "organization"
    ous = json.loads((org / "ous.json").read_text())
    ous["OrganizationalUnits"].append({"Id": "ou-a1b2-susp0000", "Name": "Suspended", "ParentId": "r-a1b2",
                                       "Arn": "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-susp0000"})
    (org / "ous.json").write_text(json.dumps(ous))
    accounts = json.loads((org / "accounts.json").read_text())
    for a in accounts["Accounts"]:
        if a["Id"] in accounts_in_it:
            a["ParentId"] = "ou-a1b2-susp0000"
    (org / "accounts.json").write_text(json.dumps(accounts))
    doc = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}]}
    (org / "policies" / "p-susp0000.json").write_text(json.dumps({"Policy": {
        "PolicySummary": {"Id": "p-susp0000", "Name": "DenyAllSuspended", "Description": "closed accounts",
                          "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": False,
                          "Arn": "arn:aws:organizations::111111111111:policy/o-a1b2c3d4e5/service_control_policy/p-susp0000"},
        "Content": json.dumps(doc)}}))
    (org / "targets" / "p-susp0000.json").write_text(json.dumps({"Targets": [{
        "TargetId": "ou-a1b2-susp0000", "Name": "Suspended", "Type": "ORGANIZATIONAL_UNIT",
        "Arn": "arn:aws:organizations::111111111111:organizational_unit/o-a1b2c3d4e5/ou-a1b2-susp0000"}]}))
    return snap


def _notes(snap, command="inventory.list-org-accounts"):
    report = check(load_manifest("runbooks"), load_config(str(DEMO / "config.yaml")), load_snapshot(str(snap)),
                   commands=[command], excess=False)
    return [n for c in report.commands for n in c.notes if n.startswith(SCP_EXEMPT_NOTE)]


def test_an_scp_on_an_empty_ou_is_not_named(tmp_path):
    """A deny-all SCP on an OU with no account restricts nobody: no note for a management command."""
    notes = _notes(_with_suspended_ou(tmp_path))
    assert not any("DenyAllSuspended" in n for n in notes)


def test_an_scp_over_member_accounts_is_still_named(tmp_path):
    """Once a member account sits in that OU, the SCP would deny the command there: say so."""
    import json

    accounts = json.loads((DEMO / "snapshot" / "organization" / "accounts.json").read_text())["Accounts"]
    member = next(a["Id"] for a in accounts if a["Id"] != "111111111111")
    [note] = _notes(_with_suspended_ou(tmp_path, accounts_in_it=(member,)))
    assert "DenyAllSuspended" in note
