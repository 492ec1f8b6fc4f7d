"""docs/ci.md's GitHub Actions workflow and pre-commit example, run for real (see that page)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ci.md"
BIN = Path(sys.executable).parent
SARIF_SCHEMA = json.loads((ROOT / "tests" / "policy" / "sarif-schema-2.1.0.json").read_text())
OLD = ROOT / "docs" / "examples" / "gates" / "old" / "deploy.json"
NEW = ROOT / "docs" / "examples" / "gates" / "new" / "deploy.json"
REORDERED = ROOT / "docs" / "examples" / "gates" / "new-reordered.json"


def yaml_blocks() -> list:
    text = DOC.read_text()
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def workflow() -> dict:
    return next(b for b in yaml_blocks() if isinstance(b, dict) and "jobs" in b)


def precommit_example() -> dict:
    return next(b for b in yaml_blocks() if isinstance(b, dict) and "repos" in b)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def make_repo(tmp_path: Path, pr_version: Path) -> Path:
    """A repository whose `main` (also `origin/main`) holds OLD and whose work tree holds the PR."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(OLD, repo / "policies" / "deploy.json")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(repo, "checkout", "-q", "-b", "pr")
    shutil.copy(pr_version, repo / "policies" / "deploy.json")
    return repo


def env_with_permwise() -> dict:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "GITHUB_BASE_REF": "main"}


def permwise_steps() -> list[dict]:
    steps = workflow()["jobs"]["permwise"]["steps"]
    return [s for s in steps if str(s.get("run", "")).startswith("permwise ")]


def test_workflow_shape():
    wf = workflow()
    assert wf["permissions"]["security-events"] == "write"
    steps = wf["jobs"]["permwise"]["steps"]
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert {u["with"]["sarif_file"] for u in uploads} == {"validate.sarif", "diff.sarif"}
    assert all(u.get("if") == "always()" for u in uploads)
    assert [s["run"].split()[1] for s in permwise_steps()] == ["validate", "diff"]


@pytest.mark.parametrize(("pr_version", "diff_code"), [(NEW, 1), (REORDERED, 0)], ids=["widened", "reordered"])
def test_workflow_commands_run_as_written(tmp_path, pr_version, diff_code):
    repo = make_repo(tmp_path, pr_version)
    codes = {}
    for step in permwise_steps():
        proc = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env_with_permwise(), capture_output=True,
                              text=True)
        assert proc.returncode in (0, 1), proc.stderr
        codes[step["run"].split()[1]] = proc.returncode
    assert codes == {"validate": 0, "diff": diff_code}
    for name in ("validate.sarif", "diff.sarif"):
        log = json.loads((repo / name).read_text())
        jsonschema.validate(log, SARIF_SCHEMA)
    results = json.loads((repo / "diff.sarif").read_text())["runs"][0]["results"]
    if diff_code:
        hit = next(r for r in results if "s3:DeleteObject" in r["message"]["text"])
        phys = hit["locations"][0]["physicalLocation"]
        assert phys["artifactLocation"]["uri"] == "policies/deploy.json"
        assert phys["region"]["startLine"] == 10 and phys["region"]["startColumn"] == 5
    else:
        assert results == []


def hooks() -> dict:
    return {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


def example_hooks() -> list[dict]:
    [repo] = precommit_example()["repos"]
    return repo["hooks"]


def test_precommit_example_names_shipped_hooks():
    assert {h["id"] for h in example_hooks()} == set(hooks()) == {"permwise-validate", "permwise-diff"}


@pytest.mark.parametrize(("pr_version", "expected"), [(NEW, {"permwise-validate": 0, "permwise-diff": 1}),
                                                      (REORDERED, {"permwise-validate": 0, "permwise-diff": 0})],
                         ids=["widened", "reordered"])
def test_precommit_hooks_as_precommit_runs_them(tmp_path, pr_version, expected):
    repo = make_repo(tmp_path, pr_version)
    git(repo, "add", ".")
    files = subprocess.run(["git", "-C", str(repo), "diff", "--cached", "--name-only"], capture_output=True,
                           text=True, check=True).stdout.split()
    got = {}
    for ex in example_hooks():
        hook = hooks()[ex["id"]]
        matched = [f for f in files if re.search(hook["files"], f)]
        assert matched == ["policies/deploy.json"]
        cmd = shlex.split(hook["entry"]) + list(ex.get("args", [])) + matched
        proc = subprocess.run(cmd, cwd=repo, env=env_with_permwise(), capture_output=True, text=True)
        got[ex["id"]] = proc.returncode
    assert got == expected


def test_precommit_itself_runs_the_hooks(tmp_path):
    pc = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
    if pc is None:
        pytest.skip("pre-commit is not installed here; the hooks' commands are run directly above")
    repo = make_repo(tmp_path, NEW)
    local = []
    for ex in example_hooks():
        hook = hooks()[ex["id"]]
        local.append({"id": hook["id"], "name": hook["name"], "entry": hook["entry"], "language": "system",
                      "files": hook["files"], "args": list(ex.get("args", []))})
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}))
    git(repo, "add", ".")
    env = {**env_with_permwise(), "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    proc = subprocess.run([pc, "run"], cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"permwise validate .*Passed", out), out
    assert re.search(r"permwise diff .*Failed", out), out
    assert "s3:DeleteObject" in out
