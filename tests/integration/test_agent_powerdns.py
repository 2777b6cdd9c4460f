"""The PowerDNS provider against a real PowerDNS Authoritative (Debian's pdns-server, gsqlite3)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import dns.message
import dns.query
import pytest

from charon.agent.dns.powerdns import PowerDnsProvider
from charon.agent.ownership import Owner, plan
from charon.errors import PermanentError
from fakes import pdns_peer
from fakes.dns_contract import provider_contract
from peers import require

pytestmark = pytest.mark.integration

ZONE = "charon.test."


@pytest.fixture(scope="module")
def powerdns() -> Iterator[pdns_peer.PowerDns]:
    if pdns_peer.binary() is None:
        require("pdns_server")  # skips locally, fails when CHARON_TESTBED=required
        pytest.skip("pdns-backend-sqlite3 not installed")
    with pdns_peer.running(ZONE) as server:
        yield server


def test_contract_against_real_powerdns(powerdns: pdns_peer.PowerDns) -> None:
    async def go() -> None:
        provider = PowerDnsProvider(powerdns.url, pdns_peer.API_KEY, ZONE)
        try:
            await provider_contract(provider, "grafana.charon.test.")
        finally:
            await provider.aclose()

    asyncio.run(go())


def test_records_answer_in_dns(powerdns: pdns_peer.PowerDns) -> None:

    name = "loki.charon.test."
    owner = Owner("it", "monitoring/loki")

    async def go() -> None:
        provider = PowerDnsProvider(powerdns.url, pdns_peer.API_KEY, ZONE)
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


def test_bad_api_key_is_permanent(powerdns: pdns_peer.PowerDns) -> None:

    async def go() -> None:
        provider = PowerDnsProvider(powerdns.url, "wrong", ZONE)
        try:
            await provider.records("x.charon.test.")
        finally:
            await provider.aclose()

    with pytest.raises(PermanentError, match="HTTP 401"):
        asyncio.run(go())
