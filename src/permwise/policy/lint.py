"""Lint: actions, resources and condition keys checked against the action catalog.

Runs after the grammar checks on the same :class:`PolicyDocument`; it looks only at values whose
JSON type is right (the grammar reports the rest) and reports each action value at most once.
"""

from __future__ import annotations

from dataclasses import dataclass

from permwise.catalog import Action, is_action_pattern_valid
from permwise.policy import lookups as C
from permwise.policy.findings import Finding
from permwise.policy.grammar import Collector
from permwise.policy.model import Item, PolicyDocument, Statement
from permwise.policy.operators import FAMILY_KEY_TYPES, written_operator
from permwise.sources import join_pointer

_ALL = "*"
#: Characters that separate two fused action names (a list typed inside one string).
_SEPARATORS = " ,;\t\r\n"
_OPERATOR_FOR_TYPE = {"string": "StringEquals", "arn": "ArnLike", "numeric": "NumericEquals", "date": "DateGreaterThan",
                      "bool": "Bool", "ipaddress": "IpAddress", "binary": "BinaryEquals"}
#: Policy types that grant access (P404 applies to them; SCPs, RCPs, boundaries and session
#: policies only cap what is granted, where `"Resource": "*"` is the norm).
GRANT_TYPES = frozenset({"identity", "resource"})


@dataclass(slots=True)
class Resolved:
    item: Item
    text: str  # the value as written (stripped)
    actions: tuple[Action, ...] | str  # the actions it matches, or ``"*"`` for every action


def _acts(r: Resolved) -> tuple[Action, ...]:
    """The actions ``r`` resolves to; none when it stands for every action (``"*"``)."""
    return () if isinstance(r.actions, str) else r.actions


def split_fused(value: str) -> list[str] | None:
    """``s3:GetObjects3:PutObject`` -> ``["s3:GetObject", "s3:PutObject"]``; ``None`` if not fused."""
    cat = C.catalog()
    parts = value.split(":")
    if len(parts) < 3 or not cat.has_service(parts[0]):
        return None
    pieces: list[str] = []
    prefix = parts[0]
    for mid in parts[1:-1]:
        # the next prefix starts right after the previous name, or after a separator typed by
        # mistake inside the string (`s3:GetObject,s3:PutObject`, `s3:GetObject s3:PutObject`)
        cands = [j for j in range(1, len(mid)) if cat.has_service(mid[j:])]
        if not cands:
            return None
        good = [j for j in cands if (n := mid[:j].rstrip(_SEPARATORS)) and C.expand_keys(f"{prefix}:{n}")]
        j = good[0] if good else cands[-1]
        name = mid[:j].rstrip(_SEPARATORS)
        if not name:
            return None
        pieces.append(f"{prefix}:{name}")
        prefix = mid[j:]
    pieces.append(f"{prefix}:{parts[-1]}")
    return pieces


