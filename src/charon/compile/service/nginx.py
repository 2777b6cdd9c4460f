"""nginx-tls: terminates TLS with the wildcard certificate and admits only tailnet addresses.

The order inside the server block is the security argument: ``set_real_ip_from`` first (so the
allowlist judges the real client behind the internal ingress, not the ingress itself), then the
``allow`` lines, then ``deny all``, and only then the ``proxy_pass`` to the app on 127.0.0.1.
With auth ``required`` the server also asks the forward-auth endpoint before anything else (see
``nginx_auth``). The config needs no file but the certificate and key, so it runs in any stock
nginx.
"""

from __future__ import annotations

import hashlib
from typing import Any

from charon.compile.context import HTTPS_PORT, Context, ServiceRef
from charon.compile.labels import meta, service_labels
from charon.compile.model import K8sObject
from charon.compile.service.common import fixed_resources, restricted
from charon.compile.service.nginx_auth import auth_locations, auth_server_lines, forward_auth
from charon.spec.models import Exposure

__all__ = [
    "NGINX_CONF_KEY",
    "NGINX_IMAGE",
    "config_hash",
    "nginx_config",
    "nginx_configmap",
    "nginx_container",
]

#: Runs as uid 101 and keeps its pid and temp files under /tmp.
NGINX_IMAGE = "nginxinc/nginx-unprivileged:1.29.1-alpine"
NGINX_UID = 101
CERT_DIR = "/etc/nginx/certs"
#: The key of ConfigMap ``<svc>-nginx`` that nginx-tls reads from /etc/nginx/conf.d.
NGINX_CONF_KEY = "default.conf"


def nginx_config(ctx: Context, ref: ServiceRef) -> str:
    prefixes = ctx.platform.vpn.prefixes
    cluster = ctx.platform.cluster
    real_ip = (
        [f"    set_real_ip_from {cluster.pod_cidr};", "    real_ip_header X-Forwarded-For;"]
        if ref.spec.exposure is Exposure.internal
        else []
    )
    forward = forward_auth(ctx, ref)
    lines = [
        f"# {ref.namespace}/{ref.name}: written by charon, edit the platform spec instead.",
        "map $http_upgrade $connection_upgrade {",
        "    default upgrade;",
        "    ''      close;",
        "}",
        "",
        "server {",
        "    listen 80;",
        f"    server_name {ref.fqdn};",
        "    return 301 https://$host$request_uri;",
        "}",
        "",
        "server {",
        f"    listen {HTTPS_PORT} ssl;",
        f"    server_name {ref.fqdn};",
        f"    ssl_certificate {CERT_DIR}/tls.crt;",
        f"    ssl_certificate_key {CERT_DIR}/tls.key;",
        "    ssl_protocols TLSv1.2 TLSv1.3;",
        "    client_max_body_size 100m;",
        *real_ip,
        f"    allow {prefixes.v4};",
        f"    allow {prefixes.v6};",
        "    allow 127.0.0.1;",
        "    allow ::1;",
        "    deny all;",
        *(auth_server_lines(forward) if forward else []),
        "",
        "    location / {",
        f"        proxy_pass http://127.0.0.1:{ref.spec.port};",
        "        proxy_http_version 1.1;",
        "        proxy_set_header Host $host;",
        "        proxy_set_header X-Real-IP $remote_addr;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto https;",
        "        proxy_set_header Upgrade $http_upgrade;",
        "        proxy_set_header Connection $connection_upgrade;",
        "        proxy_read_timeout 300s;",
        "    }",
        *(auth_locations(forward) if forward else []),
        "}",
    ]
    metrics = ref.spec.metrics
    if metrics is not None and ref.metrics_port is not None:
        lines += [
            "",
            "server {",
            f"    listen {ref.metrics_port};",
            f"    location = {metrics.path} {{",
            f"        allow {cluster.pod_cidr};",
            "        allow 127.0.0.1;",
            "        deny all;",
            f"        proxy_pass http://127.0.0.1:{metrics.port};",
            "    }",
            "    location / {",
            "        return 404;",
            "    }",
            "}",
        ]
    return "\n".join(lines) + "\n"


def config_hash(text: str) -> str:
    """Stamped on the pod template so a config change rolls the pods."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def nginx_configmap(ctx: Context, ref: ServiceRef, config: str) -> K8sObject:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(
            f"{ref.name}-nginx", service_labels(ctx.name, ref.unit, ref.name), ref.namespace
        ),
        "data": {NGINX_CONF_KEY: config},
    }


def nginx_container(ref: ServiceRef) -> dict[str, Any]:
    ports = [
        {"containerPort": HTTPS_PORT, "name": "https", "protocol": "TCP"},
        {"containerPort": 80, "name": "http-redirect", "protocol": "TCP"},
    ]
    if ref.spec.metrics is not None and ref.metrics_port is not None:
        ports.append({"containerPort": ref.metrics_port, "name": "metrics", "protocol": "TCP"})
    return {
        "name": "nginx-tls",
        "image": NGINX_IMAGE,
        "ports": ports,
        "readinessProbe": {"tcpSocket": {"port": "https"}, "periodSeconds": 10},
        "resources": fixed_resources("10m", "32Mi", "64Mi"),
        "securityContext": restricted(NGINX_UID),
        "volumeMounts": [
            {"mountPath": "/etc/nginx/conf.d", "name": "nginx-conf", "readOnly": True},
            {"mountPath": CERT_DIR, "name": "tls", "readOnly": True},
            {"mountPath": "/tmp", "name": "nginx-tmp"},  # noqa: S108 - an emptyDir
        ],
    }
