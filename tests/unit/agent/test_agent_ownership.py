from __future__ import annotations

from charon.agent.dns import Record
from charon.agent.ownership import Owner, cleanup, owner_txt, parse_owner, plan

NAME = "grafana.charon.test."
US = Owner("cluster-a", "monitoring/grafana")
TXT = owner_txt(US)


def rec(rtype: str, value: str, ttl: int = 60, ref: str = "") -> Record:
    return Record(NAME, rtype, value, ttl, ref)


def test_owner_txt_round_trip_and_format() -> None:
    assert TXT == "heritage=charon,charon/owner=cluster-a,charon/resource=monitoring/grafana"
    assert parse_owner(TXT) == US
    assert parse_owner(f'"{TXT}"') == US
    assert parse_owner("heritage=external-dns,external-dns/owner=x") is None
    assert parse_owner("v=spf1 -all") is None


def test_empty_name_is_created_with_ownership() -> None:
    result = plan(NAME, [], ["100.64.0.5"], US, 60)
    assert not result.conflict and not result.claimed
    assert result.change.delete == ()
    assert result.change.add == (rec("A", "100.64.0.5"), rec("TXT", TXT))


def test_in_sync_is_no_change() -> None:
    records = [rec("A", "100.64.0.5"), rec("TXT", TXT), rec("TXT", "v=spf1 -all")]
    result = plan(NAME, records, ["100.64.0.5"], US, 60)
    assert not result.change
    assert result.claimed


def test_moved_address_replaces_only_ours_and_keeps_other_txt() -> None:
    records = [rec("A", "100.64.0.5"), rec("TXT", TXT), rec("TXT", "v=spf1 -all")]
    result = plan(NAME, records, ["100.64.0.9", "fd7a:115c:a1e0::9"], US, 60)
    assert result.change.delete == (rec("A", "100.64.0.5"),)
    assert result.change.add == (rec("A", "100.64.0.9"), rec("AAAA", "fd7a:115c:a1e0::9"))
    assert tuple(sorted(records)) == result.change.snapshot


def test_deleted_address_is_repaired() -> None:
    result = plan(NAME, [rec("TXT", TXT)], ["100.64.0.5"], US, 60)
    assert result.claimed
    assert result.change.add == (rec("A", "100.64.0.5"),)


def test_foreign_address_without_txt_is_a_conflict_and_untouched() -> None:
    result = plan(NAME, [rec("A", "192.0.2.1")], ["100.64.0.5"], US, 60)
    assert "records we do not own" in result.conflict
    assert "192.0.2.1" in result.conflict
    assert not result.change


def test_other_owner_or_resource_is_a_conflict() -> None:
    theirs = owner_txt(Owner("cluster-b", "monitoring/grafana"))
    result = plan(NAME, [rec("A", "100.64.0.7"), rec("TXT", theirs)], ["100.64.0.5"], US, 60)
    assert "cluster-b" in result.conflict and not result.change
    sibling = owner_txt(Owner("cluster-a", "apps/other"))
    result = plan(NAME, [rec("TXT", sibling)], ["100.64.0.5"], US, 60)
    assert "apps/other" in result.conflict and not result.change


def test_duplicates_and_wrong_ttl_are_replaced() -> None:
    records = [
        rec("A", "100.64.0.5", ref="r1"),
        rec("A", "100.64.0.5", ref="r2"),
        rec("TXT", TXT, ttl=300, ref="r3"),
    ]
    result = plan(NAME, records, ["100.64.0.5"], US, 60)
    assert [r.ref for r in result.change.delete] == ["r2", "r3"]
    assert result.change.add == (rec("TXT", TXT),)


def test_cleanup_removes_our_addresses_and_keeps_the_claim() -> None:
    records = [rec("A", "100.64.0.5"), rec("AAAA", "fd7a::5"), rec("TXT", TXT)]
    result = cleanup(NAME, records, US)
    assert result.change.delete == (rec("A", "100.64.0.5"), rec("AAAA", "fd7a::5"))
    assert result.change.add == ()


def test_cleanup_never_touches_unowned_records() -> None:
    assert not cleanup(NAME, [rec("A", "192.0.2.1")], US).change
    theirs = owner_txt(Owner("cluster-b", "monitoring/grafana"))
    assert not cleanup(NAME, [rec("A", "192.0.2.1"), rec("TXT", theirs)], US).change
