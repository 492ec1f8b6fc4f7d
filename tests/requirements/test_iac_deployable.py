"""Generated IaC deploys as written: CloudFormation without YAML aliases (CloudFormation rejects
them; cfn-lint W1101), Terraform in `terraform fmt`'s canonical layout, and ``--attach`` attaching
the policies to the configured role or IAM Identity Center permission set."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import hcl2
import pytest
import yaml

from requirements_support import ROOT, run_cli

CONFIG = ROOT / "examples" / "config" / "runbooks.yaml"
PS_CONFIG = """\
regions: [ap-southeast-2]
variables: {prefix: acme-ops}
profiles:
  billing:
    account: "222222222222"
    principal: "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/ap-southeast-2/AWSReservedSSO_Billing_0123456789abcdef"
    permission_set:
      name: Billing
      arn: "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef"
      instance_arn: "arn:aws:sso:::instance/ssoins-1234567890abcdef"
"""


def _generate(tmp_path: Path, *args: str) -> dict[str, str]:
    out = tmp_path / "out"
    code, _, err = run_cli("generate", "runbooks", "--out", str(out), "--force", *args)
    assert code == 0, err
    return {p.name: p.read_text() for p in sorted(out.iterdir())}


def _cfn_lint(paths: list[Path]) -> subprocess.CompletedProcess:
    exe = str(Path(sys.executable).with_name("cfn-lint"))
    # W3037: cfn-lint's own, older list of IAM actions lacks some the pinned catalog knows
    return subprocess.run([exe, "--ignore-checks", "W3037", "--", *map(str, paths)],
                          capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------------------ CloudFormation


def test_cloudformation_has_no_yaml_alias_and_passes_cfn_lint(tmp_path):
    """The workload profile's ec2-start and ec2-stop statements share one Condition object, which
    PyYAML would write as `&id001`/`*id001`; CloudFormation rejects YAML aliases (cfn-lint W1101)."""
    files = _generate(tmp_path, "--config", str(CONFIG), "--format", "cloudformation", "--attach")
    for name, text in files.items():
        assert not re.search(r"[&*]id\d{3}", text), name
    workload = yaml.safe_load(files["runbooks-workload.cfn.yaml"])
    conds = [s.get("Condition") for r in workload["Resources"].values()
             for s in r["Properties"]["PolicyDocument"]["Statement"] if s.get("Condition")]
    assert len(conds) >= 2
    proc = _cfn_lint(sorted((tmp_path / "out").glob("*.yaml")))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cloudformation_attach_to_the_role(tmp_path):
    files = _generate(tmp_path, "--config", str(CONFIG), "--format", "cloudformation", "--attach")
    tpl = yaml.safe_load(files["runbooks-billing.cfn.yaml"])
    [res] = tpl["Resources"].values()
    assert res["Properties"]["Roles"] == ["RunbooksBilling"]  # the role NAME, as ManagedPolicy.Roles wants
    plain = _generate(tmp_path, "--config", str(CONFIG), "--format", "cloudformation")
    assert "Roles" not in plain["runbooks-billing.cfn.yaml"]  # only on request


def test_permission_set_attach_in_both_formats(tmp_path):
    cfg = tmp_path / "ps.yaml"
    cfg.write_text(PS_CONFIG)
    cfn = _generate(tmp_path, "--config", str(cfg), "--format", "cloudformation", "--attach", "--profile", "billing")
    ps = yaml.safe_load(cfn["runbooks-billing.permission-set.cfn.yaml"])
    [res] = ps["Resources"].values()
    assert res["Type"] == "AWS::SSO::PermissionSet"
    assert res["Properties"]["CustomerManagedPolicyReferences"] == [{"Name": "runbooks-billing", "Path": "/"}]
    assert "Roles" not in cfn["runbooks-billing.cfn.yaml"]  # the reserved SSO role is never changed
    proc = _cfn_lint(sorted((tmp_path / "out").glob("*.yaml")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tf = _generate(tmp_path, "--config", str(cfg), "--format", "terraform", "--attach", "--profile", "billing")
    text = tf["runbooks-billing.permission-set.tf"]
    parsed = hcl2.loads(text)
    [block] = parsed["resource"]
    body = next(iter(next(iter(block.values())).values()))
    assert "aws_ssoadmin_customer_managed_policy_attachment" in str(block)
    assert str(body["permission_set_arn"]).strip('"').endswith("/ps-1234567890abcdef")
    assert_fmt_canonical(text)


def test_attach_to_a_reserved_sso_role_without_permission_set_is_refused(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(PS_CONFIG.split("    permission_set:")[0])
    code, _, err = run_cli("generate", "runbooks", "--config", str(cfg), "--format", "terraform", "--attach", "--profile", "billing")
    assert code == 2 and "permission set" in err and "permission_set" in err


def test_attach_needs_an_iac_format(tmp_path):
    code, _, err = run_cli("generate", "runbooks", "--config", str(CONFIG), "--attach")
    assert code == 2 and "`--attach` works with" in err


# ------------------------------------------------------------------------------ Terraform


def _brackets(line: str) -> int:
    """Net brackets a line opens, ignoring those inside quoted strings."""
    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def assert_fmt_canonical(text: str) -> None:
    """The rules `terraform fmt` applies (hclwrite's formatter), checked independently of the
    writer: two spaces per open-bracket line, no tabs or trailing spaces, one final newline, one
    space after `=`, and the `=` of consecutive one-line attributes aligned one space after the
    longest name (a line opening a multi-line value is not aligned and ends the group)."""
    assert text.endswith("\n") and not text.endswith("\n\n")
    depth = 0
    group: list[tuple[int, str]] = []

    def close_group() -> None:
        if group:
            cols = {line.index(" = ") if " = " in line else -1 for _, line in group}
            assert len(cols) == 1, f"unaligned `=` in lines {[n for n, _ in group]}"
            longest = max(len(line.split("=", 1)[0].rstrip()) for _, line in group)
            assert cols == {longest}, f"`=` not one space after the longest name at line {group[0][0]}"
        group.clear()

    for n, line in enumerate(text.splitlines(), 1):
        assert "\t" not in line and line == line.rstrip(), f"line {n}: tab or trailing space"
        if not line.strip():
            close_group()
            continue
        stripped = line.lstrip(" ")
        net = 0 if stripped.startswith("#") else _brackets(line)
        closing = stripped[0] in ")]}"
        want = depth - 1 if closing else depth
        assert len(line) - len(stripped) == 2 * want, f"line {n}: indent {len(line) - len(stripped)}, want {2 * want}: {line!r}"
        if net > 0:
            depth += 1
        elif net < 0:
            depth -= 1
        is_attr = not stripped.startswith("#") and re.match(r'^("[^"]*"|[\w-]+)\s*=\s', stripped) and net == 0
        if is_attr:
            assert re.search(r" = \S", stripped) and "=  " not in stripped, f"line {n}: spacing around `=`"
            group.append((n, line))
        else:
            if re.match(r'^("[^"]*"|[\w-]+) +=', stripped):  # opens a multi-line value: exactly one space
                assert re.match(r'^("[^"]*"|[\w-]+) = ', stripped), f"line {n}: a multi-line value is not aligned"
            close_group()
    close_group()
    assert depth == 0


def test_terraform_follows_terraform_fmt_layout_and_parses(tmp_path):
    files = _generate(tmp_path, "--config", str(CONFIG), "--format", "terraform", "--attach")
    assert [n for n in files if n.endswith(".tf")] == [f"runbooks-{p}.tf" for p in ("billing", "management", "operations", "workload")]
    for name, text in files.items():
        assert_fmt_canonical(text)
        parsed = hcl2.loads(text)
        kinds = {k.strip('"') for block in parsed["resource"] for k in block}
        assert kinds == {"aws_iam_policy", "aws_iam_role_policy_attachment"}, name


def test_fmt_checker_rejects_the_old_unaligned_layout():
    bad = 'x = {\n  "Sid" = "A"\n  "Effect" = "Allow"\n}\n'
    with pytest.raises(AssertionError, match="unaligned"):
        assert_fmt_canonical(bad)
    assert_fmt_canonical('x = {\n  "Sid"    = "A"\n  "Effect" = "Allow"\n}\n')


TERRAFORM = shutil.which("terraform")


NO_TERRAFORM = pytest.mark.skipif(TERRAFORM is None, reason="no terraform binary on PATH (it is on neither PyPI "
                                  "nor Debian); the layout is checked by test_terraform_follows_terraform_fmt_layout_and_parses")


@NO_TERRAFORM
def test_terraform_fmt_check(tmp_path):
    _generate(tmp_path, "--config", str(CONFIG), "--format", "terraform", "--attach")
    fmt = subprocess.run([TERRAFORM, "fmt", "-check", "-diff", "-no-color", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@NO_TERRAFORM
def test_terraform_validate(tmp_path):
    _generate(tmp_path, "--config", str(CONFIG), "--format", "terraform", "--attach")
    out = tmp_path / "out"
    init = subprocess.run([TERRAFORM, "init", "-backend=false", "-input=false", "-no-color"], cwd=out,
                          capture_output=True, text=True, timeout=600)
    if init.returncode != 0:
        why = next((line.strip(" │") for line in init.stderr.splitlines() if "Error" in line), "no error text")
        pytest.skip(f"terraform init could not install the AWS provider (offline?): {why[:160]}")
    val = subprocess.run([TERRAFORM, "validate", "-no-color"], cwd=out, capture_output=True, text=True, timeout=300)
    assert val.returncode == 0, val.stdout + val.stderr
