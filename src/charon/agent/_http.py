"""One place that turns HTTP outcomes into the agent's retryable/permanent error types.

Every HTTP API the agent talks to (Headscale, PowerDNS, Cloudflare, the Kubernetes API) fails in
the same few ways; classifying them here keeps the retry decision a type, not a string match, and
keeps server messages (never request headers, which hold tokens) in the error text.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from charon.errors import PermanentError, RetryableError

__all__ = ["RateLimitedError", "make_client", "raise_for_status", "request_json", "retry_after"]

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class RateLimitedError(RetryableError):
    """HTTP 429: the server asked us to slow down, for ``delay`` seconds when it said so."""


def make_client(
    base_url: str,
    headers: Mapping[str, str],
    timeout: float,
    transport: httpx.AsyncBaseTransport | None = None,
    verify: str | bool = True,
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers=dict(headers),
        timeout=timeout,
        transport=transport,
        verify=verify,
        follow_redirects=False,
    )


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _server_message(response: httpx.Response) -> str:
    """The server's own explanation, from JSON (grpc-gateway, RFC 7807, Cloudflare) or text."""
    text = response.text.strip()
    try:
        body = json.loads(text) if text else None
    except ValueError:
        return text[:200]
    if isinstance(body, dict):
        for key in ("message", "detail", "error", "title"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])[:200]
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict))[:200]
    return text[:200]


def raise_for_status(what: str, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    message = f"{what}: HTTP {status}: {_server_message(response) or response.reason_phrase}"
    if status == 429:
        raise RateLimitedError(message, delay=retry_after(response.headers.get("retry-after")))
    if status in RETRYABLE_STATUS:
        raise RetryableError(message, delay=retry_after(response.headers.get("retry-after")))
    raise PermanentError(message)


async def request_json(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    what: str,
    *,
    params: Mapping[str, str] | None = None,
    body: Any = None,
    allow_404: bool = False,
) -> Any:
    """Send one request and return its decoded JSON (``None`` for an allowed 404 or no body)."""
    try:
        response = await client.request(method, url, params=params, json=body)
    except httpx.TimeoutException as exc:
        raise RetryableError(f"{what}: timed out talking to {client.base_url}") from exc
    except httpx.TransportError as exc:
        raise RetryableError(f"{what}: cannot reach {client.base_url}: {exc}") from exc
    if allow_404 and response.status_code == 404:
        return None
    raise_for_status(what, response)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise RetryableError(f"{what}: the server sent a body that is not JSON") from exc
