"""Independent conformance check of the evaluation engine through ``permwise simulate --jsonl``.

Two independent rounds of cases, each written from AWS's documentation alone (each case names
the page and the rule): ``cases.jsonl`` (``make_cases.py``) and ``cases_round2.jsonl``
(``make_cases_round2.py``, the worked examples printed on AWS's pages). Each file goes through ONE
``permwise simulate --jsonl`` subprocess and every decision is compared with the documented one.

* ``xfail_reason``: the engine disagrees with the documented rule (listed in
  docs/internal/engine-xcheck.md and engine-xcheck2.md). The case keeps asserting AWS's behaviour; the xfail is strict,
  so a fixed engine turns it into a failure that asks for the marker to be removed.
* ``ambiguous``: the documentation does not settle the answer; recorded, not asserted (skipped
  with the engine's answer in the reason).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CASE_FILES = {"": HERE / "cases.jsonl", "round2/": HERE / "cases_round2.jsonl"}  # test-id prefix -> file
DECISIONS = {"allowed", "explicitDeny", "implicitDeny"}


def _load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


CASES = {prefix: _load_cases(path) for prefix, path in CASE_FILES.items()}


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, dict]]:
    out_by_file = {}
    for prefix, path in CASE_FILES.items():
        proc = subprocess.run(
            [sys.executable, "-m", "permwise", "simulate", "--jsonl", str(path)],
            capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        # same order, one result per case
        assert [o.get("id") for o in out] == [c["id"] for c in CASES[prefix]]
        out_by_file[prefix] = {o["id"]: o for o in out}
    return out_by_file


@pytest.mark.parametrize("prefix", list(CASE_FILES))
def test_case_file_is_well_formed(prefix):
    cases = CASES[prefix]
    ids = [c["id"] for c in cases]
    assert len(ids) >= 150
    assert len(set(ids)) == len(ids), "case ids must be unique"
    for c in cases:
        assert c["expected"] in DECISIONS, c["id"]
        assert ": " in c["rule"] and len(c["rule"]) > 20, f"{c['id']}: rule must name the doc page and the rule"
        assert not (c.get("xfail_reason") and c.get("ambiguous")), c["id"]
    # the data spans every decision
    assert {c["expected"] for c in cases} == DECISIONS


def _params():
    for prefix, cases in CASES.items():
        for c in cases:
            marks = []
            if c.get("xfail_reason"):
                marks.append(pytest.mark.xfail(reason=c["xfail_reason"], strict=True))
            yield pytest.param(prefix, c, id=prefix + c["id"], marks=marks)


@pytest.mark.parametrize(("prefix", "case"), list(_params()))
def test_decision_matches_aws_documentation(prefix, case, results):
    got = results[prefix][case["id"]]
    assert got["decision"] != "error", f"{case['id']}: engine could not read the case: {got.get('error')}"
    if case.get("ambiguous"):
        pytest.skip(f"ambiguous in the docs ({case['ambiguous']}); engine said {got['decision']}")
    assert got["decision"] == case["expected"], (
        f"{case['id']}: {case['rule']}\n expected {case['expected']}, engine said {got['decision']}: "
        + "; ".join(r.get("message", "") for r in got.get("reasons", []))
    )
    assert isinstance(got.get("reasons"), list) and got["reasons"], f"{case['id']}: a decision must say why"
