"""Policy generation: round trip through the engine, nothing more than required, limits, output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from requirements_support import MINI, MINI_CONFIG, ROOT, run_script
from permwise.catalog import get_catalog
from permwise.engine import PolicySet, Request, compile_policy, evaluate
from permwise.requirements import bundled_names, load_config, load_manifest
from permwise.requirements.generate import (
    MANAGED_POLICY_MAX_CHARS,
    compress_actions,
    generate_policies,
    pack,
    policy_size,
)

BUNDLED = bundled_names()


def _cases():
    out = [("mini", str(MINI), str(MINI_CONFIG))]
    for name in BUNDLED:
        out.append((name, name, str(ROOT / "examples" / "config" / f"{name}.yaml")))
    return out


def _allowed_actions(docs: list[dict]) -> set[str]:
    cat = get_catalog()
    pats = []
    for d in docs:
        for s in d["Statement"]:
            assert s["Effect"] == "Allow"
            acts = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            pats.extend(acts)
    return {a.key.lower() for a in cat.expand_many(pats)}


@pytest.mark.parametrize("name,manifest,config", _cases(), ids=[c[0] for c in _cases()])
def test_round_trip_allowed_and_nothing_more(name, manifest, config):
    """AWS "Policy evaluation logic": a request is allowed when an identity-policy statement
    matches its action, resource and conditions and nothing denies it. Every required request
    must be allowed by the generated policies of its profile (evaluated by the engine), and the
    actions the policies allow, expanded against the catalog, must be exactly the required ones."""
    assert Path(config).is_file(), f"sample config missing: {config}"
    m = load_manifest(manifest)
    cfg = load_config(config)
    result = generate_policies(m, cfg)
    by_profile = result.by_profile()
    required: dict[str, set[str]] = {}
    for cp in result.plans:
        docs = by_profile[cp.profile]
        ps = PolicySet(identity=[compile_policy(p.document, name=p.name) for p in docs])
        for req in cp.requests:
            # The identity side only: resource_account is the caller's own account, so a
            # cross-account resource (sts:AssumeRole into `arn:aws:iam::*:role/...`) does not
            # also need the other account's resource policy for this check.
            r = evaluate(ps, Request(principal=cp.principal, action=req.action, resource=req.resource,
                                     resource_account=cp.account, context=req.context()))
            assert r.decision == "allowed", (cp.command.id, req.action, req.resource, r.decision)
        required.setdefault(cp.profile, set()).update(r.action.lower() for r in cp.requests)
    for profile, docs in by_profile.items():
        assert _allowed_actions([p.document for p in docs]) == required[profile], profile
    for p in result.policies:
        # IAM quotas: a managed policy is at most 6,144 characters, white space not counted.
        assert p.size <= MANAGED_POLICY_MAX_CHARS
        assert p.account == cfg.profiles[p.profile].account


def test_wildcard_only_actions_alone_on_star_and_scoped_elsewhere():
    """Service Authorization Reference: an action with no resource types can only be granted on
    "*"; actions with resource types are scoped to their ARN (here filled for the account and each
    region). "*" statements hold only wildcard-only actions (or wildcards the manifest intends)."""
    cat = get_catalog()
    m, cfg = load_manifest(str(MINI)), load_config(str(MINI_CONFIG))
    for p in generate_policies(m, cfg).policies:
        for s in p.document["Statement"]:
            acts = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            res = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
            intended = s["Sid"].endswith("All")
            if res == ["*"] and not intended:
                assert all(a.wildcard_only for x in acts for a in cat.expand(x)), s
            if res != ["*"]:
                assert "*" not in res
                for r in res:
                    assert r.startswith("arn:aws:")
                    acct = r.split(":")[4]
                    assert acct in ("", cfg.profiles[p.profile].account), r


def test_compression_never_adds_an_action():
    """A wildcard is used only where its catalog expansion lies within the required actions."""
    cat = get_catalog()
    names = [a.name for a in cat.expand("ec2:Describe*")][:-3] + ["StartInstances"]
    out = compress_actions("ec2", names)
    assert {a.key.lower() for a in cat.expand_many(out)} == {f"ec2:{n}".lower() for n in names}
    assert len(out) < len(names)
    everything = [a.name for a in cat.expand("guardduty:List*")]
    assert compress_actions("guardduty", everything) == ["guardduty:List*"]


def test_unintended_wildcard_is_expanded(tmp_path):
    """`guardduty:List*` without wildcard_intended: generated as the explicit actions it expands to
    (compressed only where exact), never kept as written when the expansion is split by resources."""
    m, cfg = load_manifest(str(MINI)), load_config(str(MINI_CONFIG))
    docs = [p.document for p in generate_policies(m, cfg, commands=["org.describe"]).policies]
    acts = [a for d in docs for s in d["Statement"] for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    assert "guardduty:List*" not in acts  # ListCoverage is scoped to detectors, the rest are not
    assert "organizations:Describe*" in acts  # intended: kept as written


def test_split_by_size_and_deterministic():
    stmts = [{"Sid": f"S{i}", "Effect": "Allow", "Action": [f"ec2:Describe{'X' * 40}{j}" for j in range(20)],
              "Resource": "*"} for i in range(12)]
    docs = pack(stmts)
    assert len(docs) > 1
    assert all(policy_size(d) <= MANAGED_POLICY_MAX_CHARS for d in docs)
    assert [s for d in docs for s in d["Statement"]] == stmts  # order kept, nothing lost
    # one statement larger than the limit is split into parts
    big = [{"Sid": "Big", "Effect": "Allow", "Action": [f"ec2:Describe{'Y' * 50}{j}" for j in range(200)], "Resource": "*"}]
    parts = [s for d in pack(big) for s in d["Statement"]]
    assert len(parts) > 1 and all(re.fullmatch(r"BigPart\d+", s["Sid"]) for s in parts)
    m, cfg = load_manifest("runbooks"), load_config(str(ROOT / "examples/config/runbooks.yaml"))
    a = [p.document for p in generate_policies(m, cfg).policies]
    b = [p.document for p in generate_policies(m, cfg).policies]
    assert json.dumps(a) == json.dumps(b)


def test_policy_size_ignores_whitespace():
    # IAM quotas: "IAM doesn't count white space when computing the size of a policy".
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert policy_size(doc) == len(json.dumps(doc, separators=(",", ":")))


def test_sids_unique_and_readable():
    m, cfg = load_manifest("runbooks"), load_config(str(ROOT / "examples/config/runbooks.yaml"))
    for p in generate_policies(m, cfg).policies:
        sids = [s["Sid"] for s in p.document["Statement"]]
        assert len(sids) == len(set(sids))
        # IAM JSON policy elements: Sid: the Sid element supports ASCII letters and digits only.
        assert all(re.fullmatch(r"[A-Za-z0-9]+", s) for s in sids)
    sids = [s["Sid"] for p in generate_policies(m, cfg, commands=["inventory.collect"]).policies for s in p.document["Statement"]]
    assert all(s.startswith("InventoryCollect") for s in sids)


def test_generate_permwise_without_config_prints_policy():
    proc = run_script("generate", "permwise")
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    docs = docs if "Version" not in docs else {"permwise": docs}
    cat = get_catalog()
    for doc in docs.values():
        for s in doc["Statement"]:
            acts = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            for a in cat.expand_many(acts):
                # permwise only reads (sts:AssumeRole returns credentials and changes nothing)
                assert not a.is_write or a.key == "sts:AssumeRole", a.key


def test_without_config_account_and_region_become_star(cli):
    code, out, err = cli("generate", str(MINI), "--commands", "operate.ec2-start")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["Statement"][0]["Resource"] == "arn:aws:ec2:*:*:instance/*"
    # the manifest's example fills {env} when there is no config
    assert doc["Statement"][0]["Condition"] == {"StringEquals": {"ec2:ResourceTag/Environment": "dev"}}


def test_out_dir_never_overwritten_without_force(tmp_path, cli):
    out = tmp_path / "p"
    code, _, err = cli("generate", str(MINI), "--config", str(MINI_CONFIG), "--out", str(out))
    assert code == 0, err
    files = sorted(x.name for x in out.iterdir())
    assert files == ["minitool-management.json", "minitool-workload.json"]
    before = (out / files[0]).read_text()
    (out / files[0]).write_text("mine")
    code, _, err = cli("generate", str(MINI), "--config", str(MINI_CONFIG), "--out", str(out))
    assert code == 2 and "refusing to overwrite" in err and "--force" in err
    assert (out / files[0]).read_text() == "mine"
    code, _, _ = cli("generate", str(MINI), "--config", str(MINI_CONFIG), "--out", str(out), "--force")
    assert code == 0 and (out / files[0]).read_text() == before


CONFIG_CASES = [
    # The account id must be a quoted 12-digit string (YAML reads digits as a number).
    ("unquoted-account", MINI_CONFIG.read_text().replace('account: "222222222222"', "account: 222222222222"),
     "account: 222222222222", "quoted 12-digit string"),
    ("missing-profile", MINI_CONFIG.read_text().replace(
        '  management: {account: "111111111111", principal: "arn:aws:iam::111111111111:role/MiniManagement"}\n', ""),
     "  workload:", "no account for profile `management`"),
    ("missing-variable", MINI_CONFIG.read_text().replace("variables: {prefix: acme, env: prod}", "variables: {prefix: acme}"),
     "variables:", "no value for variable `{env}`"),
    ("unknown-field", MINI_CONFIG.read_text().replace("regions:", "region:"), "region:", "unknown field `region`"),
]


@pytest.mark.parametrize("case", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_bad_config_one_line_with_location(tmp_path, cli, case):
    name, text, marker, message = case
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    line = text[: text.index(marker)].count("\n") + 1
    code, out, err = cli("generate", str(MINI), "--config", str(path))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"permwise: error: {path}:{line}:"), lines[0]
    assert message in lines[0]


def test_unknown_command_and_profile(cli):
    code, _, err = cli("generate", str(MINI), "--commands", "inventory.colect")
    assert code == 2 and "did you mean `inventory.collect`?" in err
    code, _, err = cli("generate", str(MINI), "--profile", "workloads")
    assert code == 2 and "did you mean `workload`?" in err


def test_unknown_variable_without_config_is_an_error(tmp_path, cli):
    text = MINI.read_text().replace("  env: {description: environment name, example: dev}\n",
                                    "  env: {description: environment name}\n")
    path = tmp_path / "noexample.yaml"
    path.write_text(text)
    code, _, err = cli("generate", str(path), "--commands", "operate")
    assert code == 2 and "variable `{env}`" in err and "--config" in err


def test_intended_wildcard_with_templates_stays_on_its_templates(tmp_path):
    """A wildcard kept as intended (`s3:*` on one bucket and its objects) is generated as written:
    the Resource is the filled templates, never widened to "*" by the wildcard-only actions in
    the expansion (s3:ListAllMyBuckets)."""
    text = MINI.read_text().replace(
        "      - actions: [guardduty:List*]\n",
        '      - actions: [s3:*]\n        resources: ["arn:{partition}:s3:::{prefix}-logs", "arn:{partition}:s3:::{prefix}-logs/*"]\n'
        "        wildcard_intended: true\n        justification: own the log bucket\n"
        "      - actions: [guardduty:List*]\n")
    path = tmp_path / "m.yaml"
    path.write_text(text)
    result = generate_policies(load_manifest(str(path)), load_config(str(MINI_CONFIG)), commands=["org.describe"])
    stmts = [s for p in result.policies for s in p.document["Statement"] if s["Action"] == "s3:*"]
    assert len(stmts) == 1
    assert stmts[0]["Resource"] == ["arn:aws:s3:::acme-logs", "arn:aws:s3:::acme-logs/*"]
