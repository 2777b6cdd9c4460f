"""Deleting what the platform no longer declares, and only what is still ours (cli-utils prune).

Each candidate (previous inventory minus current objects) is read live and judged by
:func:`verdict`, a pure function: gone already, no longer labelled as this platform's (someone
adopted it), annotated ``charon.dev/prune: disabled`` (or Flux's equivalent), or a protected kind
without ``--allow-destructive``. Deletes carry the UID just read as a precondition, so an object
recreated meanwhile by someone else is never removed, and use background propagation; objects of
one kind weight go out together (16 at a time), weights in reverse apply order. A failed or
refused delete stays in the inventory and is retried by the next prune.
"""

from __future__ import annotations

import asyncio

from charon.cluster.events import Pruned, PruneOutcome, Reporter
from charon.cluster.inventory import ObjectRef
from charon.cluster.plan import PruneItem, prune_order
from charon.cluster.transport import Transport
from charon.compile.model import LABEL_MANAGED_BY, LABEL_PLATFORM, MANAGED_BY, K8sObject
from charon.errors import ClusterError

__all__ = ["PRUNE_ANNOTATIONS", "prune_items", "verdict"]

PRUNE_ANNOTATIONS = ("charon.dev/prune", "kustomize.toolkit.fluxcd.io/prune")


def verdict(
    item: PruneItem, live: K8sObject | None, platform: str, *, allow_destructive: bool
) -> PruneOutcome | None:
    """Why the object must be left alone, or None when it may be deleted."""
    if live is None:
        return PruneOutcome.gone
    meta = live.get("metadata") or {}
    labels = meta.get("labels") or {}
    if labels.get(LABEL_MANAGED_BY) != MANAGED_BY or labels.get(LABEL_PLATFORM) != platform:
        return PruneOutcome.not_ours
    annotations = {**labels, **(meta.get("annotations") or {})}
    if any(annotations.get(key) == "disabled" for key in PRUNE_ANNOTATIONS):
        return PruneOutcome.disabled
    if item.protected and not allow_destructive:
        return PruneOutcome.protected
    return None


async def _prune_one(
    transport: Transport, item: PruneItem, platform: str, allow_destructive: bool, dry_run: bool
) -> tuple[PruneOutcome, str]:
    ref: ObjectRef = item.ref
    try:
        live = await transport.get(ref)
        skip = verdict(item, live, platform, allow_destructive=allow_destructive)
        if skip is not None:
            return skip, ""
        assert live is not None
        if dry_run:
            return PruneOutcome.would_delete, ""
        uid = str(live["metadata"]["uid"])
        deleted = await transport.delete(ref, uid=uid)
    except ClusterError as exc:
        return PruneOutcome.failed, str(exc)
    return (PruneOutcome.deleted if deleted else PruneOutcome.gone), ""


def _waves(items: tuple[PruneItem, ...]) -> list[list[PruneItem]]:
    """Consecutive items of the same kind weight: deleted together, waves in order."""
    waves: list[list[PruneItem]] = []
    last: tuple[bool | int, ...] | None = None
    for item in items:
        key = prune_order(item.ref)[:2]
        if key != last:
            waves.append([])
            last = key
        waves[-1].append(item)
    return waves


async def prune_items(
    transport: Transport, items: tuple[PruneItem, ...], platform: str, *,
    allow_destructive: bool, report: Reporter, dry_run: bool = False, concurrency: int = 16,
) -> tuple[dict[str, PruneOutcome], dict[str, str]]:  # fmt: skip
    """Delete in the given (reverse apply) order: objects of one kind weight at once, the next
    weight after them, so workloads go before their ConfigMaps and namespaces go last.

    Returns each item's outcome (in the given order) and, for the failed ones, why.
    """
    gate = asyncio.Semaphore(concurrency)

    async def one(item: PruneItem) -> tuple[PruneOutcome, str]:
        async with gate:
            outcome, detail = await _prune_one(
                transport, item, platform, allow_destructive, dry_run
            )
        report(Pruned(item.ref.id, outcome, detail))
        return outcome, detail

    outcomes: dict[str, PruneOutcome] = {}
    why: dict[str, str] = {}
    for wave in _waves(items):
        for item, (outcome, detail) in zip(
            wave, await asyncio.gather(*(one(i) for i in wave)), strict=True
        ):
            outcomes[item.ref.id] = outcome
            if outcome is PruneOutcome.failed:
                why[item.ref.id] = detail
    return outcomes, why
