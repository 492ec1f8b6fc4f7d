"""Speed work changes no answer (issue 14): the audit findings and check results of two fixed
generated inputs equal the expectations written by the code before the compiled engine, the
pruned probes and the parallel executor (scripts/speed_golden.py)."""

from __future__ import annotations

import pytest

from golden import audit_findings, check_results, expected, unpack


@pytest.fixture(scope="module")
def snaps(tmp_path_factory):
    t = tmp_path_factory.mktemp("golden")
    return {"acct150": unpack("acct150", t), "org60": unpack("org60", t)}


def _diff(got: dict, want: dict) -> str:
    for k in want:
        if got.get(k) != want[k]:
            g, w = got.get(k), want[k]
            if isinstance(w, list) and isinstance(g, list):
                for i, (a, b) in enumerate(zip(g, w)):
                    if a != b:
                        return f"{k}[{i}]: got {a!r}\nwant {b!r}"
                return f"{k}: {len(g)} items, want {len(w)}"
            return f"{k}: got {g!r}, want {w!r}"
    return ""


# the same answers in process (--jobs 1) and across worker processes (--jobs 3, more processes
# than this machine may have cores: the split does not depend on the cores)
@pytest.mark.parametrize("jobs", ["1", "3"])
@pytest.mark.parametrize("name", ["acct150", "org60"])
def test_audit_findings_unchanged(snaps, tmp_path, name, jobs):
    got = audit_findings(snaps[name], tmp_path, ["--jobs", jobs])
    want = expected(f"audit-{name}")
    assert len(want["findings"]) > 100  # the input exercises many rules
    assert got == want, _diff(got, want)


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_check_results_unchanged(snaps, tmp_path, jobs):
    got = check_results(snaps["org60"], tmp_path, ["--jobs", jobs])
    want = expected("check-org60")
    assert got == want, _diff(got, want)
