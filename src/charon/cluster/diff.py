"""Comparing a live object with what an apply would make of it, and showing the difference.

Both sides are reduced to what a person (or a no-op check) cares about: the fields the server
maintains on its own (managedFields, resourceVersion, uid, generation, creationTimestamp, status)
are dropped. Secret values never leave this module in clear: every ``data``/``stringData`` value
is replaced by ``***`` and a changed value is shown as ``*** (before)`` / ``*** (after)``, the
way ``kubectl diff`` masks them.
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

import yaml

from charon.compile.model import K8sObject

__all__ = ["MASK", "mask_secrets", "normalize", "same", "unified_diff"]

MASK = "***"
_SERVER_METADATA = (
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
)


def normalize(obj: K8sObject | None) -> K8sObject | None:
    """A deep copy without the fields the server maintains; None stays None."""
    if obj is None:
        return None
    out = copy.deepcopy(obj)
    out.pop("status", None)
    meta = out.get("metadata") or {}
    for key in _SERVER_METADATA:
        meta.pop(key, None)
    annotations = meta.get("annotations")
    if annotations is not None:
        annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
        if not annotations:
            meta.pop("annotations")
    return out


def same(live: K8sObject | None, result: K8sObject | None) -> bool:
    """True when applying would change nothing a person could see (a no-op re-apply)."""
    return live is not None and normalize(live) == normalize(result)


def _is_secret(obj: K8sObject | None) -> bool:
    return bool(obj) and obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"  # type: ignore[union-attr]


def mask_secrets(
    before: K8sObject | None, after: K8sObject | None
) -> tuple[K8sObject | None, K8sObject | None]:
    """Copies of both sides with Secret values masked; a changed value is marked as changed."""
    if not (_is_secret(before) or _is_secret(after)):
        return before, after
    b, a = copy.deepcopy(before), copy.deepcopy(after)
    for key in ("data", "stringData"):
        old: dict[str, Any] = (b or {}).get(key) or {}
        new: dict[str, Any] = (a or {}).get(key) or {}
        for name in set(old) | set(new):
            changed = name in old and name in new and old[name] != new[name]
            if name in old:
                old[name] = f"{MASK} (before)" if changed else MASK
            if name in new:
                new[name] = f"{MASK} (after)" if changed else MASK
    return b, a


def _yaml(obj: K8sObject | None) -> list[str]:
    if obj is None:
        return []
    text = yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, allow_unicode=True)
    return text.splitlines(keepends=True)


def unified_diff(label: str, live: K8sObject | None, result: K8sObject | None) -> str:
    """A unified YAML diff of live -> result, normalized and masked; "" when nothing differs."""
    before, after = mask_secrets(normalize(live), normalize(result))
    lines = difflib.unified_diff(
        _yaml(before),
        _yaml(after),
        fromfile=f"live/{label}" if live is not None else "/dev/null",
        tofile=f"planned/{label}",
    )
    return "".join(lines)
