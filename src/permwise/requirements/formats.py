"""Output formats of ``permwise generate``: policy JSON, CloudFormation, Terraform, SCP exception.

Plain serialization, not text templates: every format is built as data and written by a
serializer (``json``, ``yaml.safe_dump``, and a small HCL writer with HCL string escaping), so no
value can break the syntax of the output (a quote or ``${`` in a condition value is escaped by the
serializer, never pasted into a template). See docs/generate.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from permwise.errors import InputError
from permwise.requirements.attach import AttachTarget, attach_target
from permwise.requirements.generate import (
    SCP_MAX_CHARS,
    GeneratedPolicy,
    GenerationResult,
    compress_actions,
    pack,
    pascal,
    validate_generated,
)
from permwise.requirements.model import PermissionSetConfig

FORMATS = ("json", "cloudformation", "terraform", "scp-exception")


@dataclass
class Rendered:
    """Files to write (name -> text) and the text for stdout when there is no ``--out``."""

    files: dict[str, str]
    stdout: str
    notes: list[str]


def dumps_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(result: GenerationResult, fmt: str, manifest_name: str, tool_version: str,
           scp_strategy: str = "deny-list", attach: bool = False,
           permission_sets: dict[str, PermissionSetConfig] | None = None,
           management_profiles: frozenset[str] = frozenset()) -> Rendered:
    """The files of one format. ``attach`` (CloudFormation and Terraform) also attaches each
    profile's policies to its principal or permission set (see :mod:`permwise.requirements.attach`)."""
    targets = _attach_targets(result, permission_sets or {}) if attach else {}
    if attach and fmt not in ("cloudformation", "terraform"):
        raise InputError(f"`--attach` works with `--format cloudformation` or `terraform`, not `{fmt}`",
                         hint="JSON is the bare policy documents; attach them with your own tooling")
    if fmt == "json":
        return _with_trust(_render_json(result), result)
    if fmt == "cloudformation":
        return _with_trust(_render_cfn(result, tool_version, targets), result)
    if fmt == "terraform":
        return _with_trust(_render_tf(result, tool_version, targets), result)
    if fmt == "scp-exception":
        return render_scp_exception(result, manifest_name, scp_strategy, management_profiles)
    raise InputError(f"unknown format `{fmt}`", hint=f"use one of {', '.join(FORMATS)}")


def _attach_targets(result: GenerationResult, permission_sets: dict[str, PermissionSetConfig]) -> dict[str, AttachTarget]:
    return {profile: attach_target(ps[0], permission_sets.get(profile)) for profile, ps in result.by_profile().items()}


# --------------------------------------------------------------------------------------------- json


def _render_json(result: GenerationResult) -> Rendered:
    files = {f"{p.name}.json": dumps_json(p.document) for p in result.policies}
    docs = result.policies + ([result.trust_policy] if result.trust_policy else [])
    if len(docs) == 1:
        stdout = dumps_json(docs[0].document)
    else:
        stdout = dumps_json({p.name: p.document for p in docs})
    return Rendered(files, stdout, [])


def _with_trust(rendered: Rendered, result: GenerationResult) -> Rendered:
    """The role's trust policy (manifests with ``trust_policy``) goes beside the identity policies
    as ``<tool>-trust-policy.json`` in every format: it is the document to give the role."""
    tp = result.trust_policy
    if tp is not None:
        rendered.files[f"{tp.name}.json"] = dumps_json(tp.document)
        rendered.notes.append(f"trust policy of the role: {tp.name}.json")
    return rendered


# --------------------------------------------------------------------------------------------- CloudFormation


def _logical_id(policy: GeneratedPolicy) -> str:
    return pascal(policy.name) + "Policy"


def cloudformation_template(policies: list[GeneratedPolicy], tool_version: str,
                            target: AttachTarget | None = None) -> dict[str, Any]:
    first = policies[0]
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for p in policies:
        lid = _logical_id(p)
        props: dict[str, Any] = {"ManagedPolicyName": p.name, "Description": p.description, "PolicyDocument": p.document}
        if target is not None and target.kind in ("role", "user"):
            props["Roles" if target.kind == "role" else "Users"] = [target.name]
        resources[lid] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": props}
        outputs[f"{lid}Arn"] = {"Description": f"ARN of {p.name}", "Value": {"Ref": lid}}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Least-privilege managed policies of {first.tool} {tool_version} for the {first.profile} "
                       f"profile (generated by permwise; do not edit, regenerate)",
        "Metadata": {"permwise": {"tool": first.tool, "toolVersion": tool_version, "profile": first.profile,
                                  "commands": sorted({c for p in policies for c in p.commands})}},
        "Resources": resources,
        "Outputs": outputs,
    }


