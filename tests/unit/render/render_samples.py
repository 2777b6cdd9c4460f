"""Hand-built compiled platforms: render is tested without the compiler."""

from __future__ import annotations

from charon.compile.model import CompiledPlatform, Unit

NGINX_CONF = """server {
    listen 443 ssl;
    allow 100.64.0.0/10;
    deny all;
    location / {
        proxy_pass http://127.0.0.1:8080;
    }
}
"""

SOPS_SECRET = """apiVersion: v1
kind: Secret
metadata:
    name: db-credentials
    namespace: apps
type: Opaque
data:
    password: ENC[AES256_GCM,data:q83Zmw==,iv:abc=,tag:def=,type:str]
sops:
    age:
        - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            -----END AGE ENCRYPTED FILE-----
    encrypted_regex: ^(data|stringData)$
    mac: ENC[AES256_GCM,data:xyz=,type:str]
    version: 3.9.4
"""


def _labels(unit: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/managed-by": "charon",
        "charon.dev/platform": "home",
        "charon.dev/unit": unit,
    }


def make_platform(**overrides: object) -> CompiledPlatform:
    shared = _labels("apps")  # shared on purpose: the dumper must not emit anchors
    base = Unit(
        name="base",
        layer="infra-configs",
        objects=(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": "apps", "labels": _labels("base")},
            },
        ),
    )
    apps = Unit(
        name="apps",
        layer="apps",
        objects=(
            {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": {"name": "grafana", "namespace": "apps", "labels": shared},
                "spec": {"replicas": 1, "serviceName": "grafana"},
            },
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "nginx", "namespace": "apps", "labels": shared},
                "data": {"nginx.conf": NGINX_CONF},
            },
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "nginx", "namespace": "monitoring", "labels": shared},
                "data": {"nginx.conf": NGINX_CONF},
            },
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "grafana-ts-state", "namespace": "apps", "labels": shared},
            },
        ),
        depends_on=("base",),
        health_checks=(("apps/v1", "StatefulSet", "apps", "grafana"),),
        needs_decryption=True,
        raw_files=(("secret-db-credentials.sops.yaml", SOPS_SECRET),),
    )
    fields: dict[str, object] = {
        "platform": "home",
        "units": (base, apps),
        "sops_age_recipients": ("age1zzzz", "age1aaaa"),
        "gitops_source": "flux-system",
        "gitops_interval": "10m",
        "gitops_path": "clusters/home/",
        "gitops_layout": "object",
    }
    fields.update(overrides)
    return CompiledPlatform(**fields)  # type: ignore[arg-type]
