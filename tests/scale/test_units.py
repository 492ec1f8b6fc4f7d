"""Per-account units (docs/scale.md): the shared index, partial environments, the executors'
retries and gaps, and the merge, in this process (fast; the Dask cluster tests are in
test_executors_cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from permwise.audit import load_config, run_audit
from permwise.environment import load_snapshot
from permwise.environment.partial import load_part, load_shared
from permwise.errors import InputError
from permwise.executors import Executor, ProcessExecutor, Unit, make_executor
from permwise.report.audit import to_json
from permwise.scale.audit import run_audit_units
from permwise.scale.index import SharedIndex, index_account, named_accounts

ROOT = Path(__file__).resolve().parents[2]
AUDIT_CONFIG = ROOT / "src" / "permwise" / "data" / "guardrails" / "demo-audit-config.yaml"


@pytest.fixture(scope="module")
def small_org(tmp_path_factory, gen_org):
    return gen_org.generate_org(tmp_path_factory.mktemp("o") / "snap", accounts=12, roles=6)


# -------------------------------------------------------------------------------- the index

def _trust(principal) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}


@pytest.mark.parametrize(("principal", "expected"), [
    ({"AWS": "arn:aws:iam::111111111111:root"}, {"111111111111"}),
    ({"AWS": "222222222222"}, {"222222222222"}),
    ({"AWS": ["arn:aws:iam::111111111111:role/x", "arn:aws:iam::999999999999:root"]}, {"111111111111"}),  # own dropped
    ({"AWS": "*"}, {"*"}),
    ("*", {"*"}),
    ({"Service": "lambda.amazonaws.com"}, set()),
    ({"Federated": "arn:aws:iam::999999999999:oidc-provider/x"}, set()),
])
def test_named_accounts(principal, expected):
    # "Policy evaluation logic": a cross-account request needs the resource (trust) policy to name
    # the caller's account or principal (or `*`); only such policies can matter to another account
    assert named_accounts(_trust(principal), "999999999999") == expected


def test_not_principal_and_deny_statements():
    doc = {"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*"}]}
    assert named_accounts(doc, "999999999999") == {"*"}
    deny = {"Statement": [{"Effect": "Deny", "Principal": {"AWS": "111111111111"}, "Action": "s3:*"}]}
    assert named_accounts(deny, "999999999999") == set()


def test_index_gives_each_account_the_roles_that_trust_it(small_org):
    sp = load_shared(small_org.root)
    from permwise.environment.load import SnapshotReader

    r = SnapshotReader(sp.root)
    idx = SharedIndex.merge([index_account(r, a) for a in sp.account_dirs])
    mgmt, security = small_org.accounts[0], small_org.accounts[1]
    roles, _ = idx.foreign_for((mgmt,))
    # every member's OrganizationAccountAccessRole trusts the management account
    assert {p.account for p in roles if p.name == "OrganizationAccountAccessRole"} == set(small_org.accounts[1:])
    roles_sec, _ = idx.foreign_for((security,))
    assert {p.name for p in roles_sec} >= {"SecurityAudit"}
    assert all(p.account != security for p in roles_sec)
    # the log archive's bucket is open to the organization (`*` with aws:PrincipalOrgID): every unit gets it
    _, pols = idx.foreign_for((small_org.accounts[5],))
    assert "arn:aws:s3:::org-logs-archive" in {p.arn for p in pols}
    assert idx.buckets[f"arn:aws:s3:::data-{security}"] == security


def test_partial_environment_decides_like_the_whole_snapshot(small_org):
    """A principal's policy set in its account's unit is the one the whole snapshot gives."""
    whole = load_snapshot(small_org.root)
    sp = load_shared(small_org.root)
    acct = small_org.accounts[4]
    part = load_part(sp, (acct,))
    assert [p.arn for p in part.unit_principals] == [p.arn for p in whole.principals() if p.account == acct]
    assert len(part.principals()) < len(whole.principals())
    for p in part.unit_principals:
        a, b = whole.policy_set(p.arn), part.policy_set(p.arn)
        assert [c.name for c in a.identity] == [c.name for c in b.identity]
        assert len(a.scps) == len(b.scps) and [[c.name for c in lv] for lv in a.scps] == [[c.name for c in lv] for lv in b.scps]
    assert part.account_label(small_org.accounts[2]) == whole.account_label(small_org.accounts[2])


# -------------------------------------------------------------------------------- executors

def _flaky(payload, shared):
    key, mode = payload
    if mode == "raise":
        raise RuntimeError(f"boom in {key}")
    if mode == "input":
        raise InputError("bad input", file=f"accounts/{key}/authorization-details.json", pointer="/RoleDetailList/0")
    if mode == "once":
        if key not in shared:
            shared.add(key)
            raise RuntimeError("first time")
    return key.upper()


def test_in_process_retries_then_reports_a_gap():
    seen: set[str] = set()
    units = [Unit("a", ("111",), ("a", "ok")), Unit("b", ("222",), ("b", "once")), Unit("c", ("333",), ("c", "raise"))]
    states = []
    results, gaps = Executor().run(_flaky, units, seen, progress=lambda s: states.append((s.done, s.failed)))
    assert results == {"a": "A", "b": "B"}  # "b" failed once and was retried
    assert [(g.unit, g.accounts, g.attempts) for g in gaps] == [("c", ("333",), 2)]
    assert "boom in c" in gaps[0].error
    assert states[-1] == (2, 1)


def test_bad_input_in_a_unit_is_bad_input_not_a_gap():
    with pytest.raises(InputError, match="bad input"):
        Executor().run(_flaky, [Unit("x", ("1",), ("x", "input"))], set())
    with pytest.raises(InputError, match="bad input"):
        ProcessExecutor(workers=2).run(_flaky, [Unit("y", ("1",), ("y", "ok")), Unit("x", ("1",), ("x", "input"))], set())


def test_process_executor_gap_for_a_unit_that_raises_twice():
    units = [Unit(k, (k,), (k, "raise" if k == "c" else "ok")) for k in "abcd"]
    results, gaps = ProcessExecutor(workers=2).run(_flaky, units, set())
    assert results == {"a": "A", "b": "B", "d": "D"}
    assert [g.unit for g in gaps] == ["c"]


def test_make_executor_choice(monkeypatch):
    assert make_executor(1).name == "in-process"
    assert make_executor(3).name == "processes" and make_executor(3).workers == 3
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InputError, match=r"pip install 'permwise\[distributed\]'"):
        make_executor(1, "tcp://127.0.0.1:8786")


def test_location_of_undoes_path_folding():
    from permwise.cli.scale import location_of

    assert location_of(Path("s3://bucket/snap")) == "s3://bucket/snap"
    assert location_of(Path("file:///tmp/x")) == "file:///tmp/x"
    assert location_of(Path("local:///tmp/x")) == "local:///tmp/x"
    assert location_of(Path("/tmp/x")) == "/tmp/x"


# -------------------------------------------------------------------------------- the merge

def test_units_in_process_equal_the_whole_snapshot_audit(small_org):
    cfg = load_config(str(AUDIT_CONFIG))
    whole = run_audit(load_snapshot(small_org.root), cfg, None, jobs=1)
    units, gaps, _ = run_audit_units(str(small_org.root), cfg, None, Executor())
    assert not gaps
    assert any(f.rule_id.startswith("PRIVESC") for f in whole.findings)
    assert to_json(units, env_path="x") == to_json(whole, env_path="x")
    assert units.admins == whole.admins


def test_ctrl_c_cancels_cleanly(tmp_path, gen_org):
    """Ctrl-C (SIGINT to the terminal's process group) mid-run: exit 130, no traceback, no report
    written, and no worker process left behind."""
    import os
    import signal
    import subprocess
    import time

    g = gen_org.generate_org(tmp_path / "ctrlc-snap", accounts=120, roles=50)
    out = tmp_path / "never.json"
    exe = Path(sys.executable).parent / "permwise"

    def running() -> list[str]:
        # the run's processes: the command and its forked workers (same command line)
        found = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    if str(g.root).encode() in (d / "cmdline").read_bytes():
                        found.append(d.name)
                except OSError:
                    pass
        return found

    p = subprocess.Popen([str(exe), "audit", "--env", str(g.root), "-c", str(AUDIT_CONFIG), "--jobs", "2", "-f", "json",
                          "-o", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    # mid-run, in the account units: the worker processes are up, then a while longer (this
    # organization's audit takes several seconds; the test used to wait a fixed 2.5 s from the
    # start, which a faster audit of a smaller organization outran)
    deadline = time.monotonic() + 30
    while len(running()) < 2 and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.5)
    assert p.poll() is None, "the audit ended before Ctrl-C; make the organization bigger"
    os.killpg(p.pid, signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130
    assert "Traceback" not in err
    assert not out.exists()
    time.sleep(0.5)
    assert not running()


def test_hub_slices_and_spilled_findings_equal_the_whole_snapshot_audit(small_org, monkeypatch):
    """A hub account (roles of every account trust its pipeline role) has its foreign roles cut
    in chunks of `slice_size`, each a unit of its own; principals are cut in shards; findings are
    spilled to disk in runs of 7 and merged: the report is the same bytes as the whole snapshot's."""
    import permwise.scale.spill as spill

    monkeypatch.setattr(spill, "CHUNK", 7)
    cfg = load_config(str(AUDIT_CONFIG))
    whole = run_audit(load_snapshot(small_org.root), cfg, None, jobs=1)
    seen: list[str] = []

    class Recording(Executor):
        def run(self, fn, units, shared, progress=None, on_result=None):
            seen.extend(u.key for u in units)
            return super().run(fn, units, shared, progress, on_result)

    units, gaps, _ = run_audit_units(str(small_org.root), cfg, None, Recording(), shard_size=3, slice_size=2)
    assert not gaps
    assert any("@" in k for k in seen) and any("#" in k for k in seen)
    assert len(units.findings.spill.runs) > 1
    assert to_json(units, env_path="x") == to_json(whole, env_path="x")
    assert units.admins == whole.admins
    assert units.stats["escalation_facts"]["principals"] > 0


def test_spill_merges_runs_in_key_order(tmp_path):
    from permwise.scale.spill import Spill

    s = Spill(chunk=3)
    keys = [[5, "b"], [1, "z"], [3, "a"], [2, "c"], [4, "d"], [0, "e"], [6, "f"]]
    for k in keys:
        s.add(k, {"k": k})
    assert len(s.runs) == 2  # two full runs written, one record still buffered
    assert [k for k, _ in s] == sorted(keys)
    assert [k for k, _ in s] == sorted(keys)  # re-readable
    d = Path(s.dir)
    s.close()
    assert not d.exists()


def test_check_problems_of_every_account_in_units(tmp_path, gen_org):
    """`check` in units reads only the accounts holding a profile principal, but its problems are
    every account's (the index pass loads each one): the report is byte for byte the whole
    snapshot's, with a problem placed in an account that holds no profile principal."""
    import json
    import os
    import subprocess

    g = gen_org.generate_org(tmp_path / "snap", accounts=8, roles=4)
    deploy = tmp_path / "snap-deploy.yaml"
    profile_accounts = {"300000000000", "300000000004", "300000000005", "300000000006"}
    quiet = next(a for a in g.accounts if a not in profile_accounts)
    f = g.root / "accounts" / quiet / "authorization-details.json"
    data = json.loads(f.read_text())
    data["RoleDetailList"][0]["AttachedManagedPolicies"].append(
        {"PolicyName": "Gone", "PolicyArn": f"arn:aws:iam::{quiet}:policy/Gone"})
    f.write_text(json.dumps(data))
    exe = Path(sys.executable).parent / "permwise"
    outs = {}
    for name, threshold in (("whole", "100000"), ("units", "1")):
        out = tmp_path / f"{name}.json"
        r = subprocess.run([str(exe), "check", "runbooks", "--env", str(g.root), "--config", str(deploy), "-f", "json",
                            "-o", str(out), "--at", "2026-12-01T00:00:00Z", "--jobs", "1"], capture_output=True,
                           text=True, env={**os.environ, "PERMWISE_UNITS_MIN_ACCOUNTS": threshold}, timeout=300)
        assert r.returncode == 0, r.stderr
        outs[name] = out.read_bytes()
    problems = json.loads(outs["units"])["problems"]
    assert any(p["code"] == "absent-policy" and f"accounts/{quiet}/" in p["file"] for p in problems)
    assert outs["units"] == outs["whole"]


def test_check_invalid_document_in_a_quiet_account_same_error_as_whole(tmp_path, gen_org):
    """The index pass of `check` does not compile a document it already found valid in another
    account, but every document is still checked: an invalid statement in an account that holds
    no profile principal stops the run with the whole snapshot's one-line error (exit 2), even
    when an identical valid inline policy was seen before in an earlier account."""
    import json
    import os
    import subprocess

    g = gen_org.generate_org(tmp_path / "snap", accounts=8, roles=4)
    deploy = tmp_path / "snap-deploy.yaml"
    profile_accounts = {"300000000000", "300000000004", "300000000005", "300000000006"}
    quiet = [a for a in g.accounts if a not in profile_accounts][-1]
    f = g.root / "accounts" / quiet / "authorization-details.json"
    data = json.loads(f.read_text())
    role = next(r for r in data["RoleDetailList"] if r.get("RolePolicyList"))
    # the same valid document as every account's, then one whose Effect AWS would reject
    role["RolePolicyList"].append({"PolicyName": "Bad", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}})
    f.write_text(json.dumps(data))
    exe = Path(sys.executable).parent / "permwise"
    errs = {}
    for name, threshold, jobs in (("whole", "100000", "1"), ("units", "1", "1"), ("processes", "1", "2")):
        r = subprocess.run([str(exe), "check", "runbooks", "--env", str(g.root), "--config", str(deploy), "-f", "json",
                            "-o", str(tmp_path / f"{name}.json"), "--at", "2026-12-01T00:00:00Z", "--jobs", jobs],
                           capture_output=True, text=True,
                           env={**os.environ, "PERMWISE_UNITS_MIN_ACCOUNTS": threshold}, timeout=300)
        assert r.returncode == 2, (name, r.stderr)
        errs[name] = r.stderr
    assert f"accounts/{quiet}/authorization-details.json" in errs["whole"]
    assert "Permit" in errs["whole"] or "Effect" in errs["whole"]
    assert errs["units"] == errs["whole"] == errs["processes"]


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_spill_directory_removed_on_signal(tmp_path, sig):
    """The coordinator's spilled findings are private temporary files: gone when the process is
    stopped (SIGTERM) or interrupted (Ctrl-C)."""
    import signal
    import subprocess
    import time

    code = ("import sys, time\nfrom permwise.scale.spill import Spill\ns = Spill(chunk=1)\ns.add([1], 'x')\n"
            "print(s.dir, flush=True)\ntime.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    d = Path(p.stdout.readline().strip())
    assert d.is_dir() and list(d.iterdir())
    p.send_signal(getattr(signal, sig))
    p.communicate(timeout=30)
    time.sleep(0.2)
    assert not d.exists()


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_index_and_facts_databases_removed_on_signal(tmp_path, sig):
    """The coordinator's role index and escalation facts are SQLite files in private temporary
    directories: gone when the process is stopped (SIGTERM) or interrupted (Ctrl-C)."""
    import signal
    import subprocess
    import time

    code = ("import time\nfrom permwise.audit.config import AuditConfig\n"
            "from permwise.scale.audit import Facts\nfrom permwise.scale.index import IndexPart, SharedIndex\n"
            "idx = SharedIndex.merge([IndexPart('111111111111', roles=[(('222222222222',), "
            "('arn:aws:iam::111111111111:role/R', b'{}'))])])\nf = Facts(AuditConfig())\n"
            "print(idx._db.dir, f._db.dir, flush=True)\ntime.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    dirs = [Path(x) for x in p.stdout.readline().split()]
    assert len(dirs) == 2 and all(d.is_dir() and list(d.iterdir()) for d in dirs)
    p.send_signal(getattr(signal, sig))
    p.communicate(timeout=30)
    time.sleep(0.2)
    assert not any(d.exists() for d in dirs)


def test_facts_on_disk_merge_a_hub_principals_moves():
    """Facts read back from disk are the facts added; a principal with facts from two units gets
    its assume moves merged by target, admin and self-escalation kept from either."""
    from permwise.audit.config import AuditConfig
    from permwise.audit.model import Step
    from permwise.environment.model import Origin
    from permwise.scale.audit import Facts, Node

    f = Facts(AuditConfig())
    a = "arn:aws:iam::111111111111:role/A"
    f.add(Node(a, "111111111111", "role", "A", {"k": "v"}, False, Origin("f.json", "/RoleDetailList/0"), False,
               None, [Step(a, "arn:aws:iam::222222222222:role/Z", "sts:AssumeRole", "")]))
    f.add(Node(a, "111111111111", "role", "A", {"k": "v"}, False, Origin("f.json", "/RoleDetailList/0"), False,
               None, [Step(a, "arn:aws:iam::222222222222:role/B", "sts:AssumeRole", "")]))
    f.add(Node("arn:aws:iam::111111111111:user/U", "111111111111", "user", "U", {}, False, Origin("f.json", "/U"),
               True, None, None))
    assert len(f) == 2 and f.edges == 2
    n = f.get(a)
    assert [e.target.rsplit("/", 1)[1] for e in n.edges] == ["B", "Z"]
    assert n.tags == {"k": "v"} and n.origin == Origin("f.json", "/RoleDetailList/0")
    assert f.get("arn:aws:iam::111111111111:user/U").admin is True
    assert f.get("arn:aws:iam::111111111111:role/none") is None
    assert list(f.arns(batch=1)) == sorted([a, "arn:aws:iam::111111111111:user/U"])
    d = Path(f._db.dir)
    f.close()
    assert not d.exists()


def test_streamed_json_and_sarif_are_the_whole_snapshot_bytes(small_org, monkeypatch):
    """`-f json` and `-f sarif` of a unit-mode audit are written from the spilled findings, one at
    a time (SARIF re-sorted on disk by file): the same bytes as the whole snapshot's reports."""
    import permwise.scale.spill as spill
    from permwise.executors import Gap
    from permwise.report.audit import iter_json, iter_sarif, to_sarif

    monkeypatch.setattr(spill, "CHUNK", 5)
    cfg = load_config(str(AUDIT_CONFIG))
    whole = run_audit(load_snapshot(small_org.root), cfg, None, jobs=1)
    units, gaps, _ = run_audit_units(str(small_org.root), cfg, None, Executor(), slice_size=3)
    root = str(small_org.root)
    assert "".join(iter_json(units, env_path="x")) == to_json(whole, env_path="x")
    assert "".join(iter_sarif(units, env_root=root, tool_version="1")) == to_sarif(whole, env_root=root, tool_version="1")
    # with a gap: "gaps" first in JSON, the rest unchanged
    gap = Gap("audit:300000000007", ("300000000007",), "worker process died", 2)
    text = "".join(iter_json(units, env_path="x", gaps=[gap]))
    assert text.startswith('{\n  "gaps": [\n    {\n      "unit": "audit:300000000007"')
    import json

    assert {k: v for k, v in json.loads(text).items() if k != "gaps"} == json.loads(to_json(whole, env_path="x"))


def test_streamed_json_of_no_finding():
    from permwise.audit.run import AuditResult
    from permwise.report.audit import iter_json

    empty = AuditResult([], [], [])
    assert "".join(iter_json(empty, env_path="x")) == to_json(empty, env_path="x")
