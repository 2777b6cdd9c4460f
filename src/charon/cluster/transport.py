"""All cluster I/O of the engine, behind one small interface (STYLE 7).

The executor, waits, prune and status speak only :class:`Transport`; :class:`LightkubeTransport`
implements it with lightkube's request builder and HTTP client. Requests are built with
``prepare_request`` (no I/O) so two things lightkube's convenience methods do not offer can be
added: strict field validation on apply and ``DeleteOptions`` with a UID precondition. Transient
failures (connection refused, 429, 5xx) are retried a few times with backoff, then raised as a
ClusterError naming the object.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import httpx2
from lightkube.config.client_adapter import ConnectionParams
from lightkube.config.kubeconfig import SingleConfig
from lightkube.core.generic_client import ALL_NS, GenericAsyncClient
from lightkube.generic_resource import GenericNamespacedResource

from charon.cluster.api_errors import is_not_found, is_transient, to_cluster_error
from charon.cluster.inventory import ObjectRef
from charon.cluster.kinds import KindResolver, UnknownKind
from charon.compile.model import K8sObject
from charon.errors import ClusterError

__all__ = ["FIELD_MANAGER", "LightkubeTransport", "Transport"]

FIELD_MANAGER = "charon"
T = TypeVar("T")
_APPLY = {"Content-Type": "application/apply-patch+yaml"}
_RETRY_DELAYS = (0.2, 0.5, 1.0)


class Transport(Protocol):
    async def get(self, ref: ObjectRef) -> K8sObject | None: ...

    async def list(self, api_version: str, kind: str, selector: str) -> list[K8sObject]: ...

    async def apply(self, obj: K8sObject, *, dry_run: bool, force: bool) -> K8sObject: ...

    async def delete(self, ref: ObjectRef, *, uid: str) -> bool: ...

    async def knows(self, api_version: str, kind: str) -> bool: ...

    def forget_custom_kinds(self) -> None: ...

    async def aclose(self) -> None: ...


class LightkubeTransport:
    def __init__(self, config: SingleConfig, *, timeout: float = 30.0) -> None:
        params = ConnectionParams(timeout=httpx2.Timeout(timeout), trust_env=False)
        self._client = GenericAsyncClient(params, config)
        self.server = str(config.cluster.server)
        self._kinds = KindResolver(self._list_crds)

    async def _list_crds(self) -> list[dict[str, Any]]:
        crd = self._kinds.crd_class()
        return await self._list_all(crd, "", "apiextensions.k8s.io/v1", "CustomResourceDefinition")

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

    async def _cls(self, api_version: str, kind: str, oid: str) -> Any:
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
        cls = await self._cls(ref.api_version, ref.kind, ref.id)

        async def op() -> K8sObject | None:
            try:
                found = await self._client.request(
                    "get", res=cls, name=ref.name, namespace=ref.namespace or None
                )
            except Exception as exc:
                if is_not_found(exc):
                    return None
                raise
            return dict(found)

        return await self._call(ref.id, op)

    async def _list_all(self, cls: Any, selector: str, api_version: str, kind: str) -> list[Any]:
        namespaced = issubclass(cls, GenericNamespacedResource)
        params = {"labelSelector": selector or None, "limit": 500}
        br = self._client.prepare_request(
            "list", res=cls, namespace=ALL_NS if namespaced else None, params=params
        )
        items = [dict(item) async for item in self._client.list(br)]
        for item in items:  # list items come without their type
            item.setdefault("apiVersion", api_version)
            item.setdefault("kind", kind)
        return items

    async def list(self, api_version: str, kind: str, selector: str) -> list[K8sObject]:
        oid = f"{kind}.{api_version}"
        cls = await self._cls(api_version, kind, oid)
        return await self._call(oid, lambda: self._list_all(cls, selector, api_version, kind))

    async def apply(self, obj: K8sObject, *, dry_run: bool, force: bool) -> K8sObject:
        ref = ObjectRef.of(obj)
        cls = await self._cls(ref.api_version, ref.kind, ref.id)
        params = {
            "fieldManager": FIELD_MANAGER,
            "force": "true" if force else None,
            "dryRun": "All" if dry_run else None,
            "fieldValidation": "Strict",
        }

        async def op() -> K8sObject:
            result = await self._client.request(
                "patch", res=cls, name=ref.name, namespace=ref.namespace or None, obj=obj,
                headers=dict(_APPLY), params=params,
            )  # fmt: skip
            return dict(result)

        return await self._call(ref.id, op)

    async def delete(self, ref: ObjectRef, *, uid: str) -> bool:
        """Background deletion guarded by the UID we saw; False when it was already gone."""
        cls = await self._cls(ref.api_version, ref.kind, ref.id)
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background",
                "preconditions": {"uid": uid}}  # fmt: skip

        async def op() -> bool:
            br = self._client.prepare_request(
                "delete", res=cls, name=ref.name, namespace=ref.namespace or None
            )
            br.data = body
            request = self._client.build_adapter_request(br)
            response = await self._client.send(request)  # type: ignore[no-untyped-call]
            try:
                self._client.raise_for_status(response)  # type: ignore[no-untyped-call]
            except Exception as exc:
                if is_not_found(exc):
                    return False
                raise
            return True

        return await self._call(ref.id, op)

    async def aclose(self) -> None:
        await self._client.close()  # type: ignore[no-untyped-call]
