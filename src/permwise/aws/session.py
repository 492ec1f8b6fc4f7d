"""boto3 sessions and clients for permwise: read-only guard, retries, timeouts, endpoint override,
and one vocabulary for AWS errors.

Every client is made through :class:`Clients`, so each one has the read-only guard of
:mod:`permwise.aws.calls`, botocore's adaptive retry mode (client-side rate limiting for
throttling) and the endpoint override that tests use to point permwise at an emulator
(``--endpoint-url`` or ``PERMWISE_AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from permwise import __version__
from permwise.aws.calls import guard_client
from permwise.errors import AwsError

ENDPOINT_ENV = "PERMWISE_AWS_ENDPOINT_URL"
DEFAULT_REGION = "us-east-1"

#: Throttling is retried by botocore's adaptive mode (token bucket + backoff).
#: Requests carry ``permwise/VERSION`` in the User-Agent, so CloudTrail (and the tests' emulator
#: log) can tell permwise's calls apart.
USER_AGENT = f"permwise/{__version__}"
COLLECT_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 10},
    user_agent_extra=USER_AGENT,
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=32,
)
#: Preflight answers quickly: an unreachable endpoint fails within seconds.
PREFLIGHT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=2,
    read_timeout=10,
    user_agent_extra=USER_AGENT,
)

# --- error vocabulary --------------------------------------------------------------------------

#: Kinds of failure recorded in errors.json and shown in summaries.
SCP_DENY = "ExplicitDenyInServiceControlPolicy"
NOT_IN_USE = {
    "AWSOrganizationsNotInUseException",
    "AccessDeniedForDependencyException",
    "PolicyTypeNotEnabledException",
    "PolicyTypeNotAvailableForOrganizationException",
}
_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "Forbidden",
    "AuthorizationErrorException",
}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "InvalidToken",
}


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    message: str
    kind: str  # "scp-deny" | "access-denied" | "not-enabled" | "credentials" | "unreachable" | "other"


def classify(exc: BaseException) -> ErrorInfo:
    """Name an AWS failure: the error code AWS returned and what kind of gap it is."""
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code") or "Unknown")
        message = str(err.get("Message") or exc)
        if "with an explicit deny in a service control policy" in message:
            return ErrorInfo(code, message, "scp-deny")
        if code in NOT_IN_USE:
            return ErrorInfo(code, message, "not-enabled")
        if code in _DENIED or "not authorized" in message.lower():
            return ErrorInfo(code, message, "access-denied")
        if code in _BAD_CREDENTIALS:
            return ErrorInfo(code, message, "credentials")
        return ErrorInfo(code, message, "other")
    if isinstance(exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return ErrorInfo("NoCredentials", str(exc), "credentials")
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return ErrorInfo("ProfileNotFound", str(exc), "credentials")
    if isinstance(exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectTimeoutError):
        return ErrorInfo("EndpointConnectionError", str(exc), "unreachable")
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return ErrorInfo(type(exc).__name__, str(exc), "other")
    return ErrorInfo(type(exc).__name__, str(exc), "other")


def error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "")
    return ""


def endpoint_from_env(explicit: str | None) -> str | None:
    return explicit or os.environ.get(ENDPOINT_ENV) or None


# --- sessions ----------------------------------------------------------------------------------


class Clients:
    """Guarded boto3 clients for one set of credentials (a profile or an assumed role).

    Clients are cached per (service, region) and thread-safe to create.
    """

    def __init__(
        self,
        session: boto3.Session,
        *,
        endpoint_url: str | None = None,
        config: Config = COLLECT_CONFIG,
        default_region: str | None = None,
    ) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.config = config
        self.default_region = default_region or session.region_name or DEFAULT_REGION
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.default_region)
        with self._lock:
            if key not in self._cache:
                kwargs: dict[str, Any] = {"region_name": key[1], "config": self.config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                self._cache[key] = guard_client(self.session.client(service, **kwargs))
            return self._cache[key]

    def assume(self, role_arn: str, session_name: str = "permwise-collect") -> Clients:
        """Clients for ``role_arn`` assumed with these credentials (raises botocore errors)."""
        creds = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)[
            "Credentials"
        ]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.default_region,
        )
        return Clients(
            session, endpoint_url=self.endpoint_url, config=self.config, default_region=self.default_region
        )


def make_session(
    profile: str | None, *, endpoint_url: str | None = None, region: str | None = None, max_attempts: int | None = None
) -> boto3.Session:
    """A boto3 session for ``profile`` (None: the default credential chain); botocore errors pass.

    With ``endpoint_url``, the session's own credential providers (a profile with ``role_arn``
    and ``source_profile`` calls sts:AssumeRole while resolving credentials) use it too, so
    nothing ever reaches a real AWS endpoint while permwise is pointed at an emulator.
    """
    session = boto3.Session(profile_name=profile or None, region_name=region)
    store = session._session.get_component("config_store")
    if endpoint_url:
        store.set_config_variable("endpoint_url", endpoint_url)
    if max_attempts:
        # also bounds the retries of the credential providers' own STS calls
        store.set_config_variable("retry_mode", "standard")
        store.set_config_variable("max_attempts", max_attempts)
    return session


def open_session(profile: str | None, *, endpoint_url: str | None = None, region: str | None = None) -> boto3.Session:
    """:func:`make_session`, with a profile missing from the AWS config files as :class:`AwsError`."""
    try:
        return make_session(profile, endpoint_url=endpoint_url, region=region)
    except botocore.exceptions.ProfileNotFound:
        raise AwsError(missing_profile_message(profile or "")) from None


def missing_profile_message(profile: str) -> str:
    cfg = os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")
    return (
        f"profile `{profile}` is not in the AWS config files; hint: add `[profile {profile}]` to "
        f"`{cfg}` (aws configure --profile {profile}) or set the variable to an existing profile"
    )


def describe_failure(exc: BaseException, *, profile: str | None, endpoint_url: str | None) -> str:
    """One line for a failure that stops a command: credentials, endpoint, profile."""
    info = classify(exc)
    who = f"profile `{profile}`" if profile else "the default credentials"
    if info.kind == "unreachable":
        where = endpoint_url or "the AWS endpoint"
        return f"cannot reach `{where}` with {who}: {info.message}; hint: check --endpoint-url, the network or a proxy"
    if info.code == "ProfileNotFound":
        return missing_profile_message(profile or "")
    if info.kind == "credentials":
        return (
            f"{who} has no valid credentials ({info.code}: {info.message}); hint: run `aws sso login"
            + (f" --profile {profile}" if profile else "")
            + "` or fix the access keys"
        )
    return f"{who}: {info.code}: {info.message}"
