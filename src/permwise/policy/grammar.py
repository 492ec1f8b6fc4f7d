"""Grammar checks: the IAM JSON policy language and the rules of each policy type.

Pure functions over a :class:`PolicyDocument`; no catalog needed. Each check appends
:class:`Finding` objects with a JSON pointer; locations are filled in later, only if needed.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from collections.abc import Iterator
from typing import Any

import orjson

from permwise.catalog import closest
from permwise.policy.findings import Finding
from permwise.policy.model import (
    ORG_TYPES,
    STATEMENT_ELEMENTS,
    TOP_LEVEL_ELEMENTS,
    PolicyDocument,
    Statement,
)
from permwise.policy.operators import all_operator_names, written_operator
from permwise.policy.parser import TRUST_ACTIONS, json_type_name
from permwise.policy.rules import POLICY_RULES
from permwise.policy.size import policy_size
from permwise.sources import join_pointer

VERSIONS = ("2012-10-17", "2008-10-17")
IAM_TYPES = frozenset({"identity", "boundary", "session", "trust"})
NO_PRINCIPAL_TYPES = frozenset({"identity", "boundary", "session", "scp"})
PRINCIPAL_TYPES = frozenset({"resource", "trust", "rcp"})

#: Size limits in characters (see rule P002 for the sources).
IAM_LIMITS = {"managed": 6144, "user": 2048, "group": 5120, "role": 10240}
TRUST_DEFAULT_LIMIT = 2048
TRUST_MAX_LIMIT = 8192
SESSION_LIMIT = 2048
ORG_LIMIT = 5120

_BAD_CHARS = re.compile(r"[^\t\n\r\x20-\xff]")
_SID = re.compile(r"[A-Za-z0-9]*\Z")
_ARN = re.compile(r"arn:[^:]*:[^:]*:[^:]*:[^:]*:.+", re.DOTALL)
_PLACEHOLDER = re.compile(r"<[^<>]+>|(?<!\$)\{[^{}]+\}|\[[A-Z_]+\]")
_ACCOUNT = re.compile(r"\d{12}\Z")
_PRINCIPAL_KEYS = ("AWS", "Service", "Federated", "CanonicalUser")


class Collector:
    """Collects findings with the registry's default severity."""

    __slots__ = ("findings",)

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, pointer: str = "", fix: str | None = None,
            subject: str | None = None, severity: str | None = None) -> None:
        self.findings.append(Finding(code, severity or POLICY_RULES[code].severity, message, pointer, fix,
                                     subject=subject))


def _suggest_element(key: str, allowed: tuple[str, ...]) -> str | None:
    for a in allowed:
        if a.lower() == key.lower():
            return a
    return closest(key, allowed, cutoff=0.8)


