"""The lifecycle agent: ``charon agent init`` before Tailscale, ``charon agent dns`` beside it.

The DNS part is a native sidecar (an init container with ``restartPolicy: Always``): it starts after
the init step has written the auth key and keeps running for the pod's life. Secrets reach the
agent only as files under /var/run/charon, never as environment values.
"""

from __future__ import annotations

from typing import Any

from charon.compile.context import Context, ServiceRef
from charon.compile.service.common import NONROOT_UID, fixed_resources, restricted
from charon.compile.service.tailscale import AUTH_DIR, AUTHKEY_FILE, pod_name_env
from charon.spec.models import DnsProvider, DnsType

__all__ = ["DNS_KEYS", "agent_containers", "agent_env", "agent_volumes"]

SECRET_ROOT = "/var/run/charon"  # noqa: S105 - a directory, not a password
HEADSCALE_KEY = "api-key"
#: The key in ``dns.credentialsSecret`` each provider reads.
DNS_KEYS = {
    DnsProvider.rfc2136: "tsig-secret",
    DnsProvider.powerdns: "api-key",
    DnsProvider.cloudflare: "api-token",
}
AGENT_PORT = 9102


def _dns_on(ctx: Context, ref: ServiceRef) -> bool:
    return ref.dns is DnsType.vpn and ctx.platform.dns.provider is not DnsProvider.none


def _dns_name(ref: ServiceRef) -> str:
    """One record per pod when there are several replicas: they cannot share one A record."""
    if ref.spec.replicas > 1:
        return f"$(POD_NAME).{ref.fqdn.partition('.')[2]}"
    return ref.fqdn


def agent_env(ctx: Context, ref: ServiceRef) -> list[dict[str, Any]]:
    vpn = ctx.platform.vpn
    dns = ctx.platform.dns
    values = {
        "CHARON_AGENT_HOSTNAME": "$(POD_NAME)",
        "CHARON_AGENT_NAMESPACE": ref.namespace,
        "CHARON_AGENT_SERVICE": ref.name,
        "CHARON_AGENT_LISTEN": f"0.0.0.0:{AGENT_PORT}",
        "CHARON_AGENT_INTERVAL": "30",
        "CHARON_HEADSCALE_URL": vpn.headscale.internal_url,
        "CHARON_HEADSCALE_API_KEY_FILE": f"{SECRET_ROOT}/headscale/{HEADSCALE_KEY}",
        "CHARON_HEADSCALE_USER": vpn.headscale.user,
        "CHARON_HEADSCALE_TAGS": ",".join(sorted(set(vpn.headscale.tags))),
        "CHARON_AUTHKEY_FILE": AUTHKEY_FILE,
        "CHARON_AUTHKEY_EXPIRY": "600",
        "CHARON_AUTHKEY_EPHEMERAL": "false",
        "CHARON_TS_STATE_SECRET": "$(POD_NAME)-tailscale",
        "CHARON_DNS_PROVIDER": dns.provider.value if _dns_on(ctx, ref) else "none",
    }
    if _dns_on(ctx, ref):
        values |= {
            "CHARON_DNS_ZONE": dns.zone or ctx.platform.cluster.domain,
            "CHARON_DNS_NAME": _dns_name(ref),
            "CHARON_DNS_OWNER_ID": dns.owner_id,
            "CHARON_DNS_TTL": str(dns.ttl),
        }
        key_file = f"{SECRET_ROOT}/dns/{DNS_KEYS[dns.provider]}"
        if dns.provider is DnsProvider.rfc2136 and dns.rfc2136 is not None:
            values |= {
                "CHARON_RFC2136_SERVER": dns.rfc2136.server,
                "CHARON_RFC2136_PORT": str(dns.rfc2136.port),
                "CHARON_RFC2136_TSIG_KEY_NAME": dns.rfc2136.key_name,
                "CHARON_RFC2136_TSIG_ALGORITHM": dns.rfc2136.algorithm,
                "CHARON_RFC2136_TSIG_SECRET_FILE": key_file,
            }
        elif dns.provider is DnsProvider.powerdns:
            values |= {
                "CHARON_POWERDNS_URL": dns.powerdns_url or "",
                "CHARON_POWERDNS_SERVER_ID": dns.powerdns_server_id,
                "CHARON_POWERDNS_API_KEY_FILE": key_file,
            }
        elif dns.provider is DnsProvider.cloudflare:
            values |= {
                "CHARON_CLOUDFLARE_ZONE_ID": dns.cloudflare_zone_id or "",
                "CHARON_CLOUDFLARE_API_TOKEN_FILE": key_file,
            }
    return [pod_name_env()] + [{"name": k, "value": v} for k, v in sorted(values.items())]


def _mounts(ctx: Context, ref: ServiceRef, *, auth_writable: bool) -> list[dict[str, Any]]:
    mounts: list[dict[str, Any]] = [
        {"mountPath": f"{SECRET_ROOT}/headscale", "name": "headscale-api-key", "readOnly": True},
        {"mountPath": AUTH_DIR, "name": "tailscale-auth", "readOnly": not auth_writable},
    ]
    if _dns_on(ctx, ref):
        mounts.append(
            {"mountPath": f"{SECRET_ROOT}/dns", "name": "dns-credentials", "readOnly": True}
        )
    return sorted(mounts, key=lambda m: m["mountPath"])


def agent_containers(ctx: Context, ref: ServiceRef) -> list[dict[str, Any]]:
    image = ctx.platform.vpn.agent.image
    init = {
        "name": "lifecycle-init",
        "image": image,
        "command": ["charon", "agent", "init"],
        "env": agent_env(ctx, ref),
        "resources": fixed_resources("10m", "32Mi", "64Mi"),
        "securityContext": restricted(NONROOT_UID),
        "volumeMounts": _mounts(ctx, ref, auth_writable=True),
    }
    sidecar = {
        "name": "lifecycle-dns",
        "image": image,
        "command": ["charon", "agent", "dns"],
        "env": agent_env(ctx, ref),
        "ports": [{"containerPort": AGENT_PORT, "name": "agent", "protocol": "TCP"}],
        "resources": fixed_resources("5m", "32Mi", "64Mi"),
        "restartPolicy": "Always",
        "securityContext": restricted(NONROOT_UID),
        "volumeMounts": _mounts(ctx, ref, auth_writable=False),
    }
    return [init, sidecar]


def agent_volumes(ctx: Context, ref: ServiceRef) -> list[dict[str, Any]]:
    hs = ctx.platform.vpn.headscale
    volumes: list[dict[str, Any]] = [
        {
            "name": "headscale-api-key",
            "secret": {
                "secretName": hs.api_key_secret,
                "items": [{"key": HEADSCALE_KEY, "path": HEADSCALE_KEY}],
                "defaultMode": 0o444,
            },
        }
    ]
    dns = ctx.platform.dns
    if _dns_on(ctx, ref):
        key = DNS_KEYS[dns.provider]
        volumes.append(
            {
                "name": "dns-credentials",
                "secret": {
                    "secretName": dns.credentials_secret,
                    "items": [{"key": key, "path": key}],
                    "defaultMode": 0o444,
                },
            }
        )
    return volumes
