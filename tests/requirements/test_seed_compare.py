"""The generated runbooks policies are smaller than the seed's hand-written ones where the seed
uses broad wildcards (issue: "smaller than the seed's hand-written ones where the seed uses broad
wildcards"): every seed group whose policy uses `service:Prefix*` families allows more actions,
and more of them on `Resource: "*"`, than the generated policies of the same group.

AWS rule encoded (IAM User Guide, "Grant least privilege" and "IAM JSON policy elements: Action"):
a wildcard in an action name matches every action of the service whose name fits it, including
actions added later, so a family such as `s3:Get*` also grants object reads (`s3:GetObject`).
"""

from __future__ import annotations

import re

import pytest

from seed_compare import SEED, compare, markdown, seed_blocks

#: An action family: `service:Prefix*`.
BROAD = re.compile(r"^[a-z0-9-]+:[A-Za-z]*\*$")


@pytest.mark.skipif(not SEED.is_file(), reason="seed documents not available")
def test_generated_smaller_than_seed_where_seed_is_broad():
    rows = {r["group"]: r for r in compare()}
    assert set(rows) == {"cert", "cfat", "finops", "inventory", "operate", "security"}
    blocks = seed_blocks(SEED.read_text())
    broad = {g for g, docs in blocks.items()
             if any(BROAD.match(a) for d in docs for s in d["Statement"]
                    for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]))}
    # read from the seed itself: every group but the write group `operate` uses wildcard families
    assert broad == {"cert", "cfat", "finops", "inventory", "security"}
    for group in sorted(broad):
        assert rows[group]["generated"] < rows[group]["seed"], rows[group]
        assert rows[group]["generated_star"] < rows[group]["seed_star"], rows[group]
    # the write group: no broader than the seed, and fewer actions on "*" (bucket and instance
    # ARNs are scoped to the deployment; the seed's RebootInstances is dropped)
    assert rows["operate"]["generated"] <= rows["operate"]["seed"]
    assert rows["operate"]["generated_star"] < rows["operate"]["seed_star"]
    assert markdown(list(rows.values())).count("\n") == len(rows) + 1


@pytest.mark.skipif(not SEED.is_file(), reason="seed documents not available")
def test_no_object_reads_or_code_downloads_in_read_only_groups():
    """The seed's `s3:Get*` (object contents) and `lambda:Get*` (code download links) are narrowed:
    no generated read-only runbooks policy allows s3:GetObject or lambda:GetFunction."""
    from permwise.catalog import get_catalog
    from permwise.requirements import load_config, load_manifest
    from permwise.requirements.generate import generate_policies
    from seed_compare import ROOT

    cat = get_catalog()
    m = load_manifest("runbooks")
    cfg = load_config(str(ROOT / "examples/config/runbooks.yaml"))
    for group in ("inventory", "cfat", "finops", "security"):
        allowed = set()
        for p in generate_policies(m, cfg, commands=[group]).policies:
            for s in p.document["Statement"]:
                acts = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
                allowed |= {a.key for a in cat.expand_many(acts)}
        assert "s3:GetObject" not in allowed and "lambda:GetFunction" not in allowed, group
        assert "s3:GetDataAccess" not in allowed, group
