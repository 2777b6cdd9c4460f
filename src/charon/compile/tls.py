"""The wildcard certificate: a cert-manager Certificate in every namespace that terminates TLS.

A Secret can only be mounted in its own namespace, so each namespace with a web service or an
Ingress gets its own copy of the wildcard. Without an issuer, the Secret named in
``cluster.tls.wildcardSecret`` is expected to exist there already and is only referenced.
"""

from __future__ import annotations

from charon.compile.context import Context
from charon.compile.labels import meta, owner_labels
from charon.compile.model import K8sObject
from charon.spec.models import Exposure

__all__ = ["tls_namespaces", "wildcard_certificates"]


def tls_namespaces(ctx: Context) -> list[str]:
    """Namespaces where nginx-tls or an Ingress needs the wildcard Secret."""
    return sorted(
        {
            ref.namespace
            for ref in ctx.services.values()
            if ref.web or ref.spec.exposure is not Exposure.vpn
        }
    )


def wildcard_certificates(ctx: Context, unit: str) -> list[K8sObject]:
    cluster = ctx.platform.cluster
    tls = cluster.tls
    if tls.issuer is None:
        return []
    domains = {cluster.domain}
    if cluster.internal_domain and any(
        ref.fqdn.endswith(f".{cluster.internal_domain}") for ref in ctx.services.values()
    ):
        domains.add(cluster.internal_domain)
    dns_names = sorted({f"*.{d}" for d in domains} | domains)
    return [
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": meta(tls.wildcard_secret, owner_labels(ctx.name, unit), namespace),
            "spec": {
                "secretName": tls.wildcard_secret,
                "dnsNames": dns_names,
                "issuerRef": {
                    "group": "cert-manager.io",
                    "kind": tls.issuer_kind,
                    "name": tls.issuer,
                },
                "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
            },
        }
        for namespace in tls_namespaces(ctx)
    ]
