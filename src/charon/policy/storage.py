"""Storage: every claim names its class, sensitive data sits on the encrypted one, and is backed up.

Seed 002's cluster default class is node-local hostpath outside the backup pipeline, so a claim that
omits ``storageClassName`` silently lands there; these rules make that impossible.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from charon.compile.model import K8sObject
from charon.policy._pods import meta, object_key
from charon.policy.context import Context
from charon.policy.registry import Issue, rule
from charon.spec.models import BackupSpec, Sensitivity

__all__ = ["backup_required", "pvc_storage_class", "sensitive_encrypted"]


def _claims(obj: K8sObject) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(claim name, field path of its spec, claim spec) for PVCs and volumeClaimTemplates."""
    if obj.get("kind") == "PersistentVolumeClaim":
        yield str(meta(obj).get("name", "")), "spec", obj.get("spec") or {}
    elif obj.get("kind") == "StatefulSet":
        for tpl in (obj.get("spec") or {}).get("volumeClaimTemplates") or []:
            name = str((tpl.get("metadata") or {}).get("name", ""))
            yield name, f"spec.volumeClaimTemplates[{name}].spec", tpl.get("spec") or {}


@rule(
    "pvc-storage-class",
    family="storage",
    severity="error",
    summary="every PVC and volumeClaimTemplate names a storageClassName, never the default",
)
def pvc_storage_class(ctx: Context) -> Iterator[Issue]:
    classes = ctx.platform.cluster.storage_classes
    for name, service in sorted(ctx.platform.services.items()):
        for volume, vol in sorted(service.storage.items()):
            if vol.sensitivity is Sensitivity.shared and not (vol.storage_class or classes.shared):
                yield Issue(
                    object=f"service/{name}",
                    path=f"services.{name}.storage.{volume}.sensitivity",
                    message=f"volume '{volume}' is 'shared' but no shared (RWX) class is declared",
                    fix="Set cluster.storageClasses.shared, or a storageClass on the volume.",
                )
    for obj in ctx.objects:
        for claim, field, spec in _claims(obj):
            if not spec.get("storageClassName"):
                yield Issue(
                    object=object_key(obj),
                    path=_claim_path(ctx, obj, claim),
                    field=f"{field}.storageClassName",
                    message=f"claim '{claim}' names no StorageClass: it would bind to the cluster"
                    " default (node-local, outside the backup pipeline)",
                    fix="Name one of cluster.storageClasses (default, encrypted, shared).",
                )


def _volume(volumes: Collection[str], claim: str) -> str | None:
    """The spec volume a claim was made for: ``data`` for claim ``data`` or ``grafana-data``."""
    return next((v for v in sorted(volumes) if claim == v or claim.endswith(f"-{v}")), None)


def _claim_path(ctx: Context, obj: K8sObject, claim: str) -> str:
    owner = ctx.owner(obj)
    volume = _volume(ctx.platform.services[owner].storage, claim) if owner else None
    return f"services.{owner}.storage.{volume}" if volume else ctx.path_of(obj)


def _sensitive(ctx: Context, service: str) -> set[str]:
    storage = ctx.platform.services[service].storage
    return {v for v, s in storage.items() if s.sensitivity is Sensitivity.sensitive}


@rule(
    "sensitive-encrypted",
    family="storage",
    severity="error",
    summary="a volume with sensitivity 'sensitive' is on the encrypted StorageClass",
)
def sensitive_encrypted(ctx: Context) -> Iterator[Issue]:
    encrypted = ctx.platform.cluster.storage_classes.encrypted
    overridden: set[tuple[str, str]] = set()
    for name, service in sorted(ctx.platform.services.items()):
        for volume in sorted(_sensitive(ctx, name)):
            chosen = service.storage[volume].storage_class
            if chosen is not None and chosen != encrypted:
                overridden.add((name, volume))
                yield Issue(
                    object=f"service/{name}",
                    path=f"services.{name}.storage.{volume}.storageClass",
                    message=f"sensitive volume '{volume}' is put on '{chosen}', not the encrypted"
                    f" class '{encrypted}'",
                    fix=f"Remove the storageClass override (or set '{encrypted}'), or lower the"
                    " sensitivity if the data is not sensitive.",
                )
    for obj in ctx.objects:
        owner = ctx.owner(obj)
        if not owner:
            continue
        sensitive = _sensitive(ctx, owner)
        for claim, field, spec in _claims(obj):
            held = _volume(sensitive, claim)
            actual = spec.get("storageClassName")
            if held is None or actual == encrypted or (owner, held) in overridden:
                continue
            yield Issue(
                object=object_key(obj),
                path=f"services.{owner}.storage.{held}",
                field=f"{field}.storageClassName",
                message=f"claim '{claim}' holds sensitive data but uses class '{actual or ''}'"
                f" instead of the encrypted class '{encrypted}'",
                fix=f"Set storageClassName to '{encrypted}' (cluster.storageClasses.encrypted).",
            )


@rule(
    "backup-required",
    family="storage",
    severity="warning",
    summary="sensitive stateful data has a backup (CronJob or Velero schedule)",
)
def backup_required(ctx: Context) -> Iterator[Issue]:
    compiled = bool(ctx.objects)  # a spec-only evaluation cannot see the CronJobs
    cronjobs = {
        ctx.owner(o)
        for o in ctx.objects
        if o.get("kind") == "CronJob" and "backup" in str(meta(o).get("name", ""))
    }
    for name, service in sorted(ctx.platform.services.items()):
        for volume in sorted(_sensitive(ctx, name)):
            backup = service.storage[volume].backup
            if backup is False:
                yield Issue(
                    object=f"service/{name}",
                    path=f"services.{name}.storage.{volume}.backup",
                    message=f"sensitive volume '{volume}' has backups switched off",
                    fix="Remove 'backup: false' (a daily backup CronJob is the default), or waive"
                    " backup-required on the service with the reason the data can be lost.",
                )
            by_cronjob = not isinstance(backup, BackupSpec) or backup.method == "cronjob"
            if backup is not False and by_cronjob and compiled and name not in cronjobs:
                yield Issue(
                    object=f"service/{name}",
                    path=f"services.{name}.storage.{volume}",
                    message=f"sensitive volume '{volume}' should be backed up but no backup"
                    f" CronJob was compiled for service '{name}'",
                    fix="This is a compiler gap: report it; meanwhile set backup.method: velero.",
                )
