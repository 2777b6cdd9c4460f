"""A minimal HTTP endpoint for ``/healthz`` and ``/metrics`` on the agent's own event loop.

asyncio's own server instead of prometheus_client's threaded one: no extra thread, one port for
both paths, and it stops with the loop on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from charon.agent.metrics import Metrics
from charon.errors import PermanentError

__all__ = ["HealthServer", "parse_listen"]

CONTENT_TYPE_METRICS = "text/plain; version=0.0.4; charset=utf-8"


def parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise PermanentError(f"CHARON_AGENT_LISTEN: expected host:port, got {listen!r}")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104


class HealthServer:
    def __init__(self, metrics: Metrics, healthy: Callable[[], bool]) -> None:
        self.metrics, self.healthy = metrics, healthy
        self._server: asyncio.Server | None = None

    async def start(self, listen: str) -> int:
        """Listen and return the bound port (useful with port 0 in tests)."""
        host, port = parse_listen(listen)
        try:
            self._server = await asyncio.start_server(self._handle, host, port)
        except OSError as exc:
            raise PermanentError(f"CHARON_AGENT_LISTEN: cannot listen on {listen}: {exc}") from exc
        return int(self._server.sockets[0].getsockname()[1])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            while (await asyncio.wait_for(reader.readline(), timeout=5)) not in (
                b"\r\n",
                b"\n",
                b"",
            ):
                pass
            parts = request.decode("latin-1").split()
            path = parts[1].split("?")[0] if len(parts) >= 2 else ""
            if path == "/metrics":
                status, ctype, body = "200 OK", CONTENT_TYPE_METRICS, self.metrics.render()
            elif path in ("/healthz", "/livez", "/readyz"):
                ok = self.healthy()
                status = "200 OK" if ok else "503 Service Unavailable"
                ctype, body = "text/plain", b"ok\n" if ok else b"stalled\n"
            else:
                status, ctype, body = "404 Not Found", "text/plain", b"not found\n"
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
        except (TimeoutError, OSError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
