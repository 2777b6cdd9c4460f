"""Readiness of a live object by the kstatus rules (kubernetes-sigs/cli-utils pkg/kstatus).

Generic rules first (deletion, observedGeneration, Reconciling/Stalled conditions), then per-kind
rules for the built-in workloads (:mod:`.workload_status`). Two additions, both because a plain
kstatus answer would be "Current" for an object nobody has looked at yet: a Namespace must be
``Active``, and kinds whose controllers only publish a ``Ready`` condition (cert-manager, Flux,
external-secrets) need ``Ready=True``, which is what Flux's own health checks ask of them.
"""

from __future__ import annotations

from charon.cluster.workload_status import Health, Status, conditions, progress, workload_rules
from charon.compile.model import K8sObject

__all__ = ["Health", "Status", "compute"]


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


def _generic(obj: K8sObject) -> Health | None:
    meta = obj.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        return Health(Status.terminating, "scheduled for deletion")
    generation = meta.get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    if generation is not None and observed is not None and observed != generation:
        return progress(f"generation {generation} not observed yet (observed {observed})")
    conds = conditions(obj)
    for ctype, status in (("Reconciling", Status.in_progress), ("Stalled", Status.failed)):
        cond = conds.get(ctype)
        if cond and cond.get("status") == "True":
            return Health(status, cond.get("message") or cond.get("reason") or ctype)
    return None


def _crd(obj: K8sObject) -> Health:
    conds = conditions(obj)
    if conds.get("NamesAccepted", {}).get("status") == "False":
        return Health(Status.failed, conds["NamesAccepted"].get("message", "names not accepted"))
    established = conds.get("Established", {})
    if established.get("status") == "True":
        return Health(Status.current, "established")
    if established.get("status") == "False" and established.get("reason") != "Installing":
        return Health(Status.failed, established.get("message", "not established"))
    return progress("CRD not established yet")


def _simple(obj: K8sObject, kind: str, group: str) -> Health:
    status = obj.get("status") or {}
    if kind == "Namespace" and not group:
        phase = status.get("phase", "")
        return Health(Status.current, "active") if phase == "Active" else progress(phase or "new")
    if kind == "PersistentVolumeClaim" and not group:
        phase = status.get("phase", "unknown")
        return Health(Status.current, "bound") if phase == "Bound" else progress(phase)
    if group in _READY_CONDITION_GROUPS:
        ready = conditions(obj).get("Ready")
        if ready is None:
            return progress("no Ready condition yet")
        if ready.get("status") != "True":
            return progress(ready.get("message") or ready.get("reason") or "not Ready")
        return Health(Status.current, ready.get("message") or "Ready")
    return Health(Status.current, "current")


_RULES = {**workload_rules, ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd}


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
