"""The inventory: which objects a platform applied, kept in the cluster so a later run can prune.

Like Flux's ``status.inventory``, an entry is an object id (``<ns>_<name>_<group>_<kind>``) plus
the API version it was applied with, enough to address the object again after it has left the
platform file. One ConfigMap per platform in the ``charon-system`` namespace holds it; a
ConfigMap, not an annotation, because it must survive the objects it lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from charon.compile.model import (
    LABEL_MANAGED_BY,
    LABEL_PLATFORM,
    MANAGED_BY,
    K8sObject,
    ObjectId,
    object_id,
)

__all__ = [
    "INVENTORY_NAMESPACE",
    "Inventory",
    "ObjectRef",
    "inventory_name",
    "namespace_object",
]

INVENTORY_NAMESPACE = "charon-system"
_KEY = "entries"


@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    """Enough to address one object: the inventory id parts plus its API version."""

    group: str
    kind: str
    namespace: str
    name: str
    version: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def id(self) -> ObjectId:
        return ObjectId(f"{self.namespace}_{self.name}_{self.group}_{self.kind}")

    @classmethod
    def of(cls, obj: K8sObject) -> ObjectRef:
        group, _, version = str(obj["apiVersion"]).rpartition("/")
        meta = obj["metadata"]
        return cls(group, obj["kind"], meta.get("namespace") or "", meta["name"], version)

    @classmethod
    def parse(cls, oid: str, version: str) -> ObjectRef:
        namespace, name, group, kind = oid.split("_")
        return cls(group, kind, namespace, name, version)


@dataclass(frozen=True, slots=True)
class Inventory:
    """Object id -> API version; immutable so "what we read" and "what we write" never alias."""

    entries: Mapping[ObjectId, str]

    @classmethod
    def empty(cls) -> Inventory:
        return cls({})

    @classmethod
    def of_objects(cls, objects: Iterable[K8sObject]) -> Inventory:
        return cls({object_id(o): ObjectRef.of(o).version for o in objects})

    @classmethod
    def from_configmap(cls, cm: K8sObject | None) -> Inventory:
        if not cm:
            return cls.empty()
        raw = (cm.get("data") or {}).get(_KEY, "[]")
        return cls({ObjectId(e["id"]): str(e["v"]) for e in json.loads(raw)})

    def refs(self) -> list[ObjectRef]:
        return [ObjectRef.parse(oid, v) for oid, v in sorted(self.entries.items())]

    def union(self, other: Inventory) -> Inventory:
        return Inventory({**self.entries, **other.entries})

    def minus(self, other: Inventory) -> Inventory:
        return Inventory({k: v for k, v in self.entries.items() if k not in other.entries})

    def only(self, ids: Iterable[str]) -> Inventory:
        keep = set(ids)
        return Inventory({k: v for k, v in self.entries.items() if k in keep})

    def to_configmap(self, platform: str) -> K8sObject:
        entries = [{"id": k, "v": v} for k, v in sorted(self.entries.items())]
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": inventory_name(platform),
                "namespace": INVENTORY_NAMESPACE,
                "labels": {LABEL_MANAGED_BY: MANAGED_BY, LABEL_PLATFORM: platform},
            },
            "data": {_KEY: json.dumps(entries, separators=(",", ":")), "platform": platform},
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Inventory) and dict(self.entries) == dict(other.entries)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.entries.items())))

    def __len__(self) -> int:
        return len(self.entries)


def inventory_name(platform: str) -> str:
    return f"charon-inventory-{platform}"


def namespace_object() -> K8sObject:
    """The namespace holding every platform's inventory; shared, so no platform label."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": INVENTORY_NAMESPACE, "labels": {LABEL_MANAGED_BY: MANAGED_BY}},
    }
