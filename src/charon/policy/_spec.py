"""Small facts derived from the spec that several rule families need."""

from __future__ import annotations

from charon.compile.model import K8sObject
from charon.spec.models import DnsType, Exposure, Platform, ServiceSpec

__all__ = ["AUTH_URL", "effective_dns", "fqdn", "ingress_class", "ingress_hosts"]

#: The ingress-nginx annotation that sends every request through the forward-auth subrequest.
AUTH_URL = "nginx.ingress.kubernetes.io/auth-url"

_DNS_FROM_EXPOSURE = {
    Exposure.vpn: DnsType.vpn,
    Exposure.internal: DnsType.internal,
    Exposure.public: DnsType.non_proxied,
}


def effective_dns(service: ServiceSpec) -> DnsType:
    """The DNS type a service gets: written in the spec, else implied by its exposure."""
    return service.dns if service.dns is not None else _DNS_FROM_EXPOSURE[service.exposure]


def fqdn(platform: Platform, name: str, service: ServiceSpec) -> str:
    """``<hostname>.<domain>``; DNS type ``internal`` uses the internal domain when one is set."""
    host = service.hostname or name
    domain = platform.cluster.domain
    if effective_dns(service) is DnsType.internal and platform.cluster.internal_domain:
        domain = platform.cluster.internal_domain
    return f"{host}.{domain}"


def ingress_class(obj: K8sObject) -> str:
    spec = obj.get("spec") or {}
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return str(spec.get("ingressClassName") or annotations.get("kubernetes.io/ingress.class") or "")


def ingress_hosts(obj: K8sObject) -> list[tuple[int, str]]:
    """(rule index, host) for every rule of an Ingress that names a host."""
    rules = (obj.get("spec") or {}).get("rules") or []
    return [
        (i, str(r["host"])) for i, r in enumerate(rules) if isinstance(r, dict) and r.get("host")
    ]
