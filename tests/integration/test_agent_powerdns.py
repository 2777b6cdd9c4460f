"""The PowerDNS provider against a real PowerDNS Authoritative (Debian's pdns-server, gsqlite3)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.message
import dns.query
import httpx
import pytest

from charon.agent.dns.powerdns import PowerDnsProvider
from charon.agent.ownership import Owner, plan
from charon.errors import PermanentError
from fakes.dns_contract import provider_contract
from peers import require

pytestmark = pytest.mark.integration

SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")
ZONE = "charon.test."
API_KEY = "pdns-test-api-key"


@dataclass
class PowerDns:
    url: str
    dns_port: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def powerdns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PowerDns]:
    binary = require("pdns_server")
    if not SCHEMA.is_file():
        pytest.skip("pdns-backend-sqlite3 not installed")
    work = tmp_path_factory.mktemp("pdns")
    db = work / "pdns.sqlite3"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.executescript(SCHEMA.read_text())
    dns_port, api_port = _free_port(), _free_port()
    conf = work / "pdns.conf"
    conf.write_text(
        "\n".join(
            [
                "launch=gsqlite3",
                f"gsqlite3-database={db}",
                "local-address=127.0.0.1",
                f"local-port={dns_port}",
                "api=yes",
                f"api-key={API_KEY}",
                "webserver=yes",
                "webserver-address=127.0.0.1",
                f"webserver-port={api_port}",
                "webserver-allow-from=127.0.0.0/8",
                f"socket-dir={work}",
                "guardian=no",
                "daemon=no",
                "disable-syslog=yes",
                "loglevel=3",
                "",
            ]
        )
    )
    log = (work / "pdns.log").open("w")
    proc = subprocess.Popen([str(binary), f"--config-dir={work}"], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{api_port}"
    try:
        with httpx.Client(base_url=url, headers={"X-API-Key": API_KEY}, timeout=2) as client:
            for _ in range(100):  # bounded start-up wait
                try:
                    if client.get("/api/v1/servers/localhost").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None, (work / "pdns.log").read_text()
                time.sleep(0.1)
            created = client.post(
                "/api/v1/servers/localhost/zones",
                json={"name": ZONE, "kind": "Native", "nameservers": ["ns1.charon.test."]},
            )
            assert created.status_code == 201, created.text
        yield PowerDns(url, dns_port)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_contract_against_real_powerdns(powerdns: PowerDns) -> None:
    async def go() -> None:
        provider = PowerDnsProvider(powerdns.url, API_KEY, ZONE)
        try:
            await provider_contract(provider, "grafana.charon.test.")
        finally:
            await provider.aclose()

    asyncio.run(go())


def test_records_answer_in_dns(powerdns: PowerDns) -> None:

    name = "loki.charon.test."
    owner = Owner("it", "monitoring/loki")

    async def go() -> None:
        provider = PowerDnsProvider(powerdns.url, API_KEY, ZONE)
        try:
            decision = plan(name, await provider.records(name), ["100.64.1.2"], owner, 60)
            await provider.apply(decision.change)
        finally:
            await provider.aclose()

    asyncio.run(go())
    answer = dns.query.udp(
        dns.message.make_query(name, "A"), "127.0.0.1", port=powerdns.dns_port, timeout=5
    )
    assert [rd.to_text() for rrset in answer.answer for rd in rrset] == ["100.64.1.2"]


def test_bad_api_key_is_permanent(powerdns: PowerDns) -> None:

    async def go() -> None:
        provider = PowerDnsProvider(powerdns.url, "wrong", ZONE)
        try:
            await provider.records("x.charon.test.")
        finally:
            await provider.aclose()

    with pytest.raises(PermanentError, match="HTTP 401"):
        asyncio.run(go())
