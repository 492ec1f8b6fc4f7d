"""``generate --format scp-exception``: the smallest SCP change that lets a tool's commands run.

Two modes, both safe to hand to a security team:

* **with a snapshot** (``--env``): ``check`` already knows which SCP statement blocks which
  command. For every SCP statement that explicitly denies a required action of a member-account
  principal, the patch is that statement with the tool's role added to an ``ArnNotLike`` on
  ``aws:PrincipalArn`` (merged into an existing exception list), and the whole SCP document with
  that one statement changed, ready for ``aws organizations update-policy``. An SCP level that
  lacks an allow (allow-list strategy) gets the Allow statement ``check`` proposes. Principals in
  the management account never appear: SCPs never apply to them (AWS Organizations, "Service
  control policies"), so ``check`` never finds them blocked.
* **without a snapshot**: a *template to merge*, never a policy to attach. It lists, per risky
  command, the actions and the condition to merge into the Deny statement of your own SCP that
  blocks them. A standalone "deny everything but the tool" SCP would deny those actions
  (``ec2:DescribeInstances``, ``s3:CreateBucket``, ...) to every other principal of the
  organization, so the template is written so that it cannot be attached as is: it has no
  ``Version``/``Statement`` at its top level.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from permwise.requirements.check import EXPLICIT_DENY, CheckReport, exception_statement


@dataclass
class ScpPatch:
    """One SCP and the change of one of its statements (or one statement to add)."""

    policy: str
    policy_id: str
    attached_to: str
    change: str  # "add-exception" | "add-allow"
    pointer: str | None
    sid: str | None
    principals: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    before: dict | None = None
    after: dict | None = None
    document: dict | None = None  # the whole SCP with the change applied

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "policy_id": self.policy_id, "attached_to": self.attached_to,
                "change": self.change, "statement": self.pointer, "sid": self.sid,
                "principals": self.principals, "commands": self.commands, "actions": self.actions,
                "before": self.before, "after": self.after}


def _statement_index(pointer: str | None) -> int | None:
    if pointer and pointer.startswith("/Statement/"):
        tail = pointer.removeprefix("/Statement/").split("/", 1)[0]
        if tail.isdigit():
            return int(tail)
    if pointer == "/Statement":
        return 0
    return None


def scp_patches(report: CheckReport, env) -> list[ScpPatch]:
    """The SCP changes that unblock the commands of ``report`` (sorted by policy and statement)."""
    patches: dict[tuple[str, str | None, str], ScpPatch] = {}
    docs: dict[str, dict] = {}  # one changed document per SCP, shared by its patches
    for cmd in report.commands:
        if not cmd.principal:
            continue
        for b in cmd.blockers:
            if b.layer != "scp" or b.policy is None:
                continue
            op = env.org_policy_by_name(b.policy)
            if op is None:
                continue
            where = ", ".join(env.node_label(t) for t in op.targets)
            if b.decision == EXPLICIT_DENY:
                key = (op.name, b.pointer, "add-exception")
                p = patches.get(key)
                if p is None:
                    idx = _statement_index(b.pointer)
                    doc = docs.setdefault(op.id, copy.deepcopy(op.document))
                    sts = doc.get("Statement")
                    sts = sts if isinstance(sts, list) else [sts]
                    before = sts[idx] if idx is not None and idx < len(sts) else None
                    p = patches[key] = ScpPatch(op.name, op.id, where, "add-exception", b.pointer, b.sid,
                                                before=copy.deepcopy(before), after=copy.deepcopy(before), document=doc)
                if p.after is not None and cmd.principal not in p.principals:
                    p.after = exception_statement(p.after, cmd.principal)
            else:  # an SCP level without an allow: add the allow check proposes
                key = (op.name, b.level, "add-allow")
                p = patches.get(key)
                if p is None:
                    doc = docs.setdefault(op.id, copy.deepcopy(op.document))
                    p = patches[key] = ScpPatch(op.name, op.id, where, "add-allow", None, None, document=doc,
                                                after=copy.deepcopy(b.fix.statement) if b.fix else None)
            if cmd.principal not in p.principals:
                p.principals.append(cmd.principal)
            p.commands.append(cmd.id)
            p.actions.extend(a for a in b.actions if a not in p.actions)
    out = sorted(patches.values(), key=lambda p: (p.policy, p.pointer or "", p.change))
    for p in out:
        p.principals.sort()
        p.commands = sorted(set(p.commands))
        p.actions.sort(key=str.lower)
        _apply(p)
    return out


def _apply(p: ScpPatch) -> None:
    doc = p.document
    if doc is None or p.after is None:
        return
    sts = doc.get("Statement")
    if not isinstance(sts, list):
        sts = [sts]
        doc["Statement"] = sts
    if p.change == "add-exception":
        idx = _statement_index(p.pointer)
        if idx is not None and idx < len(sts):
            sts[idx] = p.after
    else:
        sts.append(p.after)


def patch_markdown(manifest_name: str, patches: list[ScpPatch], file_of: dict[str, str]) -> str:
    lines = [f"# SCP patch for {manifest_name}", "",
             "Generated by `permwise generate --format scp-exception --env`: the SCP statements that block the",
             "selected commands in this snapshot, and the smallest change to each. Apply a changed SCP with",
             "`aws organizations update-policy --policy-id ID --content file://FILE`. An SCP never grants: the",
             "roles still need the identity policies from `permwise generate`. Principals of the management",
             "account are never listed: SCPs do not apply to them.", ""]
    if not patches:
        lines.append("No SCP blocks the selected commands in this snapshot: no exception is needed.")
        return "\n".join(lines) + "\n"
    for p in patches:
        lines.append(f"## SCP `{p.policy}` ({p.policy_id}), attached to {p.attached_to}")
        lines.append("")
        if p.change == "add-exception":
            lines.append(f"Statement {p.pointer}" + (f" (`{p.sid}`)" if p.sid else "")
                         + " denies " + ", ".join(f"`{a}`" for a in p.actions[:8])
                         + (f" and {len(p.actions) - 8} more" if len(p.actions) > 8 else "")
                         + f" to the tool. Change: add {', '.join(f'`{x}`' for x in p.principals)} to the "
                         "statement's `ArnNotLike` `aws:PrincipalArn` exception list (created when missing).")
        else:
            lines.append("This SCP level has no allow for " + ", ".join(f"`{a}`" for a in p.actions[:8])
                         + ". Change: add the statement below (limited to the tool's roles).")
        lines += ["", f"Commands: {', '.join(f'`{c}`' for c in p.commands)}.", "",
                  f"Whole changed SCP: `{file_of[p.policy_id]}`.", "", "Statement after the change:",
                  "", "```json", _dumps(p.after), "```", ""]
    return "\n".join(lines)


def _dumps(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)
