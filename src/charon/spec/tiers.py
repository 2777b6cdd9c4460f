"""Namespace tiers: the built-in defaults of DESIGN.md §3.1, merged with the spec's overrides.

The numbers come from seed 002's cluster, where a Kyverno policy generated them from the namespace
prefix; here they are data, so a category's quota is visible in the rendered tree.
"""

from __future__ import annotations

from dataclasses import dataclass

from charon.spec.models import CategorySpec, LimitRangeSpec, Platform, QuotaSpec, TierSpec

__all__ = ["BUILTIN_TIERS", "ResolvedTier", "category_tier", "effective_tiers"]


@dataclass(frozen=True, slots=True)
class ResolvedTier:
    """A tier with every field known: what the compiler turns into objects."""

    name: str
    priority: int
    preemption: str  # "PreemptLowerPriority" | "Never"
    default_memory: str
    default_request_cpu: str
    default_request_memory: str
    max_memory: str
    requests_cpu: str
    requests_memory: str
    limits_memory: str
    pods: int


BUILTIN_TIERS: dict[str, ResolvedTier] = {
    t.name: t
    for t in (
        ResolvedTier("0-core", 1_000_000, "PreemptLowerPriority", "256Mi", "100m", "256Mi", "8Gi",
                     "8", "8Gi", "64Gi", 100),
        ResolvedTier("1-cluster", 800_000, "PreemptLowerPriority", "256Mi", "100m", "256Mi", "8Gi",
                     "4", "4Gi", "32Gi", 30),
        ResolvedTier("2-gpu", 600_000, "PreemptLowerPriority", "1Gi", "200m", "1Gi", "16Gi",
                     "8", "12Gi", "32Gi", 40),
        ResolvedTier("3-edge", 400_000, "PreemptLowerPriority", "256Mi", "50m", "128Mi", "8Gi",
                     "4", "4Gi", "32Gi", 30),
        ResolvedTier("4-aux", 200_000, "Never", "256Mi", "50m", "64Mi", "4Gi",
                     "2", "3Gi", "16Gi", 20),
    )
}  # fmt: skip


def _merge(base: ResolvedTier, name: str, limits: LimitRangeSpec, quota: QuotaSpec, *,
           priority: int | None = None, preemption: str | None = None) -> ResolvedTier:  # fmt: skip
    return ResolvedTier(
        name=name,
        priority=base.priority if priority is None else priority,
        preemption=preemption or base.preemption,
        default_memory=limits.default_memory or base.default_memory,
        default_request_cpu=limits.default_request_cpu or base.default_request_cpu,
        default_request_memory=limits.default_request_memory or base.default_request_memory,
        max_memory=limits.max_memory or base.max_memory,
        requests_cpu=quota.requests_cpu or base.requests_cpu,
        requests_memory=quota.requests_memory or base.requests_memory,
        limits_memory=quota.limits_memory or base.limits_memory,
        pods=base.pods if quota.pods is None else quota.pods,
    )


def effective_tiers(platform: Platform) -> dict[str, ResolvedTier]:
    """Built-in tiers with the spec's overrides applied; new tier names start from ``4-aux``."""
    tiers = dict(BUILTIN_TIERS)
    for name, spec in sorted(platform.tiers.items()):
        base = tiers.get(name, BUILTIN_TIERS["4-aux"])
        tiers[name] = _override(base, name, spec)
    return tiers


def _override(base: ResolvedTier, name: str, spec: TierSpec) -> ResolvedTier:
    return _merge(
        base, name, spec.limits, spec.quota, priority=spec.priority, preemption=spec.preemption
    )


def category_tier(tiers: dict[str, ResolvedTier], category: CategorySpec) -> ResolvedTier:
    """The tier a category's namespace gets, with the category's own limit/quota overrides."""
    base = tiers[category.tier]
    return _merge(base, base.name, category.limits, category.quota)
