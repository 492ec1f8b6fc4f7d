"""collect against the emulator when things go wrong: another organization's snapshot, an
endpoint that dies mid-run, an interrupted --refresh, file modes. moto runs in server mode (real
HTTP); nothing is patched."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from aws_support import _CLEARED, aws_environ, run_cli  # noqa: F401

from permwise.aws import collect
from permwise.environment import load_snapshot


def test_snapshot_files_are_private(snapshot):
    """The snapshot is a map of the organization's IAM: directories 0700, files 0600."""
    result, _ = snapshot
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [result.out, *result.out.rglob("*")]}
    assert len(modes) > 10
    bad = {str(p): oct(m) for p, m in modes.items() if m != (0o700 if p.is_dir() else 0o600)}
    assert not bad


def test_snapshot_records_its_owner_and_completion(snapshot):
    result, _ = snapshot
    meta = json.loads((result.out / "snapshot.json").read_text())
    assert meta["complete"] is True and meta["organization_id"].startswith("o-")
    assert meta["management_account_id"] == result.management_account


def test_collect_into_another_organizations_snapshot_is_refused(snapshot, aws_env, tmp_path, capsys):
    result, _ = snapshot
    out = tmp_path / "s"
    shutil.copytree(result.out, out)
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # the outsider account belongs to no organization: resuming would mix two owners' data
    r = run_cli(["collect", "--profile", "outsider", "--out", str(out), "--regions", "us-east-1", "--no-progress"], capsys)
    assert r.code == 2, r.err
    assert len(r.err.splitlines()) == 1 and "holds a snapshot of organization" in r.err and "--refresh" in r.err
    assert {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before

    # --refresh starts over: nothing of the other organization is left
    r = run_cli(["collect", "--profile", "outsider", "--out", str(out), "--regions", "us-east-1", "--no-progress",
                 "--refresh"], capsys)
    assert r.code in (0, 1), r.err
    assert not (out / "organization").exists()
    assert sorted(p.name for p in (out / "accounts").iterdir()) == ["111111111111"]
    meta = json.loads((out / "snapshot.json").read_text())
    assert meta["organization_id"] is None and meta["caller_account"] == "111111111111"


class _Interrupt(Exception):
    pass


class _StopAfter:
    """A progress listener that raises after ``n`` units (an interrupted run)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def total(self, units: int) -> None: ...

    def advance(self, description: str) -> None:
        self.n -= 1
        if self.n <= 0:
            raise KeyboardInterrupt


def test_interrupted_refresh_is_never_a_complete_snapshot(snapshot, aws_env, tmp_path, world):
    result, _ = snapshot
    out = tmp_path / "s"
    shutil.copytree(result.out, out)
    with pytest.raises(KeyboardInterrupt):
        collect(out, profile="mgmt", regions=["us-east-1"], endpoint_url=world.url, concurrency=1, refresh=True,
                progress=_StopAfter(2))
    assert json.loads((out / "snapshot.json").read_text())["complete"] is False
    env = load_snapshot(out)
    assert "snapshot-incomplete" in {p.code for p in env.problems}
    # every principal's result is unknown while the snapshot is incomplete
    some_role = env.principals()[0].arn
    assert any(p.code == "snapshot-incomplete" for p in env.principal_problems(some_role))
    # a plain re-run finishes the refresh: nothing is skipped as "already collected"
    again = collect(out, profile="mgmt", regions=["us-east-1"], endpoint_url=world.url, concurrency=3)
    assert all(a.status != "skipped" for a in again.accounts)
    assert again.organization != "skipped"
    assert json.loads((out / "snapshot.json").read_text())["complete"] is True


_KILL_SCRIPT = r"""
import json, os, sys, threading, time
sys.path.insert(0, sys.argv[1])
import emulator as emu_mod
from permwise.aws import collect
emu = emu_mod.Emulator().start()
emu_mod.build_organization(emu.url)
tmp = sys.argv[2]
keys = emu_mod.CREDS
with open(os.path.join(tmp, "config"), "w") as fh:
    fh.write(f"[profile mgmt]\naws_access_key_id = {keys['aws_access_key_id']}\n"
             f"aws_secret_access_key = {keys['aws_secret_access_key']}\nregion = us-east-1\n")
open(os.path.join(tmp, "credentials"), "w").close()
os.environ.update(AWS_CONFIG_FILE=os.path.join(tmp, "config"),
                  AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "credentials"), AWS_EC2_METADATA_DISABLED="true")
stopped = []

class KillAfterFirstUnit:
    def total(self, units): pass
    def advance(self, description):
        if not stopped:  # the first unit is done: the endpoint dies
            stopped.append(time.monotonic())
            threading.Thread(target=emu.stop).start()

res = collect(os.path.join(tmp, "s"), profile="mgmt", regions=["us-east-1"], endpoint_url=emu.url, concurrency=4,
              progress=KillAfterFirstUnit())
print(json.dumps({"elapsed": time.monotonic() - stopped[0], "kinds": sorted({e.kind for e in res.errors}),
                  "errors": len(res.errors), "failed": sorted({e.account for e in res.errors if e.account}),
                  "accounts": {a.account_id: a.status for a in res.accounts}}))
"""


def test_killed_endpoint_fails_fast_with_every_gap_recorded(tmp_path):
    """The endpoint stops answering after the first unit: collect ends within 30 s, and every
    call it could not make is a recorded gap. A subprocess, because moto's state is per process
    and the session's emulator must live on."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    proc = subprocess.run([sys.executable, "-c", _KILL_SCRIPT, str(Path(__file__).parent), str(tmp_path)],
                          capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    assert res["elapsed"] < 30, f"took {res['elapsed']:.1f}s after the endpoint died"
    assert res["errors"] > 0 and "unreachable" in res["kinds"]
    recorded = json.loads((tmp_path / "s" / "errors.json").read_text())["Errors"]
    assert len(recorded) == res["errors"]
    for account, status in res["accounts"].items():
        assert status == "collected" or account in res["failed"], (account, status)
    # the loader shows the gaps as problems: nothing about those accounts can be reported ready
    env_ = load_snapshot(tmp_path / "s")
    assert "collection-error" in {p.code for p in env_.problems}


@pytest.mark.parametrize("kind", ["directory", "deep", "fifo"])
def test_a_broken_state_file_is_one_line(aws_env, tmp_path, capsys, kind):
    """The collect state file replaced by a directory, a deeply nested document or a FIFO: one
    line, exit 2, never a traceback or a hang."""
    import os as _os

    out = tmp_path / "s"
    out.mkdir()
    state = out / ".permwise-collect.json"
    if kind == "directory":
        state.mkdir()
    elif kind == "fifo":
        _os.mkfifo(state)
    else:
        state.write_text("[" * 100_000 + "]" * 100_000)
    r = run_cli(["collect", "--profile", "mgmt", "--out", str(out), "--regions", "us-east-1", "--no-progress"], capsys)
    assert r.code == 2 and len(r.err.splitlines()) == 1, r.err
    assert "not a permwise collect state file" in r.err and "Traceback" not in r.err
