"""Service, headless Service, ServiceAccount, the state-Secret Role and the pre-created Secrets.

The Role names exactly the per-pod state Secrets ``<svc>-<i>-tailscale``: containerboot and the
agent can read and patch their own pod's state and nothing else. The Secrets are created empty
with Flux's ``ssa: IfNotPresent`` so containerboot owns their data and a reconcile never wipes a
node's identity.
"""

from __future__ import annotations

from typing import Any

from charon.compile.context import Context, ServiceRef
from charon.compile.labels import meta, selector, service_labels
from charon.compile.model import K8sObject

__all__ = [
    "HEADLESS_LABEL",
    "headless_service",
    "service",
    "service_account",
    "state_rbac",
    "state_secrets",
]

_RBAC = "rbac.authorization.k8s.io"
#: Marks the headless Service so a ServiceMonitor can select the ClusterIP one alone.
HEADLESS_LABEL = "charon.dev/headless"


def _ports(ref: ServiceRef) -> list[dict[str, Any]]:
    ports: list[dict[str, Any]] = [
        {"name": ref.port_name, "port": ref.port, "protocol": "TCP", "targetPort": ref.port_name}
    ]
    metrics = ref.spec.metrics
    if ref.metrics_port is not None and metrics is not None:
        target = "http" if not ref.web and metrics.port == ref.spec.port else "metrics"
        if ref.metrics_port != ref.port:
            ports.append(
                {
                    "name": "metrics",
                    "port": ref.metrics_port,
                    "protocol": "TCP",
                    "targetPort": target,
                }
            )
    return ports


def service(ctx: Context, ref: ServiceRef) -> K8sObject:
    annotations = {
        "charon.dev/auth": ref.spec.auth.mode.value,
        "charon.dev/exposure": ref.spec.exposure.value,
    }
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(
            ref.name, service_labels(ctx.name, ref.unit, ref.name), ref.namespace, annotations
        ),
        "spec": {"ports": _ports(ref), "selector": selector(ref.name), "type": "ClusterIP"},
    }


def headless_service(ctx: Context, ref: ServiceRef) -> K8sObject:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(
            f"{ref.name}-headless",
            {**service_labels(ctx.name, ref.unit, ref.name), HEADLESS_LABEL: "true"},
            ref.namespace,
        ),
        "spec": {
            "clusterIP": "None",
            "ports": _ports(ref),
            "publishNotReadyAddresses": True,
            "selector": selector(ref.name),
        },
    }


def service_account(ctx: Context, ref: ServiceRef) -> K8sObject:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta(ref.name, service_labels(ctx.name, ref.unit, ref.name), ref.namespace),
        "automountServiceAccountToken": ref.web,
    }


def state_secret_names(ref: ServiceRef) -> list[str]:
    return [f"{ref.name}-{i}-tailscale" for i in range(ref.spec.replicas)]


def state_rbac(ctx: Context, ref: ServiceRef) -> list[K8sObject]:
    labels = service_labels(ctx.name, ref.unit, ref.name)
    name = f"{ref.name}-tailscale-state"
    names = state_secret_names(ref)
    # An empty resourceNames list would grant every Secret: with no replicas, grant nothing.
    rules = (
        [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": names,
          "verbs": ["get", "patch", "update"]}]
        if names
        else []
    )  # fmt: skip
    role = {
        "apiVersion": f"{_RBAC}/v1",
        "kind": "Role",
        "metadata": meta(name, labels, ref.namespace),
        "rules": rules,
    }
    binding = {
        "apiVersion": f"{_RBAC}/v1",
        "kind": "RoleBinding",
        "metadata": meta(name, labels, ref.namespace),
        "roleRef": {"apiGroup": _RBAC, "kind": "Role", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": ref.name, "namespace": ref.namespace}],
    }
    return [role, binding]


def state_secrets(ctx: Context, ref: ServiceRef) -> list[K8sObject]:
    labels = service_labels(ctx.name, ref.unit, ref.name)
    annotations = {
        "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent",
        "charon.dev/prune": "disabled",
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta(name, labels, ref.namespace, annotations),
            "type": "Opaque",
        }
        for name in state_secret_names(ref)
    ]
