"""The example outputs in docs/*.md are what the commands print.

Every ``<!-- run: ... -->`` block of a doc is re-run by ``scripts/doc_examples.py --check`` (one
test per file, so a stale doc is named and the files run in parallel under pytest-xdist).
Outputs that need a live AWS API (docs/collect.md, docs/preflight.md) are recorded text and say so.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "doc_examples.py"
PASTED = re.compile(r"\$ (?:[A-Za-z_]\w*=\S* )*permwise\b")
DOCS = sorted(p for p in (ROOT / "docs").glob("*.md") if "<!-- run" in p.read_text())


def test_docs_have_run_blocks():
    # the parametrized test below must not silently run over nothing
    names = {p.name for p in DOCS}
    assert {"check.md", "audit.md", "generate.md", "simulate.md", "rules.md", "manifests.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=[p.name for p in DOCS])
def test_doc_example_outputs_are_current(doc):
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check", str(doc)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_console_example_of_a_doc_is_run_or_recorded():
    # a pasted `$ permwise ...` output outside a run block drifts; only docs that say why may keep one
    recorded = {"collect.md", "preflight.md"}  # need a live AWS API (the moto emulator)
    fence = re.compile(r"^(?P<fence>````?)(?P<lang>\w*)\n(?P<body>.*?)^(?P=fence)$", re.S | re.M)
    unchecked = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        if doc.name in recorded:
            continue
        text = doc.read_text()
        for m in fence.finditer(text):
            before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
            if PASTED.match(m.group("body")) and not before.startswith("<!-- run"):
                unchecked.append(f"{doc.name}: {m.group('body').splitlines()[0]}")
    assert not unchecked, unchecked


def test_check_reports_a_stale_block(tmp_path):
    # the checker itself can fail: a block whose pasted output differs is reported, exit 1
    doc = tmp_path / "stale.md"
    doc.write_text("<!-- run: permwise --version -->\n```console\n$ permwise --version\nnot this\n```\n")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check", str(doc)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1 and "stale example output for `permwise --version`" in proc.stdout
