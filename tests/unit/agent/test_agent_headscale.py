from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from charon.agent.headscale import HeadscaleClient, PreAuthKey, parse_version
from charon.errors import PermanentError, RetryableError
from fakes.headscale import FakeHeadscale


def client(fake: FakeHeadscale, key: str | None = None) -> HeadscaleClient:
    return HeadscaleClient("http://headscale.test", key or fake.api_key, transport=fake.transport())


def test_parse_version() -> None:
    assert parse_version("v0.26.1") == (0, 26, 1)
    assert parse_version("0.23.0-beta.2") == (0, 23, 0)
    assert parse_version("dev") == (999, 0, 0)


@pytest.mark.parametrize("version", ["v0.23.0", "v0.25.1", "v0.26.0", "v0.27.1", "v0.28.0"])
def test_create_and_expire_key_in_every_dialect(version: str) -> None:
    fake = FakeHeadscale(version=version)

    async def go() -> PreAuthKey:
        async with client(fake) as hs:
            key = await hs.create_preauth_key(
                "charon", expiry_seconds=600, ephemeral=False, tags=("tag:web",)
            )
            await hs.expire_preauth_key(key)
            return key

    key = asyncio.run(go())
    stored = fake.keys[key.id]
    assert stored["user"] == "charon"
    assert stored["aclTags"] == ["tag:web"]
    assert stored["reusable"] is False
    assert stored["expired"] is True
    assert "secret" not in repr(key)


def test_tagged_key_without_user_needs_028() -> None:
    async def go(version: str) -> None:
        fake = FakeHeadscale(version=version)
        async with client(fake) as hs:
            await hs.create_preauth_key("", expiry_seconds=600, ephemeral=True, tags=("tag:web",))

    asyncio.run(go("v0.28.0"))
    with pytest.raises(PermanentError, match="CHARON_HEADSCALE_USER"):
        asyncio.run(go("v0.26.0"))


def test_unknown_user_is_permanent() -> None:
    fake = FakeHeadscale(version="v0.26.0")

    async def go() -> None:
        async with client(fake) as hs:
            await hs.create_preauth_key("nobody", expiry_seconds=600, ephemeral=False)

    with pytest.raises(PermanentError, match="no user named 'nobody'"):
        asyncio.run(go())


def test_errors_are_typed_with_the_server_message() -> None:
    fake = FakeHeadscale()

    async def nodes(hs: HeadscaleClient) -> None:
        async with hs:
            await hs.nodes()

    with pytest.raises(PermanentError, match="HTTP 401: Unauthorized") as info:
        asyncio.run(nodes(client(fake, key="wrong")))
    assert "wrong" not in str(info.value)
    fake.down = True
    with pytest.raises(RetryableError, match="HTTP 503: unavailable"):
        asyncio.run(nodes(client(fake)))


def test_429_carries_retry_after() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": "7"}, json={"message": "slow down"})

    async def go() -> None:
        async with HeadscaleClient("http://h", "k", transport=httpx.MockTransport(handler)) as hs:
            await hs.nodes()

    with pytest.raises(RetryableError) as info:
        asyncio.run(go())
    assert info.value.delay == 7.0
    assert info.value.exit_code == 75


def test_connection_refused_is_retryable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused

        async def go() -> None:
            async with HeadscaleClient(f"http://127.0.0.1:{port}", "k", timeout=2) as hs:
                await hs.version()

        with pytest.raises(RetryableError, match="cannot reach"):
            asyncio.run(go())


def test_delete_missing_node_is_success() -> None:
    fake = FakeHeadscale()
    nid = fake.add_node("grafana")

    async def go() -> None:
        async with client(fake) as hs:
            await hs.delete_node(nid)
            await hs.delete_node(nid)

    asyncio.run(go())
    assert fake.nodes == {}