def _resolve_action(doc: PolicyDocument, item: Item, out: Collector) -> Resolved | None:
    v = item.value
    if not isinstance(v, str):
        return None
    ptr = item.pointer
    if v == "*":
        return Resolved(item, v, _ALL)
    if v != v.strip():
        out.add("P305", f"action `{v}` has leading or trailing white space", ptr, fix=f"use `{v.strip()}`", subject=v)
        return None
    if ":" not in v:
        out.add("P117", f"`{v}` is not an action; actions are written `service:ActionName`", ptr,
                fix="add the service prefix, e.g. `s3:GetObject`", subject=v)
        return None
    cat = C.catalog()
    prefix, _, name = v.partition(":")
    if ":" in name:
        pieces = split_fused(v)
        if pieces:
            out.add("P304", f"`{v}` looks like {len(pieces)} fused actions", ptr,
                    fix="split it into " + ", ".join(f"`{p}`" for p in pieces), subject=v)
        else:
            out.add("P117", f"`{v}` is not of the form `service:ActionName`", ptr, subject=v)
        return None
    if doc.type == "rcp" and "*" not in prefix and "?" not in prefix and prefix.lower() not in C.rcp_supported_services():
        if cat.has_service(prefix):
            out.add("P205", f"RCPs do not apply to `{prefix}` actions (`{v}`)", ptr,
                    fix="remove it; RCPs cover only the services AWS lists as supported", subject=v)
            return None
    wild = "*" in v or "?" in v
    if not wild and cat.action(v) is not None:
        return Resolved(item, v, (cat.action(v),))  # type: ignore[arg-type]
    if not wild and C.is_condition_key(v):
        ck, _ = C.lookup_key(v)
        key = v if ck is not None else v + "/<tag-key>"
        op = _OPERATOR_FOR_TYPE.get((ck.type.lower().removeprefix("arrayof") if ck else "string"), "StringEquals")
        out.add("P306", f"`{v}` is a condition key, not an action", ptr,
                fix=f"move it into a `Condition` block, e.g. `\"{op}\": {{\"{key}\": \"...\"}}`", subject=v)
        return None
    if not is_action_pattern_valid(v):
        out.add("P117", f"`{v}` is not a valid action name", ptr,
                fix="use letters and digits after the service prefix, with optional `*` and `?`", subject=v)
        return None
    if "*" not in prefix and "?" not in prefix and not cat.has_service(prefix):
        sugg = C.suggest_prefix(prefix)
        cands = [f"{sugg}:{name}"] if sugg and C.expand_keys(f"{sugg}:{name}") else C.suggest_same_action_elsewhere(name)
        shown = " or ".join(f"`{c}`" for c in cands)
        out.add("P301", f"unknown service prefix `{prefix}` in `{v}`" + (f"; did you mean {shown}?" if cands else ""),
                ptr, fix=f"use {shown}" if cands else "check the service prefix in the Service Authorization Reference",
                subject=v)
        return None
    if wild:
        acts = cat.expand(v)
        if not acts:
            out.add("P303", f"`{v}` matches no action", ptr,
                    fix="check the spelling against `permwise actions`", subject=v)
            return None
        return Resolved(item, v, tuple(acts))
    sugg = C.suggest_action(v)
    out.add("P302", f"unknown action `{v}`" + (f"; did you mean `{sugg}`?" if sugg else ""), ptr,
            fix=f"use `{sugg}`" if sugg else "check the action name in the Service Authorization Reference",
            subject=v)
    return None


def _keys(r: Resolved) -> frozenset[str]:
    if r.actions == _ALL:
        return frozenset({"*"})
    if len(r.actions) == 1 and "*" not in r.text and "?" not in r.text:
        return frozenset({r.actions[0].key.lower()})  # type: ignore[union-attr]
    return C.expand_keys(r.text.lower())


def _check_redundancy(resolved: list[Resolved], out: Collector) -> None:
    seen: dict[str, Resolved] = {}
    unique: list[Resolved] = []
    for r in resolved:
        low = r.text.lower()
        if low in seen:
            out.add("P307", f"`{r.text}` is listed twice", r.item.pointer,
                    fix="remove the duplicate", subject=r.text)
            continue
        seen[low] = r
        unique.append(r)
    if len(unique) < 2:
        return
    keysets = [(r, _keys(r)) for r in unique]
    star = next((r for r, _ in keysets if r.actions == _ALL), None)
    for i, (r, ks) in enumerate(keysets):
        if r.actions == _ALL:
            continue
        if star is not None:
            out.add("P308", f"`{r.text}` is already covered by `*`", r.item.pointer, fix="remove it", subject=r.text)
            continue
        for j, (o, os_) in enumerate(keysets):
            if i == j or o.actions == _ALL:
                continue
            if len(os_) < len(ks) or (len(os_) == len(ks) and j > i):
                continue
            if ks <= os_:
                out.add("P308", f"`{r.text}` is already covered by `{o.text}`", r.item.pointer,
                        fix="remove it", subject=r.text)
                break