def _walk_strings(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield pointer, k
            yield from _walk_strings(v, join_pointer(pointer, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_strings(v, join_pointer(pointer, i))


# ------------------------------------------------------------------------------ document


def check_characters(doc: PolicyDocument, out: Collector) -> None:
    # fast path: one regex over the text (orjson escapes control characters as \u00XX)
    text = doc.source.text if doc.source is not None else orjson.dumps(doc.data).decode()
    if not _BAD_CHARS.search(text) and (doc.source is not None or "\\u00" not in text):
        return
    for ptr, s in _walk_strings(doc.data, ""):
        m = _BAD_CHARS.search(s)
        if m:
            ch = m.group(0)
            out.add("P001", f"character `{ch}` (U+{ord(ch):04X}) is not allowed in a policy", ptr,
                    fix="replace it with plain ASCII (straight quotes, hyphen-minus)", subject=ch)


def size_limit(doc: PolicyDocument) -> int | None:
    if doc.type in ("identity", "boundary"):
        return IAM_LIMITS[doc.attached_as or "managed"] if doc.type == "identity" else IAM_LIMITS["managed"]
    if doc.type == "session":
        return SESSION_LIMIT
    if doc.type == "trust":
        return TRUST_DEFAULT_LIMIT
    if doc.type in ORG_TYPES:
        return ORG_LIMIT
    return None  # resource-based policies: the limit depends on the service


def check_size(doc: PolicyDocument, out: Collector) -> None:
    limit = size_limit(doc)
    if limit is None:
        return
    written = doc.source.text if doc.source is not None and doc.source.fmt == "json" else None
    counted = policy_size(doc.data, doc.type, written)
    minified = policy_size(doc.data, doc.type)
    if counted <= limit:
        return
    what = "characters including white space" if doc.type in ORG_TYPES else "characters without white space"
    where = {"identity": f"{doc.attached_as or 'managed'} identity policy", "scp": "SCP", "rcp": "RCP",
             "boundary": "permissions boundary", "session": "session policy",
             "trust": "role trust policy"}.get(doc.type, f"{doc.type} policy")
    fix = "split the statements into several policies, or merge actions with wildcards"
    if doc.type in ORG_TYPES and minified <= limit:
        fix = f"remove the white space outside quotes ({minified:,} characters minified)"
    severity = None
    if doc.type == "trust" and counted <= TRUST_MAX_LIMIT:
        severity = "warning"
        fix = f"ask for a higher `AssumeRolePolicySizeQuota` (up to {TRUST_MAX_LIMIT:,}) or shorten the policy"
    out.add("P002", f"{where} is {counted:,} {what}; the limit is {limit:,}", "", fix=fix,
            subject=str(counted), severity=severity)


def _uses_variables(doc: PolicyDocument) -> str | None:
    for st in doc.statements:
        for item in st.resources:
            if isinstance(item.value, str) and "${" in item.value:
                return str(item.pointer)
        if isinstance(st.condition, dict):
            for ptr, s in _walk_strings(st.condition, join_pointer(st.pointer, "Condition")):
                if "${" in s:
                    return ptr
    return None


def check_document(doc: PolicyDocument, out: Collector) -> None:
    data = doc.data
    for key in data:
        if key not in TOP_LEVEL_ELEMENTS:
            hint = _suggest_element(key, TOP_LEVEL_ELEMENTS)
            out.add("P006", f"unknown top-level element `{key}`", join_pointer("", key),
                    fix=f"rename it to `{hint}`" if hint else "remove it; a policy has only `Version`, `Id` and `Statement`",
                    subject=key)
    # Version
    if "Version" not in data:
        if doc.type in ORG_TYPES:
            out.add("P010", f"{doc.type.upper()} has no `Version`", "", fix='add `"Version": "2012-10-17"`')
        else:
            var_ptr = _uses_variables(doc)
            if var_ptr is not None:
                out.add("P506", "policy variables are not substituted without `\"Version\": \"2012-10-17\"`",
                        var_ptr, fix='add `"Version": "2012-10-17"`')
            else:
                out.add("P003", "policy has no `Version`; it is processed with the 2008-10-17 rules", "",
                        fix='add `"Version": "2012-10-17"`')
    else:
        v = data["Version"]
        if v not in VERSIONS:
            shown = v if isinstance(v, str) else json_type_name(v)
            out.add("P004", f"`{shown}` is not a policy language version", "/Version",
                    fix='use `"2012-10-17"`', subject=str(v))
        elif v == "2008-10-17":
            if doc.type in ORG_TYPES:
                out.add("P010", f"{doc.type.upper()} must use `\"Version\": \"2012-10-17\"`", "/Version",
                        fix='use `"2012-10-17"`')
            elif _uses_variables(doc) is not None:
                out.add("P506", "policy variables are not substituted with Version `2008-10-17`",
                        "/Version", fix='use `"2012-10-17"`')
            else:
                out.add("P005", "Version `2008-10-17` is the old policy language", "/Version",
                        fix='use `"2012-10-17"`')
    if "Id" in data and not isinstance(data["Id"], str):
        out.add("P103", f"`Id` must be a string, found {json_type_name(data['Id'])}", "/Id")
    # Statement
    if "Statement" not in data:
        out.add("P007", "policy has no `Statement`", "",
                fix='add `"Statement": [{"Effect": "Allow", "Action": [...], "Resource": [...]}]`')
        return
    stmts = data["Statement"]
    if isinstance(stmts, list):
        if not stmts:
            out.add("P009", "`Statement` is an empty list", "/Statement", fix="add a statement or delete the policy")
    elif not isinstance(stmts, dict):
        out.add("P008", f"`Statement` must be an object or a list of objects, found {json_type_name(stmts)}",
                "/Statement")


# ------------------------------------------------------------------------------ statements


def _check_string_list(st: Statement, key: str, out: Collector) -> bool:
    """Type of Action/NotAction/Resource/NotResource values; True when usable."""
    value = st.raw[key]
    ptr = join_pointer(st.pointer, key)
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        if not value:
            out.add("P118", f"`{key}` is an empty list", ptr, fix="list at least one value or remove the statement")
            return False
        for i, v in enumerate(value):
            if not isinstance(v, str):
                out.add("P103", f"`{key}` values must be strings, found {json_type_name(v)}", join_pointer(ptr, i))
        return True
    out.add("P103", f"`{key}` must be a string or a list of strings, found {json_type_name(value)}", ptr)
    return False


def _is_rcp_full_access(st: Statement) -> bool:
    raw = st.raw
    return (
        raw.get("Effect") == "Allow" and raw.get("Principal") == "*" and raw.get("Action") in ("*", ["*"])
        and raw.get("Resource") in ("*", ["*"]) and "Condition" not in raw
    )


def check_statement(doc: PolicyDocument, st: Statement, out: Collector) -> None:
    raw = st.raw
    t = doc.type
    if not isinstance(raw, dict):
        out.add("P008", f"a statement must be an object, found {json_type_name(raw)}", st.pointer)
        return
    for key in raw:
        if key not in STATEMENT_ELEMENTS:
            hint = _suggest_element(key, STATEMENT_ELEMENTS)
            out.add("P101", f"unknown statement element `{key}`", join_pointer(st.pointer, key),
                    fix=f"rename it to `{hint}`" if hint else "remove it", subject=key)
    # Sid
    if "Sid" in raw:
        sid = raw["Sid"]
        ptr = join_pointer(st.pointer, "Sid")
        if not isinstance(sid, str):
            out.add("P103", f"`Sid` must be a string, found {json_type_name(sid)}", ptr)
        elif not _SID.match(sid):
            clean = re.sub(r"[^A-Za-z0-9]", "", sid)
            out.add("P113", f"Sid `{sid}` contains characters other than letters and digits", ptr,
                    fix=f"use `{clean}`" if clean else "use letters and digits only", subject=sid,
                    severity="warning" if t == "resource" else None)
    # Effect
    eff = raw.get("Effect")
    eptr = join_pointer(st.pointer, "Effect")
    if "Effect" not in raw:
        out.add("P102", "statement has no `Effect`", st.pointer, fix='add `"Effect": "Allow"` or `"Effect": "Deny"`')
    elif eff not in ("Allow", "Deny"):
        shown = eff if isinstance(eff, str) else json_type_name(eff)
        fix = 'use `"Allow"` or `"Deny"` (case-sensitive)'
        if isinstance(eff, str) and eff.strip().lower() in ("allow", "deny"):
            fix = f"use `{eff.strip().capitalize()}`"
        out.add("P102", f"`Effect` must be `Allow` or `Deny`, found `{shown}`", eptr, fix=fix, subject=str(eff))
    # Action / NotAction
    if "Action" in raw and "NotAction" in raw:
        out.add("P104", "statement has both `Action` and `NotAction`", join_pointer(st.pointer, "NotAction"),
                fix="keep one of them")
    elif "Action" not in raw and "NotAction" not in raw:
        out.add("P105", "statement has neither `Action` nor `NotAction`", st.pointer,
                fix='add `"Action": [...]`')
    for key in ("Action", "NotAction"):
        if key in raw:
            _check_string_list(st, key, out)
    # Resource / NotResource
    has_res = "Resource" in raw or "NotResource" in raw
    if "Resource" in raw and "NotResource" in raw:
        out.add("P106", "statement has both `Resource` and `NotResource`", join_pointer(st.pointer, "NotResource"),
                fix="keep one of them")
    if t == "trust":
        for key in ("Resource", "NotResource"):
            if key in raw:
                out.add("P115", f"a role trust policy cannot have `{key}`", join_pointer(st.pointer, key),
                        fix=f"remove `{key}`: the resource is the role itself")
    elif not has_res:
        severity = None if t in ("identity", "boundary", "session") else "warning"
        out.add("P107", "statement has neither `Resource` nor `NotResource`", st.pointer,
                fix='add `"Resource": "*"` or the ARNs it applies to', severity=severity)
    for key in ("Resource", "NotResource"):
        if key in raw and t != "trust" and _check_string_list(st, key, out):
            for item in st.resources if st.resource_key == key else ():
                _check_resource_value(item.value, item.pointer, out)
    # Principal / NotPrincipal
    _check_principal(doc, st, out)
    # Condition
    if "Condition" in raw:
        check_condition_block(raw["Condition"], join_pointer(st.pointer, "Condition"), out)
    # type rules
    if t == "rcp":
        if "NotAction" in raw:
            out.add("P204", "RCPs do not support `NotAction`", join_pointer(st.pointer, "NotAction"),
                    fix="list the denied actions in `Action`")
        if eff == "Allow" and not _is_rcp_full_access(st):
            out.add("P203", "RCP statements must use `\"Effect\": \"Deny\"`", eptr,
                    fix="use `Deny`; only the AWS-managed `RCPFullAWSAccess` policy allows")
    if t == "trust" and st.action_key == "Action":
        for item in st.actions:
            v = item.value
            if isinstance(v, str) and v.strip():
                low = v.strip().lower()
                if low not in TRUST_ACTIONS and not (low.startswith("sts:") and ("*" in low or "?" in low)):
                    out.add("P206", f"`{v}` is not a role-trust action", item.pointer,
                            fix="use `sts:AssumeRole`, `sts:AssumeRoleWithSAML`, `sts:AssumeRoleWithWebIdentity`, "
                                "`sts:TagSession`, `sts:SetSourceIdentity` or `sts:SetContext`", subject=v)


def _check_resource_value(v: Any, ptr: str, out: Collector) -> None:
    if not isinstance(v, str):
        return
    if v == "*":
        return
    if v != v.strip():
        out.add("P116", f"resource `{v}` has leading or trailing white space", ptr, fix=f"use `{v.strip()}`", subject=v)
        return
    if not (_ARN.match(v) or (v.startswith("arn:") and "*" in v)):
        out.add("P116", f"resource `{v}` is not an ARN or `*`", ptr,
                fix="write the full ARN, e.g. `arn:aws:s3:::bucket/*`", subject=v)
        return
    m = _PLACEHOLDER.search(v)
    if m:
        out.add("P405", f"resource `{v}` contains the placeholder `{m.group(0)}`", ptr,
                fix="substitute the real value before use (policy variables are written `${...}`)", subject=v)


def _check_principal(doc: PolicyDocument, st: Statement, out: Collector) -> None:
    raw = st.raw
    t = doc.type
    has_p, has_np = "Principal" in raw, "NotPrincipal" in raw
    if t in NO_PRINCIPAL_TYPES:
        for key in ("Principal", "NotPrincipal"):
            if key in raw:
                out.add("P108", f"a {_type_name(t)} cannot have `{key}`", join_pointer(st.pointer, key),
                        fix=f"remove `{key}`: the policy applies to whoever it is attached to")
        return
    if not has_p and not has_np:
        out.add("P109", f"a {_type_name(t)} statement needs `Principal`", st.pointer,
                fix='add `"Principal": "*"`' if t == "rcp" else 'add `"Principal": {"AWS": "arn:aws:iam::111122223333:root"}`')
    if has_p and has_np:
        out.add("P110", "statement has both `Principal` and `NotPrincipal`", join_pointer(st.pointer, "NotPrincipal"),
                fix="keep one of them")
    if has_np:
        ptr = join_pointer(st.pointer, "NotPrincipal")
        if t in ("trust", "rcp"):
            out.add("P111", f"a {_type_name(t)} cannot use `NotPrincipal`", ptr,
                    fix="use `Principal` with a condition on `aws:PrincipalArn`")
        elif raw.get("Effect") == "Allow":
            out.add("P111", "`NotPrincipal` works only with `\"Effect\": \"Deny\"`", ptr,
                    fix="use `Principal`, or a Deny statement with a condition on `aws:PrincipalArn`")
    for key in ("Principal", "NotPrincipal"):
        if key in raw:
            _check_principal_value(raw[key], join_pointer(st.pointer, key), key, out)
    if t == "rcp" and has_p and raw["Principal"] != "*":
        out.add("P202", "an RCP's `Principal` must be `\"*\"`", join_pointer(st.pointer, "Principal"),
                fix='use `"Principal": "*"` and narrow with conditions such as `aws:PrincipalOrgID`')


def _check_principal_value(value: Any, ptr: str, key: str, out: Collector) -> None:
    if value == "*":
        return
    if not isinstance(value, dict):
        shown = f"`{value}`" if isinstance(value, str) else json_type_name(value)
        out.add("P112", f"`{key}` must be `\"*\"` or an object, found {shown}", ptr,
                fix='use `{"AWS": "arn:aws:iam::111122223333:root"}` or `{"Service": "ec2.amazonaws.com"}`')
        return
    if not value:
        out.add("P118", f"`{key}` is an empty object", ptr, fix="name at least one principal")
    for k, v in value.items():
        kptr = join_pointer(ptr, k)
        if k not in _PRINCIPAL_KEYS:
            hint = _suggest_element(k, _PRINCIPAL_KEYS)
            out.add("P112", f"unknown principal type `{k}`", kptr,
                    fix=f"use `{hint}`" if hint else "use `AWS`, `Service`, `Federated` or `CanonicalUser`", subject=k)
            continue
        vals = v if isinstance(v, list) else [v]
        if isinstance(v, list) and not v:
            out.add("P118", f"`{key}.{k}` is an empty list", kptr, fix="name at least one principal")
        for i, pv in enumerate(vals):
            vptr = join_pointer(kptr, i) if isinstance(v, list) else kptr
            if not isinstance(pv, str):
                out.add("P112", f"principal values must be strings, found {json_type_name(pv)}", vptr)
                continue
            if k == "AWS" and not (pv == "*" or _ACCOUNT.match(pv) or pv.startswith("arn:")):
                out.add("P112", f"`{pv}` is not an account id, an IAM ARN or `*`", vptr,
                        fix="use a 12-digit account id or an ARN such as `arn:aws:iam::111122223333:role/name`",
                        subject=pv)
            elif k == "Service" and ("." not in pv and pv != "*"):
                out.add("P112", f"`{pv}` is not a service principal", vptr,
                        fix="use the service's principal name, e.g. `ec2.amazonaws.com`", subject=pv)


def _type_name(t: str) -> str:
    from permwise.policy.model import TYPE_NAMES

    return TYPE_NAMES[t]


# ------------------------------------------------------------------------------ conditions


def _check_value_for_family(family: str, v: Any, ptr: str, op: str, key: str, out: Collector) -> None:
    if isinstance(v, bool):
        text = "true" if v else "false"
    elif isinstance(v, (int, float)):
        text = str(v)
    elif isinstance(v, str):
        text = v
    else:
        return
    if "${" in text:
        return  # a policy variable: resolved at request time
    bad = False
    if family in ("bool", "null"):
        bad = text.lower() not in ("true", "false")
    elif family == "numeric":
        try:
            float(text)
        except ValueError:
            bad = True
    elif family == "date":
        try:
            float(text)
        except ValueError:
            try:
                datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                bad = True
    elif family == "ip":
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            bad = True
    if bad:
        expected = {"bool": "`true` or `false`", "null": "`true` or `false`", "numeric": "a number",
                    "date": "an ISO 8601 date or epoch seconds", "ip": "an IP address or CIDR block"}[family]
        out.add("P124", f"`{text}` is not a valid value for `{op}` on `{key}`; expected {expected}", ptr,
                subject=text)


def check_condition_block(cond: Any, ptr: str, out: Collector) -> None:
    if not isinstance(cond, dict):
        out.add("P120", f"`Condition` must be an object, found {json_type_name(cond)}", ptr,
                fix='write `{"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}`')
        return
    for op, block in cond.items():
        optr = join_pointer(ptr, op)
        parsed = written_operator(op)
        if parsed is None:
            hint = closest(op.split(":")[-1], all_operator_names(), cutoff=0.7)
            out.add("P121", f"unknown condition operator `{op}`", optr,
                    fix=f"did you mean `{hint}`?" if hint else "see the list of condition operators", subject=op)
        else:
            if parsed.canonical != op:
                out.add("P122", f"condition operator `{op}` should be written `{parsed.canonical}`", optr,
                        fix=f"use `{parsed.canonical}`", subject=op)
            if parsed.base.name == "Null" and parsed.if_exists:
                out.add("P123", "`Null` cannot be combined with `IfExists`", optr, fix="use `Null`", subject=op)
        if not isinstance(block, dict):
            out.add("P120", f"operator `{op}` must hold an object of condition keys, found {json_type_name(block)}", optr)
            continue
        if not block:
            out.add("P120", f"operator `{op}` has no condition keys", optr, fix="add a key or remove the operator")
        for key, values in block.items():
            kptr = join_pointer(optr, key)
            vals = values if isinstance(values, list) else [values]
            if isinstance(values, list) and not values:
                out.add("P120", f"condition key `{key}` has an empty list of values", kptr,
                        fix="give at least one value")
            for i, v in enumerate(vals):
                vptr = join_pointer(kptr, i) if isinstance(values, list) else kptr
                if v is None or isinstance(v, (dict, list)):
                    out.add("P120", f"condition values must be strings, numbers or booleans, found {json_type_name(v)}",
                            vptr)
                elif parsed is not None:
                    _check_value_for_family(parsed.family, v, vptr, op, key, out)


# ------------------------------------------------------------------------------ entry point


def check(doc: PolicyDocument) -> list[Finding]:
    out = Collector()
    check_characters(doc, out)
    check_document(doc, out)
    seen: dict[str, str] = {}
    for st in doc.statements:
        check_statement(doc, st, out)
        if isinstance(st.raw, dict) and isinstance(st.sid, str) and st.sid:
            if st.sid in seen:
                out.add("P114", f"Sid `{st.sid}` is already used by the statement at `{seen[st.sid]}`",
                        join_pointer(st.pointer, "Sid"), fix="give each statement its own Sid", subject=st.sid)
            else:
                seen[st.sid] = st.pointer
    check_size(doc, out)
    return out.findings
