from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from charon.agent.config import AgentConfig, load_config
from charon.agent.health import HealthServer
from charon.agent.init import Transports
from charon.agent.sidecar import Sidecar
from charon.agent.wiring import build_sidecar
from charon.errors import PermanentError
from fakes.cloudflare import FakeCloudflare
from fakes.headscale import FakeHeadscale

NAME = "grafana.charon.test"
TXT = "heritage=charon,charon/owner=cluster-a,charon/resource=monitoring/grafana"


def _config(tmp_path: Path, hs: FakeHeadscale, **extra: str) -> AgentConfig:
    (tmp_path / "hs").write_text(hs.api_key)
    (tmp_path / "cf").write_text("cf-test-token")
    env = {
        "CHARON_AGENT_HOSTNAME": "grafana",
        "CHARON_AGENT_NAMESPACE": "monitoring",
        "CHARON_AGENT_SERVICE": "grafana",
        "CHARON_HEADSCALE_URL": "http://headscale.test",
        "CHARON_HEADSCALE_API_KEY_FILE": str(tmp_path / "hs"),
        "CHARON_HEADSCALE_USER": "charon",
        "CHARON_DNS_PROVIDER": "cloudflare",
        "CHARON_DNS_ZONE": "charon.test",
        "CHARON_DNS_NAME": NAME,
        "CHARON_DNS_OWNER_ID": "cluster-a",
        "CHARON_CLOUDFLARE_ZONE_ID": "0123456789abcdef0123456789abcdef",
        "CHARON_CLOUDFLARE_API_TOKEN_FILE": str(tmp_path / "cf"),
        "CHARON_KUBE_SA_DIR": str(tmp_path / "no-sa"),
        **extra,
    }
    return load_config(env)


async def _with_sidecar(config: AgentConfig, hs: FakeHeadscale, cf: FakeCloudflare, body):  # type: ignore[no-untyped-def]
    sidecar, closers = build_sidecar(
        config, Transports(headscale=hs.transport(), dns=cf.transport())
    )
    try:
        return await body(sidecar)
    finally:
        for close in closers:
            await close()


def run(config: AgentConfig, hs: FakeHeadscale, cf: FakeCloudflare, body):  # type: ignore[no-untyped-def]
    return asyncio.run(_with_sidecar(config, hs, cf, body))


def test_waits_then_publishes_then_keeps_it_right(tmp_path: Path) -> None:
    hs, cf = FakeHeadscale(), FakeCloudflare()
    config = _config(tmp_path, hs)

    async def body(sidecar: Sidecar) -> list[str]:
        states = [(await sidecar.sync_once()).state]
        nid = hs.add_node("grafana", ips=("100.64.0.5", "fd7a:115c:a1e0::5"))
        states.append((await sidecar.sync_once()).state)
        states.append((await sidecar.sync_once()).state)
        for rid, rec in list(cf.records.items()):  # someone deletes our A record by hand
            if rec["type"] == "A":
                del cf.records[rid]
        states.append((await sidecar.sync_once()).detail)
        for rec in cf.records.values():  # ... and edits the AAAA
            if rec["type"] == "AAAA":
                rec["content"] = "fd7a:115c:a1e0::99"
        states.append((await sidecar.sync_once()).detail)
        hs.nodes.pop(nid)
        hs.add_node("grafana", ips=("100.64.0.8",))  # the pod moved: new node, same hostname
        states.append((await sidecar.sync_once()).detail)
        return states

    states = run(config, hs, cf, body)
    assert states == ["waiting", "wrote", "in-sync", "missing", "changed", "moved"]
    assert cf.at(NAME) == [("A", "100.64.0.8"), ("TXT", f'"{TXT}"')]


