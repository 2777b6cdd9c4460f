"""What the VPN choices mean: userspace mode weakens what the nginx allowlist proves, and one DNS
name cannot point at several pods' VPN addresses."""

from __future__ import annotations

from collections.abc import Iterator

from charon.policy._spec import effective_dns
from charon.policy.context import Context
from charon.policy.registry import Issue, rule
from charon.spec.models import DnsType, ServiceKind, VpnMode

__all__ = ["userspace_allowlist", "vpn_dns_replicas"]


@rule(
    "userspace-allowlist",
    family="vpn",
    severity="info",
    summary="in userspace mode nginx sees 127.0.0.1, so its allowlist only proves the sidecar path",
)
def userspace_allowlist(ctx: Context) -> Iterator[Issue]:
    vpn = ctx.platform.vpn
    if vpn.sidecar.mode is not VpnMode.userspace:
        return
    for name, service in sorted(ctx.platform.services.items()):
        if service.kind is ServiceKind.web:
            yield Issue(
                object=f"service/{name}",
                path="vpn.sidecar.mode",
                message=f"'{name}': with the userspace sidecar, VPN connections reach nginx-tls"
                f" from 127.0.0.1, so the {vpn.prefixes.v4} allowlist proves only that a request"
                " came through the Tailscale sidecar, not which peer sent it",
                fix="Acceptable when auth (mode 'required') identifies users; for per-peer source"
                " addresses use vpn.sidecar.mode: kernel (needs Pod Security 'privileged').",
            )


@rule(
    "vpn-dns-replicas",
    family="vpn",
    severity="warning",
    summary="a service with DNS type 'vpn' runs one replica (one A record, one VPN address)",
)
def vpn_dns_replicas(ctx: Context) -> Iterator[Issue]:
    for name, service in sorted(ctx.platform.services.items()):
        if effective_dns(service) is DnsType.vpn and service.replicas > 1:
            yield Issue(
                object=f"service/{name}",
                path=f"services.{name}.replicas",
                message=f"{service.replicas} replicas share one 'vpn' DNS name: each pod's agent"
                " would overwrite the record with its own VPN address",
                fix="Run one replica, or use exposure 'internal' (ingress) for several replicas.",
            )
