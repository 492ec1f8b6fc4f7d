"""Keep the example outputs pasted in the README and docs/ true.

A block in a Markdown file of the form

    <!-- run: permwise actions 's3:?etObject' -->
    ```console
    $ permwise actions 's3:?etObject'
    ...output...
    ```

is re-run (at 100 columns, from a scratch copy of the repository root) and its output replaced. ``--check``
changes nothing and exits 1 when a block is stale, which is what the test suite does, so an
example can never drift from what the command prints.

The command in the marker may be:

- a plain command: ``permwise ...`` runs the installed package with this Python;
- followed by ``| head -N`` or ``| tail -N``: only the first or last N lines are shown, with
  ``...`` marking what was cut;
- prefixed with environment settings: ``COLUMNS=120 permwise rules`` (shown as written);
- any shell line (pipes, redirections, ``&&``, loops): it runs under ``bash -c`` with
  ``permwise`` bound to this Python's package;
- an output that holds fenced blocks itself (Markdown) goes in a four-backtick ````console
  fence;
- run in another directory: ``<!-- run in docs/examples: permwise validate bad.yaml -->``
  runs there (the directory is relative to the repository root and not shown).

A non-zero exit status is shown as ``$ echo $?`` and the code. The blocks of a file run one
after the other in document order (a block may read what an earlier one wrote; the same
command is run once); commands that write files write under ``out/`` with ``--force``. Every run
happens in a scratch copy of the repository (a temporary directory, removed afterwards), so
neither a refresh nor a check ever writes into the checkout.

    python scripts/doc_examples.py                    # refresh README.md
    python scripts/doc_examples.py docs/*.md          # refresh these files
    python scripts/doc_examples.py --check [FILE...]  # fail on drift
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(
    r"(?P<head><!-- run(?: in (?P<cwd>[^:\s]+))?: (?P<cmd>.+?)(?: \| (?P<filter>(?:head|tail) -\d+))? -->\n"
    r"(?P<fence>````?)console\n)(?P<body>.*?)(?P<tail>^(?P=fence)$)",
    re.S | re.M,
)
SHELL = re.compile(r"[|&;<>$`]|^\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:for|cd|cat|echo|find)\b")
ENV_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


#: what a scratch copy leaves out: version control, environments, caches and earlier outputs
SCRATCH_IGNORE = shutil.ignore_patterns(".git", ".venv", "out", "__pycache__", ".pytest_cache",
                                        ".hypothesis", "*.egg-info", "build", "dist")


def scratch_copy(dest: Path) -> Path:
    """Copy the repository (sources, docs, examples) into ``dest``; commands run there."""
    shutil.copytree(ROOT, dest, ignore=SCRATCH_IGNORE, symlinks=True)
    return dest


def run(cmd: str, limit: str | None, cwd: str | None = None, root: Path = ROOT) -> str:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "PERMWISE_DEBUG": ""}
    where = root / cwd if cwd else root
    if SHELL.search(cmd):
        py = shlex.quote(sys.executable)
        script = f'permwise() {{ {py} -m permwise "$@"; }}\n{cmd}'
        argv = ["bash", "-c", script]
    else:
        argv = shlex.split(cmd)
        while argv and ENV_PREFIX.match(argv[0]):
            key, _, value = argv.pop(0).partition("=")
            env[key] = value
        if argv[0] == "permwise":
            argv = [sys.executable, "-m", "permwise", *argv[1:]]
    proc = subprocess.run(argv, cwd=where, env=env, capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    lines = [line.rstrip() for line in out.rstrip("\n").splitlines()]
    if limit:
        kind, n = limit.split()[0], int(limit.split()[1].lstrip("-"))
        if len(lines) > n:
            lines = [*lines[:n], "..."] if kind == "head" else ["...", *lines[-n:]]
    shown = f"$ {cmd}\n" + "\n".join(lines) + "\n"
    if proc.returncode:
        shown += f"$ echo $?\n{proc.returncode}\n"
    return shown


def refresh(path: Path) -> tuple[str, list[str]]:
    text = path.read_text()
    matches = list(BLOCK.finditer(text))
    outputs: dict[tuple[str, str | None, str | None], str] = {}
    with tempfile.TemporaryDirectory(prefix="permwise-docs-") as tmp:
        root = scratch_copy(Path(tmp) / "repo") if matches else ROOT
        for m in matches:  # in document order: a block may rely on what an earlier one wrote
            key = (m.group("cmd"), m.group("filter"), m.group("cwd"))
            if key not in outputs:
                outputs[key] = run(*key, root=root)
    stale: list[str] = []

    def sub(m: re.Match[str]) -> str:
        body = outputs[(m.group("cmd"), m.group("filter"), m.group("cwd"))]
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
                print(f"{path.name}: stale example output for `{cmd}`; run python scripts/doc_examples.py {path}")
                failed = True
        elif stale:
            path.write_text(new)
            print(f"{path.name}: refreshed {len(stale)} example(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
