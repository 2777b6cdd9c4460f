"""From ``apiVersion`` + ``kind`` to where its objects live in the API (:class:`Endpoint`).

Built-in kinds take their plural and scope from lightkube's own models; other kinds from the API
server's discovery (asked once per group version, again after a stage applied new CRDs).
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

__all__ = ["Endpoint", "KindResolver", "UnknownKind", "group_version_path"]

Discover = Callable[[str], Awaitable[dict[str, Any] | None]]  # apiVersion -> APIResourceList


class UnknownKind(LookupError):
    """Neither a built-in kind nor served by any CRD in the cluster."""


def group_version_path(api_version: str) -> str:
    """``/api/v1`` for the core group, ``/apis/<group>/<version>`` for the others."""
    group, _, version = api_version.rpartition("/")
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """The REST paths of one kind."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The collection (all namespaces when ``namespace`` is None), or one object in it."""
        base = group_version_path(self.api_version)
        scope = f"/namespaces/{quote(namespace, safe='')}" if self.namespaced and namespace else ""
        tail = f"/{quote(name, safe=':@')}" if name else ""
        return f"{base}{scope}/{self.plural}{tail}"


def _builtin(api_version: str, kind: str) -> Endpoint | None:
    try:
        model = resource_registry.load(api_version, kind)
    except (LoadResourceError, ImportError):
        return None
    namespaced = issubclass(model, res.NamespacedResource)
    return Endpoint(api_version, kind, model._api_info.plural, namespaced)


class KindResolver:
    """Caches one endpoint per (apiVersion, kind) for the life of one engine run.

    Kinds lightkube's models do not know are looked up in the API server's discovery document of
    their group version (``/apis/<group>/<version>``: a few kilobytes, one request per group
    version), which covers CRDs and aggregated APIs alike; listing every CRD instead would fetch
    all their schemas (megabytes) for a name and a scope.
    """

    def __init__(self, discover: Discover) -> None:
        self._discover = discover
        self._endpoints: dict[tuple[str, str], Endpoint] = {}
        self._served: dict[str, dict[str, Endpoint] | None] = {}  # per apiVersion; None: 404

    def forget_custom(self) -> None:
        """New CRDs were applied: ask discovery again on the next unknown kind."""
        self._served.clear()

    async def _group_version(self, api_version: str) -> dict[str, Endpoint] | None:
        if api_version not in self._served:
            listing = await self._discover(api_version)
            if listing is None:
                self._served[api_version] = None
            else:
                self._served[api_version] = {
                    r["kind"]: Endpoint(api_version, r["kind"], r["name"], bool(r["namespaced"]))
                    for r in listing.get("resources") or []
                    if "/" not in r.get("name", "/")  # subresources (status, scale) are not kinds
                }
        return self._served[api_version]

    async def resolve(self, api_version: str, kind: str) -> Endpoint:
        key = (api_version, kind)
        found = self._endpoints.get(key) or _builtin(api_version, kind)
        if found is None:
            found = ((await self._group_version(api_version)) or {}).get(kind)
            if found is None:
                self._served.pop(api_version, None)  # maybe installed meanwhile: ask again
                raise UnknownKind(f"{kind}.{api_version}")
        self._endpoints[key] = found
        return found
