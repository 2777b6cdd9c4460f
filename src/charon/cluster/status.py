"""Readiness of a platform from its live objects: per object, per unit and per service.

Everything is read fresh (one LIST per kind) and judged by kstatus; a unit or a service is ready
when every one of its objects exists and is Current, and otherwise carries the first reason it is
not, so ``charon status`` can answer "why is grafana not up" in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from charon.cluster.kstatus import Health
from charon.cluster.plan import Plan
from charon.cluster.transport import Transport
from charon.cluster.waits import read_health
from charon.compile.model import ObjectId

__all__ = ["GroupStatus", "PlatformStatus", "read_status"]

LABEL_SERVICE = "charon.dev/service"


@dataclass(frozen=True, slots=True)
class GroupStatus:
    name: str
    ready: int
    total: int
    reason: str  # "" when ready; else "<object id>: <why>"

    @property
    def is_ready(self) -> bool:
        return self.ready == self.total


@dataclass(frozen=True, slots=True)
class PlatformStatus:
    platform: str
    units: tuple[GroupStatus, ...]
    services: tuple[GroupStatus, ...]
    objects: dict[ObjectId, Health]

    @property
    def ready(self) -> bool:
        return all(u.is_ready for u in self.units)

    def to_json(self) -> dict[str, Any]:
        def group(g: GroupStatus) -> dict[str, Any]:
            return {"name": g.name, "ready": g.is_ready, "readyObjects": g.ready,
                    "objects": g.total, "reason": g.reason}  # fmt: skip

        return {
            "platform": self.platform,
            "ready": self.ready,
            "units": [group(u) for u in self.units],
            "services": [group(s) for s in self.services],
            "objects": {
                oid: {"status": h.status.value, "message": h.message}
                for oid, h in sorted(self.objects.items())
            },
        }


def _group(name: str, ids: list[ObjectId], health: dict[ObjectId, Health]) -> GroupStatus:
    not_ready = [oid for oid in ids if not health[oid].ready]
    reason = f"{not_ready[0]}: {health[not_ready[0]].message}" if not_ready else ""
    return GroupStatus(name, len(ids) - len(not_ready), len(ids), reason)


async def read_status(transport: Transport, plan: Plan) -> PlatformStatus:
    objects = plan.objects()
    health = await read_health(transport, plan.platform, objects)
    units: dict[str, list[ObjectId]] = {}
    services: dict[str, list[ObjectId]] = {}
    for p in objects:
        units.setdefault(p.unit, []).append(p.id)
        service = (p.obj["metadata"].get("labels") or {}).get(LABEL_SERVICE)
        if service:
            ns = p.ref.namespace
            services.setdefault(f"{ns}/{service}" if ns else service, []).append(p.id)
    return PlatformStatus(
        plan.platform,
        tuple(_group(u, ids, health) for u, ids in units.items()),
        tuple(_group(s, ids, health) for s, ids in sorted(services.items())),
        health,
    )
