"""Simulation cases as data: the ``simulate --jsonl`` interface (DESIGN.md), pure (no I/O).

A case::

    {"id": "c1",
     "request": {"principal": ARN, "action": "s3:GetObject", "resource": ARN,
                 "resource_account": "111122223333" | null,
                 "context": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"]},
                 "principal_tags": {"team": "blue"}},
     "identity_policies": [doc, ...],
     "permission_boundary": doc | null,
     "session_policy": doc | null,
     "scps": [[doc, ...], ...],          # levels, root first
     "rcps": [[doc, ...], ...],
     "resource_policy": doc | null,
     "resource_policy_kind": "resource" | "trust",      # optional, default resource
     "management_account_id": "111111111111",          # optional
     "principal_tags": {"team": "blue"},               # optional (also accepted in request)
     "scp_exempt": true | false, "rcp_exempt": true | false,   # optional overrides
     "derive_context": true | {...},   # optional: fill the request-context model's keys
     "block_public_access": {"RestrictPublicBuckets": true}}   # optional: S3 BPA of the bucket

``request.context`` is taken exactly as given (only the engine's own request-derived keys of
:func:`permwise.engine.context.build_context` are added). With ``derive_context`` (or the
``--derive-context`` flag) the keys of the request-context model (docs/context.md) are filled
first and the case's context wins over them; an object gives the facts the model cannot read
from the request (:func:`permwise.engine.context.facts_from_dict`: ``principal_id``,
``role_arn``, ``org_id``, ``org_paths``, ``resource_org_id``, ``resource_tags``, ``region``,
``at``, ``mfa``, ``session_name``...). ``request.key_manager`` (``AWS``/``CUSTOMER``) is the
KMS key's manager.

A policy ``doc`` may also be ``{"name": "...", "document": {...}}`` to name it in explanations,
and an SCP/RCP level may be ``{"name": "ou-workloads", "policies": [...]}``.

Read leniently, as an outside tester writes cases: missing, ``null`` and empty mean the same for
every optional part; a ``null`` level is a level with no policy of its own (AWS's default full
access); one document is accepted where a list is expected; a document may be a JSON string;
``null`` entries of a policy list are skipped; a ``null``/empty ``resource`` is ``*``; an
account id principal may be a number in a single case (``--json``, YAML), but in a
``--jsonl`` batch the principal must be a string (see :func:`case_from_dict`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Generic, TypeVar

import orjson

from permwise.engine.compile import CompiledPolicy, compile_policy
from permwise.engine.analyse import PolicySet, Request



K = TypeVar("K")
V = TypeVar("V")


class _SecondSight(Generic[K, V]):
    """A bounded cache that keeps a value only when its key comes a second time.

    A batch of fresh policies then keeps nothing: each case's compiled policies die with it,
    young (the collector frees them in its cheapest pass instead of carrying them into the older
    generations), while a policy or policy set that repeats is compiled twice at most. The keys
    seen once are remembered by hash only (a collision can only admit a value early)."""

    __slots__ = ("limit", "values", "seen", "kept")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.values: dict[K, V] = {}
        self.seen: set[int] = set()
        #: ids of the values held (see :meth:`keeps`)
        self.kept: set[int] = set()

    def get(self, key: K) -> V | None:
        return self.values.get(key)

    def put(self, key: K, value: V) -> None:
        h = hash(key)
        if h not in self.seen:
            if len(self.seen) >= 8 * self.limit:
                self.seen.clear()
            self.seen.add(h)
            return
        if len(self.values) >= self.limit:
            self.values.clear()
            self.kept.clear()
        self.values[key] = value
        self.kept.add(id(value))

    def keeps(self, value: V) -> bool:
        """Is ``value`` held? (By id: a reused id can only answer yes for a value not held.)"""
        return id(value) in self.kept

    def clear(self) -> None:
        self.values.clear()
        self.seen.clear()
        self.kept.clear()


#: compiled policies, keyed by the JSON of [document, name, kind, level]
_CACHE: _SecondSight[bytes, CompiledPolicy] = _SecondSight(1024)
#: whole policy sets, keyed by the JSON of a case without its request part (see case_from_dict)
_SET_CACHE: _SecondSight[tuple[bytes, frozenset[str] | None], PolicySet] = _SecondSight(256)
#: the case fields that describe the request, not the policies in force
_REQUEST_FIELDS = frozenset({"id", "request", "principal_tags", "derive_context"})


class CaseError(ValueError):
    """A case that cannot be read (message: lowercase, input in backticks)."""


def _compiled(doc: Any, name: str, kind: str, level: str | None, where: str) -> CompiledPolicy:
    if isinstance(doc, dict) and "document" in doc and "Statement" not in doc:
        name = str(doc.get("name") or name)
        doc = doc["document"]
    if isinstance(doc, str) and doc.lstrip().startswith("{"):
        # a document as a JSON string, as AWS APIs return them (SCP `Content`, bucket policies)
        try:
            doc = orjson.loads(doc)
        except orjson.JSONDecodeError as exc:
            raise CaseError(f"`{where}` is a string but not a JSON policy document ({exc})") from None
    if not isinstance(doc, dict):
        raise CaseError(f"`{where}` must be a policy document (an object), got `{type(doc).__name__}`")
    key = orjson.dumps([doc, name, kind, level])
    p = _CACHE.get(key)
    if p is None:
        try:
            p = compile_policy(doc, name, kind, level)
        except Exception as exc:  # InputError from compile_policy
            raise CaseError(f"`{where}`: {exc}") from None
        _CACHE.put(key, p)
    return p


def _levels(value: Any, kind: str, field: str) -> list[list[CompiledPolicy]]:
    if value is None or value == [] or value == {} or value == "":
        return []
    if isinstance(value, (dict, str)):  # one document (or one named level) given alone
        value = [value]
    if not isinstance(value, list):
        raise CaseError(f"`{field}` must be a list of levels (each a list of policies), root first")
    out = []
    n = len(value)
    for i, level in enumerate(value):
        default = "root" if i == 0 else ("account" if i == n - 1 else f"ou {i}")
        name = default
        pols = level
        if level is None:  # a null level: no SCP/RCP of its own (AWS's default full access)
            pols = []
        elif isinstance(level, dict) and "policies" in level:
            name = str(level.get("name") or default)
            pols = level["policies"] if level["policies"] is not None else []
        elif isinstance(level, (dict, str)):  # a single document given instead of a list
            pols = [level]
        if not isinstance(pols, list):
            raise CaseError(f"`{field}[{i}]` must be a list of policies")
        out.append(
            [
                _compiled(doc, f"{kind}[{i}][{j}]", kind, name, f"{field}[{i}][{j}]")
                for j, doc in enumerate(pols)
                if doc is not None
            ]
        )
    return out


def _opt_str(v: Any, where: str) -> str | None:
    if v is None:
        return None
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        return str(v)
    raise CaseError(f"`{where}` must be a string")


def case_json(case: dict[str, Any]) -> tuple[bytes, bytes] | None:
    """The compact JSON of a case's policy part (all but ``id``, ``request``, ``principal_tags``
    and ``derive_context``: the key of the policy-set cache) and of its request part, each in the
    case's own key order; None when the case is not JSON data. Together they are the dump of the
    whole case cut at its top-level entries (the input gate counts their colons)."""
    try:
        return (orjson.dumps({k: v for k, v in case.items() if k not in _REQUEST_FIELDS}),
                orjson.dumps({k: v for k, v in case.items() if k in _REQUEST_FIELDS}))
    except TypeError:  # not JSON data (a YAML date, ...), or nested beyond what orjson writes
        return None


def case_from_dict(case: Any, cache: bool = False, strict_types: bool = False,
                   derive: bool = False, *, rcp_services: Collection[str] | None = None,
                   at: datetime | None = None, policy_json: bytes | None = None) -> tuple[str | None, PolicySet, Request]:
    """(id, PolicySet, Request) for one case; raises :class:`CaseError` for a bad case.

    The caller passes what the engine does not read by itself: ``rcp_services`` (the catalog's
    RCP-supported services; needed by a case with RCPs) and ``at``, the run's instant (the
    request's ``aws:CurrentTime`` unless its context states one, and the instant of
    ``derive_context`` unless the case gives its own ``at``).

    ``strict_types=True`` (``simulate --jsonl``: lines written by programs) refuses a principal
    that is not a string: a number there is a producer's bug (a shifted column, an id), and
    reading ``1`` as the root of account 000000000001, which is allowed everything in its own
    account, would turn that bug into an ``allowed``. A hand-written case (``--json``, YAML,
    the Python API) keeps the convenience of an unquoted account id.

    ``policy_json``: the case's :func:`case_json` policy part when the caller has it.

    ``cache=True`` (batches of JSON cases: ``simulate --jsonl``) reuses the :class:`PolicySet`
    built for an earlier case whose policy part is the same: the key is the compact JSON of the
    case without ``id``, ``request`` and ``principal_tags`` (one ``orjson.dumps`` per case, in
    the case's own key order), so the policies are neither compiled nor looked up one by one
    again. A policy set is immutable once built, so sharing it cannot change a decision."""
    if not isinstance(case, dict):
        raise CaseError("a case must be a JSON object")
    cid = case.get("id")
    req = case.get("request")
    if not isinstance(req, dict):
        raise CaseError("missing `request` object")
    if isinstance(req.get("principal"), int) and not isinstance(req.get("principal"), bool) and not strict_types:
        # an account id written as a number (an unquoted id in a YAML case file)
        req = {**req, "principal": f"{req['principal']:012d}"}
    for k in ("principal", "action"):
        if not isinstance(req.get(k), str) or not req.get(k):
            v = req.get(k)
            got = "" if v is None or v == "" else f", got `{orjson.dumps(v).decode()[:60]}` ({type(v).__name__})"
            hint = " (an account id is written as a string: `\"111122223333\"`)" if k == "principal" and isinstance(v, int) else ""
            raise CaseError(f"`request.{k}` must be a non-empty string{got}{hint}")
    resource = req.get("resource")
    if resource is None or resource == "":  # omitted, null or empty: any resource (`*`)
        resource = "*"
    if not isinstance(resource, str):
        raise CaseError("`request.resource` must be a string")
    context = req.get("context") or {}
    if not isinstance(context, dict):
        raise CaseError("`request.context` must be an object of key to value or list")
    tags = case.get("principal_tags") or req.get("principal_tags")
    if tags is not None and not isinstance(tags, dict):
        raise CaseError("`principal_tags` must be an object")
    services = frozenset(rcp_services) if rcp_services is not None else None
    key = None
    if cache:
        if policy_json is None:
            parts = case_json(case)
            policy_json = parts[0] if parts is not None else None
        key = (policy_json, services) if policy_json is not None else None  # None: build without the cache
        ps = _SET_CACHE.get(key) if key is not None else None
        if ps is not None:
            return (str(cid) if cid is not None else None), ps, _request(req, resource, context, tags, case, derive, at)
    ps = _policy_set(case, services)
    if key is not None:
        _SET_CACHE.put(key, ps)
    return (str(cid) if cid is not None else None), ps, _request(req, resource, context, tags, case, derive, at)


def release(ps: PolicySet) -> None:
    """The caller is done with the policy set of a case for good (``simulate --jsonl``, once its
    result is written): its policies that no cache holds forget their compiled statements. A
    statement refers to its policy, so a policy holding its statements is a reference cycle
    that only the cyclic collector would free; broken, the case is freed at once. A policy
    asked again would only compile again, so this cannot change a decision."""
    if _SET_CACHE.keeps(ps):
        return
    for p in ps.policies():
        if not _CACHE.keeps(p):
            p.forget_statements()


def _request(req: dict[str, Any], resource: str, context: dict[str, Any], tags: dict[str, Any] | None,
             case: dict[str, Any] | None = None, derive: bool = False, at: datetime | None = None) -> Request:
    want = case.get("derive_context") if case is not None else None
    if derive or want:
        from permwise.engine.context import derived_context, facts_from_dict

        if want is not None and not isinstance(want, (bool, dict)):
            raise CaseError("`derive_context` must be true, false or an object of facts")
        try:
            pf, rf, rt, region = facts_from_dict(want if isinstance(want, dict) else None, req["principal"])
        except (ValueError, TypeError) as exc:
            raise CaseError(f"`derive_context`: {exc}") from None
        if rt.at is None:
            rt = rt.merged(type(rt)(at=at))
        if rf.account is None and req.get("resource_account") is not None:
            rf = type(rf)(str(req["resource_account"]), rf.org_id, rf.org_paths, rf.tags)
        if tags:
            pf = type(pf)(pf.arn, pf.unique_id, pf.role_arn, pf.org_id, pf.org_paths, {**pf.tags, **tags})
        derived, _unknown = derived_context(pf, req["action"], resource, region=region, resource_facts=rf, runtime=rt)
        low = {str(k).lower() for k in context}
        context = {**{k: v for k, v in derived.items() if k.lower() not in low}, **context}
    km = req.get("key_manager")
    return Request(
        principal=req["principal"],
        action=req["action"],
        resource=resource,
        resource_account=_opt_str(req.get("resource_account"), "request.resource_account"),
        context=context,
        principal_tags=tags,
        resource_key_manager=str(km) if km is not None else None,
        at=at,
    )


def _policy_set(case: dict[str, Any], rcp_services: frozenset[str] | None) -> PolicySet:
    ids = case.get("identity_policies") or []
    if isinstance(ids, (dict, str)):  # one document given without the list
        ids = [ids]
    if not isinstance(ids, list):
        raise CaseError("`identity_policies` must be a list of policy documents")
    identity = [
        _compiled(d, f"identity[{i}]", "identity", None, f"identity_policies[{i}]")
        for i, d in enumerate(ids)
        if d is not None
    ]
    boundary = case.get("permission_boundary", case.get("permissions_boundary"))
    session = case.get("session_policy")
    rp = case.get("resource_policy")
    rkind = case.get("resource_policy_kind") or "resource"
    if rkind not in ("resource", "trust"):
        raise CaseError("`resource_policy_kind` must be `resource` or `trust`")
    # compiled in the order of the case's parts, so the first bad part is the one reported
    bpol = _compiled(boundary, "boundary", "boundary", None, "permission_boundary") if boundary else None
    spol = _compiled(session, "session", "session", None, "session_policy") if session else None
    scps = _levels(case.get("scps"), "scp", "scps")
    rcps = _levels(case.get("rcps"), "rcp", "rcps")
    rpol = _compiled(rp, "resource_policy", rkind, None, "resource_policy") if rp else None
    mgmt = _opt_str(case.get("management_account_id"), "management_account_id")
    restrict = _restrict_public(case.get("block_public_access"))
    if rcps and rcp_services is None:
        raise CaseError("a case with `rcps` needs the RCP-supported services (pass `rcp_services`)")
    return PolicySet(identity=identity, boundary=bpol, session=spol, scps=scps, rcps=rcps, resource=rpol,
                     management_account_id=mgmt, scp_exempt=case.get("scp_exempt"), rcp_exempt=case.get("rcp_exempt"),
                     resource_policy_required=case.get("resource_policy_required"), s3_restrict_public=restrict,
                     rcp_services=rcp_services)


def _restrict_public(bpa: Any) -> bool:
    if bpa is None:
        return False
    if not isinstance(bpa, dict):
        raise CaseError("`block_public_access` must be an object such as {\"RestrictPublicBuckets\": true}")
    return bool(bpa.get("RestrictPublicBuckets"))
