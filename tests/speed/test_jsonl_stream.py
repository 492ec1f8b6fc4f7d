"""``simulate --jsonl`` streams (issues 12 and 14): bounded look-ahead, one error record per bad
line (invalid UTF-8, a principal of the wrong type, an over-long line), output in input order
and byte-identical for any ``--jobs``. DESIGN.md "Interfaces": one result per line, same order."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from permwise import jsonl

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from gen_cases import write_cases  # noqa: E402

ALLOW = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
USER = "arn:aws:iam::111122223333:user/alice"


def _case(cid, principal=USER, action="s3:GetObject"):
    return orjson.dumps({"id": cid, "request": {"principal": principal, "action": action}, "identity_policies": [ALLOW]})


def _run(args, stdin=None):
    return subprocess.run([sys.executable, "-m", "permwise", "simulate", *args], input=stdin, capture_output=True,
                          timeout=600)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    path = tmp_path_factory.mktemp("batch") / "cases.jsonl"
    write_cases(path, 700, seed=5)  # more than two chunks of CHUNK_LINES
    return path


def test_output_identical_for_any_jobs(batch, tmp_path):
    outs = []
    for jobs in ("1", "2", "3"):
        out = tmp_path / f"r{jobs}.jsonl"
        p = _run(["--jsonl", str(batch), "-o", str(out), "--jobs", jobs])
        assert p.returncode == 0, p.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    recs = [orjson.loads(x) for x in outs[0].splitlines()]
    ids = [orjson.loads(x)["id"] for x in batch.read_bytes().splitlines()]
    assert [r["id"] for r in recs] == ids  # input order
    assert {r["decision"] for r in recs} >= {"allowed", "explicitDeny", "implicitDeny"}


def test_each_bad_line_gets_its_own_record_and_the_batch_goes_on():
    data = b"\n".join([
        _case("a"),
        b'{"id": "latin1", "request": {"principal": "caf\xe9"}}',  # one invalid UTF-8 byte
        orjson.dumps({"id": "int", "request": {"principal": 111122223333, "action": "s3:GetObject"},
                      "identity_policies": [ALLOW]}),
        b"",
        orjson.dumps({"id": "list", "request": {"principal": [USER], "action": "s3:GetObject"}}),
        _case("b", action="s3:PutObject"),
    ]) + b"\n"
    for jobs in ("1", "2"):
        p = _run(["--jsonl", "-", "--jobs", jobs], stdin=data)
        assert p.returncode == 0, p.stderr
        recs = [orjson.loads(x) for x in p.stdout.splitlines()]
        assert [(r["id"], r["decision"]) for r in recs] == [
            ("a", "allowed"), (None, "error"), ("int", "error"), ("list", "error"), ("b", "implicitDeny")]
        assert "line 2: not valid UTF-8 (byte 0xe9" in recs[1]["error"]
        # an account id written as a number is never read as that account's root
        assert "`request.principal` must be a non-empty string" in recs[2]["error"]
        assert "line 5" in recs[3]["error"]


def test_only_binary_is_bad_input_and_nothing_is_written(tmp_path):
    out = tmp_path / "r.jsonl"
    p = _run(["--jsonl", "-", "-o", str(out)], stdin=b"\xff\xfe\x00\n\x80\x81\n")
    assert p.returncode == 2
    assert b"no line is UTF-8 text" in p.stderr and b"Traceback" not in p.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_over_long_line_is_an_error_record(monkeypatch):
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 600)
    data = _case("a") + b"\n" + b'{"id": "big", "pad": "' + b"x" * 2000 + b'"}\n' + _case("b") + b"\n"
    out = io.BytesIO()
    n = jsonl.run_stream(io.BytesIO(data), out.write, shown="t", jobs=1)
    recs = [orjson.loads(x) for x in out.getvalue().splitlines()]
    assert n == 3
    assert [r["decision"] for r in recs] == ["allowed", "error", "allowed"]
    assert "line 2: longer than" in recs[1]["error"]


class _CountingReader(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.lines_read = 0

    def readline(self, *a):  # type: ignore[override]
        line = super().readline(*a)
        if line:
            self.lines_read += 1
        return line


@pytest.mark.parametrize("jobs", [1, 2])
def test_reading_is_bounded_look_ahead(jobs):
    # the first results are written long before the input is read to its end: memory is bounded
    # by the lines in flight, not by the batch
    n = 4000
    reader = _CountingReader(b"".join(_case(f"c{i}") + b"\n" for i in range(n)))
    seen_at_first_write: list[int] = []
    out: list[bytes] = []

    def write(b: bytes) -> None:
        if not seen_at_first_write:
            seen_at_first_write.append(reader.lines_read)
        out.append(b)

    jsonl.run_stream(reader, write, shown="t", jobs=jobs)
    assert reader.lines_read == n
    limit = 1 if jobs == 1 else jsonl.CHUNK_LINES * (2 * jobs + 2)
    assert seen_at_first_write[0] <= limit < n
    assert len(b"".join(out).splitlines()) == n


def test_named_pipe_is_refused(tmp_path):
    fifo = tmp_path / "cases.jsonl"
    import os

    os.mkfifo(fifo)
    p = _run(["--jsonl", str(fifo)])
    assert p.returncode == 2 and b"not a regular file" in p.stderr


def test_duplicate_keys_and_deep_nesting_are_error_records_never_decisions():
    """A repeated key is never resolved as the last one wins (issue 12: `"Effect": "Deny", ...,
    "Effect": "Allow"` decided allowed); too deep a line is refused; the batch goes on."""
    dup = (b'{"id":"dup","request":{"principal":"' + USER.encode() + b'","action":"s3:GetObject","resource":"*"},'
           b'"identity_policies":[{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*",'
           b'"Resource":"*","Effect":"Allow"}}]}')
    deep = (b'{"id":"deep","request":{"principal":"' + USER.encode() + b'","action":"s3:GetObject"},"x":'
            + b"[" * 100 + b"]" * 100 + b"}")
    r = _run(["--jsonl", "-"], stdin=dup + b"\n" + deep + b"\n" + _case("ok") + b"\n")
    recs = [orjson.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in recs] == ["dup", "deep", "ok"]
    assert recs[0]["decision"] == "error" and "duplicate key `Effect`" in recs[0]["error"]
    assert recs[1]["decision"] == "error" and "levels deep" in recs[1]["error"]
    assert recs[2]["decision"] != "error"
