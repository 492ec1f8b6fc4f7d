"""Keep the example outputs pasted in the README true.

A block in a Markdown file of the form

    <!-- run: permwise actions 's3:?etObject' -->
    ```console
    $ permwise actions 's3:?etObject'
    ...output...
    ```

is re-run (through the installed console script, at 100 columns, from the repository root) and
its output replaced. ``--check`` changes nothing and exits 1 when a block is stale, which is what
the test suite does, so an example can never drift from what the command prints.

    python scripts/doc_examples.py            # refresh README.md
    python scripts/doc_examples.py --check    # fail on drift
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(
    r"(?P<head><!-- run: (?P<cmd>.+?)(?: \| (?P<filter>head -\d+))? -->\n```console\n)(?P<body>.*?)(?P<tail>^```$)",
    re.S | re.M,
)


def run(cmd: str, limit: str | None) -> str:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "PERMWISE_DEBUG": ""}
    argv = shlex.split(cmd)
    if argv[0] == "permwise":
        argv = [sys.executable, "-m", "permwise", *argv[1:]]
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    lines = [line.rstrip() for line in out.rstrip("\n").splitlines()]
    if limit:
        n = int(limit.split()[1].lstrip("-"))
        if len(lines) > n:
            lines = [*lines[:n], "..."]
    shown = f"$ {cmd}\n" + "\n".join(lines) + "\n"
    if proc.returncode:
        shown += f"$ echo $?\n{proc.returncode}\n"
    return shown


def refresh(path: Path) -> tuple[str, list[str]]:
    text = path.read_text()
    stale: list[str] = []

    def sub(m: re.Match[str]) -> str:
        body = run(m.group("cmd"), m.group("filter"))
        if body != m.group("body"):
            stale.append(m.group("cmd"))
        return m.group("head") + body + m.group("tail")

    return BLOCK.sub(sub, text), stale


def main(argv: list[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    unknown = [a for a in argv if a.startswith("-") and a != "--check"]
    if unknown:
        print(f"doc_examples: unknown option {unknown[0]}; see --help", file=sys.stderr)
        return 2
    check = "--check" in argv
    files = [Path(a) for a in argv if not a.startswith("--")] or [ROOT / "README.md"]
    failed = False
    for path in files:
        new, stale = refresh(path)
        if check:
            for cmd in stale:
                print(f"{path.name}: stale example output for `{cmd}`; run python scripts/doc_examples.py")
                failed = True
        elif stale:
            path.write_text(new)
            print(f"{path.name}: refreshed {len(stale)} example(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
