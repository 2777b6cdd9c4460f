"""The agent against real headscale, real tailscaled and real BIND9 (fixtures in tests/peers).

Every wait is a bounded loop; each scenario checks that nothing is lost or duplicated at the name.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from charon.agent.config import AgentConfig, load_config
from charon.agent.dns import Change, Record
from charon.agent.dns.rfc2136 import Rfc2136Provider
from charon.agent.init import run_init
from charon.agent.ownership import Owner, owner_txt
from charon.agent.sidecar import Sidecar
from charon.agent.wiring import build_sidecar
from fakes.dns_contract import provider_contract

pytestmark = pytest.mark.integration

HOST = "grafana"
OWNER = Owner("it-cluster", "monitoring/grafana")


def _peer(request: pytest.FixtureRequest, name: str) -> Any:
    try:
        return request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        pytest.skip(f"fixture {name!r} is not available yet (tests/peers)")


@pytest.fixture
def bind(request: pytest.FixtureRequest) -> Any:
    """The ``dns_server`` peer (BIND9), or a skip while tests/peers/services.py lacks it."""
    return _peer(request, "dns_server")


def _config(tmp_path: Path, hs: Any, dns: Any, host: str = HOST, **extra: str) -> AgentConfig:
    (tmp_path / "hs-key").write_text(hs.api_key)
    (tmp_path / "tsig").write_text(dns.tsig_secret)
    zone = dns.zone.rstrip(".")
    return load_config(
        {
            "CHARON_AGENT_HOSTNAME": host,
            "CHARON_AGENT_NAMESPACE": "monitoring",
            "CHARON_AGENT_SERVICE": "grafana",
            "CHARON_HEADSCALE_URL": hs.url,
            "CHARON_HEADSCALE_API_KEY_FILE": str(tmp_path / "hs-key"),
            "CHARON_HEADSCALE_USER": hs.user,
            "CHARON_AUTHKEY_FILE": str(tmp_path / "auth" / "authkey"),
            "CHARON_DNS_PROVIDER": "rfc2136",
            "CHARON_DNS_ZONE": zone,
            "CHARON_DNS_NAME": f"{host}.{zone}",
            "CHARON_DNS_OWNER_ID": OWNER.owner_id,
            "CHARON_RFC2136_SERVER": dns.host,
            "CHARON_RFC2136_PORT": str(dns.port),
            "CHARON_RFC2136_TSIG_KEY_NAME": dns.tsig_name,
            "CHARON_RFC2136_TSIG_ALGORITHM": dns.tsig_algorithm,
            "CHARON_RFC2136_TSIG_SECRET_FILE": str(tmp_path / "tsig"),
            "CHARON_KUBE_SA_DIR": str(tmp_path / "no-sa"),
            "CHARON_AGENT_INTERVAL": "1",
            "CHARON_AGENT_INIT_TIMEOUT": "60",
            **extra,
        }
    )


def _bind_provider(bind: Any) -> Rfc2136Provider:
    """The RFC2136 provider for the test's BIND, signed with its TSIG key."""
    return Rfc2136Provider(
        bind.host,
        bind.port,
        bind.zone,
        key_name=bind.tsig_name,
        algorithm=bind.tsig_algorithm,
        secret=bind.tsig_secret,
    )


def _dns_errors(sidecar: Sidecar) -> float:
    """Failed DNS calls the sidecar has counted (its Prometheus counter), retryable ones."""
    value = sidecar.metrics.registry.get_sample_value(
        "charon_agent_api_errors_total", {"api": "dns", "kind": "retryable"}
    )
    return value or 0.0


def _answers(dns: Any, name: str, rdtype: str) -> list[str]:
    return sorted(str(v).strip('"') for v in dns.query(name, rdtype))


def _v4(ips: Any) -> list[str]:
    return sorted(str(ip) for ip in ips if ipaddress.ip_address(str(ip)).version == 4)


async def _eventually(check: Callable[[], Awaitable[bool]], tries: int = 300) -> None:
    for _ in range(tries):  # bounded: tries x 0.1 s
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached")


async def _with_sidecar(config: AgentConfig, body: Callable[[Sidecar], Awaitable[Any]]) -> Any:
    sidecar, closers = build_sidecar(config)
    try:
        return await body(sidecar)
    finally:
        for close in closers:
            await close()


def test_rfc2136_contract_against_bind(bind: Any) -> None:
    async def go() -> None:
        provider = _bind_provider(bind)
        await provider_contract(provider, f"contract.{bind.zone}")

    asyncio.run(go())


