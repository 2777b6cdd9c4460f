"""Auth ``required`` is enforced by nginx-tls itself, in real nginx, not only by the Ingress.

A small platform with one auth-``required`` web service is rendered with ``charon render``; its
``default.conf`` (ConfigMap ``<svc>-nginx``) is taken as written, with only three rewrites: the
certificate paths (a self-signed certificate made here), the ``listen`` ports (free loopback
ports) and the host of ``identity.forwardAuth.url`` (a stub auth server on loopback, which answers
200 for the session cookie or bearer token and 401 otherwise). The app port is chosen free when the
spec is written, so the ``proxy_pass`` line is untouched. The client connects from 127.0.0.1,
which the allowlist admits (the tailnet case: only auth stands between the client and the app).
"""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from peers import require
from peers.rendering import documents, render
from peers.services import NginxServer, free_port

HOST = "wiki.lab.example"
AUTH_URL = "http://oauth2-proxy.core.svc.cluster.local:4180/oauth2/auth"
SIGNIN = "https://auth.lab.example/oauth2/start"
SESSION = "_oauth2_proxy=valid-session"
CERT_PATH = "/etc/nginx/certs/tls.crt"
KEY_PATH = "/etc/nginx/certs/tls.key"


def _platform(app_port: int, signin: bool) -> str:
    forward: dict[str, str] = {"url": AUTH_URL}
    if signin:
        forward["signin"] = SIGNIN
    spec = {
        "apiVersion": "charon.dev/v1alpha1",
        "kind": "Platform",
        "metadata": {"name": "lab"},
        "cluster": {
            "domain": "lab.example",
            "storageClasses": {"default": "local-block", "encrypted": "local-block-luks"},
            "tls": {"issuer": "letsencrypt"},
        },
        "vpn": {"headscale": {"url": "https://headscale.lab.example"}},
        "identity": {"forwardAuth": forward},
        "categories": {"core": {"tier": "0-core"}, "apps": {"tier": "3-edge"}},
        "services": {
            "headscale": {
                "category": "core",
                "kind": "plain",
                "image": "headscale/headscale:0.26.1",
                "port": 8080,
                "exposure": "public",
                "auth": {"mode": "app", "reason": "enrollment; clients present pre-auth keys"},
                "runAsUser": 65532,
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
            },
            "wiki": {
                "category": "apps",
                "image": "requarks/wiki:2.5.307",
                "port": app_port,
                "exposure": "vpn",
                "lifecycle": False,
                "dns": "none",
                "runAsUser": 1000,
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
            },
        },
    }
    return yaml.safe_dump(spec, sort_keys=False)


def _render_conf(tmp: Path, app_port: int, signin: bool) -> str:
    """``default.conf`` of ``wiki`` from a real ``charon render`` (which also runs every check)."""
    spec = tmp / "platform.yaml"
    spec.write_text(_platform(app_port, signin))
    for doc in documents(render(spec, tmp / "tree")):
        if doc.get("kind") == "ConfigMap" and doc["metadata"]["name"] == "wiki-nginx":
            return str(doc["data"]["default.conf"])
    raise AssertionError("the render holds no ConfigMap wiki-nginx")


@dataclass
class Stub:
    """A loopback HTTP server that records what it was asked."""

    server: ThreadingHTTPServer
    seen: list[dict[str, str]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])


