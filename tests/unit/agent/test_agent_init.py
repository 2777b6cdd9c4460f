from __future__ import annotations

import asyncio
import stat
from pathlib import Path

from charon.agent.config import load_config
from charon.agent.init import Transports, run_init
from charon.agent.ownership import Owner, owner_txt
from fakes.cloudflare import FakeCloudflare
from fakes.headscale import FakeHeadscale

NAME = "grafana.charon.test"


def _config(tmp_path: Path, fake: FakeHeadscale, **extra: str):  # type: ignore[no-untyped-def]
    (tmp_path / "hs").write_text(fake.api_key)
    (tmp_path / "cf").write_text("cf-test-token")
    return load_config(
        {
            "CHARON_AGENT_HOSTNAME": "grafana",
            "CHARON_AGENT_NAMESPACE": "monitoring",
            "CHARON_AGENT_SERVICE": "grafana",
            "CHARON_HEADSCALE_URL": "http://headscale.test",
            "CHARON_HEADSCALE_API_KEY_FILE": str(tmp_path / "hs"),
            "CHARON_HEADSCALE_USER": "charon",
            "CHARON_AUTHKEY_FILE": str(tmp_path / "auth" / "authkey"),
            "CHARON_DNS_PROVIDER": "cloudflare",
            "CHARON_DNS_ZONE": "charon.test",
            "CHARON_DNS_NAME": NAME,
            "CHARON_DNS_OWNER_ID": "cluster-a",
            "CHARON_CLOUDFLARE_ZONE_ID": "0123456789abcdef0123456789abcdef",
            "CHARON_CLOUDFLARE_API_TOKEN_FILE": str(tmp_path / "cf"),
            **extra,
        }
    )


def test_init_cleans_only_our_stale_nodes_and_records(tmp_path: Path) -> None:
    hs = FakeHeadscale(version="v0.26.0")
    stale = [hs.add_node("grafana"), hs.add_node("grafana", ips=("100.64.0.2",))]
    other_host = hs.add_node("loki")
    other_user = hs.add_node("grafana", user="other")
    cf = FakeCloudflare()
    cf.add("A", NAME, "100.64.0.1")
    cf.add("TXT", NAME, f'"{owner_txt(Owner("cluster-a", "monitoring/grafana"))}"')
    cf.add("A", "loki.charon.test", "100.64.0.3")
    config = _config(tmp_path, hs)

    result = asyncio.run(run_init(config, Transports(headscale=hs.transport(), dns=cf.transport())))

    assert sorted(result.deleted_nodes) == sorted(stale)
    assert set(hs.nodes) == {other_host, other_user}
    assert [t for t, _ in cf.at(NAME)] == ["TXT"]  # address gone, claim kept
    assert cf.at("loki.charon.test") == [("A", "100.64.0.3")]
    key_file = Path(config.authkey_file)
    assert key_file.read_text().strip() == hs.keys[result.key_id]["key"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not [p for p in key_file.parent.iterdir() if p.name.endswith(".tmp")]


def test_init_leaves_foreign_records_alone(tmp_path: Path) -> None:
    hs = FakeHeadscale()
    cf = FakeCloudflare()
    cf.add("A", NAME, "192.0.2.10")
    asyncio.run(
        run_init(_config(tmp_path, hs), Transports(headscale=hs.transport(), dns=cf.transport()))
    )
    assert cf.at(NAME) == [("A", "192.0.2.10")]


def test_init_is_idempotent_and_expires_its_previous_key(tmp_path: Path) -> None:
    hs = FakeHeadscale(version="v0.28.0")
    config = _config(tmp_path, hs, CHARON_DNS_PROVIDER="none", CHARON_HEADSCALE_TAGS="tag:web")
    first = asyncio.run(run_init(config, Transports(headscale=hs.transport())))
    second = asyncio.run(run_init(config, Transports(headscale=hs.transport())))
    assert first.key_id != second.key_id
    assert hs.keys[first.key_id]["expired"] is True
    assert hs.keys[second.key_id]["expired"] is False
    assert hs.keys[second.key_id]["aclTags"] == ["tag:web"]
    assert Path(config.authkey_file).read_text().strip() == hs.keys[second.key_id]["key"]


def test_init_retries_while_headscale_is_down(tmp_path: Path) -> None:
    hs = FakeHeadscale()
    hs.down = True
    config = _config(tmp_path, hs, CHARON_DNS_PROVIDER="none")

    async def go() -> str:
        task = asyncio.create_task(run_init(config, Transports(headscale=hs.transport())))
        while len(hs.requests) < 2:  # bounded by the test timeout
            await asyncio.sleep(0.05)
        hs.down = False
        return (await task).key_id

    key_id = asyncio.run(go())
    assert hs.keys[key_id]["expired"] is False
