"""Small platforms and hand-built compiled objects for the policy tests.

``platform()`` is a clean, policy-passing description; tests change one thing with ``patch`` and
assert the one finding it causes. Objects are built here (not by the compiler) so each rule is
tested on exactly the shape it judges.
"""

from __future__ import annotations

import copy
from typing import Any

from charon.compile.model import CompiledPlatform, K8sObject, Unit
from charon.policy import Finding, evaluate
from charon.spec.models import Platform

DELETE = object()

BASE: dict[str, Any] = {
    "apiVersion": "charon.dev/v1alpha1",
    "kind": "Platform",
    "metadata": {"name": "demo"},
    "cluster": {
        "domain": "example.com",
        "storageClasses": {"default": "block", "encrypted": "block-crypt", "shared": "nfs"},
        "tls": {"issuer": "letsencrypt"},
    },
    "vpn": {"headscale": {"url": "https://headscale.example.com"}},
    "dns": {
        "provider": "rfc2136",
        "zone": "example.com",
        "rfc2136": {"server": "10.0.0.53", "keyName": "charon"},
    },
    "identity": {"forwardAuth": {"url": "http://auth.core.svc.cluster.local/verify"}},
    "categories": {
        "core": {"tier": "0-core", "podSecurity": "privileged"},
        "apps": {"tier": "3-edge", "podSecurity": "restricted"},
    },
    "services": {
        "headscale": {
            "category": "core",
            "kind": "plain",
            "image": "headscale/headscale:0.26.1",
            "port": 8080,
            "exposure": "public",
            "auth": {"mode": "none", "reason": "enrollment endpoint; clients use pre-auth keys"},
        },
        "wiki": {
            "category": "apps",
            "image": "requarks/wiki:2.5.307",
            "port": 3000,
            "env": {"LOG_LEVEL": "info"},
            "secretEnv": {"DB_PASS": {"secret": "wiki-db", "key": "password"}},
            "storage": {"data": {"size": "5Gi", "mountPath": "/data", "sensitivity": "sensitive"}},
        },
    },
    "secrets": {"wiki-db": {"namespace": "apps", "keys": ["password"]}},
}


def _merge(into: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is DELETE:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def platform(patch: dict[str, Any] | None = None) -> Platform:
    data = copy.deepcopy(BASE)
    _merge(data, patch or {})
    return Platform.model_validate(data)


# ------------------------------------------------------------------------------------------------
# objects


def restricted_sc() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container(name: str, image: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "image": image,
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
        "securityContext": restricted_sc(),
    }
    body.update(extra)
    return body


def labels(service: str | None) -> dict[str, str]:
    out = {"app.kubernetes.io/managed-by": "charon"}
    if service:
        out["charon.dev/service"] = service
    return out


def statefulset(
    name: str = "wiki",
    namespace: str = "apps",
    containers: list[dict[str, Any]] | None = None,
    *,
    service: str | None = "wiki",
    claims: list[tuple[str, str | None]] = (("data", "block-crypt"),),  # type: ignore[assignment]
    pod: dict[str, Any] | None = None,
) -> K8sObject:
    templates = []
    for claim, cls in claims:
        spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"]}
        if cls is not None:
            spec["storageClassName"] = cls
        templates.append({"metadata": {"name": claim}, "spec": spec})
    pod_spec: dict[str, Any] = {
        "containers": containers or [container("app", "requarks/wiki:2.5.307")],
        **(pod or {}),
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": namespace, "labels": labels(service)},
        "spec": {"template": {"spec": pod_spec}, "volumeClaimTemplates": templates},
    }


def cronjob(name: str, namespace: str, containers: list[dict[str, Any]]) -> K8sObject:
    pod = {"containers": containers, "restartPolicy": "OnFailure"}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": namespace, "labels": labels(None)},
        "spec": {"schedule": "17 3 * * *", "jobTemplate": {"spec": {"template": {"spec": pod}}}},
    }


def backup(service: str = "wiki", namespace: str = "apps") -> K8sObject:
    return cronjob(f"{service}-backup", namespace, [container("backup", "busybox:1.37.0")])


def ingress(
    name: str,
    namespace: str,
    host: str,
    *,
    cls: str = "nginx",
    service: str | None = None,
    auth: bool = True,
) -> K8sObject:
    annotations = {"nginx.ingress.kubernetes.io/auth-url": "http://auth/verify"} if auth else {}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels(service),
            "annotations": annotations,
        },
        "spec": {"ingressClassName": cls, "rules": [{"host": host}]},
    }


#: nginx-tls as the compiler writes it for auth 'required': gated at server level, the auth URI an
#: internal location that proxies to the forward-auth endpoint.
GATED_CONF = """
server {
    listen 443 ssl;
    allow 100.64.0.0/10;
    deny all;
    auth_request /_charon/auth;
    location / { proxy_pass http://127.0.0.1:3000; }
    location = /_charon/auth { internal; proxy_pass http://auth.core.svc.cluster.local/verify; }
}
"""


def nginx_conf(
    text: str = GATED_CONF, service: str | None = "wiki", namespace: str = "apps"
) -> K8sObject:
    name = f"{service or 'site'}-nginx"
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace, "labels": labels(service)},
        "data": {"default.conf": text},
    }


def namespace(name: str, level: str) -> K8sObject:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"pod-security.kubernetes.io/enforce": level}},
    }


def clean_objects() -> list[K8sObject]:
    """What a compiler would make of ``platform()``: passes every rule."""
    return [
        namespace("apps", "restricted"),
        namespace("core", "privileged"),
        statefulset(),
        nginx_conf(),
        backup(),
        ingress("wiki", "apps", "wiki.example.com", service="wiki"),
        ingress(
            "headscale", "core", "headscale.example.com", cls="nginx-external",
            service="headscale", auth=False,
        ),
    ]  # fmt: skip


def compiled(objects: list[K8sObject] | None = None) -> CompiledPlatform:
    objs = clean_objects() if objects is None else objects
    return CompiledPlatform("demo", (Unit("apps", "apps", tuple(objs)),))


def run(
    p: Platform | None = None, objects: list[K8sObject] | None = None, rule: str | None = None
) -> list[Finding]:
    found = evaluate(p or platform(), compiled(objects))
    return [f for f in found if rule is None or f.rule == rule]


def replace(objects: list[K8sObject], kind: str, new: K8sObject) -> list[K8sObject]:
    """``objects`` with the first object of ``kind`` and the same name swapped for ``new``."""
    name = new["metadata"]["name"]
    out = [o for o in objects if not (o["kind"] == kind and o["metadata"]["name"] == name)]
    return [*out, new]
