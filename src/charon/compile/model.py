"""What the compiler produces: Kubernetes objects grouped in units, as plain data.

A *unit* is what Flux reconciles as one Kustomization (and what ``charon apply`` applies as one
step): a directory of objects with dependencies on other units and the objects whose health says the
unit is ready. Objects are plain ``dict``s shaped exactly like the Kubernetes API object, so they
can be dumped to YAML, compared with live objects and applied without translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NewType

__all__ = [
    "LABEL_MANAGED_BY",
    "LABEL_PLATFORM",
    "LABEL_UNIT",
    "LAYERS",
    "MANAGED_BY",
    "CompiledPlatform",
    "K8sObject",
    "Layer",
    "ObjectId",
    "Unit",
    "object_id",
]

#: A Kubernetes object as the API shapes it (apiVersion, kind, metadata, ...).
K8sObject = dict[str, Any]

#: ``<namespace>_<name>_<group>_<kind>``, the id Flux's inventory uses (namespace empty: cluster).
ObjectId = NewType("ObjectId", str)

LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY = "charon"
LABEL_PLATFORM = "charon.dev/platform"
LABEL_UNIT = "charon.dev/unit"

#: Flux layers in reconcile order (DESIGN.md §3.6); every unit belongs to one.
Layer = str
LAYERS: tuple[Layer, ...] = ("crds", "infra-controllers", "infra-configs", "monitoring", "apps")


def object_id(obj: K8sObject) -> ObjectId:
    """The inventory id of an object, as Flux writes it (``default_podinfo_apps_Deployment``)."""
    api_version: str = obj["apiVersion"]
    group = api_version.rpartition("/")[0]
    meta = obj["metadata"]
    return ObjectId(f"{meta.get('namespace', '')}_{meta['name']}_{group}_{obj['kind']}")


@dataclass(frozen=True, slots=True)
class Unit:
    """One Flux Kustomization worth of objects."""

    name: str  # DNS-1123; also the directory name under units/
    layer: Layer
    objects: tuple[K8sObject, ...]
    depends_on: tuple[str, ...] = ()
    #: Objects whose readiness means the unit is ready (Flux ``healthChecks``), as
    #: (apiVersion, kind, namespace, name).
    health_checks: tuple[tuple[str, str, str, str], ...] = ()
    #: True when the unit holds SOPS-encrypted Secrets (Flux needs ``decryption``).
    needs_decryption: bool = False
    #: Files copied verbatim into the unit directory (already-encrypted SOPS or SealedSecret
    #: manifests), as (file name, content).
    raw_files: tuple[tuple[str, str], ...] = ()
    #: Encrypted manifests the spec points at (``secrets.<name>.file``) that the render step reads
    #: and copies into the unit directory, as (file name in the unit, path as written in the
    #: spec, relative to the spec file). The compiler does no I/O, so it cannot fill ``raw_files``.
    raw_file_sources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class CompiledPlatform:
    """Every unit of a platform, in a deterministic order (layer, then name)."""

    platform: str
    units: tuple[Unit, ...]
    #: Non-object facts the render step needs (e.g. the SOPS age recipients for .sops.yaml).
    sops_age_recipients: tuple[str, ...] = ()
    gitops_source: str = "flux-system"
    gitops_interval: str = "10m"
    gitops_path: str = ""
    #: "unit": one multi-document ``resources.yaml`` per unit; "object": one file per object.
    gitops_layout: str = "unit"
    notes: tuple[str, ...] = field(default=())

    def objects(self) -> list[K8sObject]:
        return [obj for unit in self.units for obj in unit.objects]

    def unit(self, name: str) -> Unit:
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(name)
