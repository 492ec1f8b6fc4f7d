"""The README stays true: its example outputs are what the commands print, and CI runs the
Quick start's test command."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_example_outputs_are_current():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "doc_examples.py"), "--check"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_runs_the_quick_start_test_command():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in quick.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2, "the Quick start has exactly two commands"
    assert "permwise check" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "quickstart:test" in ci  # .ci/run reads the command after this marker
    after_marker = readme.split("<!-- quickstart:test -->", 1)[1].splitlines()
    assert after_marker[2] == commands[1]


def test_readme_library_example_runs(capsys):
    import re

    readme = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    # an SCP Deny outside eu-west-1 beats the identity Allow (explicit deny wins)
    assert printed[0] == "explicitDeny"
    assert "RegionLock" in printed[1]
