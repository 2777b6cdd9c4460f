"""From ``apiVersion`` + ``kind`` to a lightkube resource class that yields plain dicts.

Built-in kinds take their plural and scope from lightkube's own models; custom kinds from the
CustomResourceDefinitions in the cluster (listed once, again after a stage applied new CRDs).
Every class is a lightkube *generic* resource built here and never registered globally, so the
engine sends and receives plain ``dict`` objects, compares them without conversion, and cannot
clash with another user of lightkube's registry in the same process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from lightkube.core import resource as res
from lightkube.core.exceptions import LoadResourceError
from lightkube.core.resource_registry import resource_registry
from lightkube.generic_resource import GenericGlobalResource, GenericNamespacedResource

__all__ = ["KindResolver", "ResourceClass", "UnknownKind"]

ResourceClass = type[Any]
ListCrds = Callable[[], Awaitable[list[dict[str, Any]]]]

_VERBS = ["delete", "get", "global_list", "list", "patch", "post", "put"]


class UnknownKind(LookupError):
    """Neither a built-in kind nor served by any CRD in the cluster."""


def _generic(group: str, version: str, kind: str, plural: str, namespaced: bool) -> ResourceClass:
    base = GenericNamespacedResource if namespaced else GenericGlobalResource
    info = res.ApiInfo(resource=res.ResourceDef(group, version, kind), plural=plural, verbs=_VERBS)
    return type(kind, (base,), {"_api_info": info})


def _builtin(api_version: str, kind: str) -> ResourceClass | None:
    try:
        model = resource_registry.load(api_version, kind)
    except (LoadResourceError, ImportError):
        return None
    info = model._api_info
    namespaced = issubclass(model, res.NamespacedResource)
    group, _, version = api_version.rpartition("/")
    return _generic(group, version, kind, info.plural, namespaced)


class KindResolver:
    """Caches one class per (apiVersion, kind) for the life of one engine run."""

    def __init__(self, list_crds: ListCrds) -> None:
        self._list_crds = list_crds
        self._classes: dict[tuple[str, str], ResourceClass] = {}
        self._crds: dict[tuple[str, str], tuple[str, bool]] | None = None

    def forget_custom(self) -> None:
        """New CRDs were applied: read them again on the next unknown kind."""
        self._crds = None

    async def _custom(self) -> dict[tuple[str, str], tuple[str, bool]]:
        if self._crds is None:
            found: dict[tuple[str, str], tuple[str, bool]] = {}
            for crd in await self._list_crds():
                spec = crd.get("spec") or {}
                names = spec.get("names") or {}
                for v in spec.get("versions") or []:
                    if v.get("served"):
                        key = (f"{spec['group']}/{v['name']}", names["kind"])
                        found[key] = (names["plural"], spec.get("scope") == "Namespaced")
            self._crds = found
        return self._crds

    async def resolve(self, api_version: str, kind: str) -> ResourceClass:
        key = (api_version, kind)
        cls = self._classes.get(key)
        if cls is not None:
            return cls
        cls = _builtin(api_version, kind)
        if cls is None:
            custom = (await self._custom()).get(key)
            if custom is None:
                self._crds = None  # maybe installed meanwhile: look again next time
                raise UnknownKind(f"{kind}.{api_version}")
            group, _, version = api_version.rpartition("/")
            cls = _generic(group, version, kind, custom[0], custom[1])
        self._classes[key] = cls
        return cls

    def crd_class(self) -> ResourceClass:
        return _generic(
            "apiextensions.k8s.io", "v1", "CustomResourceDefinition",
            "customresourcedefinitions", False,
        )  # fmt: skip
