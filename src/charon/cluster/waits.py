"""Waiting until the objects of a stage are ready, by kstatus, within the stage's time budget.

Per kind: one LIST (the platform's label selector), then a WATCH from the list's resource
version, so the engine hears about each change the moment the API server records it and sends
nothing while nothing happens; waiting on two hundred StatefulSets costs one list and one open
watch, not a request per object per round. When the server ends a watch (its timeout, a
resource version too old to resume, a restart) the kind is listed again and watched anew. A
Failed status (a Deployment past its progress deadline, a failed Job, a Stalled condition) ends
the wait at once; running out of time names every object still pending and why.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable

from charon.cluster.events import Reporter, Waiting
from charon.cluster.kstatus import Health, Status, compute
from charon.cluster.plan import PlannedObject
from charon.cluster.transport import Transport
from charon.compile.model import LABEL_MANAGED_BY, LABEL_PLATFORM, MANAGED_BY, ObjectId
from charon.compile.model import object_id as id_of
from charon.errors import ClusterError, ClusterUnavailableError

__all__ = ["read_health", "wait_ready"]

_SHOWN = 5
_WATCH_SECONDS = 60  # the longest one watch stays open before the kind is listed again
_DEFINITIONS = frozenset({"Namespace", "CustomResourceDefinition"})
_NOT_SEEN = Health(Status.in_progress, "not seen yet")


def _selector(platform: str) -> str:
    return f"{LABEL_MANAGED_BY}={MANAGED_BY},{LABEL_PLATFORM}={platform}"


def _by_kind(objects: Iterable[PlannedObject]) -> dict[tuple[str, str], list[PlannedObject]]:
    kinds: dict[tuple[str, str], list[PlannedObject]] = {}
    for p in objects:
        kinds.setdefault((p.ref.api_version, p.ref.kind), []).append(p)
    return dict(sorted(kinds.items()))


async def _read_kind(
    transport: Transport, selector: str, kind: tuple[str, str], objects: list[PlannedObject]
) -> tuple[dict[ObjectId, Health], str]:
    """The health of each object of one kind, and the resource version to watch from."""
    items, version = await transport.snapshot(*kind, selector)
    live = {id_of(o): o for o in items}
    out = {}
    for p in objects:
        obj = live.get(p.id)
        if obj is None and p.ref.kind in _DEFINITIONS:
            obj = await transport.get(p.ref)  # definitions may predate our labels
        out[p.id] = compute(obj)
    return out, version


async def read_health(
    transport: Transport, platform: str, objects: list[PlannedObject]
) -> dict[ObjectId, Health]:
    """The kstatus of each object, read with one LIST per served kind."""
    selector, out = _selector(platform), {}
    for kind, group in _by_kind(objects).items():
        if await transport.knows(*kind):
            out.update((await _read_kind(transport, selector, kind, group))[0])
    return {p.id: out.get(p.id, compute(None)) for p in objects}


class _Board:
    """The health of every awaited object; reports progress, fails fast on a Failed status."""

    def __init__(self, stage: int, objects: list[PlannedObject], report: Reporter) -> None:
        self.stage, self.report = stage, report
        self.order = [p.id for p in objects]
        self.health: dict[ObjectId, Health] = dict.fromkeys(self.order, _NOT_SEEN)

    def update(self, found: dict[ObjectId, Health]) -> None:
        for oid, health in found.items():
            if health.status is Status.failed:
                raise ClusterError(oid, f"failed: {health.message}")
        self.health.update(found)
        pending = self.pending()
        shown = tuple((oid, self.health[oid].message) for oid in pending[:_SHOWN])
        self.report(Waiting(self.stage, len(self.order) - len(pending), len(self.order), shown))

    def pending(self, among: Iterable[ObjectId] | None = None) -> list[ObjectId]:
        ids = self.order if among is None else among
        return [oid for oid in ids if not self.health[oid].ready]


async def _follow(
    transport: Transport, selector: str, kind: tuple[str, str], objects: list[PlannedObject],
    *, board: _Board, deadline: float,
) -> None:  # fmt: skip
    """List, then watch one kind until each of its objects is ready."""
    ids = {p.id for p in objects}
    while True:
        found, version = await _read_kind(transport, selector, kind, objects)
        board.update(found)
        if not board.pending(ids):
            return
        seconds = int(min(_WATCH_SECONDS, max(1.0, deadline - time.monotonic()) + 1))
        events = transport.watch(*kind, selector, version, seconds=seconds)
        try:
            async with contextlib.aclosing(events):  # leaves no half-read response behind
                async for event, obj in events:
                    if event == "ERROR":  # 410 Gone: too old to resume; list again
                        break
                    oid = id_of(obj) if event in ("ADDED", "MODIFIED", "DELETED") else None
                    if oid in ids:
                        board.update({oid: compute(None if event == "DELETED" else obj)})
                        if not board.pending(ids):
                            return
        except ClusterUnavailableError:
            await asyncio.sleep(0.5)  # the server went away mid-watch; the list retries


async def wait_ready(
    transport: Transport, platform: str, stage: int, objects: list[PlannedObject],
    *, timeout: float, report: Reporter,
) -> None:  # fmt: skip
    """Return when every object is Current; ClusterError on Failed or after ``timeout`` seconds."""
    if not objects:
        return
    board = _Board(stage, objects, report)
    deadline = time.monotonic() + timeout
    selector = _selector(platform)
    try:
        async with asyncio.timeout(timeout), asyncio.TaskGroup() as group:
            for kind, members in _by_kind(objects).items():
                group.create_task(
                    _follow(transport, selector, kind, members, board=board, deadline=deadline)
                )
    except* ClusterError as failed:
        raise failed.exceptions[0] from None
    except* TimeoutError:
        pending = board.pending()
        first, others = pending[0], pending[1:]
        raise ClusterError(
            first,
            f"not ready after {timeout:g}s: {board.health[first].message}",
            [*(f"{oid}: {board.health[oid].message}" for oid in others),
             "fix: look at the object's events, or raise --timeout / use --no-wait"],
        ) from None  # fmt: skip
