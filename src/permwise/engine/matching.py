"""Matching of the Action, Resource and Principal elements.

Rules (AWS "IAM JSON policy elements" pages):

* Action / NotAction: ``service:Action`` matched **case-insensitively**; ``*`` matches any run of
  characters and ``?`` exactly one.
* Resource / NotResource: matched **case-sensitively** and ARN-aware: an ARN has six
  colon-separated parts; in the first five (``arn``, partition, service, region, account) a
  wildcard never crosses a ``:``; in the resource part (everything after the fifth ``:``) ``*``
  matches any characters, ``:`` and ``/`` included. A shorter ``arn:`` pattern is read the same
  way (its last part is the tail); a pattern not starting with ``arn:`` (``*``) is a plain glob.
* Principal: no partial wildcards (AWS documents that ``*`` is only valid alone); account ids and
  ``arn:…:root`` name the account; a role ARN also covers that role's sessions.

Patterns are compiled once (an Action list is shared by every statement that writes it) into a
literal set, ``startswith``/``endswith`` tuples for a single leading or trailing ``*`` (most
wildcards in real policies), and one regular expression for the rest, built lazily the first time
a request reaches it: the hot path is a set lookup or a string method, and a batch of fresh
policies pays for no regular expression it never uses.
"""

from __future__ import annotations

from typing import Any

import re
from dataclasses import dataclass, field
from functools import lru_cache

from permwise.catalog.arn import Arn

_WILD = re.compile(r"[*?]")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_CANONICAL = re.compile(r"^[0-9a-fA-F]{64}$")


def has_wildcard(s: str) -> bool:
    return "*" in s or "?" in s


