"""Category namespaces with their tier label and the Pod Security level their pods need."""

from __future__ import annotations

from charon.compile.context import Context
from charon.compile.labels import meta, owner_labels
from charon.compile.model import K8sObject

__all__ = ["namespaces"]

_PSA = "pod-security.kubernetes.io"


def namespaces(ctx: Context, unit: str) -> list[K8sObject]:
    out: list[K8sObject] = []
    for name in sorted(ctx.platform.categories):
        level = ctx.pod_security(name).value
        labels = {
            **owner_labels(ctx.name, unit),
            "tier": ctx.tier(name).name,
            # Enforce, audit and warn at one level: a warning below the enforced level would
            # only teach people to ignore warnings.
            f"{_PSA}/enforce": level,
            f"{_PSA}/audit": level,
            f"{_PSA}/warn": level,
        }
        description = ctx.platform.categories[name].description
        annotations = {"charon.dev/description": description} if description else None
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": meta(name, labels, None, annotations),
            }
        )
    return out
