"""kstatus rules on sample objects (shapes as the API server and controllers write them)."""

from __future__ import annotations

from typing import Any

import pytest

from charon.cluster.kstatus import Status, compute


def with_status(api: str, kind: str, spec: dict[str, Any], status: dict[str, Any],
                generation: int = 1) -> dict[str, Any]:  # fmt: skip
    return {"apiVersion": api, "kind": kind, "spec": spec, "status": status,
            "metadata": {"name": "x", "generation": generation}}  # fmt: skip


READY_DEPLOY = {
    "observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2,
    "availableReplicas": 2,
    "conditions": [{"type": "Available", "status": "True"},
                   {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("obj", "status", "message"),
    [
        (with_status("apps/v1", "Deployment", {"replicas": 2, "progressDeadlineSeconds": 600},
                     READY_DEPLOY), Status.current, "available"),
        (with_status("apps/v1", "Deployment", {"replicas": 2},
                     {**READY_DEPLOY, "readyReplicas": 1}), Status.in_progress, "ready: 1/2"),
        (with_status("apps/v1", "Deployment", {"replicas": 2}, READY_DEPLOY, generation=2),
         Status.in_progress, "generation 2 not observed"),
        (with_status("apps/v1", "Deployment", {"replicas": 1}, {"conditions": [
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}),
         Status.failed, "deadline"),
        (with_status("apps/v1", "StatefulSet", {"replicas": 1}, {"observedGeneration": 1,
            "replicas": 1, "readyReplicas": 1, "currentReplicas": 1, "currentRevision": "r1",
            "updateRevision": "r1"}), Status.current, "ready"),
        (with_status("apps/v1", "StatefulSet", {"replicas": 1}, {"observedGeneration": 1,
            "replicas": 1, "readyReplicas": 0}), Status.in_progress, "ready: 0/1"),
        (with_status("apps/v1", "StatefulSet", {"replicas": 1}, {"observedGeneration": 1,
            "replicas": 1, "readyReplicas": 1, "currentReplicas": 1, "currentRevision": "r1",
            "updateRevision": "r2"}), Status.in_progress, "rolling update"),
        (with_status("apps/v1", "DaemonSet", {}, {}), Status.in_progress, "not observed"),
        (with_status("apps/v1", "DaemonSet", {}, {"observedGeneration": 1,
            "desiredNumberScheduled": 2, "currentNumberScheduled": 2, "updatedNumberScheduled": 2,
            "numberAvailable": 2, "numberReady": 2}), Status.current, "2"),
        (with_status("batch/v1", "Job", {}, {"conditions": [{"type": "Failed", "status": "True",
            "message": "BackoffLimitExceeded"}]}), Status.failed, "BackoffLimitExceeded"),
        (with_status("batch/v1", "Job", {}, {}), Status.in_progress, "not started"),
        (with_status("batch/v1", "Job", {}, {"conditions": [{"type": "Complete",
            "status": "True"}]}), Status.current, "completed"),
        (with_status("cert-manager.io/v1", "Certificate", {}, {}), Status.in_progress,
         "no Ready condition"),
        (with_status("cert-manager.io/v1", "Certificate", {}, {"conditions": [{"type": "Ready",
            "status": "False", "message": "Issuing certificate"}]}), Status.in_progress,
         "Issuing"),
        (with_status("cert-manager.io/v1", "Certificate", {}, {"conditions": [{"type": "Ready",
            "status": "True", "message": "Certificate is up to date"}]}), Status.current,
         "up to date"),
        (with_status("kustomize.toolkit.fluxcd.io/v1", "Kustomization", {}, {
            "observedGeneration": 1, "conditions": [{"type": "Stalled", "status": "True",
            "message": "build failed"}]}), Status.failed, "build failed"),
        (with_status("apiextensions.k8s.io/v1", "CustomResourceDefinition", {}, {"conditions": [
            {"type": "Established", "status": "True"}]}), Status.current, "established"),
        (with_status("apiextensions.k8s.io/v1", "CustomResourceDefinition", {}, {}),
         Status.in_progress, "not established"),
        (with_status("v1", "Namespace", {}, {"phase": "Active"}), Status.current, "active"),
        (with_status("v1", "Namespace", {}, {"phase": "Terminating"}), Status.in_progress,
         "Terminating"),
        (with_status("v1", "PersistentVolumeClaim", {}, {"phase": "Pending"}),
         Status.in_progress, "Pending"),
        (with_status("v1", "ConfigMap", {}, {}), Status.current, "current"),
    ],
)  # fmt: skip
def test_rules(obj: dict[str, Any], status: Status, message: str) -> None:
    health = compute(obj)
    assert health.status is status, health
    assert message in health.message


def test_missing_and_terminating() -> None:
    assert compute(None).status is Status.not_found
    doomed = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "x", "deletionTimestamp": "2026-01-01T00:00:00Z"}}  # fmt: skip
    assert compute(doomed).status is Status.terminating
