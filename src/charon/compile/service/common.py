"""Container settings every part of the pattern shares: hardened security contexts, resources.

Every container Charon adds satisfies Pod Security "restricted" on its own, so a namespace is only
ever raised above restricted by what the spec asks for (kernel-mode Tailscale).
"""

from __future__ import annotations

from typing import Any

from charon.spec.models import ResourcesSpec
from charon.spec.tiers import ResolvedTier

__all__ = ["NONROOT_UID", "app_resources", "fixed_resources", "restricted"]

#: uid of the distroless "nonroot" user; used for Charon's own containers.
NONROOT_UID = 65532


def restricted(uid: int | None = None, *, read_only: bool = True) -> dict[str, Any]:
    context: dict[str, Any] = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": read_only,
        "runAsNonRoot": True,
    }
    if uid is not None:
        context["runAsUser"] = uid
        context["runAsGroup"] = uid
    return context


def fixed_resources(cpu: str, memory: str, memory_limit: str) -> dict[str, Any]:
    return {"limits": {"memory": memory_limit}, "requests": {"cpu": cpu, "memory": memory}}


def app_resources(spec: ResourcesSpec, tier: ResolvedTier) -> dict[str, Any]:
    """Requests from the spec, else the tier's defaults written out, so the policy and the quota
    see real numbers. The memory limit defaults to the request: the LimitRange's default limit can
    be lower than a large request, which the API server would reject."""
    cpu = spec.requests.cpu or tier.default_request_cpu
    memory = spec.requests.memory or tier.default_request_memory
    limits: dict[str, str] = {"memory": spec.limits.memory or memory}
    if spec.limits.cpu:
        limits["cpu"] = spec.limits.cpu
    return {"limits": limits, "requests": {"cpu": cpu, "memory": memory}}
