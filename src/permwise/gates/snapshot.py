"""Custom checks (``--deny-actions``, ``--no-public``) over every principal and every resource or
trust policy of a snapshot. The zone is ``--zone`` plus the snapshot's own accounts and
organization."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from permwise.engine import compile_policy
from permwise.errors import InputError
from permwise.gates import exposure as _exposure
from permwise.gates.probe import HOLDER_CONTEXT, ask, concretize, sentinel
from permwise.gates.rules import finding
from permwise.gates.zone import Zone
from permwise.policy.findings import Finding


class _Locator:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._sources: dict[str, Any] = {}

    def find(self, rel: str, pointer: str) -> tuple[str, int | None, int | None]:
        path = str(self.root / rel) if rel else str(self.root)
        src = self._sources.get(path)
        if src is None and rel:
            try:
                from permwise.sources import load_source

                src = self._sources[path] = load_source(path)
            except Exception:  # noqa: BLE001 - a location is a courtesy; the finding stands without it
                src = self._sources[path] = False
        pos = src.locate(pointer) if src else None
        return path, (pos[0] if pos else None), (pos[1] if pos else None)


def _finding(loc: _Locator, rule_id: str, message: str, rel: str, pointer: str, fix: str, subject: str) -> Finding:
    file, line, col = loc.find(rel, pointer)
    return finding(rule_id, message, pointer=pointer, fix=fix, subject=subject, file=file, line=line, column=col)


def _policy_pointer(env: Any, p: Any, st: Any) -> tuple[str, str]:
    """Snapshot file and pointer of the statement ``st`` of a principal's policy (best effort:
    inline policies and the principal's record; managed policies by their own origin)."""
    if st is None:
        return p.origin.file, p.origin.pointer
    name = st.policy.name
    mp = env.managed_policies.get(name)
    if mp is not None:
        return mp.origin.file, mp.origin.pointer + st.pointer
    owners = [p] + [g for g in env.groups.values() if g.account == p.account and g.name in (p.groups or [])]
    for owner in owners:
        for ip in getattr(owner, "inline_policies", []) or []:
            if name.endswith("/" + ip.name) and ip.origin is not None:
                return ip.origin.file, ip.origin.pointer + st.pointer
    return p.origin.file, p.origin.pointer


def run_snapshot(root: Path, *, principals: list[str] | None, zone: Zone, deny_actions: list[str] | None,
                 resources: list[str] | None, no_public: bool) -> tuple[list[Finding], list[str]]:
    from permwise.environment import load_snapshot

    env = load_snapshot(root)
    loc = _Locator(root)
    zone = Zone(tuple(sorted(set(zone.accounts) | set(env.accounts))),
                tuple(sorted(set(zone.orgs) | ({env.organization_id} if env.organization_id else set()))))
    out: list[Finding] = []
    chosen = env.principals()
    if principals:
        wanted = set(principals)
        chosen = [p for p in chosen if p.arn in wanted or p.name in wanted]
        missing = wanted - {p.arn for p in chosen} - {p.name for p in chosen}
        if missing:
            raise InputError(f"principal `{sorted(missing)[0]}` is not in the snapshot", file=str(root),
                             hint="give a user or role ARN or name listed by the snapshot")
    for p in chosen if deny_actions else []:
        ctx = {**HOLDER_CONTEXT, **env.request_context(p.arn)}
        for a in deny_actions or []:
            res_list = resources or [sentinel(a, p.account)]
            for r in res_list:
                r = concretize(r, p.account) if "*" in r and r != "*" else r
                ps = env.policy_set(p.arn, r if r != "*" else None)
                o = ask(ps, p.arn, a, r, context=ctx)
                if o.allowed:
                    st = o.allow_statements[0] if o.allow_statements else None
                    rel, ptr = _policy_pointer(env, p, st)
                    where = "every resource" if "permwise-probe" in r or r == "*" else f"`{r}`"
                    when = f" (when {o.when()})" if o.conditional else ""
                    by = f" by `{st.policy.name}`" if st is not None else ""
                    out.append(_finding(loc, "DENIED-ACTION-ALLOWED",
                                        f"{p.kind} `{p.arn}` is allowed `{a}` on {where}{by}{when}; the gate denies it",
                                        rel, ptr, f"remove `{a}` from its policies or deny it (SCP or boundary)", p.arn))
                    break
    if no_public:
        for role in env.roles():
            if role.trust_policy is None:
                continue
            cp = compile_policy(role.trust_policy, name=f"trust:{role.arn}", kind="trust")
            base = role.origin.pointer + "/AssumeRolePolicyDocument"
            for e in _exposure.analyze(cp, "trust", zone, role.account):
                out.append(_finding(loc, "NO-PUBLIC", f"role `{role.arn}` can be assumed by {_who(e)}, outside the zone",
                                    role.origin.file, base + e.pointer,
                                    "limit the trust to principals of the zone", role.arn))
        for arn in sorted(env.resource_policies):
            rp = env.resource_policies[arn]
            cp = compile_policy(rp.document, name=arn, kind="resource")
            for e in _exposure.analyze(cp, "resource", zone, rp.account):
                out.append(_finding(loc, "NO-PUBLIC", f"`{arn}` lets in {_who(e)}, outside the zone",
                                    rp.origin.file, rp.origin.pointer + e.pointer,
                                    "limit the policy to principals of the zone", arn))
    files = sorted({f.file for f in out if f.file}) or [str(root)]
    return out, files


def _who(e: Any) -> str:
    lim = f" (limited by {', '.join(e.limited_by)})" if e.limited_by else ""
    if e.kind == "public":
        return "anyone" + lim
    if e.kind == "organization":
        return f"organization `{e.who}`" + lim
    return f"account {e.account}" + lim
