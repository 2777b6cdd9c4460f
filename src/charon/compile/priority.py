"""One PriorityClass per tier that a category uses, so pods of core tiers preempt auxiliary ones."""

from __future__ import annotations

from charon.compile.context import Context
from charon.compile.labels import meta, owner_labels
from charon.compile.model import K8sObject

__all__ = ["priority_classes"]


def priority_classes(ctx: Context, unit: str) -> list[K8sObject]:
    used = {ctx.tier(category).name for category in ctx.platform.categories}
    out: list[K8sObject] = []
    for tier_name in sorted(used):
        tier = ctx.tiers[tier_name]
        out.append(
            {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": meta(f"tier-{tier.name}", owner_labels(ctx.name, unit)),
                "value": tier.priority,
                "preemptionPolicy": tier.preemption,
                "globalDefault": False,
                "description": f"Pods of namespace tier {tier.name} (charon).",
            }
        )
    return out
