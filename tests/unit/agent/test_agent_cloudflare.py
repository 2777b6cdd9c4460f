from __future__ import annotations

import asyncio

import pytest

from charon.agent.dns import Change, Record
from charon.agent.dns.cloudflare import Budget, CloudflareProvider
from charon.errors import PermanentError, RetryableError
from fakes.cloudflare import FakeCloudflare
from fakes.dns_contract import provider_contract

NAME = "grafana.charon.test."


def provider(fake: FakeCloudflare, token: str | None = None, **kw: object) -> CloudflareProvider:
    return CloudflareProvider(
        "https://api.cloudflare.test/client/v4",
        token or fake.token,
        fake.zone_id,
        transport=fake.transport(),
        **kw,  # type: ignore[arg-type]
    )


def test_contract() -> None:
    fake = FakeCloudflare()

    async def go() -> None:
        cf = provider(fake)
        try:
            await provider_contract(cf, NAME)
        finally:
            await cf.aclose()

    asyncio.run(go())
    assert fake.records == {}


def test_addresses_are_never_proxied_and_moves_are_patches() -> None:
    fake = FakeCloudflare()

    async def go() -> None:
        cf = provider(fake)
        a = Record(NAME, "A", "100.64.0.5", 60)
        await cf.apply(Change(NAME, (), add=(a,)))
        [live] = await cf.records(NAME)
        await cf.apply(
            Change(NAME, (live,), delete=(live,), add=(Record(NAME, "A", "100.64.0.6"),))
        )
        await cf.aclose()

    asyncio.run(go())
    [record] = fake.records.values()
    assert record["proxied"] is False and record["content"] == "100.64.0.6"
    assert [m for m, _ in fake.requests] == ["POST", "GET", "PATCH"]


def test_bad_token_is_permanent_with_server_message() -> None:
    fake = FakeCloudflare()

    async def go() -> None:
        cf = provider(fake, token="wrong")
        try:
            await cf.records(NAME)
        finally:
            await cf.aclose()

    with pytest.raises(PermanentError, match="HTTP 403: Authentication error"):
        asyncio.run(go())


def test_429_is_honoured_from_retry_after() -> None:
    now = [0.0]
    fake = FakeCloudflare(limit=3, window=300, block=42, clock=lambda: now[0])

    async def go() -> list[float | None]:
        cf = provider(fake, budget=Budget(limit=100, clock=lambda: now[0]))
        delays: list[float | None] = []
        try:
            for _ in range(3):
                await cf.records(NAME)
            for _ in range(2):
                try:
                    await cf.records(NAME)
                except RetryableError as exc:
                    delays.append(exc.delay)
            now[0] += 43  # the server's block is over
            fake._sent.clear()
            await cf.records(NAME)
        finally:
            await cf.aclose()
        return delays

    delays = asyncio.run(go())
    assert delays == [42.0, 42.0]
    assert fake.throttled == 1  # the second refusal came from our side: it never reached the API


def test_client_side_budget_refuses_before_sending() -> None:
    now = [1000.0]
    fake = FakeCloudflare()
    budget = Budget(limit=5, window=300, clock=lambda: now[0])

    async def go() -> float | None:
        cf = provider(fake, budget=budget)
        try:
            for _ in range(5):
                await cf.records(NAME)
                now[0] += 10
            with pytest.raises(RetryableError) as info:
                await cf.records(NAME)
            return info.value.delay
        finally:
            await cf.aclose()

    assert asyncio.run(go()) == 250.0
    assert len(fake.requests) == 5
