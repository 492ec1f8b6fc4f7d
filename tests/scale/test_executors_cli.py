"""Organization scale (docs/scale.md): ``check`` and ``audit`` of a generated 50-account organization
give the same JSON, byte for byte, whole-snapshot in one process, as per-account units in this
process (``--jobs 1``), on two local processes (``--jobs 2``) and on a real Dask cluster (a
scheduler and two worker processes on 127.0.0.1, ``--scheduler``); a worker that dies is retried,
and a unit that fails again is a reported gap, never a silently smaller result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PERMWISE = Path(sys.executable).parent / "permwise"
AUDIT_CONFIG = ROOT / "src" / "permwise" / "data" / "guardrails" / "demo-audit-config.yaml"
#: one instant for every run (aws:CurrentTime; check's report states it)
AT = "2026-12-01T00:00:00Z"

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def org(tmp_path_factory, gen_org):
    base = tmp_path_factory.mktemp("org")
    g = gen_org.generate_org(base / "snap", accounts=50, roles=4)
    return g, base / "snap-deploy.yaml", base


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    """The fault-drill file every process of this module reads (workers inherit the variable)."""
    path = tmp_path_factory.mktemp("faults") / "faults.json"
    old = os.environ.get("PERMWISE_FAULTS")
    os.environ["PERMWISE_FAULTS"] = str(path)
    yield path
    if old is None:
        os.environ.pop("PERMWISE_FAULTS", None)
    else:
        os.environ["PERMWISE_FAULTS"] = old


@pytest.fixture(scope="module")
def cluster(faults, tmp_path_factory):
    import dask
    from distributed import LocalCluster

    scratch = tmp_path_factory.mktemp("dask")
    # one retry by the scheduler after a worker dies (default 3), so a unit that always kills its
    # worker becomes a gap quickly
    with dask.config.set({"distributed.scheduler.allowed-failures": 1, "temporary-directory": str(scratch)}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, local_directory=str(scratch)) as c:
            yield c.scheduler_address


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.pop("PERMWISE_DASK_SCHEDULER", None)
    e.update(env or {})
    return subprocess.run([str(PERMWISE), *args], capture_output=True, text=True, env=e, timeout=300)


def audit_args(snap: Path, out: Path) -> list[str]:
    return ["audit", "--env", str(snap), "-c", str(AUDIT_CONFIG), "-f", "json", "-o", str(out), "--at", AT]


def check_args(snap: Path, deploy: Path, out: Path) -> list[str]:
    return ["check", "runbooks", "--env", str(snap), "--config", str(deploy), "-f", "json", "-o", str(out), "--at", AT]


def write_faults(path: Path, plan: dict) -> None:
    for old in path.parent.glob(path.name + ".*.died"):
        old.unlink()
    path.write_text(json.dumps({"die": plan}))


@pytest.fixture
def no_faults(faults):
    write_faults(faults, {})
    yield faults
    write_faults(faults, {})


@pytest.fixture(scope="module")
def baseline(org, faults, tmp_path_factory) -> bytes:
    """``audit --jobs 1``: per-account units in one process."""
    g, _, _ = org
    write_faults(faults, {})
    out = tmp_path_factory.mktemp("baseline") / "audit.json"
    r = run(*audit_args(g.root, out), "--jobs", "1")
    assert r.returncode == 0, r.stderr[-2000:]
    return out.read_bytes()


def test_audit_identical_whole_units_processes_and_dask(org, cluster, baseline, no_faults, tmp_path):
    g, _, _ = org
    outs = {"in-process": baseline}
    runs = {
        "whole": ({"PERMWISE_UNITS_MIN_ACCOUNTS": "100000"}, ["--jobs", "1"]),
        "jobs2": ({}, ["--jobs", "2"]),
        "dask": ({}, ["--scheduler", cluster]),
    }
    for name, (env, extra) in runs.items():
        out = tmp_path / f"{name}.json"
        r = run(*audit_args(g.root, out), *extra, env=env)
        assert r.returncode == 0, (name, r.stderr[-2000:])
        outs[name] = out.read_bytes()
    data = json.loads(outs["whole"])
    # a real audit with findings of several kinds across many accounts, not an empty one
    assert len({f["account"] for f in data["findings"]}) >= 40
    assert {f["rule"].split("-")[0] for f in data["findings"]} >= {"IAM", "PRIVESC", "SCP"}
    for name in ("in-process", "jobs2", "dask"):
        assert outs[name] == outs["whole"], name


def test_check_identical_units_processes_and_dask(org, cluster, no_faults, tmp_path):
    g, deploy, _ = org
    outs = {}
    for name, env, extra in (("whole", {"PERMWISE_UNITS_MIN_ACCOUNTS": "100000"}, ["--jobs", "1"]),
                             ("in-process", {}, ["--jobs", "1"]), ("jobs2", {}, ["--jobs", "2"]),
                             ("dask-env", {"PERMWISE_DASK_SCHEDULER": cluster}, [])):
        out = tmp_path / f"{name}.json"
        r = run(*check_args(g.root, deploy, out), *extra, env=env)
        assert r.returncode == 0, (name, r.stderr[-2000:])
        outs[name] = out.read_bytes()
    data = json.loads(outs["whole"])
    assert data["summary"]["commands"] > 10 and {c["account"] for c in data["commands"]} >= {"300000000000", "300000000004"}
    for name in ("in-process", "jobs2", "dask-env"):
        assert outs[name] == outs["whole"], name


def test_dask_worker_killed_once_is_retried_complete(org, cluster, baseline, faults, tmp_path):
    g, _, _ = org
    victim = g.accounts[10]
    write_faults(faults, {f"audit:{victim}": "once"})
    out = tmp_path / "killed.json"
    r = run(*audit_args(g.root, out), "--scheduler", cluster, "--fail-on", "critical")
    assert list(faults.parent.glob("*.died")), "the fault drill did not kill a worker"
    write_faults(faults, {})
    assert out.read_bytes() == baseline  # retried on a live worker: complete, no gap
    assert "gaps" not in json.loads(out.read_bytes())
    assert r.returncode in (0, 1)


@pytest.mark.parametrize("where", ["jobs2", "dask"])
def test_unit_that_always_kills_its_worker_is_a_gap(org, cluster, baseline, faults, tmp_path, where):
    g, _, _ = org
    victim = g.accounts[7]
    write_faults(faults, {f"audit:{victim}": "always"})
    out = tmp_path / "gap.json"
    extra = ["--jobs", "2"] if where == "jobs2" else ["--scheduler", cluster]
    r = run(*audit_args(g.root, out), *extra, "--fail-on", "critical")
    write_faults(faults, {})
    data = json.loads(out.read_bytes())
    assert next(iter(data)) == "gaps"  # shown first
    assert [gap["accounts"] for gap in data["gaps"]] == [[victim]]
    assert r.returncode == 1  # unknown never passes --fail-on
    # every other account's findings are there; only the victim's are missing
    whole = json.loads(baseline)["findings"]
    others = [f for f in whole if f["account"] != victim and victim not in json.dumps(f.get("path", []))]
    got = data["findings"]
    assert all(f in got for f in others)
    assert not any(f["account"] == victim and f["rule"].startswith("IAM") for f in got)


def test_gap_shown_first_in_terminal(org, faults, tmp_path):
    g, _, _ = org
    victim = g.accounts[3]
    write_faults(faults, {f"audit:{victim}": "always"})
    r = run("audit", "--env", str(g.root), "-c", str(AUDIT_CONFIG), "--jobs", "2", "--fail-on", "high")
    write_faults(faults, {})
    assert r.returncode == 1
    first = r.stdout.lstrip().splitlines()[0]
    assert first.startswith("UNKNOWN results for 1 account: 1 unit failed twice")
    assert victim in r.stdout.split("\n\n")[0]


@pytest.mark.skipif(sys.version_info < (3, 11, 5), reason="CPython before 3.11.5 can deadlock a process pool whose "
                    "worker dies while work is being fed to it (gh-105829); docs/scale.md says so")
def test_check_gap_marks_the_commands_unknown(org, faults, tmp_path):
    g, deploy, _ = org
    write_faults(faults, {"check:300000000004": "always"})
    out = tmp_path / "c.json"
    r = run(*check_args(g.root, deploy, out), "--jobs", "2", "--fail-on", "blocked")
    write_faults(faults, {})
    data = json.loads(out.read_bytes())
    assert data["gaps"][0]["accounts"] == ["300000000004"]
    billing = [c for c in data["commands"] if c["account"] == "300000000004"]
    assert billing and all(c["status"] == "unresolved" and c["notes"][0].startswith("unknown:") for c in billing)
    assert r.returncode == 1


@pytest.mark.parametrize("scheme", ["file", "local"])
def test_snapshot_by_url(org, baseline, no_faults, tmp_path, scheme):
    """Units read the snapshot from a URL: ``file://`` in place, and any other scheme through
    fsspec, each worker copying the shared part and one account at a time (``local://`` is
    fsspec's own filesystem for this machine, so the test needs no object store)."""
    g, _, _ = org
    b = tmp_path / "url.json"
    r = run("audit", "--env", f"{scheme}://" + str(g.root), "-c", str(AUDIT_CONFIG), "-f", "json", "-o", str(b),
            "--jobs", "2")
    assert r.returncode == 0, r.stderr
    fa, fb = json.loads(baseline), json.loads(b.read_bytes())
    assert fa["findings"] == fb["findings"] and fa["findings"]


def test_scheduler_without_dask_says_how_to_install(org, tmp_path):
    g, _, _ = org
    code = ("import sys; sys.modules['distributed'] = None\n"
            "from permwise.cli.main import main\n"
            f"main(['audit', '--env', {str(g.root)!r}, '--scheduler', 'tcp://127.0.0.1:8786'])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'permwise[distributed]'" in lines[0]
    assert "Traceback" not in r.stderr


def test_audit_access_on_a_large_local_snapshot_loads_it_whole(org, tmp_path):
    """`audit --access` needs the whole snapshot: on a local organization large enough for units it
    loads it whole (same findings as units), never refuses; a cluster run still refuses it."""
    g, _, _ = org
    snap = str(g.root)
    r = run("audit", "--env", snap, "--access", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert "access" in doc and doc["findings"]
    r = run("audit", "--env", snap, "--access", "--scheduler", "tcp://127.0.0.1:9")
    assert r.returncode == 2 and "--access" in r.stderr and "Traceback" not in r.stderr
