"""Readiness of a live object by the kstatus rules (kubernetes-sigs/cli-utils pkg/kstatus).

Generic rules first (deletion, observedGeneration, Reconciling/Stalled conditions), then per-kind
rules for the built-in workloads. Two additions, both because a plain kstatus answer would be
"Current" for an object nobody has looked at yet: a Namespace must be ``Active``, and kinds whose
controllers only publish a ``Ready`` condition (cert-manager, Flux, external-secrets) need
``Ready=True``, which is what Flux's own health checks ask of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from charon.compile.model import K8sObject

__all__ = ["Health", "Status", "compute"]


class Status(StrEnum):
    current = "Current"
    in_progress = "InProgress"
    failed = "Failed"
    terminating = "Terminating"
    not_found = "NotFound"


@dataclass(frozen=True, slots=True)
class Health:
    status: Status
    message: str

    @property
    def ready(self) -> bool:
        return self.status is Status.current


_READY_CONDITION_GROUPS = frozenset(
    {
        "cert-manager.io",
        "kustomize.toolkit.fluxcd.io",
        "helm.toolkit.fluxcd.io",
        "source.toolkit.fluxcd.io",
        "notification.toolkit.fluxcd.io",
        "external-secrets.io",
    }
)


def _int(obj: K8sObject, *path: str, default: int = 0) -> int:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return default
        cur = cur[key]
    return int(cur) if isinstance(cur, int | str) and str(cur).lstrip("-").isdigit() else default


def _conditions(obj: K8sObject) -> dict[str, dict[str, Any]]:
    conds = ((obj.get("status") or {}).get("conditions")) or []
    return {c.get("type", ""): c for c in conds if isinstance(c, dict)}


def _progress(message: str) -> Health:
    return Health(Status.in_progress, message)


def _generic(obj: K8sObject) -> Health | None:
    meta = obj.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        return Health(Status.terminating, "scheduled for deletion")
    generation = meta.get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    if generation is not None and observed is not None and observed != generation:
        return _progress(f"generation {generation} not observed yet (observed {observed})")
    conds = _conditions(obj)
    for ctype, status in (("Reconciling", Status.in_progress), ("Stalled", Status.failed)):
        cond = conds.get(ctype)
        if cond and cond.get("status") == "True":
            return Health(status, cond.get("message") or cond.get("reason") or ctype)
    return None


def _replicas(obj: K8sObject, checks: list[tuple[str, str]]) -> Health | None:
    spec = _int(obj, "spec", "replicas", default=1)
    for field, label in checks:
        have = _int(obj, "status", field)
        if spec > have:
            return _progress(f"{label}: {have}/{spec}")
    if _int(obj, "status", "replicas") > spec:
        return _progress(f"pending termination: {_int(obj, 'status', 'replicas') - spec}")
    return None


def _deployment(obj: K8sObject) -> Health:
    conds = _conditions(obj)
    progressing = conds.get("Progressing", {})
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return Health(Status.failed, "progress deadline exceeded")
    checks = [("replicas", "replicas"), ("updatedReplicas", "updated"),
              ("availableReplicas", "available"), ("readyReplicas", "ready")]  # fmt: skip
    found = _replicas(obj, checks)
    if found:
        return found
    new_rs_ready = (progressing.get("status"), progressing.get("reason")) == (
        "True",
        "NewReplicaSetAvailable",
    )
    if "progressDeadlineSeconds" in (obj.get("spec") or {}) and not new_rs_ready:
        return _progress("new ReplicaSet not available yet")
    if conds.get("Available", {}).get("status") != "True":
        return _progress("Deployment not Available")
    return Health(Status.current, f"available, replicas: {_int(obj, 'status', 'replicas')}")


def _statefulset(obj: K8sObject) -> Health:
    spec = obj.get("spec") or {}
    if (spec.get("updateStrategy") or {}).get("type") == "OnDelete":
        return Health(Status.current, "OnDelete update strategy")
    found = _replicas(obj, [("replicas", "replicas"), ("readyReplicas", "ready"),
                            ("currentReplicas", "current")])  # fmt: skip
    if found:
        return found
    status = obj.get("status") or {}
    if status.get("currentRevision", "") != status.get("updateRevision", ""):
        return _progress("rolling update in progress")
    return Health(Status.current, f"all replicas ready: {_int(obj, 'status', 'replicas')}")


def _daemonset(obj: K8sObject) -> Health:
    status = obj.get("status") or {}
    if "observedGeneration" not in status:
        return _progress("not observed by its controller yet")
    desired = _int(obj, "status", "desiredNumberScheduled", default=-1)
    if desired < 0:
        return _progress("desiredNumberScheduled missing")
    for field, label in (
        ("currentNumberScheduled", "scheduled"),
        ("updatedNumberScheduled", "updated"),
        ("numberAvailable", "available"),
        ("numberReady", "ready"),
    ):
        if desired > _int(obj, "status", field):
            return _progress(f"{label}: {_int(obj, 'status', field)}/{desired}")
    return Health(Status.current, f"all pods ready: {desired}")


def _job(obj: K8sObject) -> Health:
    conds = _conditions(obj)
    if conds.get("Failed", {}).get("status") == "True":
        return Health(Status.failed, conds["Failed"].get("message") or "job failed")
    if conds.get("Complete", {}).get("status") == "True":
        return Health(Status.current, "completed")
    if not (obj.get("status") or {}).get("startTime"):
        return _progress("job not started")
    return Health(Status.current, "job running")


def _crd(obj: K8sObject) -> Health:
    conds = _conditions(obj)
    if conds.get("NamesAccepted", {}).get("status") == "False":
        return Health(Status.failed, conds["NamesAccepted"].get("message", "names not accepted"))
    established = conds.get("Established", {})
    if established.get("status") == "True":
        return Health(Status.current, "established")
    if established.get("status") == "False" and established.get("reason") != "Installing":
        return Health(Status.failed, established.get("message", "not established"))
    return _progress("CRD not established yet")


def _simple(obj: K8sObject, kind: str, group: str) -> Health:
    status = obj.get("status") or {}
    if kind == "Namespace" and not group:
        phase = status.get("phase", "")
        return Health(Status.current, "active") if phase == "Active" else _progress(phase or "new")
    if kind == "PersistentVolumeClaim" and not group:
        phase = status.get("phase", "unknown")
        return Health(Status.current, "bound") if phase == "Bound" else _progress(phase)
    if group in _READY_CONDITION_GROUPS:
        ready = _conditions(obj).get("Ready")
        if ready is None:
            return _progress("no Ready condition yet")
        if ready.get("status") != "True":
            return _progress(ready.get("message") or ready.get("reason") or "not Ready")
        return Health(Status.current, ready.get("message") or "Ready")
    return Health(Status.current, "current")


_RULES = {
    ("apps", "Deployment"): _deployment,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd,
}


def compute(obj: K8sObject | None) -> Health:
    """The kstatus of one live object (None: it does not exist)."""
    if obj is None:
        return Health(Status.not_found, "not found")
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    kind = str(obj.get("kind", ""))
    generic = _generic(obj)
    if generic is not None:
        return generic
    rule = _RULES.get((group, kind))
    return rule(obj) if rule else _simple(obj, kind, group)
