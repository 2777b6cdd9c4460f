"""All cluster I/O of the engine, behind one small interface (STYLE 7).

The executor, waits, prune and status speak only :class:`Transport`; :class:`KubeTransport`
implements it with :class:`~charon.cluster.http.ApiClient` (aiohttp; see that module for why not
lightkube's client) and :class:`~charon.cluster.kinds.KindResolver`. Applies are server-side
apply with field manager ``charon``. Transient failures (connection refused, 429, 5xx) are
retried a few times with backoff, then raised as a ClusterError naming the object.

Field validation: server-side apply rejects a field the kind's schema does not declare in every
``fieldValidation`` mode (checked against kube-apiserver 1.34 for built-in kinds and CRDs: see
tests/integration/test_apply_faults.py); ``Strict`` adds only a second YAML parse of the body to
find duplicate keys, which JSON serialised from a dict cannot contain. Charon sends ``Ignore``
and saves the API server that parse (4% of its CPU in a cold apply).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

from lightkube.config.kubeconfig import SingleConfig

from charon.cluster.api_errors import is_not_found, is_transient, to_cluster_error
from charon.cluster.http import JSON, ApiClient
from charon.cluster.inventory import ObjectRef
from charon.cluster.kinds import Endpoint, KindResolver, UnknownKind, group_version_path
from charon.compile.model import K8sObject
from charon.errors import ClusterError

__all__ = ["FIELD_MANAGER", "KubeTransport", "Snapshot", "Transport", "WatchEvent"]

FIELD_MANAGER = "charon"
T = TypeVar("T")
_APPLY = "application/apply-patch+yaml"
_RETRY_DELAYS = (0.2, 0.5, 1.0)
_PAGE = "500"

Snapshot = tuple[list[K8sObject], str]  # the objects and the list's resourceVersion
WatchEvent = tuple[str, K8sObject]  # ADDED | MODIFIED | DELETED | BOOKMARK | ERROR, object


class Transport(Protocol):
    async def get(self, ref: ObjectRef) -> K8sObject | None: ...

    async def list(self, api_version: str, kind: str, selector: str) -> list[K8sObject]: ...

    async def snapshot(self, api_version: str, kind: str, selector: str) -> Snapshot: ...

    def watch(
        self, api_version: str, kind: str, selector: str, resource_version: str, *, seconds: int
    ) -> AsyncGenerator[WatchEvent, None]: ...

    async def apply(self, obj: K8sObject, *, dry_run: bool, force: bool) -> K8sObject: ...

    async def delete(self, ref: ObjectRef, *, uid: str) -> bool: ...

    async def knows(self, api_version: str, kind: str) -> bool: ...

    def forget_custom_kinds(self) -> None: ...

    async def aclose(self) -> None: ...


class KubeTransport:
    def __init__(self, config: SingleConfig, *, timeout: float = 30.0, connections: int = 16):
        self._api = ApiClient(config, timeout=timeout, connections=connections)
        self.server = self._api.server
        self._kinds = KindResolver(self._discover)

    async def _discover(self, api_version: str) -> dict[str, Any] | None:
        """The APIResourceList of one group version; None when the server does not serve it."""
        try:
            listing: dict[str, Any] = await self._api.request(
                "GET", group_version_path(api_version)
            )
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise
        return listing

    async def _call(self, oid: str, op: Callable[[], Awaitable[T]]) -> T:
        for delay in (*_RETRY_DELAYS, None):
            try:
                return await op()
            except ClusterError:
                raise
            except Exception as exc:
                if delay is not None and is_transient(exc):
                    await asyncio.sleep(delay)
                    continue
                raise to_cluster_error(oid, exc, server=self.server) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def _endpoint(self, api_version: str, kind: str, oid: str) -> Endpoint:
        try:
            return await self._call(oid, lambda: self._kinds.resolve(api_version, kind))
        except ClusterError as exc:
            if isinstance(exc.__cause__, UnknownKind):
                raise ClusterError(
                    oid, f"the cluster does not serve {kind} ({api_version})",
                    ["fix: install the CRD that defines it first"],
                ) from exc.__cause__  # fmt: skip
            raise

    async def knows(self, api_version: str, kind: str) -> bool:
        try:
            await self._call("discovery", lambda: self._kinds.resolve(api_version, kind))
        except ClusterError as exc:
            if isinstance(exc.__cause__, UnknownKind):
                return False
            raise
        return True

    def forget_custom_kinds(self) -> None:
        self._kinds.forget_custom()

    async def get(self, ref: ObjectRef) -> K8sObject | None:
        endpoint = await self._endpoint(ref.api_version, ref.kind, ref.id)
        path = endpoint.path(ref.namespace or None, ref.name)

        async def op() -> K8sObject | None:
            try:
                found: K8sObject = await self._api.request("GET", path)
            except Exception as exc:
                if is_not_found(exc):
                    return None
                raise
            return found

        return await self._call(ref.id, op)

    async def _list_all(self, endpoint: Endpoint, selector: str) -> Snapshot:
        params = {"limit": _PAGE}
        if selector:
            params["labelSelector"] = selector
        items: list[K8sObject] = []
        while True:
            page = await self._api.request("GET", endpoint.path(), params=params)
            for item in page.get("items") or []:  # list items come without their type
                item.setdefault("apiVersion", endpoint.api_version)
                item.setdefault("kind", endpoint.kind)
                items.append(item)
            meta = page.get("metadata") or {}
            if not meta.get("continue"):
                return items, str(meta.get("resourceVersion") or "")
            params = {**params, "continue": meta["continue"]}

    async def snapshot(self, api_version: str, kind: str, selector: str) -> Snapshot:
        oid = f"{kind}.{api_version}"
        endpoint = await self._endpoint(api_version, kind, oid)
        return await self._call(oid, lambda: self._list_all(endpoint, selector))

    async def list(self, api_version: str, kind: str, selector: str) -> list[K8sObject]:
        items, _ = await self.snapshot(api_version, kind, selector)
        return items

    async def watch(
        self, api_version: str, kind: str, selector: str, resource_version: str, *, seconds: int
    ) -> AsyncGenerator[WatchEvent, None]:
        """Changes after ``resource_version`` for up to ``seconds`` (the server ends the watch).

        A resource version too old to watch from arrives as an ``ERROR`` event (410 Gone) or a
        refusal: the caller lists again. Nothing is retried here.
        """
        oid = f"{kind}.{api_version}"
        endpoint = await self._endpoint(api_version, kind, oid)
        params = {"watch": "true", "resourceVersion": resource_version,
                  "allowWatchBookmarks": "true",
                  "timeoutSeconds": str(max(1, seconds))}  # fmt: skip
        if selector:
            params["labelSelector"] = selector
        stream = self._api.stream(endpoint.path(), params, timeout=seconds + 10)
        try:
            async with contextlib.aclosing(stream):
                async for event in stream:
                    obj = event.get("object") or {}
                    obj.setdefault("apiVersion", api_version)
                    obj.setdefault("kind", kind)
                    yield str(event.get("type") or ""), obj
        except Exception as exc:
            raise to_cluster_error(oid, exc, server=self.server) from exc

    async def apply(self, obj: K8sObject, *, dry_run: bool, force: bool) -> K8sObject:
        ref = ObjectRef.of(obj)
        endpoint = await self._endpoint(ref.api_version, ref.kind, ref.id)
        path = endpoint.path(ref.namespace or None, ref.name)
        params = {"fieldManager": FIELD_MANAGER, "fieldValidation": "Ignore"}
        if force:
            params["force"] = "true"
        if dry_run:
            params["dryRun"] = "All"
        body = json.dumps(obj, separators=(",", ":")).encode()

        async def op() -> K8sObject:
            result: K8sObject = await self._api.request(
                "PATCH", path, params=params, body=body, content_type=_APPLY
            )
            return result

        return await self._call(ref.id, op)

    async def delete(self, ref: ObjectRef, *, uid: str) -> bool:
        """Background deletion guarded by the UID we saw; False when it was already gone."""
        endpoint = await self._endpoint(ref.api_version, ref.kind, ref.id)
        path = endpoint.path(ref.namespace or None, ref.name)
        body = json.dumps({"apiVersion": "v1", "kind": "DeleteOptions",
                           "propagationPolicy": "Background",
                           "preconditions": {"uid": uid}}).encode()  # fmt: skip

        async def op() -> bool:
            try:
                await self._api.request("DELETE", path, body=body, content_type=JSON)
            except Exception as exc:
                if is_not_found(exc):
                    return False
                raise
            return True

        return await self._call(ref.id, op)

    async def aclose(self) -> None:
        await self._api.aclose()
