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