def test_foreign_record_is_reported_not_touched(tmp_path: Path) -> None:
    hs, cf = FakeHeadscale(), FakeCloudflare()
    hs.add_node("grafana", ips=("100.64.0.5",))
    cf.add("A", NAME, "192.0.2.10")
    config = _config(tmp_path, hs)

    async def body(sidecar: Sidecar) -> tuple[str, bytes]:
        outcome = await sidecar.sync_once()
        await sidecar.sync_once()
        return outcome.state, sidecar.metrics.render()

    state, metrics = run(config, hs, cf, body)
    assert state == "conflict"
    assert cf.at(NAME) == [("A", "192.0.2.10")]
    assert b"charon_agent_dns_conflicts_total 2.0" in metrics
    assert b"charon_agent_dns_conflict 1.0" in metrics


def test_nodes_of_other_users_and_tags_are_ignored(tmp_path: Path) -> None:
    hs, cf = FakeHeadscale(), FakeCloudflare()
    hs.add_node("grafana", user="other", ips=("100.64.0.66",))
    hs.add_node("grafana", user="tagged-devices", ips=("100.64.0.77",), tags=("tag:evil",))
    hs.add_node("grafana", user="tagged-devices", ips=("100.64.0.7",), tags=("tag:web",))
    config = _config(tmp_path, hs, CHARON_HEADSCALE_TAGS="tag:web")

    async def body(sidecar: Sidecar) -> str:
        return (await sidecar.sync_once()).state

    assert run(config, hs, cf, body) == "wrote"
    assert ("A", "100.64.0.7") in cf.at(NAME)


def test_permanent_error_is_counted_and_raised(tmp_path: Path) -> None:
    hs, cf = FakeHeadscale(), FakeCloudflare(token="rotated")
    hs.add_node("grafana")
    config = _config(tmp_path, hs)

    async def body(sidecar: Sidecar) -> bytes:
        with pytest.raises(PermanentError, match="Authentication error"):
            await sidecar.sync_once()
        return sidecar.metrics.render()

    metrics = run(config, hs, cf, body)
    assert b'charon_agent_api_errors_total{api="dns",kind="permanent"} 1.0' in metrics


def test_loop_recovers_from_an_outage_and_stops_on_request(tmp_path: Path) -> None:
    hs, cf = FakeHeadscale(), FakeCloudflare()
    hs.down = True
    config = _config(tmp_path, hs, CHARON_AGENT_INTERVAL="1")

    async def body(sidecar: Sidecar) -> bytes:
        stop = asyncio.Event()
        task = asyncio.create_task(sidecar.run(stop))
        while len(hs.requests) < 2:
            await asyncio.sleep(0.05)
        hs.down = False
        hs.add_node("grafana", ips=("100.64.0.5",))
        while not cf.at(NAME):
            await asyncio.sleep(0.05)
        stop.set()
        await task
        return sidecar.metrics.render()

    metrics = run(config, hs, cf, body)
    assert b'charon_agent_api_errors_total{api="headscale",kind="retryable"}' in metrics
    assert b'charon_agent_dns_repairs_total{reason="created"} 1.0' in metrics
    assert cf.at(NAME) == [("A", "100.64.0.5"), ("TXT", f'"{TXT}"')]


def test_health_endpoint_serves_healthz_and_metrics(tmp_path: Path) -> None:
    hs, cf = FakeHeadscale(), FakeCloudflare()
    config = _config(tmp_path, hs)

    async def get(port: int, path: str) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        await writer.drain()
        data = await reader.read()
        writer.close()
        await writer.wait_closed()
        return data

    async def body(sidecar: Sidecar) -> list[bytes]:
        server = HealthServer(sidecar.metrics, sidecar.healthy)
        port = await server.start("127.0.0.1:0")
        try:
            return [await get(port, p) for p in ("/healthz", "/metrics", "/nope")]
        finally:
            await server.stop()

    healthz, metrics, missing = run(config, hs, cf, body)
    assert healthz.startswith(b"HTTP/1.1 200") and healthz.endswith(b"ok\n")
    assert b"charon_agent_seconds_since_last_sync" in metrics
    assert missing.startswith(b"HTTP/1.1 404")
