"""Output formats: CloudFormation passes cfn-lint, Terraform parses as HCL, SCP exceptions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from pathlib import Path

import hcl2
import yaml

from requirements_support import MINI, MINI_CONFIG, ROOT
from permwise.requirements import load_config, load_manifest
from permwise.requirements.formats import hcl_string, render
from permwise.requirements.generate import generate_policies


def _result(name="runbooks"):
    if name == "mini":
        return load_manifest(str(MINI)), generate_policies(load_manifest(str(MINI)), load_config(str(MINI_CONFIG)))
    m = load_manifest(name)
    return m, generate_policies(m, load_config(str(ROOT / "examples/config" / f"{name}.yaml")))


def test_cloudformation_passes_cfn_lint(tmp_path):
    """CloudFormation: AWS::IAM::ManagedPolicy with ManagedPolicyName, Description and a
    PolicyDocument. W3037 (cfn-lint's own, older list of IAM actions) is ignored: the pinned
    catalog knows actions that cfn-lint's bundled data does not (e.g. guardduty:ListInvestigations)."""
    m, result = _result("runbooks")
    rendered = render(result, "cloudformation", m.tool.name, m.tool.version)
    assert sorted(rendered.files) == [f"runbooks-{p}.cfn.yaml" for p in sorted(m.profiles)]
    paths = []
    for name, text in rendered.files.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
        tpl = yaml.safe_load(text)
        types = {r["Type"] for r in tpl["Resources"].values()}
        assert types == {"AWS::IAM::ManagedPolicy"}
        docs = [r["Properties"]["PolicyDocument"] for r in tpl["Resources"].values()]
        assert docs == [p.document for p in result.policies if f"runbooks-{p.profile}.cfn" in name]
    exe = shutil.which("cfn-lint") or str(Path(sys.executable).with_name("cfn-lint"))
    proc = subprocess.run([exe, "--ignore-checks", "W3037", "--", *paths],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_terraform_parses_as_hcl_and_round_trips():
    m, result = _result("mini")
    rendered = render(result, "terraform", m.tool.name, m.tool.version)
    for name, text in rendered.files.items():
        parsed = hcl2.loads(text)
        # python-hcl2 keeps the quotes of block labels in some versions
        blocks = [{k.strip('"'): v for k, v in block.items()} for block in parsed["resource"]]
        resources = [body for block in blocks for body in block["aws_iam_policy"].values()]
        profile = name.removeprefix("minitool-").removesuffix(".tf")
        assert [r["name"].strip('"') for r in resources] == [p.name for p in result.policies if p.profile == profile]


def test_hcl_escapes_policy_variables_and_quotes():
    # Terraform: "${" starts an interpolation in a quoted string; "$${" is a literal "${".
    # IAM policy variables such as ${aws:username} must reach AWS literally.
    assert hcl_string('arn:aws:s3:::b/${aws:username}/"x"') == 'arn:aws:s3:::b/$${aws:username}/\\"x\\"'
    text = 'x = "' + hcl_string('a ${aws:username} %{ if } \\ "q"') + '"\n'
    assert hcl2.loads(text)["x"]


def _template(rendered, name="minitool"):
    return json.loads(rendered.files[f"{name}-scp-exception.template.json"])


def test_scp_exception_without_snapshot_is_a_template_that_cannot_be_attached():
    """Without a snapshot the output is a template to merge into the user's own Deny statement:
    a standalone deny-all-but-the-tool SCP would block those actions for every other principal.
    It has no Version/Statement at its top level, so Organizations would reject it as a policy."""
    m, result = _result("mini")
    rendered = render(result, "scp-exception", m.tool.name, m.tool.version,
                      management_profiles=frozenset({"management"}))
    tpl = _template(rendered)
    assert "Version" not in tpl and "Statement" not in tpl
    assert tpl["Template"].startswith("TEMPLATE TO MERGE, NOT A POLICY TO ATTACH")
    assert not [n for n in rendered.files if n.endswith(".json") and "template" not in n]
    risky = {cp.command.id for cp in result.plans if cp.command.scp_risk.level in ("medium", "high")}
    member = {cp.command.id for cp in result.plans if cp.profile != "management"} & risky
    assert {e["Command"] for e in tpl["Merge"]} == member
    for e in tpl["Merge"]:
        principals = e["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
        assert principals == [e["Principal"]] and ":111111111111:" not in e["Principal"]
    # the management account's risky commands are left out, and the reason is given
    assert set(tpl.get("SkippedManagementAccountCommands", [])) == risky - member
    explanation = rendered.files["minitool-scp-exception.md"]
    assert "not an SCP to attach" in explanation and "management account" in explanation


def test_scp_exception_needs_principal(tmp_path, cli):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(MINI_CONFIG.read_text().replace(', principal: "arn:aws:iam::222222222222:role/MiniWorkload"', ""))
    code, _, err = cli("generate", str(MINI), "--config", str(cfg), "--format", "scp-exception")
    assert code == 2 and "principal of profile `workload`" in err


def test_scp_exception_allow_list_opens_the_commands_to_the_tool_only():
    """Organizations, "SCP evaluation": with an allow-list strategy every level from the root to
    the account must allow an action. Adding the template's Allow statements to each level lets
    the tool's role run its risky commands, and only that role (`ArnLike aws:PrincipalArn`)."""
    from permwise.engine import PolicySet, Request, compile_policy, evaluate

    m, result = _result("mini")
    rendered = render(result, "scp-exception", m.tool.name, m.tool.version, scp_strategy="allow-list")
    tpl = _template(rendered)
    assert "Statement" not in tpl and tpl["Strategy"] == "allow-list"
    doc = {"Version": "2012-10-17", "Statement": [e["Statement"] for e in tpl["Merge"]]}
    assert all(s["Effect"] == "Allow" and "ArnLike" in s["Condition"] for s in doc["Statement"])
    assert "allow-list" in rendered.files["minitool-scp-exception.md"]
    baseline = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}
    admin = compile_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    levels = [[compile_policy(baseline, kind="scp", name="AllowList"), compile_policy(doc, kind="scp", name="ToolException")]
              for _ in ("root", "ou", "account")]
    without = [[compile_policy(baseline, kind="scp", name="AllowList")] for _ in ("root", "ou", "account")]
    risky = [cp for cp in result.plans if cp.command.scp_risk.level in ("medium", "high")]
    assert risky
    for cp in risky:
        for r in cp.requests:
            other = cp.principal.rsplit("/", 1)[0] + "/SomeoneElse"
            for principal, scps, want in ((cp.principal, levels, "allowed"), (other, levels, "implicitDeny"),
                                          (cp.principal, without, "implicitDeny")):
                res = evaluate(PolicySet(identity=[admin], scps=scps),
                               Request(principal=principal, action=r.action, resource=r.resource,
                                       context=r.context() if r.conditions else {}))
                assert res.decision == want, (principal, r.action, r.resource, res.reasons)


def test_unknown_scp_strategy_is_bad_input(cli):
    code, _, err = cli("generate", str(MINI), "--config", str(MINI_CONFIG), "--format", "scp-exception",
                       "--scp-strategy", "both")
    assert code == 2 and "--scp-strategy" in err