def _start_stub(answer: Callable[[BaseHTTPRequestHandler], tuple[int, bytes]]) -> Stub:
    stub: Stub

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            record = {k.lower(): v for k, v in self.headers.items()}
            record.update(method=self.command, path=self.path, body=body.decode(errors="replace"))
            stub.seen.append(record)
            status, payload = answer(self)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub = Stub(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub


def _auth_answer(handler: BaseHTTPRequestHandler) -> tuple[int, bytes]:
    cookie = handler.headers.get("Cookie") or ""
    bearer = handler.headers.get("Authorization") == "Bearer good-token"
    return (200, b"ok") if SESSION in cookie or bearer else (401, b"who are you?")


def _app_answer(handler: BaseHTTPRequestHandler) -> tuple[int, bytes]:
    return 200, f"<p>wiki app: {handler.command} {handler.path}</p>".encode()


@pytest.fixture
def stubs() -> Iterator[tuple[Stub, Stub]]:
    auth, app = _start_stub(_auth_answer), _start_stub(_app_answer)
    try:
        yield auth, app
    finally:
        for stub in (auth, app):
            stub.server.shutdown()
            stub.server.server_close()


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    openssl = require("openssl")
    directory = tmp_path_factory.mktemp("certs")
    subprocess.run(
        [str(openssl), "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=charon-test",
         "-addext", f"subjectAltName=DNS:{HOST}",
         "-keyout", str(directory / "tls.key"), "-out", str(directory / "tls.crt")],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return directory


@dataclass(frozen=True)
class Site:
    conf: str  # as rendered
    https: int
    http: int


def _for_test(conf: str, certs: Path, auth_port: int) -> Site:
    """The rendered config with only the certificate paths, the listen ports and the auth host
    rewritten; each rewrite must hit exactly what it means to, or the test says so."""
    https, http = free_port(), free_port()
    assert conf.count(CERT_PATH) == 1 and conf.count(KEY_PATH) == 1
    assert conf.count("    listen 443 ssl;") == 1 and conf.count("    listen 80;") == 1
    assert conf.count(f"proxy_pass {AUTH_URL};") == 1
    text = conf.replace(CERT_PATH, str(certs / "tls.crt")).replace(KEY_PATH, str(certs / "tls.key"))
    text = text.replace("    listen 443 ssl;", f"    listen 127.0.0.1:{https} ssl;")
    text = text.replace("    listen 80;", f"    listen 127.0.0.1:{http};")
    text = text.replace(
        "http://oauth2-proxy.core.svc.cluster.local:4180/", f"http://127.0.0.1:{auth_port}/"
    )
    assert re.findall(r"^\s*listen\s+([^\s;]+)", text, re.MULTILINE) == [
        f"127.0.0.1:{http}",
        f"127.0.0.1:{https}",
    ], "the rendered config listens on more than 80 and 443"
    return Site(text, https, http)


def _request(site: Site, certs: Path, path: str, *extra: str) -> tuple[int, str, str]:
    """(status, body, Location) of one HTTPS request to the site, certificate verified."""
    proc = subprocess.run(
        ["curl", "-sS", "--max-time", "10", "--resolve", f"{HOST}:{site.https}:127.0.0.1",
         "--cacert", str(certs / "tls.crt"), "-o", "-", "-w", "\n%{http_code} %{redirect_url}",
         *extra, f"https://{HOST}:{site.https}{path}"],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )  # fmt: skip
    body, _, tail = proc.stdout.rpartition("\n")
    code, _, location = tail.partition(" ")
    assert code.isdigit(), proc.stderr
    return int(code), body, location


def _serve(
    tmp_path: Path,
    certs: Path,
    stubs: tuple[Stub, Stub],
    nginx_server: Callable[..., NginxServer],
    *,
    signin: bool,
) -> tuple[Site, NginxServer]:
    auth, app = stubs
    conf = _render_conf(tmp_path, app.port, signin)
    assert "auth_request /_charon/auth;" in conf
    assert f"proxy_pass http://127.0.0.1:{app.port};" in conf
    site = _for_test(conf, certs, auth.port)
    server = nginx_server(site.conf)
    checked = server.test()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    return site, server


def test_session_reaches_the_app_and_no_session_gets_401(
    tmp_path: Path,
    certs: Path,
    stubs: tuple[Stub, Stub],
    nginx_server: Callable[..., NginxServer],
) -> None:
    auth, app = stubs
    site, _ = _serve(tmp_path, certs, stubs, nginx_server, signin=False)

    status, body, _ = _request(site, certs, "/page?x=1")
    assert status == 401 and "wiki app" not in body
    assert app.seen == [], "an unauthenticated request reached the app"

    status, body, _ = _request(site, certs, "/page?x=1", "-H", "Cookie: _oauth2_proxy=forged")
    assert status == 401 and app.seen == []

    status, body, _ = _request(site, certs, "/page?x=1", "-H", f"Cookie: {SESSION}")
    assert status == 200 and "wiki app: GET /page?x=1" in body
    status, body, _ = _request(site, certs, "/api", "-H", "Authorization: Bearer good-token")
    assert status == 200 and "wiki app: GET /api" in body

    # The subrequest carries the original request the usual way, never its body.
    status, body, _ = _request(
        site, certs, "/save", "-X", "POST", "--data", "secret=1", "-H", f"Cookie: {SESSION}"
    )
    assert status == 200 and "wiki app: POST /save" in body
    asked = auth.seen[-1]
    assert asked["path"] == "/oauth2/auth" and asked["method"] == "GET"
    assert asked["x-original-url"] == f"https://{HOST}:{site.https}/save"
    assert asked["x-original-method"] == "POST"
    assert asked["x-forwarded-uri"] == "/save" and asked["x-forwarded-host"].startswith(HOST)
    assert asked["body"] == "" and "secret" not in str(asked)
    assert app.seen[-1]["body"] == "secret=1"


def test_without_session_the_browser_is_sent_to_signin(
    tmp_path: Path,
    certs: Path,
    stubs: tuple[Stub, Stub],
    nginx_server: Callable[..., NginxServer],
) -> None:
    _, app = stubs
    site, _ = _serve(tmp_path, certs, stubs, nginx_server, signin=True)
    status, body, location = _request(site, certs, "/docs/page")
    assert status == 302 and "wiki app" not in body
    assert location == f"{SIGNIN}?rd=https://{HOST}:{site.https}/docs/page"
    assert app.seen == []
    status, body, _ = _request(site, certs, "/docs/page", "-H", f"Cookie: {SESSION}")
    assert status == 200 and "wiki app: GET /docs/page" in body


def test_an_unreachable_auth_service_fails_closed(
    tmp_path: Path,
    certs: Path,
    stubs: tuple[Stub, Stub],
    nginx_server: Callable[..., NginxServer],
) -> None:
    auth, app = stubs
    site, _ = _serve(tmp_path, certs, stubs, nginx_server, signin=True)
    auth.server.shutdown()
    auth.server.server_close()
    status, body, _ = _request(site, certs, "/", "-H", f"Cookie: {SESSION}")
    assert status >= 500 and "wiki app" not in body
    assert app.seen == []