def _check_resources(doc: PolicyDocument, st: Statement, resolved: list[Resolved], out: Collector) -> bool:
    """Resource/action fit. Returns False when the statement can never match."""
    res = [i for i in st.resources if isinstance(i.value, str)]
    if not res or any(r.actions == _ALL for r in resolved) or not resolved:
        return True
    if any(i.value == "*" for i in res):
        if st.is_allow and "Condition" not in st.raw and doc.type in GRANT_TYPES:
            for r in resolved:
                writes = [a for a in _acts(r) if a.is_write and a.resources]
                if not writes:
                    continue
                a = writes[0]
                if len(_acts(r)) == 1:
                    pairs = C.catalog().action_resource_types(a)
                    req = [rt for ar, rt in pairs if rt is not None and ar.required] or [
                        rt for _, rt in pairs if rt is not None]
                    fix = f"scope `Resource` to `{req[0].arn}`" if req else "scope `Resource` to the ARNs it needs"
                    out.add("P404", f"write action `{r.text}` is allowed on every resource", r.item.pointer,
                            fix=fix, subject=r.text)
                else:
                    n = f"{len(writes)} write action" + ("" if len(writes) == 1 else "s")
                    out.add("P404", f"`{r.text}` allows {n} on every resource",
                            r.item.pointer, fix="scope `Resource` to the ARNs these actions work on", subject=r.text)
        return True
    arns = [i for i in res if i.value.startswith("arn:")]
    if not arns:
        return True
    fits: dict[int, set[int]] = {k: set() for k in range(len(resolved))}
    res_fit: dict[int, bool] = {k: False for k in range(len(arns))}
    for ri, r in enumerate(resolved):
        for ai, arn in enumerate(arns):
            if any(C.action_fits(a, arn.value) for a in _acts(r)):
                fits[ri].add(ai)
                res_fit[ai] = True
    for ai, arn in enumerate(arns):
        if not res_fit[ai]:
            out.add("P401", f"resource `{arn.value}` fits none of the statement's actions", arn.pointer,
                    fix="check the ARN against the resource types the actions work on (`permwise actions --explain ACTION`)",
                    subject=arn.value)
    any_fit = False
    for ri, r in enumerate(resolved):
        if fits[ri]:
            any_fit = True
            continue
        if all(a.wildcard_only for a in r.actions):  # type: ignore[union-attr]
            out.add("P403", f"`{r.text}` supports only `\"Resource\": \"*\"`; the ARNs here never match it",
                    r.item.pointer, fix=f"move `{r.text}` to a statement with `\"Resource\": \"*\"`", subject=r.text)
        else:
            kinds = sorted({ar.name for a in r.actions for ar in a.resources})  # type: ignore[union-attr]
            shown = ", ".join(f"`{k}`" for k in kinds[:5]) + (" ..." if len(kinds) > 5 else "")
            out.add("P402", f"`{r.text}` matches none of the statement's resources", r.item.pointer,
                    fix=f"add a resource of type {shown}" if shown else None, subject=r.text)
    return any_fit


