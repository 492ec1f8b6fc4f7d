"""The suite runs on a fresh machine as the README's Quick start sets it up: the venv is never
activated, so ``permwise`` is not on PATH, and the run leaves nothing in the checkout."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import doc_examples  # noqa: E402
from script_support import console_script  # noqa: E402

# a subprocess argv whose program is a bare "permwise" (found on PATH, or not at all)
BARE = re.compile(r"""(?:subprocess\.\w+|Popen|which)\(\s*\[?\s*["']permwise["']""")


def test_no_test_runs_a_bare_permwise_from_path():
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted((ROOT / "tests").rglob("*.py"))
        if p != Path(__file__).resolve()
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if BARE.search(line)
    ]
    assert offenders == []


def test_bare_pattern_catches_the_old_form():
    # the samples are built, not written out, so this file holds no bare call itself
    name = "perm" + "wise"
    assert BARE.search(f'proc = subprocess.run(["{name}", "actions", "x"])')
    assert BARE.search(f'shutil.which("{name}")')
    assert not BARE.search('subprocess.run([console_script(), "actions"])')


def test_console_script_is_the_one_beside_this_python():
    exe = Path(console_script())
    assert exe.parent == Path(sys.executable).parent
    # runs with a PATH that has no permwise on it, as on a fresh machine
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("permwise ")


def test_doc_examples_write_into_a_scratch_copy_not_the_checkout(tmp_path):
    doc = tmp_path / "doc.md"
    target = "out/hygiene-probe"
    doc.write_text(
        f"<!-- run: permwise generate permwise --out {target} --force -->\n```console\n```\n"
    )
    new, stale = doc_examples.refresh(doc)
    assert stale and "wrote" in new  # the command ran and wrote its files ...
    assert not (ROOT / target).exists()  # ... but not into the checkout


def test_checkout_leftovers_sees_new_paths_but_not_caches(tmp_path):
    from script_support import checkout_leftovers

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("/out/\n__pycache__/\n")
    before = checkout_leftovers(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_text("")
    assert checkout_leftovers(tmp_path) == before  # interpreter caches are fine
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.html").write_text("")  # ignored by git, still a leftover
    assert checkout_leftovers(tmp_path) - before == {"out"}


def test_ci_installs_chromium_for_the_browser_tests():
    ci = (ROOT / ".ci" / "run").read_text()
    install = ci.index("apt-get install")
    assert "chromium" in ci[install:install + 120]
    assert "/usr/bin/chromium" in ci  # only when missing
    assert ci.index("apt-get install") < ci.index('bash -c "$test_cmd"')  # before the test command
    assert "|| echo" in ci  # a failed install is tolerated: the tests skip with a reason
