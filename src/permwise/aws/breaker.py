"""A circuit breaker per endpoint host: once a host has refused or timed out a few connections,
every further request to it fails at once instead of waiting out its own timeouts and retries.

Without it, an endpoint that dies in the middle of ``collect`` costs every remaining call its
connect timeout times its retry budget (minutes over an organization); with it, the run fails in
seconds and each call that could not be made is still recorded as a gap in ``errors.json``.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

import botocore.exceptions

#: connection failures to one host after which it is considered down for the rest of the run
TRIP_AFTER = 3

_CONNECTION_ERRORS = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectTimeoutError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
)

_lock = threading.Lock()
_failures: dict[str, int] = {}


def reset() -> None:
    """Forget every failure (the start of a run)."""
    with _lock:
        _failures.clear()


def is_down(host: str) -> bool:
    with _lock:
        return _failures.get(host, 0) >= TRIP_AFTER


def _host(url: str) -> str:
    return urlsplit(url).netloc


def _before_send(request: Any, **_: Any) -> None:
    host = _host(request.url)
    if is_down(host):
        raise botocore.exceptions.EndpointConnectionError(endpoint_url=f"{urlsplit(request.url).scheme}://{host}/ "
                                                          "(down: earlier connections failed)")


def _needs_retry(caught_exception: Any = None, request_dict: Any = None, **_: Any) -> None:
    if isinstance(caught_exception, _CONNECTION_ERRORS) and request_dict:
        host = _host(request_dict.get("url", ""))
        with _lock:
            _failures[host] = _failures.get(host, 0) + 1


def install(client: Any) -> Any:
    client.meta.events.register("before-send", _before_send, unique_id="permwise-breaker-send")
    client.meta.events.register_first("needs-retry", _needs_retry, unique_id="permwise-breaker-retry")
    return client
