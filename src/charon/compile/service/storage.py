"""Volumes of a service: one PVC per replica (volumeClaimTemplates) on the class its data deserves.

The class comes from what the data is, not from the cluster default: a PVC that names no class
silently lands on whatever the cluster default is (seed 002's local-path trap).
"""

from __future__ import annotations

from typing import Any

from charon.compile.context import Context, ServiceRef
from charon.spec.models import Sensitivity, StorageSpec

__all__ = ["backed_up", "claim_templates", "data_mounts", "scratch_volumes", "storage_class"]


def storage_class(ctx: Context, spec: StorageSpec) -> str:
    if spec.storage_class:
        return spec.storage_class
    classes = ctx.platform.cluster.storage_classes
    if spec.sensitivity is Sensitivity.sensitive:
        return classes.encrypted
    if spec.sensitivity is Sensitivity.shared:
        return classes.shared or classes.default
    return classes.default


def backed_up(spec: StorageSpec) -> bool:
    """Sensitive data is backed up unless the spec says ``backup: false``; other data on request."""
    if spec.sensitivity is Sensitivity.scratch or spec.backup is False:
        return False
    return spec.backup is not None or spec.sensitivity is Sensitivity.sensitive


def claim_templates(ctx: Context, ref: ServiceRef) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, spec in sorted(ref.spec.storage.items()):
        if spec.sensitivity is Sensitivity.scratch:
            continue
        mode = "ReadWriteMany" if spec.sensitivity is Sensitivity.shared else "ReadWriteOnce"
        out.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {
                    "name": name,
                    "labels": {"app.kubernetes.io/name": ref.name},
                    "annotations": {"charon.dev/sensitivity": spec.sensitivity.value},
                },
                "spec": {
                    "accessModes": [mode],
                    "resources": {"requests": {"storage": spec.size}},
                    "storageClassName": storage_class(ctx, spec),
                },
            }
        )
    return out


def scratch_volumes(ref: ServiceRef) -> list[dict[str, Any]]:
    return [
        {"name": name, "emptyDir": {"sizeLimit": spec.size}}
        for name, spec in sorted(ref.spec.storage.items())
        if spec.sensitivity is Sensitivity.scratch
    ]


def data_mounts(ref: ServiceRef) -> list[dict[str, Any]]:
    return [
        {"mountPath": spec.mount_path, "name": name}
        for name, spec in sorted(ref.spec.storage.items())
    ]
