"""Start a real PowerDNS Authoritative (Debian pdns-server + gsqlite3) on loopback.

Not a fake: it lives here because tests/peers belongs to the testbed; the agent's PowerDNS tests
and benchmarks/agent.py use it. ``None`` from :func:`start` means the package is not installed.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["API_KEY", "PowerDns", "running"]

SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")
API_KEY = "pdns-test-api-key"


@dataclass(frozen=True)
class PowerDns:
    url: str
    dns_port: int
    zone: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def binary() -> str | None:
    found = shutil.which("pdns_server", path="/usr/sbin:/usr/bin:/sbin")
    return found if found and SCHEMA.is_file() else None


@contextlib.contextmanager
def running(zone: str = "charon.test.") -> Iterator[PowerDns]:
    exe = binary()
    if exe is None:
        raise FileNotFoundError("pdns-server and pdns-backend-sqlite3 are not installed")
    work = Path(tempfile.mkdtemp(prefix="charon-pdns-"))
    db = work / "pdns.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.executescript(SCHEMA.read_text())
    dns_port, api_port = _free_port(), _free_port()
    settings = {
        "launch": "gsqlite3",
        "gsqlite3-database": str(db),
        "local-address": "127.0.0.1",
        "local-port": str(dns_port),
        "api": "yes",
        "api-key": API_KEY,
        "webserver": "yes",
        "webserver-address": "127.0.0.1",
        "webserver-port": str(api_port),
        "webserver-allow-from": "127.0.0.0/8",
        "socket-dir": str(work),
        "guardian": "no",
        "daemon": "no",
        "disable-syslog": "yes",
        "loglevel": "3",
        "cache-ttl": "0",
        "negquery-cache-ttl": "0",
        "query-cache-ttl": "0",
    }
    (work / "pdns.conf").write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    log = (work / "pdns.log").open("w")
    proc = subprocess.Popen([exe, f"--config-dir={work}"], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{api_port}"
    try:
        with httpx.Client(base_url=url, headers={"X-API-Key": API_KEY}, timeout=2) as client:
            for _ in range(100):  # bounded start-up wait
                with contextlib.suppress(httpx.TransportError):
                    if client.get("/api/v1/servers/localhost").status_code == 200:
                        break
                if proc.poll() is not None:
                    raise RuntimeError((work / "pdns.log").read_text())
                time.sleep(0.1)
            created = client.post(
                "/api/v1/servers/localhost/zones",
                json={"name": zone, "kind": "Native", "nameservers": [f"ns1.{zone}"]},
            )
            if created.status_code != 201:
                raise RuntimeError(created.text)
        yield PowerDns(url, dns_port, zone)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
