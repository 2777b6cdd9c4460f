"""The Pod Security Standards checks, as data: which pod template field breaks which level.

Follows the baseline and restricted profiles of kubernetes.io/docs/concepts/security/
pod-security-standards for the fields Charon's objects can carry. Each check yields violations;
the rule in :mod:`charon.policy.podsecurity` compares them with the namespace's enforced level.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from charon.policy._pods import Container, PodTemplate, containers

__all__ = ["LEVELS", "Violation", "violations"]

#: From the most permissive to the strictest.
LEVELS = ("privileged", "baseline", "restricted")

# fmt: off
BASELINE_CAPABILITIES = frozenset([
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
])
RESTRICTED_VOLUMES = frozenset([
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
    "projected", "secret",
])
SAFE_SYSCTLS = frozenset([
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
])
_SELINUX_TYPES = frozenset(
    ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]
)
# fmt: on
_PROFILES = ("RuntimeDefault", "Localhost")


@dataclass(frozen=True, slots=True)
class Violation:
    level: str  # the level this breaks: "baseline" (so it needs privileged) or "restricted"
    field: str
    problem: str
    container: Container | None = None


def _sc(body: dict[str, Any]) -> dict[str, Any]:
    sc = body.get("securityContext")
    return sc if isinstance(sc, dict) else {}


def _pod_baseline(tpl: PodTemplate) -> Iterator[Violation]:
    spec, at, sc = tpl.spec, tpl.spec_path, _sc(tpl.spec)
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key):
            yield Violation("baseline", f"{at}.{key}", f"{key}: true shares the node's namespace")
    if (sc.get("windowsOptions") or {}).get("hostProcess"):
        yield Violation(
            "baseline", f"{at}.securityContext.windowsOptions.hostProcess", "hostProcess"
        )
    for vol in spec.get("volumes") or []:
        if "hostPath" in vol:
            yield Violation(
                "baseline", f"{at}.volumes[{vol.get('name')}].hostPath", "hostPath volume"
            )
    if (sc.get("seccompProfile") or {}).get("type") == "Unconfined":
        yield Violation(
            "baseline", f"{at}.securityContext.seccompProfile.type", "seccomp Unconfined"
        )
    for sysctl in sc.get("sysctls") or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            yield Violation(
                "baseline",
                f"{at}.securityContext.sysctls[{sysctl.get('name')}]",
                f"unsafe sysctl {sysctl.get('name')}",
            )


def _container_baseline(c: Container) -> Iterator[Violation]:
    sc, at = _sc(c.body), f"{c.field}.securityContext"
    if sc.get("privileged"):
        yield Violation("baseline", f"{at}.privileged", "privileged: true", c)
    added = [
        a for a in (sc.get("capabilities") or {}).get("add") or [] if a not in BASELINE_CAPABILITIES
    ]
    if added:
        yield Violation("baseline", f"{at}.capabilities.add", f"adds {', '.join(added)}", c)
    if (sc.get("windowsOptions") or {}).get("hostProcess"):
        yield Violation("baseline", f"{at}.windowsOptions.hostProcess", "hostProcess", c)
    if sc.get("procMount") not in (None, "Default"):
        yield Violation("baseline", f"{at}.procMount", f"procMount {sc['procMount']}", c)
    if (sc.get("seccompProfile") or {}).get("type") == "Unconfined":
        yield Violation("baseline", f"{at}.seccompProfile.type", "seccomp Unconfined", c)
    if (sc.get("appArmorProfile") or {}).get("type") == "Unconfined":
        yield Violation("baseline", f"{at}.appArmorProfile.type", "AppArmor Unconfined", c)
    if (sc.get("seLinuxOptions") or {}).get("type", "") not in _SELINUX_TYPES:
        yield Violation("baseline", f"{at}.seLinuxOptions.type", "custom SELinux type", c)
    for port in c.body.get("ports") or []:
        if port.get("hostPort"):
            yield Violation(
                "baseline",
                f"{c.field}.ports[{port.get('containerPort')}].hostPort",
                f"hostPort {port['hostPort']}",
                c,
            )


def _pod_restricted(tpl: PodTemplate) -> Iterator[Violation]:
    at = tpl.spec_path
    for vol in tpl.spec.get("volumes") or []:
        kinds = sorted(set(vol) - {"name"} - RESTRICTED_VOLUMES)
        if kinds and "hostPath" not in kinds:  # hostPath is reported at baseline already
            yield Violation("restricted", f"{at}.volumes[{vol.get('name')}]", f"{kinds[0]} volume")
    if _sc(tpl.spec).get("runAsUser") == 0:
        yield Violation("restricted", f"{at}.securityContext.runAsUser", "runAsUser: 0 (root)")


def _container_restricted(c: Container, pod_sc: dict[str, Any]) -> Iterator[Violation]:
    sc, at = _sc(c.body), f"{c.field}.securityContext"
    if sc.get("allowPrivilegeEscalation") is not False:
        yield Violation(
            "restricted",
            f"{at}.allowPrivilegeEscalation",
            "allowPrivilegeEscalation is not false",
            c,
        )
    non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
    if non_root is not True:
        yield Violation("restricted", f"{at}.runAsNonRoot", "runAsNonRoot is not true", c)
    if sc.get("runAsUser") == 0:
        yield Violation("restricted", f"{at}.runAsUser", "runAsUser: 0 (root)", c)
    profile = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
    if profile not in _PROFILES and profile != "Unconfined":
        yield Violation(
            "restricted",
            f"{at}.seccompProfile.type",
            "no seccomp profile (RuntimeDefault or Localhost)",
            c,
        )
    caps = sc.get("capabilities") or {}
    if "ALL" not in (caps.get("drop") or []):
        yield Violation("restricted", f"{at}.capabilities.drop", "does not drop ALL", c)
    added = [
        a for a in caps.get("add") or [] if a != "NET_BIND_SERVICE" and a in BASELINE_CAPABILITIES
    ]
    if added:
        yield Violation("restricted", f"{at}.capabilities.add", f"adds {', '.join(added)}", c)


def violations(tpl: PodTemplate, level: str) -> Iterator[Violation]:
    """Every way the pod template breaks ``level`` (nothing for ``privileged``)."""
    if level == "privileged":
        return
    yield from _pod_baseline(tpl)
    for c in containers(tpl):
        yield from _container_baseline(c)
    if level == "restricted":
        yield from _pod_restricted(tpl)
        for c in containers(tpl):
            yield from _container_restricted(c, _sc(tpl.spec))
