"""Facts derived once from the spec that many builders need: names, levels, DNS and hostnames.

Keeping the derivations here means the StatefulSet, the Ingress, the NetworkPolicy and the nginx
config can never disagree about a hostname or a port.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from charon.spec.models import (
    DnsType,
    Exposure,
    Platform,
    PodSecurityLevel,
    ServiceKind,
    ServiceSpec,
    VpnMode,
)
from charon.spec.tiers import ResolvedTier, category_tier, effective_tiers

__all__ = ["HTTPS_PORT", "METRICS_PROXY_PORT", "Context", "ServiceRef"]

HTTPS_PORT = 443
#: Port where nginx-tls re-exposes the app's localhost-only metrics to Prometheus.
METRICS_PROXY_PORT = 9180

_DNS_FROM_EXPOSURE = {
    Exposure.vpn: DnsType.vpn,
    Exposure.internal: DnsType.internal,
    Exposure.public: DnsType.non_proxied,
}


@dataclass(frozen=True, slots=True)
class ServiceRef:
    """A service with everything the builders ask about it, computed once."""

    name: str
    spec: ServiceSpec
    namespace: str
    unit: str
    fqdn: str
    dns: DnsType

    @property
    def web(self) -> bool:
        return self.spec.kind is ServiceKind.web

    @property
    def port(self) -> int:
        """The port the Service and Ingress talk to: nginx-tls for web, the app for plain."""
        return HTTPS_PORT if self.web else self.spec.port

    @property
    def port_name(self) -> str:
        return "https" if self.web else "http"

    @property
    def metrics_port(self) -> int | None:
        """The pod port Prometheus scrapes (the nginx proxy for web services)."""
        metrics = self.spec.metrics
        if metrics is None:
            return None
        if not self.web:
            return metrics.port
        return METRICS_PROXY_PORT if metrics.port != METRICS_PROXY_PORT else METRICS_PROXY_PORT + 1


@dataclass(frozen=True)
class Context:
    platform: Platform
    tiers: dict[str, ResolvedTier] = field(init=False)
    services: dict[str, ServiceRef] = field(init=False)
    #: service name -> the services whose ``dependsOn`` names it (computed once: asking per
    #: service made NetworkPolicy building quadratic in the number of services).
    dependents: dict[str, tuple[ServiceRef, ...]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", effective_tiers(self.platform))
        refs = {
            name: self._ref(name, spec) for name, spec in sorted(self.platform.services.items())
        }
        object.__setattr__(self, "services", refs)
        dependents: dict[str, list[ServiceRef]] = {}
        for ref in refs.values():
            for target in ref.spec.depends_on:
                dependents.setdefault(target, []).append(ref)
        object.__setattr__(self, "dependents", {k: tuple(v) for k, v in dependents.items()})

    @property
    def name(self) -> str:
        return self.platform.metadata.name

    @property
    def kernel_mode(self) -> bool:
        return self.platform.vpn.sidecar.mode is VpnMode.kernel

    def _ref(self, name: str, spec: ServiceSpec) -> ServiceRef:
        dns = spec.dns if spec.dns is not None else _DNS_FROM_EXPOSURE[spec.exposure]
        cluster = self.platform.cluster
        domain = cluster.domain
        if dns is DnsType.internal and cluster.internal_domain:
            domain = cluster.internal_domain
        return ServiceRef(
            name=name,
            spec=spec,
            namespace=spec.category,
            unit=f"{spec.category}-{name}",
            fqdn=f"{spec.hostname or name}.{domain}",
            dns=dns,
        )

    def tier(self, category: str) -> ResolvedTier:
        return category_tier(self.tiers, self.platform.categories[category])

    def in_category(self, category: str) -> list[ServiceRef]:
        return [ref for ref in self.services.values() if ref.namespace == category]

    def pod_security(self, category: str) -> PodSecurityLevel:
        """The declared level, else what the pods need: kernel-mode Tailscale needs privileged."""
        declared = self.platform.categories[category].pod_security
        if declared is not None:
            return declared
        if self.kernel_mode and any(ref.web for ref in self.in_category(category)):
            return PodSecurityLevel.privileged
        return PodSecurityLevel.restricted

    def priority_class(self, category: str) -> str:
        return f"tier-{self.tier(category).name}"
