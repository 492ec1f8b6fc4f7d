"""Every verb on bad input: exit code, exactly one stderr line naming the file and position, no
traceback, nothing half-written. The table is in ``cases.py``; this module only runs it."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from permwise.cli.main import main

sys.path.insert(0, str(Path(__file__).parent))
from cases import CASES, Case, Delete, Dir, Edit, Fifo, Replace, Snapshot, Sparse, Symlink  # noqa: E402

DEMO = Path(__file__).parents[2] / "src" / "permwise" / "data" / "demo" / "snapshot"


def _truncate(path: Path) -> None:
    text = path.read_text()
    path.write_text(text[: len(text) // 2])


def _json_edit(fn):
    def edit(path: Path) -> None:
        data = json.loads(path.read_text())
        fn(data)
        path.write_text(json.dumps(data, indent=1))
    return edit


def _scp_truncate(data: dict) -> None:
    data["Policy"]["Content"] = data["Policy"]["Content"][:20]


EDITS = {
    "truncate": _truncate,
    "roles-string": _json_edit(lambda d: d.__setitem__("RoleDetailList", "oops")),
    "role-number": _json_edit(lambda d: d["RoleDetailList"].__setitem__(0, 5)),
    "scp-truncate": _json_edit(_scp_truncate),
}


def materialize(tmp: Path, files: dict) -> None:
    for rel, spec in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(spec, Replace):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
            spec = spec.spec
        if isinstance(spec, Symlink):
            os.symlink(spec.target.replace("{t}", str(tmp)), path)
        elif isinstance(spec, Dir):
            path.mkdir(exist_ok=True)
        elif isinstance(spec, Snapshot):
            shutil.copytree(DEMO, path)
        elif isinstance(spec, Delete):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        elif isinstance(spec, Sparse):
            with open(path, "wb") as fh:
                fh.truncate(spec.size)
        elif isinstance(spec, Edit):
            EDITS[spec.how](path)
        elif isinstance(spec, Fifo):
            os.mkfifo(path)
        elif isinstance(spec, bytes):
            path.write_bytes(spec)
        elif isinstance(spec, str):
            path.write_text(spec, encoding="utf-8")
        else:
            path.write_text(json.dumps(spec), encoding="utf-8")


def run(argv: list[str], capsys, monkeypatch, stdin: bytes | None = None) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin if stdin is not None else b"")))
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else (0 if code is None else 1)), out.out, out.err


def snapshot_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"")
            for p in sorted(root.rglob("*")) if not p.is_fifo() and not p.is_symlink()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, capsys, monkeypatch) -> None:
    materialize(tmp_path, case.files)
    kept = {rel: (tmp_path / rel).read_bytes() for rel in case.unchanged}
    argv = [a.replace("{t}", str(tmp_path)) for a in case.argv]

    code, out, err = run(argv, capsys, monkeypatch, case.stdin)

    assert "Traceback" not in err and "Traceback" not in out
    assert code == case.code, f"exit {code}, stderr: {err!r}"
    if case.code == 2:
        lines = err.splitlines()
        assert len(lines) == 1, f"expected one stderr line, got {len(lines)}: {err!r}"
        line = lines[0]
        assert line.startswith("permwise: error: "), line
        assert case.want in line, line
        if case.loc is not None:
            assert case.loc in line, f"location {case.loc!r} missing: {line}"
        message = line.removeprefix("permwise: error: ")
        assert not message.rstrip().endswith("."), line
    if case.out:
        assert case.out in out, out
    # nothing half-written: no temporary siblings, refused targets untouched, no partial outputs
    leftovers = [p for p in tmp_path.rglob(".*.tmp")]
    assert not leftovers, leftovers
    for rel, content in kept.items():
        assert (tmp_path / rel).read_bytes() == content, f"{rel} was modified"
    for rel in case.absent:
        assert not (tmp_path / rel).exists(), f"{rel} was written"


def test_generate_refusal_writes_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    """One existing file among several targets: nothing is written at all (all-or-nothing)."""
    out_dir = tmp_path / "o"
    code, _, _ = run(["generate", "runbooks", "--out", str(out_dir)], capsys, monkeypatch)
    assert code == 0
    before = snapshot_tree(out_dir)
    victim = sorted(out_dir.iterdir())[-1]
    victim.write_text("edited by hand\n")
    others = [p for p in out_dir.iterdir() if p != victim]
    for p in others:
        p.unlink()
    code, _, err = run(["generate", "runbooks", "--out", str(out_dir)], capsys, monkeypatch)
    assert code == 2 and "refusing to overwrite" in err
    assert sorted(p.name for p in out_dir.iterdir()) == [victim.name]   # the missing ones were not written either
    assert victim.read_text() == "edited by hand\n"
    assert len(before) > 1


def test_jsonl_batch_goes_on(tmp_path: Path, capsys, monkeypatch) -> None:
    """A batch with good, blank, bad-JSON and wrong-shape lines: one result per non-blank line, in
    input order; each bad line becomes an error record naming its line number; exit 0."""
    good = {"id": "good", **{k: v for k, v in json.loads(json.dumps(__import__("cases").CASE)).items()}}
    lines = [
        json.dumps({**good, "id": "first"}),
        "",
        '{"id": "cut", "request":',
        "[1, 2]",
        '"text"',
        json.dumps({"id": "noreq"}),
        json.dumps({"id": "badaction", "request": {**good["request"], "action": 5}}),
        json.dumps({"id": "badstmt", "request": good["request"],
                    "identity_policies": [{"Version": "2012-10-17", "Statement": 5}]}),
        "   ",
        json.dumps({**good, "id": "last"}),
    ]
    src = tmp_path / "c.jsonl"
    src.write_text("\n".join(lines) + "\n")
    code, out, err = run(["simulate", "--jsonl", str(src)], capsys, monkeypatch)
    assert code == 0, err
    records = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in records] == ["first", None, None, None, "noreq", "badaction", "badstmt", "last"]
    # Policy evaluation logic (IAM User Guide): an identity policy that allows the action allows it
    assert records[0]["decision"] == records[-1]["decision"] == "allowed"
    errors = records[1:-1]
    assert all(r["decision"] == "error" for r in errors)
    assert [r["error"].split(":")[0] for r in errors] == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8"]


def test_jsonl_output_is_atomic(tmp_path: Path, capsys, monkeypatch) -> None:
    """--output is written whole or not at all; an unwritable one leaves the old file untouched."""
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps(__import__("cases").CASE) + "\n")
    target = tmp_path / "r.jsonl"
    code, _, _ = run(["simulate", "--jsonl", str(src), "-o", str(target)], capsys, monkeypatch)
    assert code == 0 and json.loads(target.read_text())["decision"] == "allowed"


VERBS = ["validate", "simulate", "check", "audit", "generate", "docs", "rules", "who-can-assume", "manifest",
         "manifest list", "manifest show", "manifest validate"]


@pytest.mark.parametrize("verb", VERBS)
def test_help_has_a_real_example(verb: str, capsys, monkeypatch) -> None:
    code, out, _ = run([*verb.split(), "--help"], capsys, monkeypatch)
    assert code == 0
    text = " ".join(out.split())
    assert "Example" in text
    assert f"permwise {verb}" in text.split("Example", 1)[1], "the example must run this verb"
