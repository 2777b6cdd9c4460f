"""The Tailscale sidecar (containerboot) joining the pod to Headscale.

State lives in the per-pod Secret ``<pod>-tailscale`` (``TS_KUBE_SECRET``), so a restarted pod
keeps its node and its VPN address. With the lifecycle agent the auth key comes from the file the
init container writes; without it containerboot falls back to an ``authkey`` field in that same
Secret, which an operator can fill once.
"""

from __future__ import annotations

from typing import Any

from charon.compile.context import Context, ServiceRef
from charon.compile.service.common import fixed_resources, restricted

__all__ = [
    "AUTHKEY_FILE",
    "AUTH_DIR",
    "TAILSCALE_UID",
    "pod_name_env",
    "tailscale_container",
    "tailscale_volumes",
]

AUTH_DIR = "/tailscale-auth"
AUTHKEY_FILE = f"{AUTH_DIR}/authkey"
TAILSCALE_UID = 1000


def pod_name_env() -> dict[str, Any]:
    return {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}


def _security(ctx: Context) -> dict[str, Any]:
    if ctx.kernel_mode:
        # The TUN device needs root with NET_ADMIN; this is what makes the namespace privileged.
        return {
            "allowPrivilegeEscalation": False,
            "capabilities": {"add": ["NET_ADMIN"]},
            "runAsNonRoot": False,
            "runAsUser": 0,
        }
    return restricted(TAILSCALE_UID)


def tailscale_container(ctx: Context, ref: ServiceRef) -> dict[str, Any]:
    vpn = ctx.platform.vpn
    env: list[dict[str, Any]] = [pod_name_env()]  # first: the others expand $(POD_NAME)
    values = {
        "TS_ACCEPT_DNS": "false",
        "TS_AUTH_ONCE": "true",
        "TS_EXTRA_ARGS": f"--login-server={vpn.headscale.internal_url}",
        "TS_HOSTNAME": "$(POD_NAME)",
        "TS_KUBE_SECRET": "$(POD_NAME)-tailscale",
        "TS_USERSPACE": "false" if ctx.kernel_mode else "true",
    }
    if ref.spec.lifecycle:
        values["TS_AUTHKEY"] = f"file:{AUTHKEY_FILE}"
    env += [{"name": k, "value": v} for k, v in sorted(values.items())]
    mounts: list[dict[str, Any]] = [{"mountPath": "/tmp", "name": "tailscale-tmp"}]  # noqa: S108
    if ref.spec.lifecycle:
        mounts.append({"mountPath": AUTH_DIR, "name": "tailscale-auth", "readOnly": True})
    if ctx.kernel_mode:
        mounts.append({"mountPath": "/dev/net/tun", "name": "dev-net-tun"})
    return {
        "name": "tailscale",
        "image": vpn.sidecar.image,
        "env": env,
        "resources": fixed_resources("10m", "48Mi", "128Mi"),
        "securityContext": _security(ctx),
        "volumeMounts": sorted(mounts, key=lambda m: m["mountPath"]),
    }


def tailscale_volumes(ctx: Context, ref: ServiceRef) -> list[dict[str, Any]]:
    volumes: list[dict[str, Any]] = [{"name": "tailscale-tmp", "emptyDir": {}}]
    if ref.spec.lifecycle:
        volumes.append({"name": "tailscale-auth", "emptyDir": {"medium": "Memory"}})
    if ctx.kernel_mode:
        volumes.append(
            {"name": "dev-net-tun", "hostPath": {"path": "/dev/net/tun", "type": "CharDevice"}}
        )
    return volumes
