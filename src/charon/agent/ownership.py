"""Who owns a DNS name, and what to change there: pure functions, no I/O.

Ownership follows external-dns's TXT registry: next to every address record the agent owns sits a
TXT record ``heritage=charon,charon/owner=<owner id>,charon/resource=<namespace>/<service>``. Only
a name carrying that exact TXT (our owner id *and* our resource) is ours. A name with address
records but no such TXT belongs to someone else and is never changed or deleted; the caller
reports it instead. Other TXT records at the name (SPF, verification tokens) are left alone.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from charon.agent.dns import ADDRESS_TYPES, Change, Record

__all__ = ["Owner", "Plan", "cleanup", "owner_txt", "parse_owner", "plan"]

HERITAGE = "charon"


@dataclass(frozen=True, slots=True)
class Owner:
    owner_id: str
    resource: str


def owner_txt(owner: Owner) -> str:
    return f"heritage={HERITAGE},charon/owner={owner.owner_id},charon/resource={owner.resource}"


def parse_owner(text: str) -> Owner | None:
    """The owner named by a TXT value, or ``None`` when it is not a Charon ownership record."""
    fields: dict[str, str] = {}
    for part in text.strip().strip('"').split(","):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip()] = value.strip()
    if fields.get("heritage") != HERITAGE or "charon/owner" not in fields:
        return None
    return Owner(fields["charon/owner"], fields.get("charon/resource", ""))


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do at one name: a change (maybe empty), or a conflict to report and leave alone."""

    change: Change
    conflict: str = ""
    claimed: bool = False  # the name already carried our ownership TXT


def _address_type(ip: str) -> str:
    return "AAAA" if ipaddress.ip_address(ip).version == 6 else "A"


def _ours(records: list[Record], owner: Owner) -> list[Record]:
    return [r for r in records if r.rtype == "TXT" and parse_owner(r.value) == owner]


def plan(name: str, records: list[Record], ips: list[str], owner: Owner, ttl: int) -> Plan:
    """Plan the records at ``name`` so that they hold exactly ``ips`` plus our ownership TXT."""
    snapshot = tuple(sorted(records))
    ours = _ours(records, owner)
    addresses = [r for r in records if r.rtype in ADDRESS_TYPES]
    if not ours:
        others = sorted(
            {
                f"owner {o.owner_id} ({o.resource})"
                for r in records
                if r.rtype == "TXT" and (o := parse_owner(r.value))
            }
        )
        if others:
            return Plan(
                Change(name, snapshot), conflict=f"{name} is claimed by another {others[0]}"
            )
        if addresses:
            found = ", ".join(f"{r.rtype} {r.value}" for r in sorted(addresses))
            return Plan(
                Change(name, snapshot), conflict=f"{name} has records we do not own ({found})"
            )
    wanted = {Record(name, _address_type(ip), str(ipaddress.ip_address(ip)), ttl) for ip in ips}
    wanted.add(Record(name, "TXT", owner_txt(owner), ttl))
    delete: list[Record] = []
    kept: set[Record] = set()
    for record in sorted(addresses + ours, key=lambda r: (r.rtype, r.value, r.ref)):
        # A duplicate (possible with record-id APIs) or a record with the wrong TTL is replaced.
        if record in wanted and record not in kept and record.ttl == ttl:
            kept.add(record)
        else:
            delete.append(record)
    add = sorted(wanted - kept)
    return Plan(Change(name, snapshot, tuple(delete), tuple(add)), claimed=bool(ours))


def cleanup(name: str, records: list[Record], owner: Owner) -> Plan:
    """Delete our stale address records at ``name`` but keep the claim (the TXT) for the sidecar."""
    snapshot = tuple(sorted(records))
    if not _ours(records, owner):
        return Plan(Change(name, snapshot))
    stale = tuple(sorted(r for r in records if r.rtype in ADDRESS_TYPES))
    return Plan(Change(name, snapshot, delete=stale), claimed=True)
