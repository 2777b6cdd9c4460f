"""NetworkPolicies: every category namespace denies all traffic, then each service opens exactly
what its pattern needs.

Namespace-wide policies (deny, DNS) live in the platform unit; a service's own allow rules live in
its unit, so removing the service prunes its holes too. Traffic arriving over the tailnet in kernel
mode enters through the pod's TUN device and never crosses the pod network, so the rules that
matter for it are the WireGuard UDP ones; the nginx allowlist does the rest.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from charon.compile.context import Context, ServiceRef
from charon.compile.labels import LABEL_TAILNET, meta, owner_labels, selector, service_labels
from charon.compile.model import K8sObject
from charon.compile.service.nginx_auth import forward_auth
from charon.spec.models import DnsProvider, DnsType, Exposure

__all__ = ["namespace_policies", "service_policy"]

_NAME_LABEL = "kubernetes.io/metadata.name"
#: Annotation on a service's NetworkPolicy: one line per declared egress hole and its reason.
EGRESS_REASONS = "charon.dev/egress-reasons"
#: Namespace whose Prometheus scrapes metrics (seed 000's ``monitoring`` category).
MONITORING_NAMESPACE = "monitoring"


def _anywhere() -> list[dict[str, Any]]:
    """A fresh list each time: shared sub-objects would come out of YAML as anchors."""
    return [{"ipBlock": {"cidr": "0.0.0.0/0"}}, {"ipBlock": {"cidr": "::/0"}}]


def _ns(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {_NAME_LABEL: name}}}


def _pods_in(namespace: str, service: str) -> dict[str, Any]:
    return {**_ns(namespace), "podSelector": {"matchLabels": selector(service)}}


def _tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"port": p, "protocol": "TCP"} for p in sorted(set(ports))]


def _policy(
    name: str,
    namespace: str,
    labels: dict[str, str],
    spec: dict[str, Any],
    annotations: dict[str, str] | None = None,
) -> K8sObject:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(name, labels, namespace, annotations),
        "spec": spec,
    }


def namespace_policies(ctx: Context, unit: str) -> list[K8sObject]:
    labels = owner_labels(ctx.name, unit)
    dns_peer = {**_ns("kube-system"), "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
    out: list[K8sObject] = []
    for name in sorted(ctx.platform.categories):
        deny = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        dns = {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [
                {
                    "to": [dns_peer],
                    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                }
            ],
        }
        out.append(_policy("default-deny", name, labels, deny))
        out.append(_policy("allow-dns", name, labels, dns))
    return out


def _url_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def _is_headscale(ctx: Context, ref: ServiceRef) -> bool:
    hs = ctx.platform.vpn.headscale
    return ref.name == hs.service and ref.namespace == hs.namespace


def _ingress(ctx: Context, ref: ServiceRef) -> list[dict[str, Any]]:
    classes = ctx.platform.cluster.ingress_classes
    rules: list[dict[str, Any]] = []
    if ref.spec.exposure is Exposure.internal:
        rules.append({"from": [_ns(classes.internal_namespace)], "ports": _tcp(ref.port)})
    if ref.spec.exposure is Exposure.public:
        rules.append({"from": [_ns(classes.external_namespace)], "ports": _tcp(ref.port)})
    if ref.web:
        # WireGuard peers connect straight to the sidecar; replies alone are not enough for
        # direct (non-DERP) paths.
        rules.append({"ports": [{"protocol": "UDP"}]})
    if ref.metrics_port is not None:
        rules.append({"from": [_ns(MONITORING_NAMESPACE)], "ports": _tcp(ref.metrics_port)})
    dependents = ctx.dependents.get(ref.name, ())
    if dependents:
        peers = [_pods_in(d.namespace, d.name) for d in dependents]
        rules.append({"from": peers, "ports": _tcp(ref.port)})
    if _is_headscale(ctx, ref):
        tailnet = {"namespaceSelector": {}, "podSelector": {"matchLabels": {LABEL_TAILNET: "true"}}}
        rules.append({"from": [tailnet], "ports": _tcp(ref.spec.port)})
    # Only the auth service itself needs the list of gated services; ask that first, so the
    # scan over every service runs once per platform, not once per service.
    if _auth_service(ctx) == ref:
        gated = [g for g in ctx.services.values() if forward_auth(ctx, g) is not None]
        if gated:
            peers = [_pods_in(g.namespace, g.name) for g in gated]
            rules.append({"from": peers, "ports": _tcp(ref.port)})
    return rules


def _auth_service(ctx: Context) -> ServiceRef | None:
    """The platform service behind ``identity.forwardAuth.url`` (``<svc>.<ns>.svc...``), if any."""
    forward = ctx.platform.identity.forward_auth
    host = (urlsplit(forward.url).hostname or "") if forward else ""
    parts = host.split(".")
    if len(parts) < 3 or parts[2] != "svc":
        return None
    ref = ctx.services.get(parts[0])
    return ref if ref is not None and ref.namespace == parts[1] else None


def _forward_auth_egress(ctx: Context, ref: ServiceRef) -> list[dict[str, Any]]:
    """nginx-tls of an auth-'required' pod asks the forward-auth endpoint on every request.

    A platform service is reached on its pods' port; another in-cluster Service
    (``<name>.<ns>.svc``) on its namespace and the URL's port (the Service is assumed to map the
    port to itself); an outside endpoint on the URL's port, unless it is 443, which is open anyway.
    """
    forward = forward_auth(ctx, ref)
    if forward is None:
        return []
    target = _auth_service(ctx)
    if target is not None:
        return [{"to": [_pods_in(target.namespace, target.name)], "ports": _tcp(target.port)}]
    port = _url_port(forward.url)
    parts = (urlsplit(forward.url).hostname or "").split(".")
    if len(parts) >= 3 and parts[2] == "svc":
        return [{"to": [_ns(parts[1])], "ports": _tcp(port)}]
    return [] if port == 443 else [{"to": _anywhere(), "ports": _tcp(port)}]


def _egress(ctx: Context, ref: ServiceRef) -> list[dict[str, Any]]:
    vpn = ctx.platform.vpn
    rules: list[dict[str, Any]] = []
    if ref.web or _is_headscale(ctx, ref):
        # DERP relays and the Kubernetes API (state Secret) over TCP; WireGuard and STUN over UDP.
        rules.append({"to": _anywhere(), "ports": _tcp(443, 6443)})
        rules.append({"to": _anywhere(), "ports": [{"protocol": "UDP"}]})
    if ref.web:
        hs = vpn.headscale
        port = _url_port(hs.internal_url)
        rules.append({"to": [_pods_in(hs.namespace, hs.service)], "ports": _tcp(port)})
    if ref.web and ref.spec.lifecycle and ref.dns is DnsType.vpn:
        rules.extend(_dns_provider_egress(ctx))
    for dep in sorted(set(ref.spec.depends_on)):
        target = ctx.services.get(dep)
        if target is not None:
            rules.append(
                {"to": [_pods_in(target.namespace, target.name)], "ports": _tcp(target.port)}
            )
    rules.extend(_forward_auth_egress(ctx, ref))
    rules.extend(_declared_egress(ref))
    return rules


def _declared_egress(ref: ServiceRef) -> list[dict[str, Any]]:
    """``services.X.egress``: one rule per distinct (CIDR, protocol, ports), sorted."""
    keys = {(e.to, e.protocol, tuple(sorted(set(e.ports)))) for e in ref.spec.egress}
    return [
        {
            "to": [{"ipBlock": {"cidr": cidr}}],
            "ports": [{"port": p, "protocol": protocol} for p in ports],
        }
        for cidr, protocol, ports in sorted(keys)
    ]


def _egress_reasons(ref: ServiceRef) -> dict[str, str]:
    """Why each declared hole exists, kept on the policy for whoever audits it."""
    lines = sorted(
        {
            f"{e.to} {e.protocol}/{','.join(map(str, sorted(set(e.ports))))}: {e.reason}"
            for e in ref.spec.egress
        }
    )
    return {EGRESS_REASONS: "\n".join(lines)} if lines else {}


def _dns_provider_egress(ctx: Context) -> list[dict[str, Any]]:
    dns = ctx.platform.dns
    if dns.provider is DnsProvider.rfc2136 and dns.rfc2136 is not None:
        port = dns.rfc2136.port
        return [
            {
                "to": _anywhere(),
                "ports": [{"port": port, "protocol": "TCP"}, {"port": port, "protocol": "UDP"}],
            }
        ]
    if dns.provider is DnsProvider.powerdns and dns.powerdns_url:
        return [{"to": _anywhere(), "ports": _tcp(_url_port(dns.powerdns_url))}]
    return []  # Cloudflare is HTTPS, already open for DERP


def service_policy(ctx: Context, ref: ServiceRef) -> K8sObject:
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": selector(ref.name)},
        "policyTypes": ["Ingress", "Egress"],
    }
    ingress, egress = _ingress(ctx, ref), _egress(ctx, ref)
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    labels = service_labels(ctx.name, ref.unit, ref.name)
    return _policy(ref.name, ref.namespace, labels, spec, _egress_reasons(ref))
