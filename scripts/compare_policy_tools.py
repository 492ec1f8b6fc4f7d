"""Run permwise, parliament and cloudsplaining on the same policy files and print a Markdown table.

Not part of the test suite or the project's dependencies: install the other tools into a
throw-away environment first (``pip install parliament cloudsplaining``), then

    python scripts/compare_policy_tools.py tests/fixtures/gates/policies > /tmp/compare.md

Columns: what each tool reports for each file (permwise: rule ids at ``error``/``warning``
severity, suggestions in parentheses; parliament: issue ids with ``--include-community-auditors``,
``RESOURCE_STAR`` and ``UNKNOWN_*`` left out; cloudsplaining ``scan-policy-file`` defaults: its
risk categories). Resource and trust policies are given to permwise with their type (by file name
prefix ``res-`` / ``trust-``); parliament reads the Principal element itself; cloudsplaining
analyses identity policies only (it reads any file, but ignores Principal).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

BIN = Path(sys.executable).parent


def permwise_ids(path: Path) -> str:
    t = "trust" if path.name.startswith("trust") else "resource" if path.name.startswith("res") else "identity"
    proc = subprocess.run([str(BIN / "permwise"), "validate", "--format", "json", "--type", t, "--fail-on", "none",
                           str(path)], capture_output=True, text=True, check=False)
    doc = json.loads(proc.stdout)
    ours = [f for f in doc["findings"] if not re.fullmatch(r"P\d{3}", f["code"])]  # P0xx-P6xx: grammar and lint
    main = sorted({f["code"] for f in ours if f["severity"] != "suggestion"})
    low = sorted({f["code"] for f in ours if f["severity"] == "suggestion"})
    return ", ".join(main + [f"({x})" for x in low]) or "-"


def parliament_ids(path: Path) -> str:
    proc = subprocess.run([str(BIN / "parliament"), "--include-community-auditors", "--json", "--string",
                           path.read_text()], capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    ids = set()
    for line in proc.stdout.splitlines():
        try:
            issue = json.loads(line)["issue"]
        except (ValueError, KeyError):
            continue
        if issue != "RESOURCE_STAR" and not issue.startswith("UNKNOWN_"):
            ids.add(issue)
    return ", ".join(sorted(ids)) or "-"


def cloudsplaining_ids(path: Path) -> str:
    from cloudsplaining.command.scan_policy_file import scan_policy

    res = scan_policy(json.loads(path.read_text()))
    names = {"PrivilegeEscalation": "PrivEsc", "DataExfiltration": "DataExfil", "ResourceExposure": "ResExposure",
             "ServiceWildcard": "ServiceWildcard", "CredentialsExposure": "CredExposure",
             "InfrastructureModification": "InfraMod"}
    out = []
    for key, short in names.items():
        v = res.get(key)
        if isinstance(v, dict) and v.get("findings"):
            out.append(short)
    return ", ".join(out) or "-"


def main(argv: list[str]) -> None:
    root = Path(argv[0] if argv else "tests/fixtures/gates/policies")
    files = sorted(root.glob("*.json"))
    print(f"permwise {version('permwise')}, parliament {version('parliament')}, cloudsplaining {version('cloudsplaining')}")
    print()
    print("| policy | permwise | parliament | cloudsplaining |")
    print("|---|---|---|---|")
    for f in files:
        print(f"| `{f.stem}` | {permwise_ids(f)} | {parliament_ids(f)} | {cloudsplaining_ids(f)} |")


if __name__ == "__main__":
    main(sys.argv[1:])
