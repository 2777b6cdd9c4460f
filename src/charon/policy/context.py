"""What every rule sees: the spec, the compiled objects, and which service made which object.

Object-level findings point back into the spec so ``charon check`` can name a line. The link from
an object to its service is read from labels the compiler writes (``charon.dev/service``, else the
``app.kubernetes.io/instance``/``name`` labels) and, failing those, from the naming convention
``<service>`` / ``<service>-<suffix>`` inside the service's category namespace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from charon.compile.model import CompiledPlatform, K8sObject
from charon.policy._pods import Container, object_key
from charon.spec.models import Platform

__all__ = ["SERVICE_LABELS", "Context"]

#: Labels that name the service an object belongs to, most specific first.
SERVICE_LABELS = ("charon.dev/service", "app.kubernetes.io/instance", "app.kubernetes.io/name")


@dataclass(frozen=True)
class Context:
    platform: Platform
    compiled: CompiledPlatform
    objects: list[K8sObject] = field(init=False)
    _owners: dict[str, str] = field(init=False, repr=False)
    _by_category: dict[str, frozenset[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        objects = self.compiled.objects()
        by_category: dict[str, set[str]] = {}
        for name, service in self.platform.services.items():
            by_category.setdefault(service.category, set()).add(name)
        object.__setattr__(self, "objects", objects)
        object.__setattr__(self, "_by_category", {k: frozenset(v) for k, v in by_category.items()})
        object.__setattr__(self, "_owners", {object_key(o): self._find_owner(o) for o in objects})

    # ----------------------------------------------------------------------------------------------
    def _find_owner(self, obj: K8sObject) -> str:
        meta = obj.get("metadata") or {}
        labels = meta.get("labels") or {}
        namespace = meta.get("namespace")
        services = self.platform.services
        declared = labels.get(SERVICE_LABELS[0])
        if declared in services:
            return str(declared)
        if not namespace:
            return ""
        local = self._by_category.get(str(namespace), frozenset())
        for label in SERVICE_LABELS[1:]:
            if labels.get(label) in local:
                return str(labels[label])
        name = str(meta.get("name", ""))
        matches = [n for n in local if name == n or name.startswith(f"{n}-")]
        return max(matches, key=len) if matches else ""

    def owner(self, obj: K8sObject) -> str:
        """The service that produced the object, or "" when it belongs to no service."""
        return self._owners.get(object_key(obj), "")

    def owner_of_key(self, key: str) -> str:
        return self._owners.get(key, "")

    def path_of(self, obj: K8sObject, leaf: str = "") -> str:
        """The spec path of the object's service (plus ``leaf``), else of its category."""
        service = self.owner(obj)
        if service:
            return f"services.{service}.{leaf}" if leaf else f"services.{service}"
        namespace = (obj.get("metadata") or {}).get("namespace")
        if namespace in self.platform.categories:
            return f"categories.{namespace}"
        return ""

    def container_path(self, container: Container, service_leaf: str = "image") -> str:
        """The spec field that decides this container: the service's own image and settings,
        the Tailscale sidecar or the lifecycle agent, recognised by their images."""
        image = container.body.get("image")
        vpn = self.platform.vpn
        service = self.owner(container.template.obj)
        if service and image == self.platform.services[service].image:
            return f"services.{service}.{service_leaf}"
        if service_leaf == "image" and image == vpn.sidecar.image:
            return "vpn.sidecar.image"
        if service_leaf == "image" and image == vpn.agent.image:
            return "vpn.agent.image"
        return self.path_of(container.template.obj)
