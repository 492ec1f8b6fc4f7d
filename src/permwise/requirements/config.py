"""Loading a deployment config (YAML or JSON): variable values, regions, an account per profile."""

from __future__ import annotations

from pydantic import ValidationError

from permwise.errors import InputError
from permwise.requirements.model import DeploymentConfig
from permwise.requirements.problems import Problem, at, from_validation_error
from permwise.sources import Source, load_source


def check_config(path: str) -> tuple[DeploymentConfig | None, Source | None, list[Problem]]:
    """Load a config collecting every shape problem (sorted by position)."""
    try:
        source = load_source(path)
    except InputError as exc:
        return None, None, [Problem(exc.message, exc.pointer or "", exc.hint, "error", exc.file, exc.line, exc.column)]
    if not isinstance(source.data, dict):
        return None, source, [at(source, "a deployment config must be a mapping (variables, regions, profiles)",
                                 hint="see docs/generate.md")]
    try:
        cfg = DeploymentConfig.model_validate(source.data)
    except ValidationError as exc:
        return None, source, sorted(from_validation_error(exc, source, DeploymentConfig), key=Problem.sort_key)
    cfg._source = source  # type: ignore[attr-defined]
    return cfg, source, []


def load_config(path: str) -> DeploymentConfig:
    """A deployment config; the first problem raises a one-line :class:`InputError`."""
    cfg, _, problems = check_config(path)
    if problems:
        raise problems[0].to_error()
    assert cfg is not None
    return cfg


def config_source(cfg: DeploymentConfig | None) -> Source | None:
    return getattr(cfg, "_source", None) if cfg is not None else None
