"""Property: a mutated demo snapshot (a value of the wrong type, a deleted key or file, a list
item or a key given twice) never makes permwise crash, hang or answer differently in silence.

Each example runs `permwise check --format json` in its own process, under a timeout and a
memory cap (resource.setrlimit), and must end in one of two ways:

* exit 0 with a sound answer: the same command statuses as the unmutated snapshot, or a
  different answer together with at least one reported snapshot problem; or
* exit 2 with exactly one stderr line, `permwise: error: FILE...` naming a file of the snapshot.

Never a traceback, never exit 1 (no --fail-on is given), never a timeout.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "permwise" / "data" / "demo" / "snapshot"
CONFIG = ROOT / "src" / "permwise" / "data" / "demo" / "config.yaml"
FILES = sorted(str(p.relative_to(DEMO)) for p in DEMO.rglob("*.json"))
MEMORY_CAP = 1536 * 1024 * 1024
TIMEOUT = 90


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _check(snap: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "permwise", "check", "runbooks", "--env", str(snap), "--config", str(CONFIG),
         "--format", "json", "--no-excess"],
        capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limits,
    )


def _answer(doc: dict) -> list:
    return [(c["id"], c["status"], c["blocked_actions"]) for c in doc["commands"]]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> list:
    snap = tmp_path_factory.mktemp("base") / "snap"
    shutil.copytree(DEMO, snap)
    proc = _check(snap)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert not doc["problems"]
    return _answer(doc)


class Dup(dict):
    """An object written with one key twice (the second with ``value``)."""

    def __init__(self, base: dict, key: str, value: object) -> None:
        super().__init__(base)
        self.dup = (key, value)


def _dump(v: object) -> str:
    if isinstance(v, Dup):
        items = [*v.items(), v.dup]
        return "{" + ", ".join(f"{json.dumps(k)}: {_dump(x)}" for k, x in items) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dump(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_dump(x) for x in v) + "]"
    return json.dumps(v)


def _paths(v: object, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(v, dict):
        for k, x in v.items():
            out += _paths(x, (*path, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _paths(x, (*path, i))
    return out


def _get(v: object, path: tuple) -> object:
    for p in path:
        v = v[p]  # type: ignore[index]
    return v


WRONG = [5, -1, 1.5, True, None, "x", "", [], [5], {}, {"a": 1}]


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_snapshot_is_refused_or_flagged(data, baseline, tmp_path_factory) -> None:
    snap = tmp_path_factory.mktemp("mut") / "snap"
    shutil.copytree(DEMO, snap)
    rel = data.draw(st.sampled_from(FILES), label="file")
    path = snap / rel
    doc = json.loads(path.read_text())
    kind = data.draw(st.sampled_from(["wrong-type", "delete-key", "duplicate-item", "duplicate-key", "delete-file"]),
                     label="kind")
    paths = _paths(doc)
    text: str | None = None
    if kind == "delete-file":
        path.unlink()
    elif kind == "wrong-type":
        p = data.draw(st.sampled_from(paths[1:]), label="path")
        old = _get(doc, p)
        new = data.draw(st.sampled_from([w for w in WRONG if type(w) is not type(old)]), label="value")
        _get(doc, p[:-1])[p[-1]] = new  # type: ignore[index]
    elif kind == "delete-key":
        keys = [p for p in paths[1:] if isinstance(p[-1], str)]
        p = data.draw(st.sampled_from(keys), label="path")
        del _get(doc, p[:-1])[p[-1]]  # type: ignore[union-attr]
    elif kind == "duplicate-item":
        lists = [p for p in paths if isinstance(_get(doc, p), list) and _get(doc, p)]
        if not lists:
            return
        p = data.draw(st.sampled_from(lists), label="path")
        lst = _get(doc, p)
        lst.append(lst[data.draw(st.integers(0, len(lst) - 1), label="item")])  # type: ignore[union-attr]
    else:  # duplicate-key, with the same or another value
        objs = [p for p in paths if isinstance(_get(doc, p), dict) and _get(doc, p)]
        p = data.draw(st.sampled_from(objs), label="path")
        obj = _get(doc, p)
        key = data.draw(st.sampled_from(sorted(obj)), label="key")  # type: ignore[arg-type]
        value = data.draw(st.sampled_from([obj[key], "x", 5]), label="value")  # type: ignore[index]
        dup = Dup(obj, key, value)  # type: ignore[arg-type]
        if p:
            _get(doc, p[:-1])[p[-1]] = dup  # type: ignore[index]
        else:
            doc = dup
    if kind != "delete-file":
        text = _dump(doc)
        path.write_text(text)

    proc = _check(snap)

    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode in (0, 2), (proc.returncode, proc.stderr[-2000:])
    if proc.returncode == 2:
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("permwise: error: "), proc.stderr
        assert str(snap) in lines[0], lines[0]  # names a file of the snapshot
        return
    out = json.loads(proc.stdout)
    if _answer(out) != baseline:
        assert out["problems"], f"{kind} in {rel} changed the answer without a reported problem"
