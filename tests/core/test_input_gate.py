"""The input gate (permwise.sources): what it refuses and how, at the library level. The CLI
table (tests/cli_badinput) runs the same classes through every verb."""

from __future__ import annotations

import errno
import io
import os
import sys
import time

import pytest

from permwise.errors import InputError
from permwise.sources import MAX_DEPTH, json_too_deep, load_source, parse_text, read_bytes, too_deep


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "f.json"
    os.mkfifo(fifo)
    t = time.monotonic()
    with pytest.raises(InputError) as exc:
        read_bytes(str(fifo))
    assert time.monotonic() - t < 5 and "named pipe" in exc.value.message


@pytest.mark.parametrize("code,words", [
    (errno.EACCES, "permission denied"), (errno.EIO, "input/output error"),
    (errno.ENAMETOOLONG, "file name too long"), (errno.ELOOP, "symbolic links"),
])
def test_os_errors_are_one_line(tmp_path, monkeypatch, code, words):
    # permission errors cannot be produced as root: the OS error is injected where the gate opens
    def fail(*_a, **_k):
        raise OSError(code, os.strerror(code))
    monkeypatch.setattr("permwise.sources.os.open", fail)
    with pytest.raises(InputError) as exc:
        read_bytes(str(tmp_path / "p.json"))
    assert words in exc.value.message and "\n" not in exc.value.one_line()


def test_size_limit_and_its_override(tmp_path, monkeypatch):
    p = tmp_path / "p.json"
    p.write_text('{"a": 1}')
    with pytest.raises(InputError) as exc:
        read_bytes(str(p), max_bytes=4)
    assert "too large" in exc.value.message and "PERMWISE_MAX_FILE_SIZE" in (exc.value.hint or "")
    monkeypatch.setenv("PERMWISE_MAX_FILE_SIZE", "1K")
    assert read_bytes(str(p), max_bytes=4) == b'{"a": 1}'  # the override replaces the limit
    monkeypatch.setenv("PERMWISE_MAX_FILE_SIZE", "2")
    with pytest.raises(InputError):
        read_bytes(str(p))
    monkeypatch.setenv("PERMWISE_MAX_FILE_SIZE", "lots")
    with pytest.raises(InputError) as exc:
        read_bytes(str(p))
    assert "is not a size" in exc.value.message


def test_stdin_is_bounded(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 100)))
    with pytest.raises(InputError) as exc:
        read_bytes("-", max_bytes=10)
    assert exc.value.file == "<stdin>"


def test_a_file_without_a_size_is_read_to_its_end_and_bounded():
    # /proc files report size 0: the gate reads until EOF and still applies the limit
    assert b"Name:" in read_bytes("/proc/self/status")
    with pytest.raises(InputError):
        read_bytes("/proc/self/status", max_bytes=10)


def test_depth_limit_without_recursion():
    deep = '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    ok = '{"a": ' * MAX_DEPTH + "1" + "}" * MAX_DEPTH
    assert json_too_deep(ok, parse_text(ok, "ok.json").data) is None
    with pytest.raises(InputError) as exc:
        parse_text(deep, "d.json")
    assert exc.value.line == 1 and exc.value.column == 6 * MAX_DEPTH + 1
    # the checker itself uses no recursion: 100,000 levels of Python lists are fine
    v: list = []
    for _ in range(100_000):
        v = [v]
    assert too_deep(v)


def test_yaml_bomb_is_refused_at_once():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    t = time.monotonic()
    with pytest.raises(InputError) as exc:
        parse_text(bomb, "b.yaml")
    assert time.monotonic() - t < 1 and "alias" in exc.value.message and exc.value.line == 2


def test_yaml_depth_limit():
    with pytest.raises(InputError) as exc:
        parse_text("[" * 10_000 + "]" * 10_000, "d.yaml")
    assert "levels deep" in exc.value.message


def test_duplicates_can_be_kept_for_findings(tmp_path):
    p = tmp_path / "p.json"
    p.write_text('{"a": 1,\n "a": 2}')
    src = load_source(str(p), duplicates="keep")
    assert [(d.pointer, d.first, d.second) for d in src.duplicates] == [("/a", (1, 2), (2, 2))]
    with pytest.raises(InputError):
        load_source(str(p))
