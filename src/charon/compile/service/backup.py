"""The backup CronJob ``<svc>-backup``: timestamped archives of the data volumes, with retention.

The data PVCs are ReadWriteOnce, which Kubernetes enforces per *node*, not per pod: a second pod
can mount the volume only on the node where the service's pod runs. The job therefore carries a
required pod affinity to ``<svc>-0`` (the replica whose volumes it copies) and mounts them
read-only; it never blocks on attach and cannot corrupt the live data. Archives go to the PVC
named in ``backup.target`` (``claim`` or ``claim/sub/path``), else to a PVC ``<svc>-backup`` that
Charon creates on the encrypted class: copies of sensitive data are sensitive too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from charon.compile.context import Context, ServiceRef
from charon.compile.labels import meta, service_labels
from charon.compile.model import K8sObject
from charon.compile.quantity import format_bytes, parse_quantity
from charon.compile.service.common import NONROOT_UID, fixed_resources, restricted
from charon.compile.service.storage import backed_up
from charon.spec.models import BackupSpec, StorageSpec

__all__ = ["BACKUP_IMAGE", "backup_objects", "backup_script"]

BACKUP_IMAGE = "busybox:1.37.0"


def _volumes(ref: ServiceRef) -> list[tuple[str, StorageSpec, BackupSpec]]:
    out = []
    for name, spec in sorted(ref.spec.storage.items()):
        if backed_up(spec):
            settings = spec.backup if isinstance(spec.backup, BackupSpec) else BackupSpec()
            out.append((name, spec, settings))
    return out


def backup_script(service: str, volumes: list[str], retention: int) -> str:
    """POSIX sh for busybox: one archive per run, then keep the newest ``retention``."""
    dirs = " ".join(volumes)
    return "\n".join(
        [
            "set -eu",
            'stamp="$(date -u +%Y%m%dT%H%M%SZ)"',
            f'archive="/backup/{service}-$stamp.tar.gz"',
            f'tar -C /data -czf "$archive.partial" {dirs}',
            'mv "$archive.partial" "$archive"',
            f"ls -1 /backup/{service}-*.tar.gz | sort -r | tail -n +{retention + 1} "
            "| xargs -r rm -f --",
            'echo "wrote $archive"',
        ]
    )


def _target(ref: ServiceRef, settings: BackupSpec) -> tuple[str, str]:
    if settings.target:
        claim, _, sub = settings.target.strip("/").partition("/")
        return claim, sub
    return f"{ref.name}-backup", ""


def backup_objects(ctx: Context, ref: ServiceRef) -> list[K8sObject]:
    volumes = _volumes(ref)
    if not volumes or ref.spec.replicas == 0:
        return []
    # One job per service: the first backed-up volume's settings decide schedule and retention.
    settings = [s for _, _, s in volumes if s.method == "cronjob"]
    if not settings:
        return []  # Velero schedules belong to the Velero component, not to the service
    first = settings[0]
    labels = service_labels(ctx.name, ref.unit, ref.name)
    claim, sub_path = _target(ref, first)
    out: list[K8sObject] = []
    if not first.target:
        size = sum((parse_quantity(s.size) for _, s, _ in volumes), Decimal(0))
        out.append(
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": meta(
                    claim, labels, ref.namespace, {"charon.dev/sensitivity": "sensitive"}
                ),
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": format_bytes(size)}},
                    "storageClassName": ctx.platform.cluster.storage_classes.encrypted,
                },
            }
        )
    backup_mount: dict[str, Any] = {"mountPath": "/backup", "name": "backup"}
    if sub_path:
        backup_mount["subPath"] = sub_path
    mounts: list[dict[str, Any]] = [backup_mount] + [
        {"mountPath": f"/data/{name}", "name": f"data-{name}", "readOnly": True}
        for name, _, _ in volumes
    ]
    pod_volumes: list[dict[str, Any]] = [
        {"name": "backup", "persistentVolumeClaim": {"claimName": claim}}
    ] + [
        {
            "name": f"data-{name}",
            "persistentVolumeClaim": {"claimName": f"{name}-{ref.name}-0", "readOnly": True},
        }
        for name, _, _ in volumes
    ]
    uid = ref.spec.run_as_user or NONROOT_UID
    pod_security: dict[str, Any] = {"seccompProfile": {"type": "RuntimeDefault"}}
    fs_group = ref.spec.fs_group or ref.spec.run_as_user
    if fs_group is not None:
        pod_security["supplementalGroups"] = [fs_group]
    container = {
        "name": "backup",
        "image": BACKUP_IMAGE,
        "command": [
            "/bin/sh",
            "-c",
            backup_script(ref.name, [n for n, _, _ in volumes], first.retention),
        ],
        "resources": fixed_resources("50m", "64Mi", "256Mi"),
        "securityContext": restricted(uid),
        "volumeMounts": sorted(mounts, key=lambda m: m["mountPath"]),
    }
    affinity = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "labelSelector": {
                        "matchLabels": {"statefulset.kubernetes.io/pod-name": f"{ref.name}-0"}
                    },
                    "topologyKey": "kubernetes.io/hostname",
                }
            ]
        }
    }
    pod_spec = {
        "affinity": affinity,
        "automountServiceAccountToken": False,
        "containers": [container],
        "enableServiceLinks": False,
        "priorityClassName": ctx.priority_class(ref.namespace),
        "restartPolicy": "Never",
        "securityContext": pod_security,
        "volumes": sorted(pod_volumes, key=lambda v: v["name"]),
    }
    out.append(
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": meta(f"{ref.name}-backup", labels, ref.namespace),
            "spec": {
                "concurrencyPolicy": "Forbid",
                "failedJobsHistoryLimit": 5,
                "jobTemplate": {
                    "spec": {
                        "backoffLimit": 2,
                        "template": {
                            "metadata": {
                                "labels": {"app.kubernetes.io/name": f"{ref.name}-backup"}
                            },
                            "spec": pod_spec,
                        },
                    }
                },
                "schedule": first.schedule,
                "successfulJobsHistoryLimit": 3,
                "timeZone": "Etc/UTC",
            },
        }
    )
    return out
