"""A write interrupted by SIGTERM or SIGINT leaves no `.NAME.XXXX.tmp` sibling behind, and the
process still ends the way the signal says (killed by the signal: Python re-raises an uncaught KeyboardInterrupt as SIGINT)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import sys, time
import permwise.fsutil as f

real = f.os.fdopen

class Slow:
    def __init__(self, fh): self.fh = fh
    def __enter__(self): return self
    def __exit__(self, *a): return self.fh.__exit__(*a)
    def write(self, data):
        self.fh.write(data[:10]); self.fh.flush()
        print("writing", flush=True)
        time.sleep(60)  # the signal arrives here, mid-write

f.os.fdopen = lambda fd, mode: Slow(real(fd, mode))
f.atomic_write(sys.argv[1], b"x" * 100)
"""


@pytest.mark.parametrize("signum,expect", [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, -signal.SIGINT)])
def test_signal_mid_write_removes_the_temporary_file(tmp_path: Path, signum, expect) -> None:
    target = tmp_path / "out.json"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(target)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        temps = list(tmp_path.glob(".out.json.*.tmp"))
        assert len(temps) == 1  # the temporary sibling exists while the write runs
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert code == expect, proc.stderr.read()
    assert not list(tmp_path.glob(".*.tmp")), "the temporary file was left behind"
    assert not target.exists()
