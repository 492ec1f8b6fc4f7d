"""Fixtures of the aws tests: moto in server mode on 127.0.0.1 (real HTTP, nothing patched),
an organization built through boto3, AWS config files with one profile per account, and one
snapshot collected from it."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import emulator as emu_mod  # noqa: E402

OUTSIDER = "111111111111"  # an account that belongs to no organization


@dataclass
class World:
    emu: emu_mod.Emulator
    org: emu_mod.Org
    config: Path
    url: str


def _profiles(org: emu_mod.Org, url: str) -> str:
    keys = emu_mod.CREDS
    base = f"aws_access_key_id = {keys['aws_access_key_id']}\naws_secret_access_key = {keys['aws_secret_access_key']}\nregion = us-east-1\n"

    def role(account: str, name: str = "OrganizationAccountAccessRole") -> str:
        return f"role_arn = arn:aws:iam::{account}:role/{name}\nsource_profile = mgmt\nregion = us-east-1\n"

    a = org.accounts
    return "\n".join(
        [
            f"[profile mgmt]\n{base}",
            f"[profile mgmt-again]\n{base}",
            f"[profile ops]\n{role(a['ops'], 'Operations')}",
            f"[profile billing]\n{role(a['billing'])}",
            f"[profile prod]\n{role(a['prod'])}",
            f"[profile security]\n{role(a['security'])}",
            f"[profile outsider]\n{role(OUTSIDER, 'Outsider')}",
            f"[profile bad]\naws_access_key_id = {emu_mod.BAD_ACCESS_KEY}\naws_secret_access_key = x\nregion = us-east-1\n",
            "[profile nocreds]\nregion = us-east-1\n",
        ]
    )


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    emu = emu_mod.Emulator().start()
    org = emu_mod.build_organization(emu.url)
    # bad credentials arrive over HTTP the way AWS sends them
    emu.app.faults.append(
        emu_mod.Fault(
            code="InvalidClientTokenId",
            message="The security token included in the request is invalid.",
            access_key=emu_mod.BAD_ACCESS_KEY,
        )
    )
    d = tmp_path_factory.mktemp("aws")
    config = d / "config"
    config.write_text(_profiles(org, emu.url))
    (d / "credentials").write_text("")
    yield World(emu, org, config, emu.url)
    emu.stop()


def aws_environ(world: World) -> dict[str, str]:
    """Environment in which boto3 sees only the test's AWS files and never a real endpoint."""
    return {
        "AWS_CONFIG_FILE": str(world.config),
        "AWS_SHARED_CREDENTIALS_FILE": str(world.config.parent / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PERMWISE_AWS_ENDPOINT_URL": world.url,
    }


_CLEARED = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_MANAGEMENT_PROFILE", "AWS_OPERATIONS_PROFILE", "AWS_BILLING_PROFILE", "AWS_ENDPOINT_URL",
    "AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


@pytest.fixture
def aws_env(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    for k in _CLEARED:
        monkeypatch.delenv(k, raising=False)
    for k, v in aws_environ(world).items():
        monkeypatch.setenv(k, v)
    return world


@pytest.fixture(scope="session")
def snapshot(world: World, tmp_path_factory: pytest.TempPathFactory):
    """One clean collect of the whole organization (management profile), with its request log."""
    from permwise.aws import collect

    out = tmp_path_factory.mktemp("snap") / "snapshot"
    with pytest.MonkeyPatch.context() as mp:
        for k in _CLEARED:
            mp.delenv(k, raising=False)
        for k, v in aws_environ(world).items():
            mp.setenv(k, v)
        mark = len(world.emu.app.log)
        result = collect(out, profile="mgmt", regions=["us-east-1"], endpoint_url=world.url, concurrency=3)
        # every request the emulator received while collect ran (nothing else runs in this
        # process meanwhile), whatever its User-Agent: a call that bypassed permwise's clients
        # is seen too
        requests = list(world.emu.app.log[mark:])
    return result, requests


class RecordingProgress:
    """A collect progress listener that remembers what it was told."""

    def __init__(self) -> None:
        self.totals: list[int] = []
        self.advances: list[str] = []

    def total(self, units: int) -> None:
        self.totals.append(units)

    def advance(self, description: str) -> None:
        self.advances.append(description)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for the unreachable-endpoint tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> CliResult:
    """Run the real entry point ``permwise.cli.main.main`` in-process (it owns the one-line error
    handling and exit code 2), capturing stdout and stderr."""
    from permwise.cli.main import main

    capsys.readouterr()
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    cap = capsys.readouterr()
    return CliResult(code, cap.out, cap.err)


os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
