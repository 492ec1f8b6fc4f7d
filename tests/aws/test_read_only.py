"""Least privilege for permwise itself: every request the emulator received from permwise is an
action of the bundled manifest ``permwise``, and none writes.

The request log is taken on the emulator side (tests/aws/emulator.py: a WSGI middleware in
front of moto names each HTTP request and maps it to its IAM action), not from permwise's own
hooks, so a call that bypassed permwise's guard would still be seen."""

from __future__ import annotations

import pytest
from aws_support import run_cli

from permwise import catalog
from permwise.aws.calls import NON_READ_ALLOWED, READ_OPERATIONS, WriteRefused, guard_client
from permwise.requirements import load_manifest


def _manifest_actions(profile: str | None = None) -> set[str]:
    """The actions the ``permwise`` manifest grants (to one profile, or to any)."""
    cat = catalog.get_catalog()
    m = load_manifest("permwise")
    out: set[str] = set()
    for cmd in m.commands:
        if profile and cmd.profile != profile:
            continue
        for perm in cmd.permissions:
            for pattern in perm.actions:
                expanded = cat.expand(pattern)
                assert expanded, f"manifest action `{pattern}` is not in the catalog"
                out.update(a.key.lower() for a in expanded)
    return out


def _is_write(action: str) -> bool:
    found = catalog.get_catalog().action(action)
    assert found is not None, f"`{action}` is not in the catalog: the emulator-side mapping is wrong"
    return found.is_write


@pytest.fixture(scope="module")
def observed(world, snapshot, tmp_path_factory):
    """Requests permwise sent during a full collect and a full preflight (with a manifest)."""
    _, collect_requests = snapshot
    mark = len(world.emu.app.log)
    from aws_support import aws_environ

    with pytest.MonkeyPatch.context() as mp:
        for k, v in aws_environ(world).items():
            mp.setenv(k, v)
        from permwise.aws.preflight import preflight

        preflight({"management": "mgmt", "operations": "ops", "billing": "billing", "workload": "prod"},
                  manifest="runbooks", endpoint_url=world.url)
        preflight({"management": "ops"}, endpoint_url=world.url)
    # all requests of the window, including the credential providers' own sts:AssumeRole for the
    # role_arn profiles (those are the user's profile configuration, and granted too)
    pre = list(world.emu.app.log[mark:])
    return collect_requests + pre


def test_every_request_is_granted_by_the_permwise_manifest(observed):
    granted = _manifest_actions()
    assert len(observed) > 50
    seen = {r.action for r in observed}
    missing = sorted(a for a in seen if a.lower() not in granted)
    assert missing == [], f"permwise called actions its manifest does not grant: {missing}"


def test_no_request_writes(observed):
    """Service Authorization Reference access levels: Write, Permissions management and Tagging
    change state. The one exception is sts:AssumeRole (Write: it issues credentials only)."""
    writes = sorted({r.action for r in observed if _is_write(r.action)} - NON_READ_ALLOWED)
    assert writes == []


def test_collect_sends_nothing_but_its_own_guarded_calls(snapshot):
    """Every request during collect came through permwise's clients (User-Agent permwise/...),
    so the read-only guard saw each one."""
    _, requests = snapshot
    assert requests and all(r.by_permwise for r in requests), sorted({(r.service, r.operation) for r in requests if not r.by_permwise})


def test_each_profile_needs_only_its_own_policy(snapshot, world):
    """Least privilege per profile: collect reads the management account with the management
    profile's own credentials and every member through the assumed role, so each request must be
    granted by the policy of the profile that sent it (`permwise generate permwise` prints one
    policy per profile)."""
    _, requests = snapshot
    mgmt, member = _manifest_actions("management"), _manifest_actions("member")
    from_mgmt = {r.action for r in requests if r.account == world.org.management}
    from_members = {r.action for r in requests if r.account != world.org.management}
    assert from_mgmt and from_members
    assert sorted(a for a in from_mgmt if a.lower() not in mgmt) == []
    assert sorted(a for a in from_members if a.lower() not in member) == []
    # the management account's own IAM and resource policies were read with its credentials
    assert "iam:GetAccountAuthorizationDetails" in from_mgmt and "s3:GetAccountPublicAccessBlock" in from_mgmt


def test_the_collection_covered_every_service(observed):
    seen = {r.action for r in observed}
    # the collect run reached each kind of resource policy and the Organizations tree
    for action in ("iam:GetAccountAuthorizationDetails", "organizations:ListTargetsForPolicy", "s3:GetBucketPolicy",
                   "kms:GetKeyPolicy", "sqs:GetQueueAttributes", "sns:GetTopicAttributes", "lambda:GetPolicy",
                   "secretsmanager:GetResourcePolicy", "ecr:GetRepositoryPolicy", "sts:AssumeRole",
                   "s3:GetAccountPublicAccessBlock", "s3:GetBucketPublicAccessBlock",
                   "organizations:ListDelegatedAdministrators"):
        assert action in seen, action


def test_code_table_and_manifest_agree():
    """permwise.aws.calls.READ_OPERATIONS is what the guard lets through; the manifest must grant
    exactly those actions: no more (least privilege), no less (collect would fail)."""
    table = {a.lower() for a in READ_OPERATIONS.values()}
    assert table == _manifest_actions()
    for action in READ_OPERATIONS.values():
        assert not _is_write(action) or action in NON_READ_ALLOWED, action


def test_guard_refuses_a_write_before_it_is_sent(world):
    import boto3

    from emulator import CREDS

    client = guard_client(boto3.client("s3", endpoint_url=world.url, region_name="us-east-1", **CREDS))
    mark = len(world.emu.app.log)
    with pytest.raises(WriteRefused, match="refusing to call `s3:CreateBucket`"):
        client.create_bucket(Bucket="never-created-bucket")
    assert len(world.emu.app.log) == mark  # nothing reached the emulator


def test_generate_permwise_prints_a_read_only_policy(capsys):
    """`permwise generate permwise` prints, per profile, policies whose actions together are
    exactly the operations the read-only guard lets through, and none of them writes (except
    sts:AssumeRole)."""
    import json

    r = run_cli(["generate", "permwise", "--format", "json"], capsys)
    assert r.code == 0, r.err
    policies = json.loads(r.out)
    assert set(policies) == {"permwise-checked", "permwise-management", "permwise-member"}
    actions: set[str] = set()
    for doc in policies.values():
        for st in doc["Statement"]:
            assert st["Effect"] == "Allow"
            acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            # generate folds a family into a wildcard when it grants exactly those actions
            # (`lambda:ListLayer*`): compare what the policy grants
            for a in acts:
                actions.update(x.key.lower() for x in catalog.get_catalog().expand(a))
    assert actions == {a.lower() for a in READ_OPERATIONS.values()}
    assert sorted(a for a in actions if _is_write(a) and a not in {x.lower() for x in NON_READ_ALLOWED}) == []
