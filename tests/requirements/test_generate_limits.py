"""Size limits, the managed-policies-per-role warning, and the role's trust policy.

AWS rules encoded (IAM User Guide, "IAM and AWS STS quotas"): a customer managed policy document
holds at most 6,144 characters (white space not counted), and a role has at most 10 managed
policies attached by default. ("Policy evaluation logic": identity policies are a union, so one
statement split into several statements with the same effect and conditions allows the same
requests.) "Access to AWS accounts owned by third parties": the trust policy of a role for a
third party requires `sts:ExternalId`.
"""

from __future__ import annotations

import json

import pytest

from requirements_support import ROOT, run_cli
from permwise.catalog import get_catalog
from permwise.errors import InputError
from permwise.policy import validate_document
from permwise.requirements import load_config, load_manifest
from permwise.requirements.generate import (
    MANAGED_POLICIES_PER_ROLE,
    MANAGED_POLICY_MAX_CHARS,
    generate_policies,
    pack,
    policy_size,
)


def _pairs(statements: list[dict]) -> set[tuple[str, str]]:
    out = set()
    for s in statements:
        acts = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        res = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        out |= {(a, r) for a in acts for r in res}
    return out


def test_statement_with_too_many_resources_is_split_without_changing_the_grant():
    resources = [f"arn:aws:s3:::bucket-{i:04d}-{'x' * 40}/*" for i in range(400)]
    stmt = {"Sid": "Objects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    docs = pack([stmt])
    parts = [s for d in docs for s in d["Statement"]]
    assert len(docs) > 1 and all(policy_size(d) <= MANAGED_POLICY_MAX_CHARS for d in docs)
    assert _pairs(parts) == _pairs([stmt])
    assert all(p["Condition"] == stmt["Condition"] and p["Sid"].startswith("ObjectsPart") for p in parts)
    assert len({p["Sid"] for p in parts}) == len(parts)


def _big_manifest(tmp_path):
    m = tmp_path / "big.yaml"
    m.write_text("""manifest: 1
tool: {name: big, version: "1"}
profiles:
  workload: {description: one account}
commands:
  - id: big.all
    name: big all
    group: big
    profile: workload
    access: write
    scp_risk: {level: low, reason: test}
    permissions:
      - actions: ["ec2:*"]
        justification: every EC2 action, expanded and scoped per resource type
""")
    c = tmp_path / "cfg.yaml"
    c.write_text('regions: [us-east-1, eu-west-1, ap-southeast-2]\nprofiles:\n  workload: {account: "123456789012"}\n')
    return m, c


def test_more_than_ten_managed_policies_warns(tmp_path):
    m, c = _big_manifest(tmp_path)
    result = generate_policies(load_manifest(str(m)), load_config(str(c)))
    assert len(result.policies) > MANAGED_POLICIES_PER_ROLE
    assert all(p.size <= MANAGED_POLICY_MAX_CHARS for p in result.policies)
    assert [p.name for p in result.policies][:2] == ["big-workload-1", "big-workload-2"]
    warn = [w for w in result.warnings if "managed policies" in w]
    assert len(warn) == 1 and f"needs {len(result.policies)} managed policies" in warn[0] and "10" in warn[0]
    # nothing lost and nothing added by packing: the actions allowed are exactly ec2:*
    cat = get_catalog()
    allowed = {a.key for p in result.policies for s in p.document["Statement"]
               for a in cat.expand_many(s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert allowed == {a.key for a in cat.expand("ec2:*")}


def test_trust_policy_is_filled_validated_and_written(tmp_path):
    cfg_path = ROOT / "examples/config/wiv.yaml"
    cfg = load_config(str(cfg_path))
    result = generate_policies(load_manifest("wiv"), cfg, commands=["organization"])
    tp = result.trust_policy
    assert tp is not None and tp.kind == "trust"
    ext = [s for s in tp.document["Statement"] if "Condition" in s]
    assert ext[0]["Condition"]["StringEquals"]["sts:ExternalId"] == cfg.variables["external_id"]
    assert "{external_id}" not in json.dumps(tp.document)
    assert not [f for f in validate_document(tp.document, "trust", name="t") if f.severity in ("error", "warning")]
    code, _, err = run_cli("generate", "wiv", "--config", cfg_path, "--commands", "organization", "--out", tmp_path / "o")
    assert code == 0, err
    written = json.loads((tmp_path / "o" / "wiv-trust-policy.json").read_text())
    assert written == tp.document
    # manifests without a trust policy get none
    assert generate_policies(load_manifest("permwise"), None, profiles=["checked"]).trust_policy is None


def test_trust_policy_variable_missing_from_config_is_one_located_error(tmp_path):
    bad = tmp_path / "wiv.yaml"
    bad.write_text('variables:\n  role_name: WivAccessRole\n  athena_workgroup: w\nprofiles:\n  payer: {account: "111111111111"}\n')
    with pytest.raises(InputError) as exc:
        generate_policies(load_manifest("wiv"), load_config(str(bad)), commands=["organization"])
    line = exc.value.one_line()
    assert "external_id" in line and line.startswith(f"{bad}:") and "(at /variables)" in line
