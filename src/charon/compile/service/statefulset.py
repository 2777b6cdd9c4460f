"""The StatefulSet of a service: stable pod names (``<svc>-0``) that match the per-pod Tailscale
state Secrets and DNS names, and one PVC per replica.

Plain services are the same StatefulSet with the app container alone.
"""

from __future__ import annotations

from typing import Any

from charon.compile.context import Context, ServiceRef
from charon.compile.labels import LABEL_TAILNET, meta, selector, service_labels
from charon.compile.model import K8sObject
from charon.compile.service.common import app_resources, restricted
from charon.compile.service.lifecycle import agent_containers, agent_volumes
from charon.compile.service.nginx import config_hash, nginx_container
from charon.compile.service.storage import claim_templates, data_mounts, scratch_volumes
from charon.compile.service.tailscale import tailscale_container, tailscale_volumes

__all__ = ["app_container", "statefulset"]


def app_container(ctx: Context, ref: ServiceRef) -> dict[str, Any]:
    spec = ref.spec
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    env += [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": v.secret, "key": v.key}}}
        for k, v in sorted(spec.secret_env.items())
    ]
    ports = [{"containerPort": spec.port, "name": "http", "protocol": "TCP"}]
    if not ref.web and spec.metrics is not None and spec.metrics.port != spec.port:
        # Web apps keep metrics on localhost; nginx-tls re-exposes them.
        ports.append({"containerPort": spec.metrics.port, "name": "metrics", "protocol": "TCP"})
    container: dict[str, Any] = {"name": "app", "image": spec.image}
    if spec.command is not None:
        container["command"] = list(spec.command)
    if spec.args is not None:
        container["args"] = list(spec.args)
    if env:
        container["env"] = env
    container["ports"] = ports
    container["resources"] = app_resources(spec.resources, ctx.tier(ref.namespace))
    # Apps write where they please (caches, pids), so the root filesystem stays writable.
    container["securityContext"] = restricted(spec.run_as_user, read_only=False)
    mounts = data_mounts(ref)
    if mounts:
        container["volumeMounts"] = mounts
    return container


def _pod_security(ref: ServiceRef) -> dict[str, Any]:
    context: dict[str, Any] = {"seccompProfile": {"type": "RuntimeDefault"}}
    fs_group = ref.spec.fs_group or ref.spec.run_as_user
    if fs_group is not None:
        context["fsGroup"] = fs_group
        context["fsGroupChangePolicy"] = "OnRootMismatch"
    if ref.web:
        # Lets the unprivileged nginx bind 80 and 443 without any capability ("safe" sysctl,
        # allowed by Pod Security restricted).
        context["sysctls"] = [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]
    return context


def statefulset(ctx: Context, ref: ServiceRef, nginx_conf: str | None) -> K8sObject:
    labels = service_labels(ctx.name, ref.unit, ref.name)
    pod_labels = {**labels}
    annotations = {"kubectl.kubernetes.io/default-container": "app"}
    containers: list[dict[str, Any]] = []
    init: list[dict[str, Any]] = []
    volumes: list[dict[str, Any]] = scratch_volumes(ref)
    if ref.web:
        pod_labels[LABEL_TAILNET] = "true"
        annotations["charon.dev/nginx-config"] = config_hash(nginx_conf or "")
        containers = [nginx_container(ref), app_container(ctx, ref), tailscale_container(ctx, ref)]
        volumes += [
            {"name": "nginx-conf", "configMap": {"name": f"{ref.name}-nginx"}},
            {"name": "nginx-tmp", "emptyDir": {}},
            {"name": "tls", "secret": {"secretName": ctx.platform.cluster.tls.wildcard_secret}},
            *tailscale_volumes(ctx, ref),
        ]
        if ref.spec.lifecycle:
            init = agent_containers(ctx, ref)
            volumes += agent_volumes(ctx, ref)
    else:
        containers = [app_container(ctx, ref)]
    pod_spec: dict[str, Any] = {
        # Only the sidecar and the agent talk to the API (their state Secret).
        "automountServiceAccountToken": ref.web,
        "containers": containers,
        "enableServiceLinks": False,
    }
    if init:
        pod_spec["initContainers"] = init
    pod_spec |= {
        "priorityClassName": ctx.priority_class(ref.namespace),
        "securityContext": _pod_security(ref),
        "serviceAccountName": ref.name,
        "terminationGracePeriodSeconds": 30,
    }
    if volumes:
        pod_spec["volumes"] = sorted(volumes, key=lambda v: v["name"])
    spec: dict[str, Any] = {
        "replicas": ref.spec.replicas,
        "selector": {"matchLabels": selector(ref.name)},
        "serviceName": f"{ref.name}-headless",
        "template": {
            "metadata": {
                "annotations": dict(sorted(annotations.items())),
                "labels": dict(sorted(pod_labels.items())),
            },
            "spec": pod_spec,
        },
    }
    claims = claim_templates(ctx, ref)
    if claims:
        spec["volumeClaimTemplates"] = claims
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta(ref.name, labels, ref.namespace),
        "spec": spec,
    }
