"""Serve a ``handle(method, url, headers, body) -> (status, headers, body)`` fake on loopback."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

Handle = Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]

__all__ = ["Handle", "serve", "transport"]


def transport(handle: Handle) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = handle(
            request.method, str(request.url), dict(request.headers), request.read()
        )
        return httpx.Response(status, headers=headers, content=body)

    return httpx.MockTransport(handler)


@contextlib.contextmanager
def serve(handle: Handle) -> Iterator[str]:
    """Yields ``http://127.0.0.1:<port>``; the server stops and its socket closes on exit."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = handle(
                self.command, self.path, dict(self.headers.items()), body
            )
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
