from __future__ import annotations

import json
from pathlib import Path

import pytest

from permwise.cli.main import main


def run_cli(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(list(argv))
    out = capsys.readouterr()
    code = exc.value.code if isinstance(exc.value.code, int) else (0 if exc.value.code is None else 1)
    return code, out.out, out.err


def write(dir_: Path, name: str, doc) -> str:
    p = dir_ / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return str(p)


@pytest.fixture
def cli(capsys):
    return lambda *argv: run_cli(argv, capsys)