def glob_regex(pattern: str, star: str = ".*", qmark: str = ".") -> str:
    """Regex source (unanchored) for a glob where ``*``/``?`` are wildcards, all else literal."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(star)
        elif ch == "?":
            out.append(qmark)
        else:
            out.append(re.escape(ch))
    return "".join(out)


def arn_regex(pattern: str) -> str:
    """Regex source (unanchored) for an ARN pattern, segment-aware (see module docstring)."""
    if pattern == "*":
        return ".*"
    if not pattern.startswith("arn:"):
        return glob_regex(pattern)
    # the last part (the resource part of a full ARN) may span colons; the others may not.
    # A short pattern (fewer than six parts) is read the same way: its last part is the tail.
    parts = pattern.split(":", 5)
    head = [glob_regex(p, "[^:]*", "[^:]") for p in parts[:-1]]
    return ":".join(head) + ":" + glob_regex(parts[-1])


# --------------------------------------------------------------------------------------------
# actions


def _split_pattern(p: str) -> tuple[str, str]:
    """Classify a glob: ``("literal", p)``, ``("starts", head)`` (one trailing ``*``, no other
    wildcard), ``("ends", tail)`` (one leading ``*``) or ``("glob", p)`` (needs a regex)."""
    n_star = p.count("*")
    if n_star == 0 and "?" not in p:
        return "literal", p
    if n_star == 1 and "?" not in p:
        if p.endswith("*"):
            return "starts", p[:-1]
        if p.startswith("*"):
            return "ends", p[1:]
    return "glob", p


class ActionMatcher:
    """Compiled Action (or NotAction) list, shared by every statement with the same list.

    Literals are a set lookup, ``s3:Get*`` a ``str.startswith``, ``*Tagging`` a
    ``str.endswith``; only the other patterns (``s3:*Object*``, ``?``) need a regular
    expression, built the first time an action reaches them."""

    __slots__ = ("match_all", "literals", "starts", "ends", "globs", "prefixes", "_rx", "_starts_by_service",
                 "_starts_any")

    def __init__(self, match_all: bool, literals: frozenset[str], starts: tuple[str, ...], ends: tuple[str, ...],
                 globs: tuple[str, ...], prefixes: frozenset[str] | None) -> None:
        self.match_all = match_all
        self.literals = literals
        self.starts = starts
        self.ends = ends
        self.globs = globs
        #: lowercase service prefixes this matcher can match, or None when any prefix may match
        self.prefixes = prefixes
        self._rx: re.Pattern[str] | None = None
        # a long list of `svc:Verb*` prefixes (a ReadOnlyAccess-like policy names 1,400) is
        # grouped by service: `str.startswith(tuple)` tries every entry, and only the entries of
        # the action's own service can match (each ends its service part with the colon)
        self._starts_by_service: dict[str, tuple[str, ...]] | None = None
        self._starts_any = starts
        if len(starts) > 16:
            groups: dict[str, list[str]] = {}
            for text in starts:
                svc, sep, _ = text.partition(":")
                groups.setdefault(svc if sep else "", []).append(text)
            self._starts_any = tuple(groups.pop("", ()))
            self._starts_by_service = {svc: tuple(texts) for svc, texts in groups.items()}

    @property
    def regex(self) -> re.Pattern[str] | None:
        """The regular expression of the patterns that need one (built on first use)."""
        if self._rx is None and self.globs:
            self._rx = re.compile("|".join(f"(?:{glob_regex(g)})" for g in self.globs), re.DOTALL)
        return self._rx

    def partial(self, action_lower: str) -> bool:
        """The wildcard patterns only (the caller has tried ``match_all`` and the literals)."""
        if self._starts_any and action_lower.startswith(self._starts_any):
            return True
        if self._starts_by_service is not None:
            group = self._starts_by_service.get(action_lower.partition(":")[0])
            if group is not None and action_lower.startswith(group):
                return True
        if self.ends and action_lower.endswith(self.ends):
            return True
        if self.globs:
            rx = self._rx or self.regex
            return rx.fullmatch(action_lower) is not None  # type: ignore[union-attr]
        return False

    def matches(self, action_lower: str) -> bool:
        return self.match_all or action_lower in self.literals or self.partial(action_lower)


_ACTION_MATCHERS: dict[tuple[str, ...], ActionMatcher] = {}
_INTERN_MAX = 4096


_PATTERNS: dict[str, tuple[str, str, str, str | None]] = {}


def _action_pattern(pattern: str) -> tuple[str, str, str, str | None]:
    """(lowercase pattern, how, text, service prefix or None when the prefix has a wildcard)."""
    hit = _PATTERNS.get(pattern)
    if hit is None:
        p = pattern.lower()
        how, text = _split_pattern(p)
        svc, sep, _ = p.partition(":")
        hit = (p, how, text, svc if sep and not has_wildcard(svc) else None)
        if len(_PATTERNS) >= _INTERN_MAX:
            _PATTERNS.clear()
        _PATTERNS[pattern] = hit
    return hit


def compile_actions(patterns: list[str]) -> ActionMatcher:
    """The matcher of an Action list; the same list (by text) gets the same shared matcher."""
    key = tuple(patterns)
    hit = _ACTION_MATCHERS.get(key)
    if hit is not None:
        return hit
    literals: set[str] = set()
    starts: list[str] = []
    ends: list[str] = []
    globs: list[str] = []
    prefixes: set[str] | None = set()
    match_all = False
    for pattern in key:
        p, how, text, svc = _action_pattern(str(pattern))
        if p == "*":
            match_all = True
            prefixes = None
            continue
        if how == "literal":
            literals.add(p)
        elif how == "starts":
            starts.append(text)
        elif how == "ends":
            ends.append(text)
        else:
            globs.append(p)
        if prefixes is not None:
            if svc is None:
                prefixes = None
            else:
                prefixes.add(svc)
    m = ActionMatcher(match_all, frozenset(literals), tuple(starts), tuple(ends), tuple(globs),
                      frozenset(prefixes) if prefixes is not None else None)
    if len(_ACTION_MATCHERS) >= _INTERN_MAX:
        _ACTION_MATCHERS.clear()
    _ACTION_MATCHERS[key] = m
    return m


def any_action_matches(patterns: list[Any] | tuple[Any, ...], action_lower: str) -> bool:
    """``compile_actions(patterns).matches(action_lower)`` without building the matcher (non-
    strings are skipped, as the compiler drops them). For a policy asked one question, this
    tells which statements to compile at all."""
    try:
        low = list(map(str.lower, patterns))
    except TypeError:  # a value that is not a string: test the strings only
        low = [p.lower() for p in patterns if isinstance(p, str)]
    if action_lower in low:  # a literal; a wildcard pattern also matches its own text
        return True
    for p in low:
        if "*" in p or "?" in p:  # classified as compile_actions classifies it (interned)
            _, how, text, _svc = _PATTERNS.get(p) or _action_pattern(p)
            if how == "starts":
                if action_lower.startswith(text):
                    return True
            elif how == "ends":
                if action_lower.endswith(text):
                    return True
            elif _action_rx(p).fullmatch(action_lower) is not None:
                return True
    return False


@lru_cache(maxsize=4096)
def _action_rx(pattern: str) -> re.Pattern[str]:
    return re.compile(glob_regex(pattern.lower()), re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """Does Action pattern ``pattern`` (``s3:Get*``) match ``action`` (``s3:GetObject``)?

    Case-insensitive, ``*`` any run, ``?`` one character (AWS "IAM JSON policy elements: Action").
    """
    return _action_rx(pattern).fullmatch(action.lower()) is not None


# --------------------------------------------------------------------------------------------
# resources


@lru_cache(maxsize=8192)
def _arn_rx(pattern: str) -> re.Pattern[str]:
    return re.compile(arn_regex(pattern), re.DOTALL)


def arn_matches(pattern: str, arn: str) -> bool:
    """Does Resource/ARN pattern ``pattern`` match ``arn``? Case-sensitive and segment-aware."""
    if pattern == "*":
        return True
    return _arn_rx(pattern).fullmatch(arn) is not None


class ResourceMatcher:
    """Compiled Resource (or NotResource) list. Patterns with policy variables are kept as
    templates and resolved per request (see :mod:`permwise.engine.variables`).

    As for actions: literals are a set, a pattern whose only wildcard is one trailing ``*`` is a
    ``str.startswith`` (that ``*`` is in the last part of the ARN, which may span ``:``), one
    leading ``*`` on a non-ARN pattern a ``str.endswith``; the rest share one regular expression
    built the first time a request reaches them."""

    __slots__ = ("match_all", "literals", "starts", "ends", "globs", "templates", "star", "_rx")

    def __init__(self, match_all: bool, literals: frozenset[str], starts: tuple[str, ...], ends: tuple[str, ...],
                 globs: tuple[str, ...], templates: tuple[Any, ...], star: bool) -> None:
        self.match_all = match_all
        self.literals = literals
        self.starts = starts
        self.ends = ends
        self.globs = globs
        self.templates = templates  # tuple[variables.Template, ...]
        self.star = star  # a literal "*" is in the list (for audit: "Resource: *")
        self._rx: re.Pattern[str] | None = None

    @property
    def regex(self) -> re.Pattern[str] | None:
        if self._rx is None and self.globs:
            self._rx = re.compile("|".join(f"(?:{arn_regex(g)})" for g in self.globs), re.DOTALL)
        return self._rx

    def matches_static(self, resource: str) -> bool:
        if self.match_all or resource in self.literals:
            return True
        if self.starts and resource.startswith(self.starts):
            return True
        if self.ends and resource.endswith(self.ends):
            return True
        if self.globs:
            rx = self._rx or self.regex
            return rx.fullmatch(resource) is not None  # type: ignore[union-attr]
        return False


def compile_resources(patterns: list[str], templates: tuple[Any, ...]) -> ResourceMatcher:
    literals: set[str] = set()
    starts: list[str] = []
    ends: list[str] = []
    globs: list[str] = []
    match_all = False
    star = False
    for p in patterns:
        if p == "*":
            match_all = star = True
            continue
        how, text = _split_pattern(p)
        if how == "literal":
            literals.add(p)
        elif how == "starts":  # the trailing `*` is in the ARN's last part: it may span `:`
            starts.append(text)
        elif how == "ends" and not p.startswith("arn:"):  # `*` + text: a plain glob
            ends.append(text)
        else:
            globs.append(p)
    return ResourceMatcher(match_all, frozenset(literals), tuple(starts), tuple(ends), tuple(globs), templates, star)


# --------------------------------------------------------------------------------------------
# principals

#: principal kinds
USER = "user"
ROLE = "role"
SESSION = "assumed-role"
FEDERATED_USER = "federated-user"
ROOT = "root"
SERVICE = "service"
WEB_IDENTITY = "federated"
CANONICAL = "canonical"
ANONYMOUS = "anonymous"
UNKNOWN = "unknown"


@dataclass(slots=True)
class PrincipalInfo:
    """What the engine knows about the requesting principal, parsed from its ARN or name."""

    raw: str
    kind: str
    partition: str = "aws"
    account: str | None = None
    arn: str = ""
    name: str | None = None  # user name, role name, federated user name
    role_arn: str | None = None  # for sessions: arn:<p>:iam::<acct>:role/<name>
    role_name: str | None = None
    session_name: str | None = None
    service_linked: bool = False
    context_cache: dict[str, Any] | None = None  # principal-derived context keys (see engine.context)

    @property
    def is_iam(self) -> bool:
        """An IAM principal of an account (the kinds SCPs can apply to)."""
        return self.kind in (USER, ROLE, SESSION, FEDERATED_USER, ROOT)


@lru_cache(maxsize=4096)
def parse_principal(principal: str) -> PrincipalInfo:
    """Classify a request principal: IAM user/role/session/federated user/root ARN, a bare
    account id (its root), an AWS service (``*.amazonaws.com``), a SAML/OIDC provider, a
    canonical user id, or ``*``/``anonymous``."""
    p = principal.strip()
    if p in ("*", "anonymous", ""):
        return PrincipalInfo(p, ANONYMOUS)
    if _ACCOUNT_ID.match(p):
        return PrincipalInfo(p, ROOT, account=p, arn=f"arn:aws:iam::{p}:root")
    arn = Arn.parse(p)
    if arn is not None:
        partition, service, account, res = arn.partition, arn.service, arn.account, arn.resource
        if service == "iam":
            if res == "root":
                return PrincipalInfo(p, ROOT, partition, account, p)
            if res.startswith("user/"):
                name = res.rsplit("/", 1)[-1]
                return PrincipalInfo(p, USER, partition, account, p, name)
            if res.startswith("role/"):
                name = res.rsplit("/", 1)[-1]
                slr = res.startswith("role/aws-service-role/")
                return PrincipalInfo(
                    p, ROLE, partition, account, p, name, p, name, service_linked=slr
                )
            if res.startswith("saml-provider/") or res.startswith("oidc-provider/"):
                return PrincipalInfo(p, WEB_IDENTITY, partition, account, p)
        elif service == "sts":
            if res.startswith("assumed-role/"):
                bits = res.split("/")
                role_name = bits[1] if len(bits) > 1 else ""
                session = "/".join(bits[2:]) if len(bits) > 2 else ""
                role_arn = f"arn:{partition}:iam::{account}:role/{role_name}"
                return PrincipalInfo(
                    p,
                    SESSION,
                    partition,
                    account,
                    p,
                    role_name,
                    role_arn,
                    role_name,
                    session,
                    # service-linked role names all start with AWSServiceRoleFor
                    service_linked=role_name.startswith("AWSServiceRoleFor"),
                )
            if res.startswith("federated-user/"):
                name = res.split("/", 1)[1]
                return PrincipalInfo(p, FEDERATED_USER, partition, account, p, name)
        return PrincipalInfo(p, UNKNOWN, partition, account or None, p)
    if p.startswith("arn:"):
        return PrincipalInfo(p, UNKNOWN, arn=p)
    if _CANONICAL.match(p):
        return PrincipalInfo(p, CANONICAL, arn=p)
    if "." in p and " " not in p:
        return PrincipalInfo(p, SERVICE, arn=p)
    return PrincipalInfo(p, UNKNOWN, arn=p)


# principal match strengths, strongest first
MATCH_EXACT = "exact"  # the request's own identity (user ARN, session ARN, service, ...)
MATCH_ROLE = "role"  # the role ARN of a role session
MATCH_ACCOUNT = "account"  # the account (account id or arn:...:root)


@dataclass(slots=True)
class PrincipalMatcher:
    """Compiled Principal / NotPrincipal element."""

    star: bool = False
    arns: set[str] = field(default_factory=set)
    roles: set[tuple[str, str]] = field(default_factory=set)  # (account, role name)
    accounts: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    federated: set[str] = field(default_factory=set)
    canonical: set[str] = field(default_factory=set)

    def match(self, pi: PrincipalInfo) -> str | None:
        """Strength of the match of principal ``pi`` (``exact``/``role``/``account``) or None."""
        if self.star:
            # `*` names every identity of the request, a role session's own ARN included: a
            # role ARN (which permwise evaluates as a session of the role) and its session ARN
            # are decided alike, as a grant to the session (docs/engine.md, "Principal *")
            return MATCH_EXACT
        kind = pi.kind
        if kind == SERVICE:
            # web identity providers (accounts.google.com, cognito-identity.amazonaws.com) look
            # like service names; they are matched by the Federated element
            hit = pi.arn.lower() in self.services or pi.arn in self.federated
            return MATCH_EXACT if hit else None
        if kind == WEB_IDENTITY or (kind == UNKNOWN and pi.arn in self.federated):
            return MATCH_EXACT if pi.arn in self.federated else None
        if kind == CANONICAL:
            return MATCH_EXACT if pi.arn in self.canonical or pi.arn.lower() in self.canonical else None
        if kind == ANONYMOUS:
            return None
        if pi.arn in self.arns:
            return MATCH_ROLE if kind == ROLE else MATCH_EXACT
        if pi.role_name is not None and (pi.account, pi.role_name) in self.roles:
            return MATCH_ROLE
        if pi.account is not None and pi.account in self.accounts:
            return MATCH_ACCOUNT
        return None

    def excludes_all_identities(self, pi: PrincipalInfo) -> bool:
        """For NotPrincipal: are *all* identities of the request listed?

        AWS evaluates a role session as its session ARN, its role and its account, and an IAM
        user as the user and its account; a NotPrincipal statement applies unless every one of
        those identities is listed (AWS "NotPrincipal": list the session ARN, the role ARN and the
        account ARN to exempt a role session).
        """
        if self.star:
            return True
        kind = pi.kind
        if kind == SERVICE:
            return pi.arn.lower() in self.services or pi.arn in self.federated
        if kind == WEB_IDENTITY:
            return pi.arn in self.federated
        if kind == CANONICAL:
            return pi.arn in self.canonical
        if kind == ANONYMOUS or kind == UNKNOWN and pi.account is None:
            return pi.arn in self.arns
        acct_listed = pi.account is not None and pi.account in self.accounts
        if kind == ROOT:
            return acct_listed
        if not acct_listed:
            return False
        if kind == SESSION:
            role_listed = (pi.account, pi.role_name) in self.roles
            return role_listed and pi.arn in self.arns
        if kind == ROLE:
            return (pi.account, pi.role_name) in self.roles
        return pi.arn in self.arns


def compile_principal(element: object) -> PrincipalMatcher:
    """Compile a Principal/NotPrincipal value (``"*"`` or a map of AWS/Service/Federated/
    CanonicalUser to a string or list). Unknown shapes compile to a matcher that matches nothing
    (the caller records an error)."""
    m = PrincipalMatcher()
    if element == "*":
        m.star = True
        return m
    if not isinstance(element, dict):
        raise ValueError(f"principal must be `*` or an object, got `{element!r}`")
    for ptype, values in element.items():
        vals = values if isinstance(values, list) else [values]
        pt = str(ptype)
        for v in vals:
            v = str(v)
            if pt == "AWS":
                if v == "*":
                    m.star = True
                elif _ACCOUNT_ID.match(v):
                    m.accounts.add(v)
                elif (arn := Arn.parse(v)) is not None:
                    if arn.service == "iam" and arn.resource == "root":
                        m.accounts.add(arn.account)
                    elif arn.service == "iam" and arn.resource.startswith("role/"):
                        m.roles.add((arn.account, arn.resource.rsplit("/", 1)[-1]))
                        m.arns.add(v)
                    else:
                        m.arns.add(v)
                else:
                    m.arns.add(v)
            elif pt == "Service":
                if v == "*":
                    m.star = True
                m.services.add(v.lower())
            elif pt == "Federated":
                m.federated.add(v)
            elif pt == "CanonicalUser":
                m.canonical.add(v)
                m.canonical.add(v.lower())
            else:
                raise ValueError(f"unknown principal type `{pt}`")
    return m


def principal_matches(element: object, principal: str) -> bool:
    """Convenience: does a Principal element match ``principal`` at any strength?"""
    return compile_principal(element).match(parse_principal(principal)) is not None
