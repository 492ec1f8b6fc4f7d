"""Config and suppressions files: validation errors are one located line; expired suppressions
are findings themselves and suppress nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from permwise.audit import Finding, load_config, load_suppressions
from permwise.errors import InputError


def test_config_authorizes_by_arn_and_tag(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text('audit: 1\nauthorized:\n  "IAM-CLOUDTRAIL-*":\n    - arn: "arn:aws:iam::*:role/BreakGlass"\n'
                 '    - tag: {key: team, value: security}\n')
    cfg = load_config(str(p))
    assert cfg.is_authorized("IAM-CLOUDTRAIL-1", "arn:aws:iam::1:role/BreakGlass", {})
    assert cfg.is_authorized("IAM-CLOUDTRAIL-1", "arn:aws:iam::1:role/X", {"team": "security"})
    assert not cfg.is_authorized("IAM-CLOUDTRAIL-1", "arn:aws:iam::1:role/X", {"team": "dev"})
    assert not cfg.is_authorized("IAM-KMS-3", "arn:aws:iam::1:role/BreakGlass", {})


def test_config_error_is_located(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("audit: 1\nauthorized:\n  '*':\n    - arn: x\n      tag: {key: a}\n")
    with pytest.raises(InputError) as e:
        load_config(str(p))
    assert e.value.file == str(p) and e.value.line == 4


def _finding(rule="IAM-EC2-6", subject="arn:aws:iam::1:role/Net"):
    return Finding(rule, "medium", subject, "m")


def test_live_and_expired_suppressions(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("suppressions:\n"
                 "  - {rule: IAM-EC2-6, subject: 'arn:aws:iam::*:role/Net', reason: network team, expires: 2025-12-31}\n"
                 "  - {rule: IAM-KMS-*, subject: '*', reason: old exception, expires: 2024-01-01}\n")
    sup = load_suppressions(str(p))
    live, old = _finding(), _finding("IAM-KMS-3")
    extra = sup.apply([live, old], dt.date(2025, 6, 1))
    assert live.suppressed_by and old.suppressed_by is None
    assert [f.rule_id for f in extra] == ["AUDIT-SUPPRESSION-EXPIRED"]
    assert extra[0].pointer == "/suppressions/1"


def test_suppression_needs_expiry(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("suppressions:\n  - {rule: X, reason: r}\n")
    with pytest.raises(InputError):
        load_suppressions(str(p))