class _NoAliasDumper(yaml.SafeDumper):
    """PyYAML writes an object met twice (two statements sharing one Condition) as an anchor and
    an alias (`&id001` / `*id001`); CloudFormation rejects aliases (cfn-lint W1101), so every
    occurrence is written out in full."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, width=120, allow_unicode=True)


def permission_set_template(policies: list[GeneratedPolicy], target: AttachTarget) -> dict[str, Any]:
    """The permission set with the profile's policies as customer managed policy references.
    CloudFormation has no resource that adds a reference to a permission set it does not manage,
    so this is the permission set's definition: deploy it in the Identity Center account, or copy
    its ``CustomerManagedPolicyReferences`` into the template that already defines it."""
    ps = target.permission_set
    assert ps is not None
    first = policies[0]
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"IAM Identity Center permission set {ps.name} with the {first.tool} policies of the "
                       f"{first.profile} profile (generated by permwise; deploy in the Identity Center account)",
        "Resources": {
            pascal(ps.name) + "PermissionSet": {
                "Type": "AWS::SSO::PermissionSet",
                "Properties": {
                    "InstanceArn": ps.instance_arn,
                    "Name": ps.name,
                    "CustomerManagedPolicyReferences": [{"Name": p.name, "Path": "/"} for p in policies],
                },
            }
        },
    }


def _render_cfn(result: GenerationResult, tool_version: str, targets: dict[str, AttachTarget] | None = None) -> Rendered:
    files = {}
    targets = targets or {}
    for profile, policies in result.by_profile().items():
        target = targets.get(profile)
        tpl = cloudformation_template(policies, tool_version, target)
        files[f"{policies[0].tool}-{profile}.cfn.yaml"] = dump_yaml(tpl)
        if target is not None and target.kind == "permission_set":
            files[f"{policies[0].tool}-{profile}.permission-set.cfn.yaml"] = dump_yaml(
                permission_set_template(policies, target))
    return Rendered(files, "---\n".join(files[k] for k in sorted(files)), [])


# --------------------------------------------------------------------------------------------- Terraform


def hcl_string(s: str) -> str:
    """An HCL quoted string: backslash escapes, and ``${``/``%{`` doubled so that IAM policy
    variables (``${aws:username}``) reach AWS literally instead of being Terraform interpolation."""
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return out.replace("${", "$${").replace("%{", "%%{")


def hcl_value(value: Any, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return f'"{hcl_string(value)}"'
    if isinstance(value, list):
        if not value:
            return "[]"
        items = ",\n".join(f"{pad}  {hcl_value(v, indent + 1)}" for v in value)
        return f"[\n{items},\n{pad}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{\n" + "\n".join(hcl_attributes(
            [(f'"{hcl_string(str(k))}"', hcl_value(v, indent + 1)) for k, v in value.items()], indent + 1)) + f"\n{pad}}}"
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def hcl_attributes(pairs: list[tuple[str, str]], indent: int) -> list[str]:
    """Attribute lines in `terraform fmt`'s canonical layout: two spaces per level, and the `=` of
    consecutive one-line attributes aligned (one space after the longest name). A value spanning
    lines ends the aligned group: its first line opens brackets, which terraform fmt never aligns."""
    pad = "  " * indent
    lines: list[str] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in group), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in group)
        group.clear()

    for key, text in pairs:
        if "\n" in text:
            flush()
            lines.append(f"{pad}{key} = {text}")
        else:
            group.append((key, text))
    flush()
    return lines


def _tf_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def _tf_block(header: str, pairs: list[tuple[str, str]], nested: list[str] | None = None) -> list[str]:
    return [f"{header} {{", *hcl_attributes(pairs, 1), *(nested or []), "}", ""]


def terraform_file(policies: list[GeneratedPolicy], tool_version: str, target: AttachTarget | None = None) -> str:
    """One profile's policies as ``aws_iam_policy`` resources in `terraform fmt`'s canonical
    layout, with ``--attach`` their attachments to the profile's role or user."""
    first = policies[0]
    lines = [
        f"# Least-privilege IAM policies of {first.tool} {tool_version} for the {first.profile} profile"
        + (f" (account {first.account})" if first.account else ""),
        "# Generated by permwise: do not edit, regenerate.",
        "",
    ]
    for p in policies:
        n = _tf_name(p.name)
        lines += _tf_block(f'resource "aws_iam_policy" "{n}"', [
            ("name", hcl_value(p.name)),
            ("description", hcl_value(p.description)),
            ("policy", f"jsonencode({hcl_value(p.document, 1)})"),
        ])
        if target is not None and target.kind in ("role", "user"):
            lines += _tf_block(f'resource "aws_iam_{target.kind}_policy_attachment" "{n}"', [
                (target.kind, hcl_value(target.name)),
                ("policy_arn", f"aws_iam_policy.{n}.arn"),
            ])
        lines += _tf_block(f'output "{n}_arn"', [("value", f"aws_iam_policy.{n}.arn")])
    return "\n".join(lines).rstrip("\n") + "\n"


def terraform_permission_set_file(policies: list[GeneratedPolicy], target: AttachTarget) -> str:
    """The profile's policies referenced by name from its IAM Identity Center permission set, for
    the Identity Center account (the policies themselves live in the profile's account)."""
    ps = target.permission_set
    assert ps is not None
    first = policies[0]
    lines = [
        f"# {first.tool}: attach the {first.profile} profile's policies to the IAM Identity Center permission set {ps.name}.",
        "# Apply with the provider of the Identity Center account; each policy must exist (see the",
        "# profile's own .tf file) in every account the permission set is provisioned to.",
        "",
    ]
    for p in policies:
        lines += _tf_block(f'resource "aws_ssoadmin_customer_managed_policy_attachment" "{_tf_name(p.name)}"', [
            ("instance_arn", hcl_value(ps.instance_arn)),
            ("permission_set_arn", hcl_value(ps.arn)),
        ], ["", *("  " + line for line in _tf_block("customer_managed_policy_reference", [
            ("name", hcl_value(p.name)), ("path", hcl_value("/"))])[:-1])])
    return "\n".join(lines).rstrip("\n") + "\n"


def _render_tf(result: GenerationResult, tool_version: str, targets: dict[str, AttachTarget] | None = None) -> Rendered:
    targets = targets or {}
    files = {}
    for profile, ps in result.by_profile().items():
        target = targets.get(profile)
        files[f"{ps[0].tool}-{profile}.tf"] = terraform_file(ps, tool_version, target)
        if target is not None and target.kind == "permission_set":
            files[f"{ps[0].tool}-{profile}.permission-set.tf"] = terraform_permission_set_file(ps, target)
    return Rendered(files, "\n".join(files[k] for k in sorted(files)), [])


# --------------------------------------------------------------------------------------------- SCP exception


#: the two ways organizations write SCPs (AWS Organizations, "SCP evaluation": a deny list keeps
#: FullAWSAccess and adds Deny statements; an allow list replaces FullAWSAccess with Allow
#: statements, and every level from the root to the account must allow the action)
SCP_STRATEGIES = ("deny-list", "allow-list")

TEMPLATE_NOTE = (
    "TEMPLATE TO MERGE, NOT A POLICY TO ATTACH. {how} Attaching a standalone SCP that denies these "
    "actions to everyone but the tool would block them for every other principal of the organization. "
    "With a snapshot, `permwise generate MANIFEST --config FILE --format scp-exception --env SNAPSHOT` "
    "names the SCP statements that actually block and writes the patched SCPs."
)
HOW = {
    "deny-list": "For each entry, find the Deny statement of your SCPs that blocks `Actions` and merge `Condition` "
                 "into it (append the ARNs to an existing `ArnNotLike` `aws:PrincipalArn` list).",
    "allow-list": "Your SCPs allow only what they list: add each entry's `Statement` to the allow-list SCP at "
                  "every level from the root down to the account (SCP Allow statements accept conditions).",
}

SCP_EXPLANATION = """How to use this SCP exception template ({strategy})

This is a template to merge into your existing SCPs, not an SCP to attach: `{json}` has no
`Version`/`Statement` at its top level, so it cannot be attached by mistake. {how}

Profiles in the management account are left out: SCPs never apply to the management account.
An SCP never grants: the roles still need the identity policies from `permwise generate`. With a
snapshot of the organization, add `--env SNAPSHOT` to get a patch of the SCPs that actually block.
"""


def scp_exception(result: GenerationResult, manifest_name: str,
                  strategy: str = "deny-list", management_profiles: frozenset[str] = frozenset()) -> tuple[dict[str, Any], str]:
    """The merge template for the commands with medium or high SCP risk, and a Markdown
    explanation. With ``deny-list`` each entry holds the ``ArnNotLike aws:PrincipalArn`` condition
    to merge into the blocking Deny; with ``allow-list`` an Allow statement limited to the tool's
    role. Profiles in ``management_profiles`` are skipped (SCPs never apply there)."""
    if strategy not in SCP_STRATEGIES:
        raise InputError(f"unknown SCP strategy `{strategy}`", hint=f"use one of {', '.join(SCP_STRATEGIES)}")
    entries = []
    rows = []
    skipped = []
    for cp in result.plans:
        cmd = cp.command
        if cmd.scp_risk.level not in ("medium", "high"):
            continue
        if cp.profile in management_profiles:
            skipped.append(cmd.id)
            continue
        if not cp.principal:
            raise InputError(
                f"`--format scp-exception` needs the principal of profile `{cp.profile}` (command `{cmd.id}`)",
                hint=f"set `profiles.{cp.profile}.principal` in the config to the tool's role ARN",
            )
        by_service: dict[str, set[str]] = {}
        for r in cp.requests:
            svc, name = r.action.split(":", 1)
            by_service.setdefault(svc, set()).add(name)
        actions = [a for svc in sorted(by_service) for a in compress_actions(svc, by_service[svc])]
        entry: dict[str, Any] = {"Command": cmd.id, "ScpRisk": cmd.scp_risk.level, "Profile": cp.profile,
                                 "Principal": cp.principal, "Actions": actions}
        if strategy == "allow-list":
            st = {"Sid": f"Allow{pascal(cmd.id)}", "Effect": "Allow", "Action": actions, "Resource": "*",
                  "Condition": {"ArnLike": {"aws:PrincipalArn": [cp.principal]}}}
            entry["Statement"] = st
        else:
            st = {"Sid": f"{pascal(cmd.id)}Check", "Effect": "Deny", "Action": actions, "Resource": "*",
                  "Condition": {"ArnNotLike": {"aws:PrincipalArn": [cp.principal]}}}
            entry["Condition"] = st["Condition"]
        # the statement must be valid SCP grammar, and fit an SCP on its own
        for i, doc in enumerate(pack([st], limit=SCP_MAX_CHARS, kind="scp"), 1):
            validate_generated(doc, "scp", f"{manifest_name}-scp-exception-{cmd.id}-{i}")
        entries.append(entry)
        rows.append((cmd.id, cmd.scp_risk.level, cmd.scp_risk.reason, cp.profile, cp.principal, len(actions)))
    template = {"Template": TEMPLATE_NOTE.format(how=HOW[strategy]), "Strategy": strategy, "Merge": entries}
    if skipped:
        template["SkippedManagementAccountCommands"] = skipped
    fname = f"{manifest_name}-scp-exception.template.json"
    lines = [f"# SCP exception template for {manifest_name} ({strategy})", "",
             SCP_EXPLANATION.format(strategy=strategy, json=fname, how=HOW[strategy])]
    if not entries:
        lines.append("No selected member-account command has a medium or high SCP risk: no exception is needed.")
        return template, "\n".join(lines) + "\n"
    lines += ["| Command | SCP risk | Why | Profile | Excepted principal | Action entries |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r[0]}` | {r[1]} | {r[2]} | {r[3]} | `{r[4]}` | {r[5]} |")
    if skipped:
        lines += ["", "Left out (management account, where SCPs never apply): "
                  + ", ".join(f"`{c}`" for c in skipped) + "."]
    return template, "\n".join(lines) + "\n"


def render_scp_exception(result: GenerationResult, manifest_name: str, strategy: str = "deny-list",
                         management_profiles: frozenset[str] = frozenset()) -> Rendered:
    template, explanation = scp_exception(result, manifest_name, strategy, management_profiles)
    files: dict[str, str] = {f"{manifest_name}-scp-exception.md": explanation,
                             f"{manifest_name}-scp-exception.template.json": dumps_json(template)}
    return Rendered(files, dumps_json(template), [explanation])


def render_scp_patch(manifest_name: str, patches: list) -> Rendered:
    """The patched SCPs (``--env``): one changed document per blocking SCP and an explanation."""
    from permwise.requirements.scp_patch import patch_markdown

    files: dict[str, str] = {}
    file_of: dict[str, str] = {}
    for p in patches:
        name = f"scp-{re.sub(r'[^A-Za-z0-9_.-]', '_', p.policy)}.patched.json"
        file_of[p.policy_id] = name
        if p.document is not None:
            files[name] = dumps_json(p.document)
    explanation = patch_markdown(manifest_name, patches, file_of)
    files[f"{manifest_name}-scp-patch.md"] = explanation
    stdout = dumps_json({"Patches": [p.to_dict() for p in patches]})
    return Rendered(files, stdout, [explanation])
