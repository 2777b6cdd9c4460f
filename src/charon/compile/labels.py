"""Owner labels and object metadata: the names every helper, the policy and the pruner rely on.

Apply and prune only ever touch objects carrying the owner labels, so every builder goes through
:func:`meta` instead of writing ``metadata`` by hand.
"""

from __future__ import annotations

from typing import Any

from charon.compile.model import LABEL_MANAGED_BY, LABEL_PLATFORM, LABEL_UNIT, MANAGED_BY

__all__ = [
    "LABEL_NAME",
    "LABEL_PART_OF",
    "LABEL_SERVICE",
    "LABEL_TAILNET",
    "meta",
    "owner_labels",
    "selector",
    "service_labels",
]

LABEL_NAME = "app.kubernetes.io/name"
LABEL_PART_OF = "app.kubernetes.io/part-of"
#: Names the service an object belongs to, so policy findings point back at the spec.
LABEL_SERVICE = "charon.dev/service"
#: On pods that run the Tailscale sidecar: Headscale's NetworkPolicy admits exactly these.
LABEL_TAILNET = "charon.dev/tailnet"


def owner_labels(platform: str, unit: str) -> dict[str, str]:
    return {LABEL_MANAGED_BY: MANAGED_BY, LABEL_PLATFORM: platform, LABEL_UNIT: unit}


def service_labels(platform: str, unit: str, service: str) -> dict[str, str]:
    return {
        **owner_labels(platform, unit),
        LABEL_NAME: service,
        LABEL_PART_OF: platform,
        LABEL_SERVICE: service,
    }


def selector(service: str) -> dict[str, str]:
    """Pod selector of a service; one label, because a selector can never change after creation."""
    return {LABEL_NAME: service}


def meta(
    name: str,
    labels: dict[str, str],
    namespace: str | None = None,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if namespace is not None:
        out["namespace"] = namespace
    out["labels"] = dict(sorted(labels.items()))
    if annotations:
        out["annotations"] = dict(sorted(annotations.items()))
    return out
