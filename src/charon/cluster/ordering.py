"""Which objects go first: cluster definitions, then kinds by weight (cli-utils / kustomize order).

Admission only needs a few things to exist before an object arrives: its namespace, its CRD, the
PriorityClass a workload names. Those are *cluster definitions* and form stage 1 of every apply,
applied and waited for before anything else. Within the later stages the kind weight keeps the
order people expect to read (quotas and accounts before workloads, routes last) and the reverse
order is used for deletion, so a namespace is never removed before what it holds.
"""

from __future__ import annotations

from charon.compile.model import K8sObject

__all__ = [
    "CLUSTER_DEFINITION_KINDS",
    "PROTECTED_KINDS",
    "WAIT_KINDS",
    "group_of",
    "is_cluster_definition",
    "kind_weight",
]

#: Applied (and waited for) before every other object of the platform.
CLUSTER_DEFINITION_KINDS = frozenset(
    {
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("", "Namespace"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("storage.k8s.io", "StorageClass"),
        ("networking.k8s.io", "IngressClass"),
        ("node.k8s.io", "RuntimeClass"),
    }
)

#: Deleting one of these loses data or everything inside it: pruned only with --allow-destructive.
PROTECTED_KINDS = frozenset(
    {
        ("", "PersistentVolumeClaim"),
        ("", "PersistentVolume"),
        ("", "Namespace"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
    }
)

#: Objects whose readiness an apply waits for (kstatus rules), besides stage-1 definitions.
WAIT_KINDS = frozenset(
    {
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("batch", "Job"),
        ("cert-manager.io", "Certificate"),
        ("kustomize.toolkit.fluxcd.io", "Kustomization"),
        ("helm.toolkit.fluxcd.io", "HelmRelease"),
        ("source.toolkit.fluxcd.io", "GitRepository"),
        ("source.toolkit.fluxcd.io", "OCIRepository"),
        ("source.toolkit.fluxcd.io", "HelmRepository"),
        ("source.toolkit.fluxcd.io", "HelmChart"),
        ("source.toolkit.fluxcd.io", "Bucket"),
    }
)

_ORDER = [
    "Namespace",
    "CustomResourceDefinition",
    "PriorityClass",
    "StorageClass",
    "IngressClass",
    "RuntimeClass",
    "ClusterRole",
    "ResourceQuota",
    "LimitRange",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Role",
    "ClusterRoleBinding",
    "RoleBinding",
    "NetworkPolicy",
    "Service",
    "Endpoints",
    "EndpointSlice",
    "DaemonSet",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "Job",
    "CronJob",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "Ingress",
]
_WEIGHT = {kind: i for i, kind in enumerate(_ORDER)}
_CUSTOM = len(_ORDER)  # custom resources and kinds not listed
_LAST = {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService"}


def group_of(obj: K8sObject) -> str:
    return str(obj["apiVersion"]).rpartition("/")[0]


def is_cluster_definition(obj: K8sObject) -> bool:
    return (group_of(obj), obj["kind"]) in CLUSTER_DEFINITION_KINDS


def kind_weight(kind: str) -> int:
    """Lower applies earlier; webhooks last so they never block the objects they would admit."""
    if kind in _LAST:
        return _CUSTOM + 1
    return _WEIGHT.get(kind, _CUSTOM)
