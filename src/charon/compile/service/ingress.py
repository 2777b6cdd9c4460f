"""The Ingress of a service exposed ``internal`` (VPN-only class) or ``public`` (external class).

Auth is decided here: ``required`` sends every request through the forward-auth subrequest of
ingress-nginx; the other modes are recorded as ``charon.dev/auth`` so an audit can list them. DNS
records for proxied/non-proxied/internal types are left to external-dns through its annotations.
"""

from __future__ import annotations

from typing import Any

from charon.compile.context import Context, ServiceRef
from charon.compile.labels import meta, service_labels
from charon.compile.model import K8sObject
from charon.spec.models import AuthMode, DnsType, Exposure

__all__ = ["ingress"]

_NGINX = "nginx.ingress.kubernetes.io"
_EXTERNAL_DNS = "external-dns.alpha.kubernetes.io"


def _annotations(ctx: Context, ref: ServiceRef) -> dict[str, str]:
    auth = ref.spec.auth
    out = {"charon.dev/auth": auth.mode.value}
    if auth.reason:
        out["charon.dev/auth-reason"] = auth.reason
    forward = ctx.platform.identity.forward_auth
    if auth.mode is AuthMode.required and forward is not None:
        out[f"{_NGINX}/auth-url"] = forward.url
        if forward.signin:
            out[f"{_NGINX}/auth-signin"] = forward.signin
    if ref.web:
        out[f"{_NGINX}/backend-protocol"] = "HTTPS"
    if ref.dns in (DnsType.proxied, DnsType.non_proxied, DnsType.internal):
        out[f"{_EXTERNAL_DNS}/hostname"] = ref.fqdn
    if ref.dns in (DnsType.proxied, DnsType.non_proxied):
        out[f"{_EXTERNAL_DNS}/cloudflare-proxied"] = str(ref.dns is DnsType.proxied).lower()
    return out


def ingress(ctx: Context, ref: ServiceRef) -> K8sObject | None:
    exposure = ref.spec.exposure
    if exposure is Exposure.vpn:
        return None
    classes = ctx.platform.cluster.ingress_classes
    backend: dict[str, Any] = {"service": {"name": ref.name, "port": {"name": ref.port_name}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta(
            ref.name,
            service_labels(ctx.name, ref.unit, ref.name),
            ref.namespace,
            _annotations(ctx, ref),
        ),
        "spec": {
            "ingressClassName": classes.external
            if exposure is Exposure.public
            else classes.internal,
            "rules": [
                {
                    "host": ref.fqdn,
                    "http": {"paths": [{"backend": backend, "path": "/", "pathType": "Prefix"}]},
                }
            ],
            "tls": [{"hosts": [ref.fqdn], "secretName": ctx.platform.cluster.tls.wildcard_secret}],
        },
    }