def _check_condition_keys(st: Statement, resolved: list[Resolved] | None, out: Collector) -> None:
    cond = st.condition
    if not isinstance(cond, dict):
        return
    supported: frozenset[str] | None = None
    if resolved and st.action_key == "Action" and not any(r.actions == _ALL for r in resolved):
        acc: set[str] = set()
        for r in resolved:
            for a in _acts(r):
                acc |= C.supported_key_norms(a.key)
        supported = frozenset(acc)
    for op, block in cond.items():
        if not isinstance(op, str) or not isinstance(block, dict):
            continue
        parsed = written_operator(op)
        optr = join_pointer(join_pointer(st.pointer, "Condition"), op)
        for key in block:
            if not isinstance(key, str):
                continue
            kptr = join_pointer(optr, key)
            ck, is_global = C.lookup_key(key)
            if ck is None and C.is_federation_key(key):
                continue  # IAM User Guide, OIDC/SAML federation keys: claims named by the provider
            if ck is None:
                sugg = C.suggest_key(key)
                out.add("P501", f"unknown condition key `{key}`" + (f"; did you mean `{sugg}`?" if sugg else ""),
                        kptr, fix=f"use `{sugg}`" if sugg else "check the key in the Service Authorization Reference",
                        subject=key)
                continue
            if not is_global and supported is not None and C.key_norm(key) not in supported:
                out.add("P502", f"condition key `{key}` is not supported by any action of this statement", kptr,
                        fix="use a key the actions support, or a global `aws:` key", subject=key)
            if parsed is None:
                continue
            ktype = ck.type.lower()
            multi = ktype.startswith("arrayof") or getattr(ck, "multivalued", False)
            base_type = ktype[len("arrayof"):] if ktype.startswith("arrayof") else ktype
            fam = parsed.family
            if fam != "null" and fam in FAMILY_KEY_TYPES and base_type not in FAMILY_KEY_TYPES[fam]:
                out.add("P503", f"`{parsed.canonical}` does not fit `{key}`, which is of type {ck.type}", kptr,
                        fix=_operator_fix(base_type), subject=key)
            if fam != "null":
                if multi and parsed.set_operator is None:
                    out.add("P504", f"`{key}` can hold several values; `{op}` without `ForAnyValue:` or "
                                    "`ForAllValues:` is rarely what you mean", kptr,
                            fix=f"use `ForAnyValue:{parsed.canonical}` or `ForAllValues:{parsed.canonical}`",
                            subject=key)
                elif not multi and parsed.set_operator is not None:
                    out.add("P505", f"`{parsed.set_operator}:` is for multivalued keys; `{key}` has one value",
                            kptr, fix=f"use `{parsed.canonical.split(':', 1)[1]}`", subject=key)


def _operator_fix(base_type: str) -> str:
    return {
        "string": "use a String operator such as `StringEquals` or `StringLike`",
        "arn": "use an Arn operator such as `ArnLike` (or a String operator)",
        "numeric": "use a Numeric operator such as `NumericLessThan`",
        "date": "use a Date operator such as `DateGreaterThan`",
        "bool": "use `Bool`",
        "ipaddress": "use `IpAddress` or `NotIpAddress`",
        "binary": "use `BinaryEquals`",
    }.get(base_type, "use an operator of the key's type")


def check(doc: PolicyDocument) -> list[Finding]:
    out = Collector()
    for st in doc.statements:
        if not isinstance(st.raw, dict):
            continue
        resolved: list[Resolved] = []
        unresolved = 0
        for item in st.actions:
            r = _resolve_action(doc, item, out)
            if r is None:
                unresolved += isinstance(item.value, str)
            else:
                resolved.append(r)
        if resolved:
            _check_redundancy(resolved, out)
        can_match = True
        if st.action_key == "Action" and st.actions and not resolved and unresolved:
            can_match = False
        elif st.action_key == "Action" and st.resource_key == "Resource" and doc.type != "trust":
            can_match = _check_resources(doc, st, resolved, out)
        if st.action_key == "Action":
            _check_condition_keys(st, resolved, out)
        else:
            _check_condition_keys(st, None, out)
        for key, items in (("NotAction", st.actions), ("NotResource", st.resources)):
            star = next((i for i in items if i.value == "*"), None)
            if star is not None and key in (st.action_key, st.resource_key):
                # IAM JSON policy elements: NotAction/NotResource match everything *except* the
                # listed values, so `*` leaves nothing to match
                out.add("P601", f"statement can never match: `\"{key}\": \"*\"` excludes every "
                                f"{'action' if key == 'NotAction' else 'resource'}", star.pointer,
                        fix=f"remove the statement, or list only what `{key}` should exclude")
                can_match = True  # reported
        if not can_match and len(st.actions) > 1:  # with one action its own finding says it all
            why = ("none of its actions exists" if not resolved
                   else "none of its actions fits any of its resources")
            out.add("P601", f"statement can never match: {why}", st.pointer,
                    fix="fix the actions and resources reported for this statement")
    return out.findings
