"""The HTTP connection to the Kubernetes API: aiohttp, with lightkube's kubeconfig handling.

Why not lightkube's own async client: measured against the real kube-apiserver (2,000 GETs, 16
at a time, same process), lightkube's client spends 1.6 ms of CPU per request in its HTTP layer
(httpx2: URL parsing, connection pool bookkeeping, anyio), aiohttp 0.32 ms and a bare asyncio
socket 0.15 ms. A cold apply of a 200-service platform sends about 2,000 requests and, on a small
machine, the client shares the CPU with the API server it waits for, so those milliseconds were a
third of the whole apply. aiohttp is the well-kept library for this job; the remaining gap to a
bare socket (0.3 s for a whole cold apply) is not worth an HTTP client of our own.

lightkube still does what it is good at: reading kubeconfig files and the in-cluster service
account (:mod:`charon.cluster.kubeconfig`), building the TLS context with the cluster CA and the
client certificate, and every kind of credential (token, token file, exec plugin, basic). Its
``httpx2.Auth`` flows are driven here once to obtain the ``Authorization`` header, and again
after a 401, which is how they refresh (a rotated token file, an expired exec token).

Responses are JSON; a status >= 400 becomes :class:`ApiStatusError` carrying the API's
``Status`` object, anything below HTTP (refused, reset, timed out) an :class:`ApiUnreachable`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncGenerator, Mapping
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import httpx2
from lightkube.config.client_adapter import user_auth, verify_cluster
from lightkube.config.kubeconfig import SingleConfig
from lightkube.config.models import User

__all__ = ["JSON", "ApiClient", "ApiStatusError", "ApiUnreachable"]

JSON = "application/json"
_CHUNK_LIMIT = 64 * 1024 * 1024  # one watch event larger than this is refused, not buffered


class ApiStatusError(Exception):
    """The API server answered with an error status; ``status`` is its ``Status`` object."""

    def __init__(self, code: int, status: Mapping[str, Any]) -> None:
        self.code = code
        self.status = dict(status)
        super().__init__(f"HTTP {code}: {self.message}")

    @property
    def message(self) -> str:
        return str(self.status.get("message") or self.status.get("reason") or "")

    @property
    def reason(self) -> str:
        return str(self.status.get("reason") or "")

    @property
    def causes(self) -> list[Mapping[str, Any]]:
        return list((self.status.get("details") or {}).get("causes") or [])


class ApiUnreachable(Exception):
    """No HTTP answer at all: refused, reset, TLS failure or timeout."""

    def __init__(self, detail: str, *, retryable: bool = True) -> None:
        super().__init__(detail)
        self.retryable = retryable


def _status_of(code: int, body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict) or parsed.get("kind") != "Status":
        text = body.decode("utf-8", "replace").strip()[:500]
        return {"code": code, "message": text or f"HTTP {code}"}
    return parsed


def _unreachable(exc: BaseException) -> ApiUnreachable:
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return ApiUnreachable(f"TLS failed: {exc}", retryable=False)
    if isinstance(exc, TimeoutError):
        return ApiUnreachable("timed out waiting for an answer")
    return ApiUnreachable(str(exc) or type(exc).__name__)


def _drop_unfinished(response: aiohttp.ClientResponse) -> None:
    """Release a response; one cut short (a watch we stopped following) loses its connection.

    Such a connection cannot be reused, and a TLS connection merely closed waits for the
    server's close_notify, which may come after the event loop is gone (a leaked socket). It is
    aborted instead: there is nothing left to say on it.
    """
    connection = response.connection
    if connection is not None and not response.content.at_eof():
        transport = connection.transport
        if transport is not None:
            transport.abort()
    response.release()


class ApiClient:
    """One keep-alive connection pool to one API server, opened lazily inside the event loop."""

    def __init__(self, config: SingleConfig, *, timeout: float, connections: int) -> None:
        self.server = str(config.cluster.server).rstrip("/")
        self._ssl: ssl.SSLContext | bool = False
        if urlsplit(self.server).scheme == "https":
            user = config.user or User()
            self._ssl = verify_cluster(config.cluster, user, config.abs_file, False)
        self._auth = user_auth(config.user)
        self._headers: dict[str, str] = {"Accept": JSON, "User-Agent": "charon"}
        self._authorized = False
        self._auth_lock: asyncio.Lock | None = None
        self._timeout = timeout
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._connections, ssl=self._ssl)
            self._session = aiohttp.ClientSession(
                self.server, connector=connector, trust_env=False,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self._timeout),
            )  # fmt: skip
            self._auth_lock = asyncio.Lock()
        return self._session

    async def _authorize(self, refused: str | None) -> None:
        """Ask the kubeconfig's credential flow for a header (a fresh one after a 401)."""
        if self._auth is None:
            self._authorized = True
            return
        assert self._auth_lock is not None
        async with self._auth_lock:
            current = self._headers.get("Authorization")
            if self._authorized and refused != current:
                return  # another request refreshed it meanwhile
            flow = self._auth.async_auth_flow(httpx2.Request("GET", self.server))
            sent = await flow.__anext__()
            if refused is not None:
                # StopAsyncIteration: nothing fresher to offer; the next 401 is final.
                with contextlib.suppress(StopAsyncIteration):
                    sent = await flow.asend(httpx2.Response(401, request=sent))
            header = sent.headers.get("Authorization")
            if header:
                self._headers["Authorization"] = header
            self._authorized = True

    async def _send(
        self, method: str, path: str, params: Mapping[str, str] | None, body: bytes | None,
        *, content_type: str | None, timeout: float | None,
    ) -> aiohttp.ClientResponse:  # fmt: skip
        session = self._open()
        if not self._authorized:
            await self._authorize(None)
        for attempt in (1, 2):
            headers = dict(self._headers)
            if content_type:
                headers["Content-Type"] = content_type
            try:
                response = await session.request(
                    method, path, params=params, data=body, headers=headers,
                    timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=self._timeout),
                )  # fmt: skip
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise _unreachable(exc) from exc
            if response.status == 401 and attempt == 1 and self._auth is not None:
                response.release()
                await self._authorize(headers.get("Authorization", ""))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def request(
        self, method: str, path: str, *, params: Mapping[str, str] | None = None,
        body: bytes | None = None, content_type: str | None = None,
    ) -> Any:  # fmt: skip
        """Send one request and return the decoded JSON answer."""
        response = await self._send(
            method, path, params, body, content_type=content_type, timeout=self._timeout
        )
        try:
            data = await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise _unreachable(exc) from exc
        finally:
            _drop_unfinished(response)  # cancelled mid-body: abort, do not leak the socket
        if response.status >= 400:
            raise ApiStatusError(response.status, _status_of(response.status, data))
        return json.loads(data) if data else None

    async def stream(
        self, path: str, params: Mapping[str, str], *, timeout: float
    ) -> AsyncGenerator[dict[str, Any], None]:
        """The JSON lines of a watch, until the server ends it or ``timeout`` passes."""
        response = await self._send("GET", path, params, None, content_type=None, timeout=timeout)
        try:
            if response.status >= 400:
                data = await response.read()
                raise ApiStatusError(response.status, _status_of(response.status, data))
            buffer = b""
            try:
                async for chunk in response.content.iter_any():
                    buffer += chunk
                    if len(buffer) > _CHUNK_LIMIT:
                        raise ApiUnreachable("a watch event exceeded 64 MiB", retryable=False)
                    *lines, buffer = buffer.split(b"\n")
                    for line in lines:
                        if line.strip():
                            yield json.loads(line)
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise _unreachable(exc) from exc
        finally:
            _drop_unfinished(response)

    async def aclose(self) -> None:
        if self._session is not None:
            connector = self._session.connector
            if connector is not None:  # aborted: nothing is left to say on them (see above)
                await connector.close(abort_ssl=True)
            await self._session.close()
            self._session = None
