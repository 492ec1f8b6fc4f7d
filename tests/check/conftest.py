"""Helpers for check tests: a tiny manifest, a config and snapshots built in Python."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

MANIFEST = {
    "manifest": 1,
    "tool": {"name": "mini", "version": "1.0"},
    "profiles": {"member": {"description": "a member account"}, "mgmt": {"description": "the management account"}},
    "commands": [
        {"id": "gd.read", "name": "gd read", "group": "gd", "profile": "member", "access": "read",
         "scp_risk": {"level": "high", "reason": "GuardDuty is often denied"},
         "permissions": [{"actions": ["guardduty:ListDetectors", "guardduty:ListFindings"], "resources": ["*"],
                          "justification": "read detectors"}]},
        {"id": "gd.deploy", "name": "gd deploy", "group": "gd", "profile": "mgmt", "access": "write",
         "scp_risk": {"level": "high", "reason": "GuardDuty is often denied"},
         "permissions": [{"actions": ["guardduty:CreateDetector"], "resources": ["*"], "justification": "deploy"}]},
        {"id": "ce.report", "name": "ce report", "group": "ce", "profile": "member", "access": "read",
         "scp_risk": {"level": "low", "reason": "reads"},
         "permissions": [{"actions": ["ce:GetCostAndUsage", "ce:GetCostForecast"], "resources": ["*"],
                          "justification": "costs"}]},
        {"id": "s3.read", "name": "s3 read", "group": "s3", "profile": "member", "access": "read",
         "scp_risk": {"level": "low", "reason": "reads"},
         "permissions": [{"actions": ["s3:GetObject"], "resources": ["arn:{partition}:s3:::shared-reports/*"],
                          "justification": "read the shared reports"}]},
        {"id": "ec2.describe", "name": "ec2 describe", "group": "ec2", "profile": "member", "access": "read",
         "scp_risk": {"level": "low", "reason": "reads"},
         "permissions": [{"actions": ["ec2:DescribeInstances"], "resources": ["*"], "justification": "list"}]},
    ],
}


def write_inputs(tmp: Path, member_principal: str, mgmt_principal: str) -> tuple[Path, Path]:
    m = tmp / "mini.yaml"
    m.write_text(yaml.safe_dump(MANIFEST, sort_keys=False))
    c = tmp / "config.yaml"
    c.write_text(yaml.safe_dump({
        "regions": ["ap-southeast-2"],
        "profiles": {"member": {"account": "222222222222", "principal": member_principal},
                     "mgmt": {"account": "111111111111", "principal": mgmt_principal}},
    }))
    return m, c


@pytest.fixture
def mini(tmp_path):
    """Return a function building (manifest path, config path) for given principals."""
    return lambda member, mgmt: write_inputs(tmp_path, member, mgmt)
