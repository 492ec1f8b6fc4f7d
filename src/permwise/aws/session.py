"""boto3 sessions and clients for permwise: read-only guard, retries, timeouts, endpoint override,
and one vocabulary for AWS errors.

Every client is made through :class:`Clients`, so each one has the read-only guard of
:mod:`permwise.aws.calls`, botocore's adaptive retry mode (client-side rate limiting for
throttling) and the endpoint override that tests use to point permwise at an emulator
(``--endpoint-url`` or ``PERMWISE_AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import ipaddress
import os
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore.exceptions
import botocore.session
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
#: Bounded: 4 attempts, 3 s to connect, 20 s to read, so an unreachable endpoint fails in seconds
#: (aws/breaker.py then fails the remaining calls to that host at once, each recorded as a gap).
COLLECT_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 4},
    user_agent_extra=USER_AGENT,
    connect_timeout=3,
    read_timeout=20,
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


def kind_of(code: str, message: str) -> str:
    """What kind of gap an AWS error code and message describe."""
    if "explicit deny in a service control policy" in message:
        return "scp-deny"
    if "explicit deny in a resource control policy" in message:
        return "rcp-deny"
    if code in NOT_IN_USE:
        return "not-enabled"
    if code in _DENIED or "not authorized" in message.lower():
        return "access-denied"
    if code in _BAD_CREDENTIALS:
        return "credentials"
    if code in ("Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"):
        return "throttled"
    if code in ("EndpointConnectionError", "ConnectTimeoutError"):
        return "unreachable"
    return "other"


def classify(exc: BaseException) -> ErrorInfo:
    """Name an AWS failure: the error code AWS returned and what kind of gap it is."""
    if isinstance(exc, botocore.exceptions.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code") or "Unknown")
        message = str(err.get("Message") or exc)
        return ErrorInfo(code, message, kind_of(code, message))
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
                client = guard_client(self.session.client(service, **kwargs))
                if service == "s3control" and self.endpoint_url:
                    keep_endpoint_host(client, self.endpoint_url)
                self._cache[key] = client
            return self._cache[key]

    def assume(self, role_arn: str, session_name: str = "permwise-collect") -> Clients:
        """Clients for ``role_arn`` assumed with these credentials (raises botocore errors)."""
        creds = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)[
            "Credentials"
        ]
        session = _sibling_session(
            self.session,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.default_region,
        )
        return Clients(
            session, endpoint_url=self.endpoint_url, config=self.config, default_region=self.default_region
        )


_LOADER_LOCK = threading.Lock()
_SHARED_LOADER: Any = None


def _share_loader(session: boto3.Session) -> None:
    """Let every session of this process use one data loader (models parsed once)."""
    global _SHARED_LOADER
    with _LOADER_LOCK:
        if _SHARED_LOADER is None:
            _SHARED_LOADER = session._session.get_component("data_loader")
        else:
            session._session.register_component("data_loader", _SHARED_LOADER)


def _sibling_session(parent: boto3.Session, **kwargs: Any) -> boto3.Session:
    """A new boto3 session with its own credentials that shares ``parent``'s data loader.

    A fresh session parses every service model and endpoint rule set again (about 0.2 s of CPU
    per service); sharing the loader's cache makes an assumed account cost only its API calls,
    which matters with hundreds of accounts.
    """
    loader = parent._session.get_component("data_loader")
    with _LOADER_LOCK:
        # the parent's profile, not AWS_PROFILE from the environment (in the four-profile
        # contract that is the workload profile, which may not even exist here)
        core = botocore.session.Session(profile=parent.profile_name if parent.profile_name != "default" else None)
        core.register_component("data_loader", loader)
        session = boto3.Session(botocore_session=core, **kwargs)
        # boto3 appends its own data path to the loader of every session it wraps: keep one
        seen: set[str] = set()
        loader.search_paths[:] = [p for p in loader.search_paths if not (p in seen or seen.add(p))]
    return session


def _literal_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def keep_endpoint_host(client: Any, endpoint_url: str) -> Any:
    """Send S3 Control requests to ``endpoint_url`` itself when it names a literal host.

    The S3 Control API puts the account id in the host name (``ACCOUNT.s3-control.REGION...``);
    botocore prepends it to a custom endpoint too. ``123456789012.127.0.0.1`` can never resolve,
    so for an IP address or ``localhost`` (an emulator) the prefix is dropped before signing and
    the account travels in the ``x-amz-account-id`` header alone, which is how emulators such as
    moto serve S3 Control. Any other custom endpoint (an S3 Control PrivateLink name, which has
    wildcard DNS) keeps botocore's behaviour.
    """
    target = urlsplit(endpoint_url)
    if not target.hostname or not _literal_host(target.hostname):
        return client

    def _rewrite(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        if parts.netloc != target.netloc:
            request.url = urlunsplit(parts._replace(scheme=target.scheme, netloc=target.netloc))

    client.meta.events.register("before-sign.s3-control", _rewrite, unique_id="permwise-s3control-endpoint")
    return client


def make_session(
    profile: str | None, *, endpoint_url: str | None = None, region: str | None = None, max_attempts: int | None = None
) -> boto3.Session:
    """A boto3 session for ``profile`` (None: the default credential chain); botocore errors pass.

    With ``endpoint_url``, the session's own credential providers (a profile with ``role_arn``
    and ``source_profile`` calls sts:AssumeRole while resolving credentials) use it too, so
    nothing ever reaches a real AWS endpoint while permwise is pointed at an emulator.
    """
    session = boto3.Session(profile_name=profile or None, region_name=region)
    _share_loader(session)
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
    who = f"profile `{profile}`" if profile else "the default credential chain"
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
