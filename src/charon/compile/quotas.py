"""LimitRange and ResourceQuota per category namespace, from its resolved tier.

The quota caps ``limits.memory``, which makes the API server reject any container without a memory
limit; the LimitRange's default supplies one, and the service builders always set their own.
"""

from __future__ import annotations

from charon.compile.context import Context
from charon.compile.labels import meta, owner_labels
from charon.compile.model import K8sObject

__all__ = ["limit_ranges", "resource_quotas"]


def limit_ranges(ctx: Context, unit: str) -> list[K8sObject]:
    out: list[K8sObject] = []
    for name in sorted(ctx.platform.categories):
        tier = ctx.tier(name)
        out.append(
            {
                "apiVersion": "v1",
                "kind": "LimitRange",
                "metadata": meta("tier-limits", owner_labels(ctx.name, unit), name),
                "spec": {
                    "limits": [
                        {
                            "type": "Container",
                            "default": {"memory": tier.default_memory},
                            "defaultRequest": {
                                "cpu": tier.default_request_cpu,
                                "memory": tier.default_request_memory,
                            },
                            "max": {"memory": tier.max_memory},
                        }
                    ]
                },
            }
        )
    return out


def resource_quotas(ctx: Context, unit: str) -> list[K8sObject]:
    out: list[K8sObject] = []
    for name in sorted(ctx.platform.categories):
        tier = ctx.tier(name)
        out.append(
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": meta("tier-quota", owner_labels(ctx.name, unit), name),
                "spec": {
                    "hard": {
                        "limits.memory": tier.limits_memory,
                        "pods": str(tier.pods),
                        "requests.cpu": tier.requests_cpu,
                        "requests.memory": tier.requests_memory,
                    }
                },
            }
        )
    return out
