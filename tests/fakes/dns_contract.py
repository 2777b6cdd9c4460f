"""What every DNS provider must do, as one scenario run against each (fake or real server).

Providers see only plans made by ``charon.agent.ownership``; this checks the translation: reads
return exactly the managed records at the name with TXT values unquoted, and a change ends with
exactly the planned records while other records at the name (an SPF TXT) survive.
"""

from __future__ import annotations

from charon.agent.dns import Change, Provider, Record
from charon.agent.ownership import Owner, cleanup, owner_txt, plan

__all__ = ["provider_contract"]

OWNER = Owner("contract", "tests/contract")


def _view(records: list[Record]) -> list[tuple[str, str]]:
    return sorted((r.rtype, r.value) for r in records)


async def provider_contract(provider: Provider, name: str, ttl: int = 60) -> None:
    txt = owner_txt(OWNER)
    assert await provider.records(name) == []

    spf = Record(name, "TXT", "v=spf1 -all", ttl)
    await provider.apply(Change(name, (), add=(spf,)))
    assert _view(await provider.records(name)) == [("TXT", "v=spf1 -all")]

    first = plan(name, await provider.records(name), ["100.64.0.5"], OWNER, ttl)
    assert not first.conflict
    await provider.apply(first.change)
    records = await provider.records(name)
    assert _view(records) == [("A", "100.64.0.5"), ("TXT", txt), ("TXT", "v=spf1 -all")]
    assert all(r.ttl == ttl for r in records)
    assert not plan(name, records, ["100.64.0.5"], OWNER, ttl).change  # idempotent

    moved = plan(name, records, ["100.64.0.9", "fd7a:115c:a1e0::9"], OWNER, ttl)
    await provider.apply(moved.change)
    assert _view(await provider.records(name)) == [
        ("A", "100.64.0.9"),
        ("AAAA", "fd7a:115c:a1e0::9"),
        ("TXT", txt),
        ("TXT", "v=spf1 -all"),
    ]

    gone = cleanup(name, await provider.records(name), OWNER)
    await provider.apply(gone.change)
    assert _view(await provider.records(name)) == [("TXT", txt), ("TXT", "v=spf1 -all")]

    rest = await provider.records(name)
    await provider.apply(Change(name, tuple(rest), delete=tuple(rest)))
    assert await provider.records(name) == []
