"""Where each kind lives in the API: built-in models first, then the server's discovery."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from charon.cluster.kinds import Endpoint, KindResolver, UnknownKind

_CERT_MANAGER = {
    "kind": "APIResourceList", "groupVersion": "cert-manager.io/v1",
    "resources": [
        {"name": "certificates", "kind": "Certificate", "namespaced": True},
        {"name": "certificates/status", "kind": "Certificate", "namespaced": True},
        {"name": "clusterissuers", "kind": "ClusterIssuer", "namespaced": False},
    ],
}  # fmt: skip


class Discovery:
    def __init__(self, served: dict[str, dict[str, Any]]) -> None:
        self.served = served
        self.asked: list[str] = []

    async def __call__(self, api_version: str) -> dict[str, Any] | None:
        self.asked.append(api_version)
        return self.served.get(api_version)


def test_paths_of_core_grouped_namespaced_and_cluster_kinds() -> None:
    core = Endpoint("v1", "ConfigMap", "configmaps", True)
    assert core.path("apps", "web") == "/api/v1/namespaces/apps/configmaps/web"
    assert core.path() == "/api/v1/configmaps"  # every namespace: a list
    cluster = Endpoint("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", False)
    assert cluster.path("ignored", "system:x") == (
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:x"
    )


def test_builtin_kinds_need_no_request_and_custom_ones_one_per_group_version() -> None:
    discovery = Discovery({"cert-manager.io/v1": _CERT_MANAGER})
    kinds = KindResolver(discovery)

    async def go() -> list[Endpoint]:
        return [
            await kinds.resolve("apps/v1", "StatefulSet"),
            await kinds.resolve("cert-manager.io/v1", "Certificate"),
            await kinds.resolve("cert-manager.io/v1", "ClusterIssuer"),
        ]

    sts, cert, issuer = asyncio.run(go())
    assert (sts.plural, sts.namespaced) == ("statefulsets", True)
    assert (cert.plural, cert.namespaced) == ("certificates", True)  # not the status subresource
    assert (issuer.plural, issuer.namespaced) == ("clusterissuers", False)
    assert discovery.asked == ["cert-manager.io/v1"]


def test_an_unserved_kind_is_asked_again_after_new_crds() -> None:
    discovery = Discovery({})
    kinds = KindResolver(discovery)
    with pytest.raises(UnknownKind):
        asyncio.run(kinds.resolve("widgets.example.com/v1", "Widget"))
    discovery.served["widgets.example.com/v1"] = {
        "resources": [{"name": "widgets", "kind": "Widget", "namespaced": True}]
    }
    kinds.forget_custom()
    found = asyncio.run(kinds.resolve("widgets.example.com/v1", "Widget"))
    assert found.path("ns", "w") == "/apis/widgets.example.com/v1/namespaces/ns/widgets/w"
    assert discovery.asked == ["widgets.example.com/v1", "widgets.example.com/v1"]
