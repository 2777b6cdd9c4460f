"""The apply plan as plain data: stages of objects in order, and what a prune would delete.

Pure (STYLE 1): built from the compiled platform and the inventory read from the cluster, printed
by ``charon plan`` and executed by :mod:`charon.cluster.executor`, which re-reads live state
instead of trusting anything here beyond order. Stage 1 holds the cluster definitions of every
unit; then one stage per unit dependency level, objects sorted by kind weight. Prune is the
previous inventory minus the current objects, in reverse order (namespaces and CRDs last).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from charon.cluster.graph import dependency_levels
from charon.cluster.inventory import Inventory, ObjectRef
from charon.cluster.ordering import (
    CLUSTER_DEFINITION_KINDS,
    PROTECTED_KINDS,
    WAIT_KINDS,
    is_cluster_definition,
    kind_weight,
)
from charon.compile.model import CompiledPlatform, K8sObject, ObjectId
from charon.errors import ClusterError

__all__ = ["Plan", "PlannedObject", "PruneItem", "Stage", "build_plan", "prune_order"]


@dataclass(frozen=True, slots=True)
class PlannedObject:
    ref: ObjectRef
    unit: str
    obj: K8sObject
    wait: bool  # an apply waits for its readiness (kstatus) before the next stage

    @property
    def id(self) -> ObjectId:
        return self.ref.id


@dataclass(frozen=True, slots=True)
class Stage:
    index: int  # 1-based
    name: str
    units: tuple[str, ...]
    objects: tuple[PlannedObject, ...]
    definitions: bool  # stage 1: CRDs, Namespaces, cluster-wide definitions


@dataclass(frozen=True, slots=True)
class PruneItem:
    ref: ObjectRef
    protected: bool  # PVC, PV, Namespace, CRD: deleted only with --allow-destructive


@dataclass(frozen=True, slots=True)
class Plan:
    platform: str
    stages: tuple[Stage, ...]
    prune: tuple[PruneItem, ...]
    previous: Inventory
    current: Inventory
    notes: tuple[str, ...] = ()

    def objects(self) -> list[PlannedObject]:
        return [p for stage in self.stages for p in stage.objects]

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "stages": [
                {
                    "stage": s.index,
                    "name": s.name,
                    "units": list(s.units),
                    "objects": [_object_json(p) for p in s.objects],
                }
                for s in self.stages
            ],
            "prune": [
                {"id": i.ref.id, "apiVersion": i.ref.api_version, "protected": i.protected}
                for i in self.prune
            ],
            "notes": list(self.notes),
        }


def _object_json(p: PlannedObject) -> dict[str, Any]:
    ref = p.ref
    return {"id": p.id, "unit": p.unit, "apiVersion": ref.api_version, "kind": ref.kind,
            "namespace": ref.namespace, "name": ref.name, "wait": p.wait}  # fmt: skip


def _sort_key(p: PlannedObject) -> tuple[int, str, str, str]:
    return (kind_weight(p.ref.kind), p.ref.namespace, p.ref.name, p.ref.group)


def prune_order(ref: ObjectRef) -> tuple[bool, int, str]:
    """Sort key of a prune: definitions last, then reverse kind weight, then id."""
    definition = (ref.group, ref.kind) in CLUSTER_DEFINITION_KINDS
    return (definition, -kind_weight(ref.kind), ref.id)


def build_plan(compiled: CompiledPlatform, previous: Inventory) -> Plan:
    """Order every object of the platform and list what the previous inventory no longer holds."""
    seen: dict[ObjectId, str] = {}
    definitions: list[PlannedObject] = []
    by_unit: dict[str, list[PlannedObject]] = {u.name: [] for u in compiled.units}
    notes: list[str] = []
    for unit in compiled.units:
        for obj in unit.objects:
            ref = ObjectRef.of(obj)
            if ref.id in seen:
                raise ClusterError(
                    ref.id, f"declared by both unit {seen[ref.id]} and unit {unit.name}"
                )
            seen[ref.id] = unit.name
            planned = PlannedObject(ref, unit.name, obj, (ref.group, ref.kind) in WAIT_KINDS)
            (definitions if is_cluster_definition(obj) else by_unit[unit.name]).append(planned)
        if unit.raw_files or unit.raw_file_sources:
            notes.append(f"unit {unit.name}: encrypted manifests are applied by Flux, not here")
    order = [u.name for u in compiled.units]
    levels = dependency_levels(order, {u.name: u.depends_on for u in compiled.units})
    stages = [Stage(1, "cluster definitions", (), tuple(sorted(definitions, key=_sort_key)), True)]
    for level in levels:
        objects = sorted((p for u in level for p in by_unit[u]), key=_sort_key)
        if objects:
            stages.append(
                Stage(len(stages) + 1, "units " + ", ".join(level), tuple(level),
                      tuple(objects), False)
            )  # fmt: skip
    current = Inventory.of_objects(p.obj for s in stages for p in s.objects)
    stale = sorted(previous.minus(current).refs(), key=prune_order)
    prune = tuple(PruneItem(r, (r.group, r.kind) in PROTECTED_KINDS) for r in stale)
    return Plan(compiled.platform, tuple(stages), prune, previous, current, tuple(notes))
