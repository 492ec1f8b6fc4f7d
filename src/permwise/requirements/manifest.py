"""Loading and validating requirement manifests.

A MANIFEST argument is a bundled name (``runbooks``) or a file path. Validation has two stages:

1. shape, by the pydantic models (:mod:`permwise.requirements.model`), which are also the
   published JSON Schema;
2. meaning, against the action catalog: every action or pattern names real actions (with "did you
   mean"), every resource template uses known variables and fits the resource types of the actions
   it is given for, condition keys exist, profiles are declared, command ids are unique.

:func:`check_manifest` returns every problem; :func:`load_manifest` raises the first error as a
one-line :class:`~permwise.errors.InputError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from permwise.catalog import Action, closest, get_catalog, is_action_pattern_valid
from permwise.errors import InputError
from permwise.policy.operators import BASE_OPERATORS, written_operator
from permwise.requirements.model import BUILTIN_VARIABLES, Manifest, Permission
from permwise.requirements.problems import Problem, at, from_validation_error
from permwise.requirements.templates import (
    SAMPLE_VALUES,
    fill,
    fits,
    resource_types_of,
    variables_of,
)
from permwise.sources import Source, join_pointer, load_source
from permwise.wording import noun, plural

#: Where bundled manifests live.
BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data" / "manifests"

#: Base condition operators (the one table in :mod:`permwise.policy.operators`), for suggestions.
_OPERATOR_NAMES = sorted(BASE_OPERATORS)


def bundled_names() -> list[str]:
    """Names of the bundled manifests, sorted."""
    if not BUNDLED_DIR.is_dir():
        return []
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.yaml"))


def manifest_path(name_or_path: str) -> str:
    """The file a MANIFEST argument stands for: an existing path, else a bundled name."""
    if os.path.lexists(name_or_path) or name_or_path == "-":  # a link loop too: the input gate names it
        return name_or_path
    bundled = BUNDLED_DIR / f"{name_or_path}.yaml"
    if bundled.is_file():
        return str(bundled)
    names = bundled_names()
    if "/" in name_or_path or os.sep in name_or_path or name_or_path.endswith((".yaml", ".yml", ".json")):
        raise InputError("no such file", file=name_or_path, hint="check the path, or give a bundled manifest name")
    guess = closest(name_or_path, names, cutoff=0.6)
    hint = f"did you mean `{guess}`?" if guess else (
        f"bundled manifests: {', '.join(names)}; or give a file path" if names else "give a manifest file path"
    )
    raise InputError(f"unknown manifest `{name_or_path}`", hint=hint)


def display_path(path: str) -> str:
    """Bundled manifests are shown by a short path (``data/manifests/runbooks.yaml``)."""
    try:
        return str(Path(path).resolve().relative_to(BUNDLED_DIR.parent.parent.parent))
    except ValueError:
        return path


@dataclass
class ManifestReport:
    """Result of :func:`check_manifest`: the model (when the shape is right) and every problem."""

    path: str
    source: Source | None
    manifest: Manifest | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check_manifest(name_or_path: str) -> ManifestReport:
    """Load and validate a manifest, collecting every problem (sorted by position)."""
    path = manifest_path(name_or_path)
    try:
        source = load_source(path)
    except InputError as exc:
        return ManifestReport(path, None, None, [Problem(exc.message, exc.pointer or "", exc.hint, "error",
                                                         exc.file, exc.line, exc.column)])
    source.path = display_path(source.path)
    return _check_source(source)


def _check_source(source: Source) -> ManifestReport:
    data = source.data
    if not isinstance(data, dict):
        return ManifestReport(source.path, source, None, [at(source, "a manifest must be a mapping with `manifest: 1` at the top",
                                                             hint="see docs/manifests.md")])
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        problems = from_validation_error(exc, source, Manifest) + _raw_problems(data, source)
        return ManifestReport(source.path, source, None, sorted(problems, key=Problem.sort_key))
    manifest._source = source  # type: ignore[attr-defined]
    problems = _semantic_problems(manifest, source)
    return ManifestReport(source.path, source, manifest, sorted(problems, key=Problem.sort_key))


def load_manifest(name_or_path: str) -> Manifest:
    """A validated manifest (bundled name or path); the first error raises :class:`InputError`."""
    path = manifest_path(name_or_path)
    try:
        st = os.stat(path)
        key = (os.path.realpath(path), st.st_mtime_ns, st.st_size)
    except OSError:
        key = (path, 0, 0)
    return _load_cached(*key, name_or_path)


@lru_cache(maxsize=32)
def _load_cached(real: str, mtime: int, size: int, name_or_path: str) -> Manifest:
    report = check_manifest(name_or_path)
    if report.errors:
        first = report.errors[0]
        extra = len(report.errors) - 1
        err = first.to_error()
        if extra:
            err.hint = (err.hint + "; " if err.hint else "") + f"{plural(extra, 'more problem')}: run `permwise manifest validate {name_or_path}`"
        raise err
    assert report.manifest is not None
    return report.manifest


def manifest_source(manifest: Manifest) -> Source | None:
    """The source a manifest was loaded from (for locating later problems)."""
    return getattr(manifest, "_source", None)


# ---------------------------------------------------------------------------------------------
# Meaning


def _semantic_problems(m: Manifest, src: Source) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    declared = set(m.variables) | set(BUILTIN_VARIABLES)
    used_vars: set[str] = set()
    for ci, cmd in enumerate(m.commands):
        base = f"/commands/{ci}"
        if cmd.id in seen:
            problems.append(at(src, f"duplicate command id `{cmd.id}` (also command {seen[cmd.id]})", f"{base}/id",
                               "give every command a unique id"))
        seen.setdefault(cmd.id, ci)
        if cmd.profile not in m.profiles:
            guess = closest(cmd.profile, list(m.profiles), cutoff=0.6)
            problems.append(at(src, f"command `{cmd.id}` uses undeclared profile `{cmd.profile}`", f"{base}/profile",
                               f"did you mean `{guess}`?" if guess else f"declare it under `profiles` ({', '.join(sorted(m.profiles))})"))
        if not (cmd.id == cmd.group or cmd.id.startswith(cmd.group + ".")):
            problems.append(at(src, f"command id `{cmd.id}` does not start with its group `{cmd.group}`", f"{base}/id",
                               "ids are `group.command`", severity="warning"))
        for pi, perm in enumerate(cmd.permissions):
            pbase = f"{base}/permissions/{pi}"
            actions = _check_actions(perm, pbase, src, problems)
            used_vars |= _check_templates(perm, actions, pbase, src, problems, m, declared)
            _check_conditions(perm, pbase, src, problems, m, declared, used_vars)
    if m.trust_policy is not None:
        used_vars |= trust_policy_variables(m.trust_policy, "/trust_policy", src, problems, declared)
    for name in sorted(set(m.variables) - used_vars):
        problems.append(at(src, f"variable `{name}` is declared but no template uses it", f"/variables/{name}",
                           "remove it or use it in a resource template", severity="warning"))
    return problems


def _check_actions(perm: Permission, pbase: str, src: Source, problems: list[Problem]) -> list[tuple[int, str, list[Action]]]:
    """Check each action pattern; returns ``(index, pattern, expansion)`` of the good ones."""
    cat = get_catalog()
    out = []
    for ai, pattern in enumerate(perm.actions):
        ptr = f"{pbase}/actions/{ai}"
        if not is_action_pattern_valid(pattern) or pattern == "*":
            problems.append(at(src, f"`{pattern}` is not an action (expected `service:ActionName`)", ptr,
                               "write the service prefix, a colon and the action name"))
            continue
        prefix, _, name = pattern.partition(":")
        if "*" in prefix or "?" in prefix:
            problems.append(at(src, f"`{pattern}`: the service prefix must be literal", ptr,
                               "name the service, e.g. `s3:Get*`"))
            continue
        expansion = cat.expand(pattern)
        if not expansion:
            guess = cat.suggest_action(pattern)
            hint = f"did you mean `{guess}`?" if guess else "see `permwise actions` for the catalog"
            if not cat.has_service(prefix):
                problems.append(at(src, f"unknown service prefix `{prefix}` in `{pattern}`", ptr, hint))
            elif "*" in name or "?" in name:
                problems.append(at(src, f"`{pattern}` matches no action of `{prefix.lower()}`", ptr, hint))
            else:
                problems.append(at(src, f"unknown action `{pattern}`", ptr, hint))
            continue
        out.append((ai, pattern, expansion))
    return out


def _sample_values(m: Manifest) -> dict[str, str]:
    vals = dict(SAMPLE_VALUES)
    for name, var in m.variables.items():
        vals[name] = var.default or var.example or "sample"
    return vals


def _check_templates(perm: Permission, actions: list[tuple[int, str, list[Action]]], pbase: str, src: Source,
                     problems: list[Problem], m: Manifest, declared: set[str]) -> set[str]:
    used: set[str] = set()
    templates = perm.resources or []
    if perm.unscoped:
        if any(t != "*" for t in templates):
            problems.append(at(src, "a permission with `unscoped: true` is granted on `*`; it takes no resource templates",
                               f"{pbase}/unscoped", "remove the templates or `unscoped`"))
        return used
    samples = _sample_values(m)
    good: list[tuple[int, str, str]] = []  # (index, template, sample arn)
    for ti, tpl in enumerate(templates):
        ptr = f"{pbase}/resources/{ti}"
        names = variables_of(tpl)
        used |= set(names)
        unknown = [n for n in names if n not in declared]
        for n in unknown:
            guess = closest(n, sorted(declared), cutoff=0.6)
            problems.append(at(src, f"unknown variable `{{{n}}}` in resource template `{tpl}`", ptr,
                               f"did you mean `{{{guess}}}`?" if guess else "declare it under `variables`"))
        if unknown or tpl == "*":
            continue
        if not tpl.startswith("arn:"):
            problems.append(at(src, f"resource template `{tpl}` is neither `*` nor an ARN", ptr,
                               "write `arn:{partition}:service:{region}:{account}:...`"))
            continue
        good.append((ti, tpl, fill(tpl, samples)[0]))
    if not actions or (perm.resources is not None and len(good) != len([t for t in templates if t != "*"])):
        return used
    has_star = perm.resources is None or "*" in templates
    template_used = {ti: False for ti, _, _ in good}
    for ai, pattern, expansion in actions:
        unfit: list[Action] = []
        star_only: list[Action] = []
        for action in expansion:
            types = resource_types_of(action)
            if not types:
                if good and not perm.wildcard_intended:
                    star_only.append(action)
                continue
            fitting = [ti for ti, _, arn in good if any(fits(arn, rt) for rt in types)]
            for ti in fitting:
                template_used[ti] = True
            if not fitting and not has_star and not (perm.wildcard_intended and ("*" in pattern or "?" in pattern)):
                unfit.append(action)
        ptr = f"{pbase}/actions/{ai}"
        if unfit:
            first = unfit[0]
            shapes = ", ".join(f"{rt.name} `{rt.arn}`" for rt in resource_types_of(first)[:3])
            what = f"`{pattern}`" if len(expansion) == 1 else f"{plural(len(unfit), 'action')} of `{pattern}` (first `{first.key}`)"
            problems.append(at(src, f"no resource template fits {what}; it acts on {shapes}", ptr,
                               "add a template of that shape, add `*` to derive it from the catalog, or move the action to its own permission"))
        if star_only and len(star_only) == len(expansion) and not has_star:
            names = ", ".join(f"`{a.key}`" for a in star_only[:3]) + (" ..." if len(star_only) > 3 else "")
            problems.append(at(src, f"{names} {noun(len(star_only), 'supports', 'support')} no resource-level permissions; generated policies grant {noun(len(star_only), 'it', 'them')} on `*`",
                               ptr, "add `*` to the resources or move the action to a permission without templates",
                               severity="warning"))
    for ti, tpl, _arn in good:
        if not template_used[ti]:
            ex = next((resource_types_of(a) for _, _, exp in actions for a in exp if resource_types_of(a)), [])
            hint = f"the actions act on e.g. `{ex[0].arn}`" if ex else "these actions support no resource-level permissions; use `*`"
            problems.append(at(src, f"resource template `{tpl}` fits no resource type of the permission's actions",
                               f"{pbase}/resources/{ti}", hint))
    return used


def _check_conditions(perm: Permission, pbase: str, src: Source, problems: list[Problem], m: Manifest,
                      declared: set[str], used: set[str]) -> None:
    cat = get_catalog()
    for op, block in perm.conditions.items():
        ptr = f"{pbase}/conditions/{op}"
        if written_operator(op) is None:
            base = op.split(":", 1)[-1]
            guess = closest(base[: -len("IfExists")] if base.lower().endswith("ifexists") else base,
                            _OPERATOR_NAMES, cutoff=0.6)
            problems.append(at(src, f"unknown condition operator `{op}`", ptr,
                               f"did you mean `{guess}`?" if guess else "see the IAM condition operators"))
        for key, value in block.items():
            kptr = join_pointer(ptr, key)
            if cat.condition_key(key) is None:
                prefix = key.split(":", 1)[0].lower()
                svc = cat.service(prefix)
                pool = [k.name for k in cat.global_condition_keys()] if prefix == "aws" else (
                    [k.name for k in svc.condition_keys.values()] if svc else [])
                guess = closest(key, pool, cutoff=0.6)
                problems.append(at(src, f"unknown condition key `{key}`", kptr,
                                   f"did you mean `{guess}`?" if guess else "see the service's condition keys in the catalog"))
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str):
                    for n in variables_of(v):
                        used.add(n)
                        if n not in declared:
                            problems.append(at(src, f"unknown variable `{{{n}}}` in condition value `{v}`", kptr,
                                               "declare it under `variables`"))


def trust_policy_variables(value, ptr: str, src: Source, problems: list[Problem], declared: set[str]) -> set[str]:
    """Template variables used in the trust policy extension (unknown ones are errors)."""
    used: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            used |= trust_policy_variables(v, join_pointer(ptr, k), src, problems, declared)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            used |= trust_policy_variables(v, join_pointer(ptr, i), src, problems, declared)
    elif isinstance(value, str):
        for n in variables_of(value):
            used.add(n)
            if n not in declared:
                problems.append(at(src, f"unknown variable `{{{n}}}` in the trust policy", ptr, "declare it under `variables`"))
    return used


def _raw_problems(data: dict, src: Source) -> list[Problem]:
    """Catalog and variable checks on a manifest whose shape is wrong, as far as its parts allow,
    so that ``validate`` reports everything in one run."""
    from types import SimpleNamespace

    problems: list[Problem] = []
    variables = data.get("variables")
    declared = set(BUILTIN_VARIABLES) | (set(variables) if isinstance(variables, dict) else set())
    commands = data.get("commands")
    for ci, cmd in enumerate(commands if isinstance(commands, list) else []):
        perms = cmd.get("permissions") if isinstance(cmd, dict) else None
        for pi, perm in enumerate(perms if isinstance(perms, list) else []):
            if not isinstance(perm, dict):
                continue
            pbase = f"/commands/{ci}/permissions/{pi}"
            actions = perm.get("actions")
            if isinstance(actions, list) and all(isinstance(a, str) for a in actions):
                _check_actions(SimpleNamespace(actions=actions), pbase, src, problems)  # type: ignore[arg-type]
            resources = perm.get("resources")
            for ti, tpl in enumerate(resources if isinstance(resources, list) else []):
                if not isinstance(tpl, str):
                    continue
                for n in variables_of(tpl):
                    if n not in declared:
                        guess = closest(n, sorted(declared), cutoff=0.6)
                        problems.append(at(src, f"unknown variable `{{{n}}}` in resource template `{tpl}`",
                                           f"{pbase}/resources/{ti}",
                                           f"did you mean `{{{guess}}}`?" if guess else "declare it under `variables`"))
    return problems
