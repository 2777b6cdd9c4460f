"""Owners of a category get the built-in ``admin`` ClusterRole in its namespace, nothing wider.

An owner written ``group:<name>`` is a Group; ``user:<name>`` or a bare name is a User.
"""

from __future__ import annotations

from charon.compile.context import Context
from charon.compile.labels import meta, owner_labels
from charon.compile.model import K8sObject

__all__ = ["owner_bindings", "subject"]

_RBAC = "rbac.authorization.k8s.io"


def subject(owner: str) -> dict[str, str]:
    kind, _, name = owner.partition(":")
    if name and kind == "group":
        return {"apiGroup": _RBAC, "kind": "Group", "name": name}
    if name and kind == "user":
        return {"apiGroup": _RBAC, "kind": "User", "name": name}
    return {"apiGroup": _RBAC, "kind": "User", "name": owner}


def owner_bindings(ctx: Context, unit: str) -> list[K8sObject]:
    out: list[K8sObject] = []
    for name, category in sorted(ctx.platform.categories.items()):
        if not category.owners:
            continue
        subjects = sorted(
            (subject(o) for o in set(category.owners)), key=lambda s: (s["kind"], s["name"])
        )
        out.append(
            {
                "apiVersion": f"{_RBAC}/v1",
                "kind": "RoleBinding",
                "metadata": meta("owners-admin", owner_labels(ctx.name, unit), name),
                "roleRef": {"apiGroup": _RBAC, "kind": "ClusterRole", "name": "admin"},
                "subjects": subjects,
            }
        )
    return out
