"""``simulate --jsonl`` decides 400 fixed fresh-policy cases exactly as it did before the speed
work on its per-case path (issue 14): same decisions, same reasons, byte for byte.

The cases (``data/cases400.jsonl.gz``) were generated once by ``bench/gen_cases.py`` (seed 11:
2-4 identity policies per case, boundaries, three SCP levels, RCPs, resource policies, tag, IP,
date and set conditions, policy variables) and committed, so a later change to the generator
cannot move them. The expected output was written with the code of commit 1f3b48f; regenerate it
only when a decision is meant to change, and say why in the commit.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("name,extra", [("plain", []), ("details", ["--details"])])
def test_jsonl_results_unchanged(tmp_path, name, extra, jobs):
    cases = tmp_path / "cases.jsonl"
    cases.write_bytes(gzip.decompress((DATA / "cases400.jsonl.gz").read_bytes()))
    proc = subprocess.run(
        [sys.executable, "-m", "permwise", "simulate", "--jsonl", str(cases), "--jobs", str(jobs),
         "--at", "2026-06-01T12:00:00Z", *extra],
        capture_output=True, env={**os.environ, "NO_COLOR": "1"}, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    want = gzip.decompress((DATA / f"jsonl-cases400-{name}.expected.jsonl.gz").read_bytes())
    got = proc.stdout
    if got != want:  # name the first case that moved, not a 200 KB diff
        for i, (g, w) in enumerate(zip(got.splitlines(), want.splitlines(), strict=False)):
            assert g == w, f"case line {i + 1} changed"
    assert got == want
