"""From ``apiVersion`` + ``kind`` to where its objects live in the API (:class:`Endpoint`).

Built-in kinds take their plural and scope from lightkube's own models; custom kinds from the
CustomResourceDefinitions in the cluster (listed once, again after a stage applied new CRDs).
The engine sends and receives plain ``dict`` objects, so it compares them without conversion.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from lightkube.core import resource as res
from lightkube.core.exceptions import LoadResourceError
from lightkube.core.resource_registry import resource_registry

__all__ = ["CRD", "Endpoint", "KindResolver", "UnknownKind"]

ListCrds = Callable[[], Awaitable[list[dict[str, Any]]]]


class UnknownKind(LookupError):
    """Neither a built-in kind nor served by any CRD in the cluster."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The REST paths of one kind."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The collection (all namespaces when ``namespace`` is None), or one object in it."""
        group, _, version = self.api_version.rpartition("/")
        base = f"/apis/{group}/{version}" if group else f"/api/{version}"
        scope = f"/namespaces/{quote(namespace, safe='')}" if self.namespaced and namespace else ""
        tail = f"/{quote(name, safe=':@')}" if name else ""
        return f"{base}{scope}/{self.plural}{tail}"


CRD = Endpoint("apiextensions.k8s.io/v1", "CustomResourceDefinition",
               "customresourcedefinitions", False)  # fmt: skip


def _builtin(api_version: str, kind: str) -> Endpoint | None:
    try:
        model = resource_registry.load(api_version, kind)
    except (LoadResourceError, ImportError):
        return None
    namespaced = issubclass(model, res.NamespacedResource)
    return Endpoint(api_version, kind, model._api_info.plural, namespaced)


class KindResolver:
    """Caches one endpoint per (apiVersion, kind) for the life of one engine run."""

    def __init__(self, list_crds: ListCrds) -> None:
        self._list_crds = list_crds
        self._endpoints: dict[tuple[str, str], Endpoint] = {}
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

    async def resolve(self, api_version: str, kind: str) -> Endpoint:
        key = (api_version, kind)
        found = self._endpoints.get(key) or _builtin(api_version, kind)
        if found is None:
            custom = (await self._custom()).get(key)
            if custom is None:
                self._crds = None  # maybe installed meanwhile: look again next time
                raise UnknownKind(f"{kind}.{api_version}")
            found = Endpoint(api_version, kind, custom[0], custom[1])
        self._endpoints[key] = found
        return found
