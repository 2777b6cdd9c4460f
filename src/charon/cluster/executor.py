"""Applying one stage: re-read live state, dry-run, compare, and write only what differs.

Per object (Flux's ``ssa`` manager): an object not found among the live objects Charon owns is
applied at once (one request: a cold apply costs one write per object); one that exists is first
applied with ``dryRun=All`` and compared with the live object, and written only when the result
differs, so a no-op re-apply sends no write at all. Objects of one stage are independent (their
namespaces and CRDs came in stage 1), so they go out concurrently, bounded by a semaphore.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from charon.cluster.diff import same, unified_diff
from charon.cluster.events import Action, Change, ObjectDone, Reporter
from charon.cluster.plan import PlannedObject, Stage
from charon.cluster.transport import FIELD_MANAGER, Transport
from charon.compile.model import LABEL_MANAGED_BY, LABEL_PLATFORM, MANAGED_BY, K8sObject, ObjectId
from charon.compile.model import object_id as id_of
from charon.errors import ClusterError

__all__ = ["SSA_POLICY", "ApplyOptions", "apply_stage", "live_index"]

SSA_POLICY = "kustomize.toolkit.fluxcd.io/ssa"  # Override (default) | IfNotPresent | Ignore
OWNED = f"{LABEL_MANAGED_BY}={MANAGED_BY}"


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    force_conflicts: bool = False
    dry_run: bool = False  # plan and validate (server-side dry-run), write nothing
    diff: bool = False  # keep a unified diff per changed object
    wait: bool = True
    timeout: float = 300.0  # per stage
    prune: bool = False
    allow_destructive: bool = False
    concurrency: int = 16


async def live_index(
    transport: Transport, objects: tuple[PlannedObject, ...]
) -> dict[ObjectId, K8sObject]:
    """Every live object Charon owns of the kinds in ``objects``: one LIST per kind."""
    kinds = sorted({(p.ref.api_version, p.ref.kind) for p in objects})
    known = [k for k in kinds if await transport.knows(*k)]
    lists = await asyncio.gather(*(transport.list(v, k, OWNED) for v, k in known))
    return {id_of(obj): obj for items in lists for obj in items}


def _created(result: K8sObject) -> Action:
    managers = {m.get("manager") for m in (result.get("metadata") or {}).get("managedFields") or []}
    return Action.created if managers <= {FIELD_MANAGER} else Action.configured


@dataclass(frozen=True, slots=True)
class _Run:
    transport: Transport
    platform: str
    opts: ApplyOptions
    unserved: frozenset[tuple[str, str]]  # dry run: kinds whose CRD an earlier stage adds
    missing_ns: frozenset[str]  # dry run: namespaces an earlier stage adds


async def _one(run: _Run, p: PlannedObject, live: K8sObject | None) -> Change:
    transport, platform, opts = run.transport, run.platform, run.opts
    obj, force = p.obj, opts.force_conflicts
    owner = ((live or {}).get("metadata") or {}).get("labels", {}).get(LABEL_PLATFORM)
    if owner and owner != platform and not force:
        raise ClusterError(p.id, f"belongs to platform {owner}", [
            f"metadata.labels.{LABEL_PLATFORM}: {owner}",
            "fix: rename one of them, or re-run with --force-conflicts to take it over",
        ])  # fmt: skip
    policy = (obj["metadata"].get("annotations") or {}).get(SSA_POLICY, "Override")
    if policy == "Ignore":
        return Change(p.id, p.unit, Action.skipped, f"{SSA_POLICY}: Ignore")
    unvalidated = (p.ref.api_version, p.ref.kind) in run.unserved or (
        p.ref.namespace in run.missing_ns
    )
    if live is None and (policy == "IfNotPresent" or opts.dry_run or opts.diff) and not unvalidated:
        live = await transport.get(p.ref)  # it may exist without our labels
    if policy == "IfNotPresent" and live is not None:
        return Change(p.id, p.unit, Action.unchanged, f"exists ({SSA_POLICY}: IfNotPresent)")
    if unvalidated:  # only in a dry run: its namespace or CRD comes from an earlier stage
        diff = unified_diff(p.id, None, obj) if opts.diff else ""
        return Change(p.id, p.unit, Action.created, "not validated: needs an earlier stage", diff)
    if live is None and not (opts.dry_run or opts.diff):
        result = await transport.apply(obj, dry_run=False, force=force)
        return Change(p.id, p.unit, _created(result))
    dry = await transport.apply(obj, dry_run=True, force=force)
    if same(live, dry):
        return Change(p.id, p.unit, Action.unchanged)
    action = Action.created if live is None else Action.configured
    diff = unified_diff(p.id, live, dry) if opts.diff else ""
    if not (opts.dry_run or opts.diff):
        await transport.apply(obj, dry_run=False, force=force)
    return Change(p.id, p.unit, action, diff=diff)


async def apply_stage(
    transport: Transport, stage: Stage, platform: str, opts: ApplyOptions, report: Reporter,
    *, unserved: set[tuple[str, str]] | None = None, missing_ns: set[str] | None = None,
) -> list[Change]:  # fmt: skip
    """Apply (or dry-run) every object of a stage; raises the first failure after all finished."""
    index = await live_index(transport, stage.objects)
    gate = asyncio.Semaphore(opts.concurrency)
    ctx = _Run(transport, platform, opts, frozenset(unserved or ()), frozenset(missing_ns or ()))
    failures: list[ClusterError] = []

    async def one(p: PlannedObject) -> Change:
        async with gate:
            try:
                change = await _one(ctx, p, index.get(p.id))
            except ClusterError as exc:
                failures.append(exc)
                why = "; ".join([exc.reason, *exc.causes])
                change = Change(p.id, p.unit, Action.failed, why)
        report(ObjectDone(stage.index, change))
        return change

    changes = await asyncio.gather(*(one(p) for p in stage.objects))
    if failures:
        first = failures[0]
        if len(failures) > 1:
            first.add_note(f"{len(failures) - 1} more object(s) of stage {stage.index} failed")
        raise first
    return list(changes)