def test_join_publish_restart_move(
    tmp_path: Path, headscale: Any, tailnet_node: Any, bind: Any
) -> None:
    config = _config(tmp_path, headscale, bind)
    name = config.dns_name
    key_file = Path(config.authkey_file)

    asyncio.run(run_init(config))
    first = tailnet_node(HOST, key_file.read_text().strip())
    first_ips = _v4(first.ips())
    assert first_ips and first_ips[0].startswith("100.")

    async def publish(sidecar: Sidecar) -> None:
        async def done() -> bool:
            return (await sidecar.sync_once()).state in ("wrote", "in-sync")

        await _eventually(done)

    asyncio.run(_with_sidecar(config, publish))
    assert _answers(bind, name, "A") == first_ips
    assert owner_txt(OWNER) in _answers(bind, name, "TXT")

    # The pod restarts with fresh state: init removes the old node, the record moves.
    old_ids = {str(n["id"]) for n in headscale.nodes() if n.get("name") == HOST}
    first.stop()
    result = asyncio.run(run_init(config))
    assert set(result.deleted_nodes) == old_ids
    assert _answers(bind, name, "A") == []  # our stale address is gone at once
    second = tailnet_node(HOST, key_file.read_text().strip())
    second_ips = _v4(second.ips())
    asyncio.run(_with_sidecar(config, publish))
    assert _answers(bind, name, "A") == second_ips
    assert _answers(bind, name, "TXT").count(owner_txt(OWNER)) == 1
    assert not {str(n["id"]) for n in headscale.nodes()} & old_ids


def test_faults_recover_without_restart(
    tmp_path: Path, headscale: Any, tailnet_node: Any, bind: Any
) -> None:
    host = "faults"
    config = _config(tmp_path, headscale, bind, host=host)
    name = config.dns_name
    asyncio.run(run_init(config))
    provider = _bind_provider(bind)

    async def body(sidecar: Sidecar) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(sidecar.run(stop))
        # Headscale goes away while the sidecar waits for the node, then comes back.
        headscale.stop()
        await asyncio.sleep(1.5)
        headscale.start()
        node = await asyncio.to_thread(
            tailnet_node, host, Path(config.authkey_file).read_text().strip()
        )
        ips = _v4(node.ips())

        async def published() -> bool:
            return _answers(bind, name, "A") == ips

        await _eventually(published)
        # Our record deleted by hand -> repaired.
        records = await provider.records(name)
        ours = tuple(r for r in records if r.rtype == "A")
        await provider.apply(Change(name, tuple(records), delete=ours))
        await _eventually(published)
        # BIND down for 30 s -> the sidecar keeps retrying with backoff (errors counted, no crash),
        # then converges: a record deleted right after the outage is repaired by the same process.
        errors_before = _dns_errors(sidecar)
        bind.stop()
        await asyncio.sleep(30)
        assert _dns_errors(sidecar) > errors_before
        assert not task.done()
        bind.start()
        records = await provider.records(name)
        await provider.apply(
            Change(name, tuple(records), delete=tuple(r for r in records if r.rtype == "A"))
        )
        await _eventually(published, tries=400)
        stop.set()
        await task

    asyncio.run(_with_sidecar(config, body))
    assert _answers(bind, name, "A") == sorted(set(_answers(bind, name, "A")))


def test_foreign_record_is_left_alone(tmp_path: Path, headscale: Any, bind: Any) -> None:
    host = "foreign"
    config = _config(tmp_path, headscale, bind, host=host)
    name = config.dns_name
    headscale_node_ip = "100.64.99.1"

    async def go() -> tuple[str, str]:
        provider = _bind_provider(bind)
        await provider.apply(Change(name, (), add=(Record(name, "A", "192.0.2.7", 300),)))

        class Fixed:
            name = "fixed"

            async def addresses(self) -> tuple[str, ...]:
                return (headscale_node_ip,)

        sidecar = Sidecar(config, Fixed(), provider)
        outcome = await sidecar.sync_once()
        return outcome.state, sidecar.metrics.render().decode()

    state, metrics = asyncio.run(go())
    assert state == "conflict"
    assert "charon_agent_dns_conflict 1.0" in metrics
    assert _answers(bind, name, "A") == ["192.0.2.7"]
    assert _answers(bind, name, "TXT") == []


@pytest.mark.parametrize("generation", ["headscale", "headscale_legacy"])
def test_both_api_generations_create_and_clean(
    tmp_path: Path, request: pytest.FixtureRequest, bind: Any, generation: str
) -> None:
    hs = _peer(request, generation)
    config = _config(tmp_path, hs, bind, host=f"gen-{generation.replace('_', '-')}")
    first = asyncio.run(run_init(config))
    second = asyncio.run(run_init(config))  # idempotent: expires the first key, makes a new one
    assert first.key_id and second.key_id and first.key_id != second.key_id
    assert Path(config.authkey_file).read_text().strip()
