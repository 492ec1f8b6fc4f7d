#!/usr/bin/env python3
"""Write the committed expectations of tests/speed/test_golden.py from the code as it is now.

Run only when a decision is meant to change (and say why in the commit): the golden test exists
to prove that the compiled engine, pruning and parallel executor change no finding.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "speed"))

from golden import audit_findings, check_results, unpack, write_expected  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        acct = unpack("acct150", t)
        org = unpack("org60", t)
        write_expected("audit-acct150", audit_findings(acct, t))
        write_expected("audit-org60", audit_findings(org, t))
        write_expected("check-org60", check_results(org, t))
    print("wrote tests/speed/data/*.expected.json.gz")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
