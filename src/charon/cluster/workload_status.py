"""kstatus rules for the built-in workloads: Deployment, StatefulSet, DaemonSet, Job.

Each follows kubernetes-sigs/cli-utils pkg/kstatus/status/core.go: compare what the spec asks for
with what the controller reports, in the same order, so the first shortfall is the message a
person sees ("ready: 1/2"). Called only after the generic rules found nothing to say.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from charon.compile.model import K8sObject

__all__ = [
    "Health",
    "Status",
    "conditions",
    "int_field",
    "progress",
    "workload_rules",
]


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


def int_field(obj: K8sObject, *path: str, default: int = 0) -> int:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return default
        cur = cur[key]
    return int(cur) if isinstance(cur, int | str) and str(cur).lstrip("-").isdigit() else default


def conditions(obj: K8sObject) -> dict[str, dict[str, Any]]:
    conds = ((obj.get("status") or {}).get("conditions")) or []
    return {c.get("type", ""): c for c in conds if isinstance(c, dict)}


def progress(message: str) -> Health:
    return Health(Status.in_progress, message)


def _replicas(obj: K8sObject, checks: list[tuple[str, str]]) -> Health | None:
    spec = int_field(obj, "spec", "replicas", default=1)
    for field, label in checks:
        have = int_field(obj, "status", field)
        if spec > have:
            return progress(f"{label}: {have}/{spec}")
    if int_field(obj, "status", "replicas") > spec:
        return progress(f"pending termination: {int_field(obj, 'status', 'replicas') - spec}")
    return None


def _deployment(obj: K8sObject) -> Health:
    conds = conditions(obj)
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
        return progress("new ReplicaSet not available yet")
    if conds.get("Available", {}).get("status") != "True":
        return progress("Deployment not Available")
    return Health(Status.current, f"available, replicas: {int_field(obj, 'status', 'replicas')}")


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
        return progress("rolling update in progress")
    return Health(Status.current, f"all replicas ready: {int_field(obj, 'status', 'replicas')}")


def _daemonset(obj: K8sObject) -> Health:
    status = obj.get("status") or {}
    if "observedGeneration" not in status:
        return progress("not observed by its controller yet")
    desired = int_field(obj, "status", "desiredNumberScheduled", default=-1)
    if desired < 0:
        return progress("desiredNumberScheduled missing")
    for field, label in (
        ("currentNumberScheduled", "scheduled"),
        ("updatedNumberScheduled", "updated"),
        ("numberAvailable", "available"),
        ("numberReady", "ready"),
    ):
        if desired > int_field(obj, "status", field):
            return progress(f"{label}: {int_field(obj, 'status', field)}/{desired}")
    return Health(Status.current, f"all pods ready: {desired}")


def _job(obj: K8sObject) -> Health:
    conds = conditions(obj)
    if conds.get("Failed", {}).get("status") == "True":
        return Health(Status.failed, conds["Failed"].get("message") or "job failed")
    if conds.get("Complete", {}).get("status") == "True":
        return Health(Status.current, "completed")
    if not (obj.get("status") or {}).get("startTime"):
        return progress("job not started")
    return Health(Status.current, "job running")


workload_rules = {
    ("apps", "Deployment"): _deployment,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
}
