"""Waiting until the objects of a stage are ready, by kstatus, within the stage's time budget.

Polls with one LIST per kind (the platform's label selector), not one GET per object, so waiting
on two hundred StatefulSets costs the same few requests per round as waiting on one. A Failed
status (a Deployment past its progress deadline, a failed Job, a Stalled condition) ends the wait
at once; running out of time names every object still pending and why.
"""

from __future__ import annotations

import asyncio
import time

from charon.cluster.events import Reporter, Waiting
from charon.cluster.kstatus import Health, Status, compute
from charon.cluster.plan import PlannedObject
from charon.cluster.transport import Transport
from charon.compile.model import LABEL_MANAGED_BY, LABEL_PLATFORM, MANAGED_BY, ObjectId
from charon.compile.model import object_id as id_of
from charon.errors import ClusterError

__all__ = ["read_health", "wait_ready"]

_SHOWN = 5


async def read_health(
    transport: Transport, platform: str, objects: list[PlannedObject]
) -> dict[ObjectId, Health]:
    """The kstatus of each object, read with one LIST per kind."""
    selector = f"{LABEL_MANAGED_BY}={MANAGED_BY},{LABEL_PLATFORM}={platform}"
    kinds = sorted({(p.ref.api_version, p.ref.kind) for p in objects})
    served = [k for k in kinds if await transport.knows(*k)]
    lists = await asyncio.gather(*(transport.list(v, k, selector) for v, k in served))
    live = {id_of(o): o for items in lists for o in items}
    out = {}
    for p in objects:
        obj = live.get(p.id)
        if obj is None and p.ref.kind in {"Namespace", "CustomResourceDefinition"}:
            obj = await transport.get(p.ref)  # definitions may predate our labels
        out[p.id] = compute(obj)
    return out


async def wait_ready(
    transport: Transport, platform: str, stage: int, objects: list[PlannedObject],
    *, timeout: float, poll: float, report: Reporter,
) -> None:  # fmt: skip
    """Return when every object is Current; ClusterError on Failed or after ``timeout`` seconds."""
    if not objects:
        return
    deadline = time.monotonic() + timeout
    pending = list(objects)
    while True:
        health = await read_health(transport, platform, pending)
        for p in pending:
            if health[p.id].status is Status.failed:
                raise ClusterError(p.id, f"failed: {health[p.id].message}")
        pending = [p for p in pending if not health[p.id].ready]
        shown = tuple((p.id, health[p.id].message) for p in pending[:_SHOWN])
        report(Waiting(stage, len(objects) - len(pending), len(objects), shown))
        if not pending:
            return
        if time.monotonic() >= deadline:
            first = pending[0]
            others = [f"{p.id}: {health[p.id].message}" for p in pending[1:]]
            raise ClusterError(
                first.id,
                f"not ready after {timeout:g}s: {health[first.id].message}",
                [*others, "fix: look at the object's events, or raise --timeout / use --no-wait"],
            )
        await asyncio.sleep(min(poll, max(0.0, deadline - time.monotonic())))
