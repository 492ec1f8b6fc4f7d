"""The fixed inputs of the speed work and how their results are read, shared by the golden test
and by ``scripts/speed_golden.py`` (which wrote the committed expectations with the code as it
was before the compiled-engine change, issue 14).

Inputs (generated once by ``bench/gen_snapshot.py`` and committed as archives, so that a later
change to the generator cannot move them): ``acct150`` (one account in the AWS CLI's
authorization-details shape: 150 roles, 60 customer managed and 40 AWS managed policies) and
``org60`` (a three-level organization of 25 accounts with SCPs and RCPs, 60 roles in the big
account). Results compared: every audit finding, and check's commands and excess.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
AUDIT_CONFIG = Path(__file__).resolve().parents[2] / "src" / "permwise" / "data" / "guardrails" / "demo-audit-config.yaml"


def unpack(name: str, dest: Path) -> Path:
    with tarfile.open(DATA / f"{name}.tar.gz") as tf:
        if hasattr(tarfile, "data_filter"):  # extraction filters: CPython 3.11.4 and later
            tf.extractall(dest, filter="data")
        else:  # older 3.11: our own committed archive, so refuse anything but plain relative members
            members = tf.getmembers()
            assert all(m.isfile() or m.isdir() for m in members)
            assert all(not m.name.startswith("/") and ".." not in Path(m.name).parts for m in members)
            tf.extractall(dest, members=members)
    return dest / name


def _run(args: list[str], out: Path) -> dict:
    cmd = [sys.executable, "-m", "permwise", *args, "--format", "json", "-o", str(out)]
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


def audit_findings(snap: Path, tmp: Path, extra: list[str] = ()) -> dict:
    rep = _run(["audit", "--env", str(snap), "--config", str(AUDIT_CONFIG), *extra], tmp / "audit.json")
    return {"summary": rep["summary"], "findings": rep["findings"], "scp_coverage": rep["scp_coverage"]}


def check_results(snap: Path, tmp: Path, extra: list[str] = ()) -> dict:
    rep = _run(["check", "runbooks", "--env", str(snap), "--config", str(DATA / "check60.yaml"), *extra],
               tmp / "check.json")
    return {"summary": rep["summary"], "commands": rep["commands"], "excess": rep["excess"]}


def expected(name: str) -> dict:
    return json.loads(gzip.decompress((DATA / f"{name}.expected.json.gz").read_bytes()))


def write_expected(name: str, value: dict) -> None:
    data = json.dumps(value, indent=1, sort_keys=True).encode()
    (DATA / f"{name}.expected.json.gz").write_bytes(gzip.compress(data, mtime=0))
