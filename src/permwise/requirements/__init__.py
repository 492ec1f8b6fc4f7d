"""Requirement manifests, deployment configs, the requirement plan and policy generation.

Public API (see docs/internal/CONTRACTS.md, "Requirement plan")::

    from permwise.requirements import load_manifest, load_config, plan
    m = load_manifest("runbooks")            # bundled name or path
    cfg = load_config("deploy.yaml")
    for cp in plan(m, cfg, commands=None, profiles=None):
        cp.command, cp.profile, cp.account, cp.principal, cp.requests

Generation lives in :mod:`permwise.requirements.generate` (``generate_policies``), the output
formats in :mod:`permwise.requirements.formats`.
"""

from permwise.requirements.config import check_config, load_config
from permwise.requirements.manifest import (
    ManifestReport,
    bundled_names,
    check_manifest,
    load_manifest,
    manifest_path,
)
from permwise.requirements.model import (
    BUILTIN_VARIABLES,
    Command,
    DeploymentConfig,
    Manifest,
    Permission,
    Profile,
    ProfileConfig,
)
from permwise.requirements.plan import CommandPlan, RequiredRequest, plan, satisfying_context, select_commands
from permwise.requirements.problems import Problem

__all__ = [
    "BUILTIN_VARIABLES",
    "Command",
    "CommandPlan",
    "DeploymentConfig",
    "Manifest",
    "ManifestReport",
    "Permission",
    "Problem",
    "Profile",
    "ProfileConfig",
    "RequiredRequest",
    "bundled_names",
    "check_config",
    "check_manifest",
    "load_config",
    "load_manifest",
    "manifest_path",
    "plan",
    "satisfying_context",
    "select_commands",
]
