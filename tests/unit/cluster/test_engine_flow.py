"""The engine's decisions with the transport swapped for an in-memory one (STYLE 7).

The fake keeps objects by id and answers an apply with the applied object plus server fields, a
simplified server-side apply: enough to check what the engine asks for (which writes, which dry
runs, which inventory writes, which deletes), not how Kubernetes merges. The real semantics are
tested against kube-apiserver in tests/integration/test_apply_*.py.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from charon.cluster.engine import apply_plan, load_plan
from charon.cluster.events import Action, Event, PruneOutcome
from charon.cluster.executor import ApplyOptions
from charon.cluster.inventory import ObjectRef
from charon.compile.model import CompiledPlatform, K8sObject, Unit, object_id
from charon.errors import ClusterError

OWNER = {"app.kubernetes.io/managed-by": "charon", "charon.dev/platform": "p"}


class MemoryTransport:
    def __init__(self) -> None:
        self.objects: dict[str, K8sObject] = {}
        self.calls: list[tuple[str, str]] = []
        self._uid = 0

    async def get(self, ref: ObjectRef) -> K8sObject | None:
        self.calls.append(("get", ref.id))
        return copy.deepcopy(self.objects.get(ref.id))

    async def list(self, api_version: str, kind: str, selector: str) -> list[K8sObject]:
        self.calls.append(("list", kind))
        wanted = dict(part.split("=") for part in selector.split(","))
        found = [o for o in self.objects.values() if o["kind"] == kind]
        return [copy.deepcopy(o) for o in found
                if wanted.items() <= o["metadata"].get("labels", {}).items()]  # fmt: skip

    async def snapshot(self, api_version: str, kind: str, selector: str) -> tuple[Any, str]:
        return await self.list(api_version, kind, selector), "1"

    async def watch(
        self, api_version: str, kind: str, selector: str, resource_version: str, *, seconds: int
    ) -> AsyncGenerator[tuple[str, K8sObject], None]:
        self.calls.append(("watch", kind))
        for _ in ():  # nothing ever changes in memory: the watch just ends
            yield "", {}

    async def apply(self, obj: K8sObject, *, dry_run: bool, force: bool) -> K8sObject:
        oid = object_id(obj)
        self.calls.append(("dry-run" if dry_run else "write", oid))
        old = self.objects.get(oid)
        new = copy.deepcopy(obj)
        if old is None:
            self._uid += 1
            uid = f"uid-{self._uid}"
        else:
            uid = old["metadata"]["uid"]
        new["metadata"].update(uid=uid, managedFields=[{"manager": "charon"}])
        if new["kind"] == "Namespace":
            new["status"] = {"phase": "Active"}
        if not dry_run:
            self.objects[oid] = new
        return copy.deepcopy(new)

    async def delete(self, ref: ObjectRef, *, uid: str) -> bool:
        self.calls.append(("delete", ref.id))
        live = self.objects.get(ref.id)
        if live is None:
            return False
        assert live["metadata"]["uid"] == uid
        del self.objects[ref.id]
        return True

    async def knows(self, api_version: str, kind: str) -> bool:
        return True

    def forget_custom_kinds(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def writes(self) -> list[str]:
        return [oid for verb, oid in self.calls if verb in ("write", "delete")]


def obj(kind: str, name: str, ns: str = "a", api: str = "v1", **extra: Any) -> K8sObject:
    meta: dict[str, Any] = {"name": name, "labels": dict(OWNER)}
    if ns and kind != "Namespace":
        meta["namespace"] = ns
    meta.update(extra)
    return {"apiVersion": api, "kind": kind, "metadata": meta, "data": {"k": name}}


def platform(*objects: K8sObject) -> CompiledPlatform:
    return CompiledPlatform("p", (Unit("u", "apps", (obj("Namespace", "a", ns=""), *objects)),))


def run(t: MemoryTransport, compiled: CompiledPlatform, **opts: Any) -> Any:
    events: list[Event] = []

    async def go() -> Any:
        plan = await load_plan(t, compiled)
        return await apply_plan(t, plan, ApplyOptions(wait=False, **opts), events.append)

    return asyncio.run(go())


def test_cold_then_noop_then_one_change() -> None:
    t = MemoryTransport()
    first = platform(obj("ConfigMap", "c1"), obj("ConfigMap", "c2"))
    result = run(t, first)
    assert result.count(Action.created) == 3
    assert not [c for c in t.calls if c[0] == "dry-run"]  # cold: straight to the write
    assert "_charon-system__Namespace" in t.writes()
    assert "charon-system_charon-inventory-p__ConfigMap" in t.writes()

    t.calls.clear()
    result = run(t, first)
    assert t.writes() == []
    assert result.count(Action.unchanged) == 3

    t.calls.clear()
    changed = platform(obj("ConfigMap", "c1"), {**obj("ConfigMap", "c2"), "data": {"k": "new"}})
    result = run(t, changed)
    assert t.writes() == ["a_c2__ConfigMap"]
    assert [c.id for c in result.changed] == ["a_c2__ConfigMap"]


def test_prune_keeps_protected_and_foreign_objects() -> None:
    t = MemoryTransport()
    pvc = obj("PersistentVolumeClaim", "data")
    run(t, platform(obj("ConfigMap", "c1"), obj("ConfigMap", "c2"), pvc, obj("Secret", "s")))
    t.objects["a_s__Secret"]["metadata"]["labels"] = {}  # someone else took it
    result = run(t, platform(obj("ConfigMap", "c1")), prune=True)
    assert result.pruned == {
        "a_c2__ConfigMap": PruneOutcome.deleted,
        "a_data__PersistentVolumeClaim": PruneOutcome.protected,
        "a_s__Secret": PruneOutcome.not_ours,
    }
    assert "a_s__Secret" in t.objects and "a_data__PersistentVolumeClaim" in t.objects
    inventory = t.objects["charon-system_charon-inventory-p__ConfigMap"]["data"]["entries"]
    assert "a_data__PersistentVolumeClaim" in inventory and "a_s__Secret" not in inventory
    result = run(t, platform(obj("ConfigMap", "c1")), prune=True, allow_destructive=True)
    assert result.pruned == {"a_data__PersistentVolumeClaim": PruneOutcome.deleted}


def test_prune_deletes_kind_by_kind_in_reverse_apply_order() -> None:
    t = MemoryTransport()
    doomed = Unit("v", "apps", (
        obj("Namespace", "b", ns=""), obj("ConfigMap", "c1", ns="b"),
        obj("ConfigMap", "c2", ns="b"), obj("StatefulSet", "web", ns="b", api="apps/v1"),
    ))  # fmt: skip
    run(t, CompiledPlatform("p", (*platform().units, doomed)))
    t.calls.clear()
    result = run(t, platform(), prune=True, allow_destructive=True)
    deletes = [oid for verb, oid in t.calls if verb == "delete"]
    assert set(deletes) == {"b_c1__ConfigMap", "b_c2__ConfigMap", "b_web_apps_StatefulSet",
                            "_b__Namespace"}  # fmt: skip
    # The workload before the ConfigMaps it mounts, the namespace after everything in it.
    assert deletes[0] == "b_web_apps_StatefulSet" and deletes[-1] == "_b__Namespace"
    assert set(result.pruned.values()) == {PruneOutcome.deleted}


def test_if_not_present_is_created_once_and_never_rewritten() -> None:
    t = MemoryTransport()
    keep = obj("Secret", "state", annotations={"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"})
    run(t, platform(keep))
    t.objects["a_state__Secret"]["data"] = {"k": "written by the agent"}
    t.calls.clear()
    run(t, platform(keep))
    assert t.writes() == []
    assert t.objects["a_state__Secret"]["data"] == {"k": "written by the agent"}


def test_an_object_of_another_platform_is_refused() -> None:
    t = MemoryTransport()
    run(t, platform(obj("ConfigMap", "c1")))
    t.objects["a_c1__ConfigMap"]["metadata"]["labels"]["charon.dev/platform"] = "other"
    with pytest.raises(ClusterError, match="belongs to platform other"):
        run(t, platform(obj("ConfigMap", "c1")))


def test_dry_run_writes_nothing() -> None:
    t = MemoryTransport()
    result = run(t, platform(obj("ConfigMap", "c1")), dry_run=True)
    assert t.writes() == []
    assert result.count(Action.created) == 2
