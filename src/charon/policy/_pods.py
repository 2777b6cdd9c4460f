"""Where pod templates and containers live inside workload objects, with their field paths.

Rules about images, requests and Pod Security all walk the same places; keeping the walk in one
spot means a new workload kind is taught to every rule at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from charon.compile.model import K8sObject

__all__ = ["Container", "PodTemplate", "containers", "meta", "object_key", "pod_templates"]

#: Kind -> path of the pod template inside the object.
_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}


def meta(obj: K8sObject) -> dict[str, Any]:
    """The object's metadata, or an empty dict: rules must not crash on a malformed object."""
    value = obj.get("metadata")
    return value if isinstance(value, dict) else {}


def object_key(obj: K8sObject) -> str:
    """``Kind/namespace/name``, or ``Kind/name`` for cluster-scoped objects."""
    namespace = meta(obj).get("namespace")
    name = meta(obj).get("name", "")
    return f"{obj.get('kind', '')}/{namespace}/{name}" if namespace else f"{obj.get('kind')}/{name}"


@dataclass(frozen=True, slots=True)
class PodTemplate:
    obj: K8sObject
    prefix: str  # field path of the template: "spec.template", "" for a bare Pod
    spec: dict[str, Any]  # the pod spec

    @property
    def spec_path(self) -> str:
        return f"{self.prefix}.spec" if self.prefix else "spec"

    @property
    def namespace(self) -> str:
        return str((self.obj.get("metadata") or {}).get("namespace", ""))


@dataclass(frozen=True, slots=True)
class Container:
    template: PodTemplate
    field: str  # e.g. "spec.template.spec.containers[app]"
    body: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.body.get("name", ""))


def pod_templates(objects: list[K8sObject]) -> Iterator[PodTemplate]:
    for obj in objects:
        path = _TEMPLATE_PATHS.get(str(obj.get("kind", "")))
        if path is None:
            continue
        node: Any = obj
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        spec = node.get("spec") if isinstance(node, dict) else None
        if isinstance(spec, dict):
            yield PodTemplate(obj, ".".join(path), spec)


def containers(template: PodTemplate) -> Iterator[Container]:
    """Init containers first (they run first), then the long-running ones."""
    for key in ("initContainers", "containers"):
        for index, body in enumerate(template.spec.get(key) or []):
            if not isinstance(body, dict):
                continue
            label = body.get("name") or str(index)
            yield Container(template, f"{template.spec_path}.{key}[{label}]", body)
