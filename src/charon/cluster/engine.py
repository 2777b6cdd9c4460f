"""One apply, end to end: inventory, stages, waits, prune, inventory again.

The inventory is written twice, as cli-utils does: before the first object goes out it becomes
*previous + current*, so an apply cut short (API server gone, Ctrl-C) never leaves an object that
no inventory remembers; after success it becomes *current* plus whatever a prune had to keep
(protected kinds, failed deletes), or *previous + current* when nothing was pruned. Each write
happens only when the content changes, so a no-op re-apply writes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from charon.cluster.events import Action, Change, PruneOutcome, Reporter, StageDone, StageStarted
from charon.cluster.executor import ApplyOptions, apply_stage
from charon.cluster.inventory import (
    INVENTORY_NAMESPACE,
    Inventory,
    ObjectRef,
    inventory_name,
    namespace_object,
)
from charon.cluster.plan import Plan, Stage, build_plan
from charon.cluster.prune import prune_items
from charon.cluster.transport import Transport
from charon.cluster.waits import wait_ready
from charon.compile.model import CompiledPlatform
from charon.errors import ClusterError

__all__ = ["ApplyResult", "apply_plan", "load_plan", "read_inventory", "write_inventory"]


@dataclass
class ApplyResult:
    plan: Plan
    changes: list[Change] = field(default_factory=list)
    pruned: dict[str, PruneOutcome] = field(default_factory=dict)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.action in (Action.created, Action.configured)]


def _inventory_ref(platform: str) -> ObjectRef:
    return ObjectRef("", "ConfigMap", INVENTORY_NAMESPACE, inventory_name(platform), "v1")


async def read_inventory(transport: Transport, platform: str) -> Inventory:
    return Inventory.from_configmap(await transport.get(_inventory_ref(platform)))


async def write_inventory(
    transport: Transport, platform: str, inventory: Inventory, stored: Inventory
) -> None:
    if inventory == stored:
        return
    ns = ObjectRef("", "Namespace", "", INVENTORY_NAMESPACE, "v1")
    if await transport.get(ns) is None:
        await transport.apply(namespace_object(), dry_run=False, force=True)
    await transport.apply(inventory.to_configmap(platform), dry_run=False, force=True)


async def load_plan(transport: Transport, compiled: CompiledPlatform) -> Plan:
    """The plan against the inventory the cluster holds now."""
    return build_plan(compiled, await read_inventory(transport, compiled.platform))


def _crd_kinds(stage: Stage) -> set[tuple[str, str]]:
    kinds = set()
    for p in stage.objects:
        if p.ref.kind == "CustomResourceDefinition":
            spec = p.obj.get("spec") or {}
            for version in spec.get("versions") or []:
                kinds.add((f"{spec.get('group')}/{version.get('name')}", spec["names"]["kind"]))
    return kinds


async def _run_stage(
    transport: Transport, plan: Plan, stage: Stage, opts: ApplyOptions, report: Reporter,
    *, pending: tuple[set[tuple[str, str]], set[str]],
) -> list[Change]:  # fmt: skip
    """Apply one stage; in a dry run, track what earlier stages would have created."""
    planned_crds, missing_ns = pending
    dry = opts.dry_run or opts.diff
    unserved = set()
    if dry:
        kinds = {(p.ref.api_version, p.ref.kind) for p in stage.objects}
        unserved = {k for k in kinds & planned_crds if not await transport.knows(*k)}
    changes = await apply_stage(transport, stage, plan.platform, opts, report,
                                unserved=unserved, missing_ns=missing_ns)  # fmt: skip
    if stage.definitions:
        created = {c.id for c in changes if c.action is Action.created}
        missing_ns |= {p.ref.name for p in stage.objects
                       if p.ref.kind == "Namespace" and p.id in created and dry}  # fmt: skip
        if _crd_kinds(stage):
            transport.forget_custom_kinds()
    if dry:
        return changes
    if stage.definitions:
        waits = [
            p for p in stage.objects if p.ref.kind in {"Namespace", "CustomResourceDefinition"}
        ]
    else:
        waits = [p for p in stage.objects if p.wait] if opts.wait else []
    await wait_ready(transport, plan.platform, stage.index, waits, timeout=opts.timeout,
                     report=report)  # fmt: skip
    return changes


async def _check_kinds(
    transport: Transport, plan: Plan, planned_crds: set[tuple[str, str]]
) -> None:
    """Refuse before the first write when a kind is neither served nor defined by the plan."""
    missing: dict[tuple[str, str], str] = {}
    for p in plan.objects():
        key = (p.ref.api_version, p.ref.kind)
        if key not in missing and key not in planned_crds and not await transport.knows(*key):
            missing[key] = p.id
    if missing:
        kinds = [f"{kind} ({version})" for version, kind in missing]
        first = next(iter(missing.values()))
        fix = "fix: install the CRDs that define them first; nothing was applied"
        raise ClusterError(first, f"the cluster does not serve {', '.join(kinds)}", [fix])


async def apply_plan(
    transport: Transport, plan: Plan, opts: ApplyOptions, report: Reporter
) -> ApplyResult:
    """Execute a plan; raises the first ClusterError (after the inventory is safe)."""
    dry = opts.dry_run or opts.diff
    result = ApplyResult(plan)
    stored = plan.previous
    first = _crd_kinds(plan.stages[0]) if plan.stages else set()
    await _check_kinds(transport, plan, first)
    if not dry:
        working = stored.union(plan.current)
        await write_inventory(transport, plan.platform, working, stored)
        stored = working
    pending: tuple[set[tuple[str, str]], set[str]] = (first, set())
    for stage in plan.stages:
        report(StageStarted(stage.index, stage.name, len(stage.objects)))
        result.changes += await _run_stage(transport, plan, stage, opts, report, pending=pending)
        report(StageDone(stage.index))
    final = plan.current.union(plan.previous)
    why: dict[str, str] = {}
    if opts.prune:
        result.pruned, why = await prune_items(
            transport, plan.prune, plan.platform, allow_destructive=opts.allow_destructive,
            report=report, dry_run=dry,
        )  # fmt: skip
        keep = [oid for oid, outcome in result.pruned.items() if outcome.stays_in_inventory]
        final = plan.current.union(plan.previous.only(keep))
    if not dry:
        await write_inventory(transport, plan.platform, final, stored)
    failed = [oid for oid, outcome in result.pruned.items() if outcome is PruneOutcome.failed]
    if failed:
        raise ClusterError(failed[0], "could not be pruned; kept in the inventory for next time",
                           [why[failed[0]], *(f"also failed: {oid}: {why[oid]}"
                                              for oid in failed[1:])])  # fmt: skip
    return result
