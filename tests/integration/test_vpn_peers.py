"""Real Tailscale nodes join real Headscale servers through keys made with the REST API.

Covers both API dialects the lifecycle agent speaks: 0.26+ (pre-auth key ``user`` is the numeric
id, as a string) and pre-0.26 (``user`` is the name; expire by ``{user, key}``).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from peers.vpn import HeadscaleServer, TailnetNode

TAILNET_V4 = ipaddress.ip_network("100.64.0.0/10")


def _expiry(hours: float = 1) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _create_key(server: HeadscaleServer, user: str, *, reusable: bool = False) -> dict[str, Any]:
    body = {"user": user, "reusable": reusable, "ephemeral": False, "expiration": _expiry()}
    with server.api() as client:
        response = client.post("/preauthkey", json=body)
    assert response.status_code == 200, response.text
    key: dict[str, Any] = response.json()["preAuthKey"]
    return key


def _v4(node: TailnetNode) -> str:
    addresses = [ipaddress.ip_address(ip) for ip in node.ips()]
    v4 = [str(ip) for ip in addresses if ip.version == 4]
    assert len(v4) == 1 and ipaddress.ip_address(v4[0]) in TAILNET_V4, addresses
    return v4[0]


def _listed(server: HeadscaleServer, hostname: str) -> dict[str, Any]:
    matches = [n for n in server.nodes() if hostname in (n.get("givenName"), n.get("name"))]
    assert len(matches) == 1, [n.get("givenName") for n in server.nodes()]
    return matches[0]


def test_node_joins_headscale_with_an_id_based_rest_key(
    headscale: HeadscaleServer, tailnet_node: Callable[..., TailnetNode]
) -> None:
    key = _create_key(headscale, str(headscale.user_id))
    assert int(key["user"]["id"]) == headscale.user_id

    node = tailnet_node("charon-join", key["key"])
    address = _v4(node)
    listed = _listed(headscale, "charon-join")
    assert address in listed["ipAddresses"]
    assert listed["user"]["name"] == headscale.user


def test_headscale_rejects_a_name_as_the_key_user(headscale: HeadscaleServer) -> None:
    body = {"user": headscale.user, "reusable": False, "expiration": _expiry()}
    with headscale.api() as client:
        response = client.post("/preauthkey", json=body)
    assert response.status_code >= 400


def test_rest_api_refuses_a_wrong_api_key(headscale: HeadscaleServer) -> None:
    with headscale.api() as client:
        response = client.get("/node", headers={"Authorization": "Bearer hskey-api-not-a-key"})
    assert response.status_code == 401


def test_two_nodes_reach_each_other_through_the_mesh(
    headscale: HeadscaleServer, tailnet_node: Callable[..., TailnetNode]
) -> None:
    key = _create_key(headscale, str(headscale.user_id), reusable=True)["key"]
    first = tailnet_node("charon-mesh-a", key)
    second = tailnet_node("charon-mesh-b", key)
    target = _v4(second)
    assert _v4(first) != target
    reply = first.ping(target)
    assert "pong from charon-mesh-b" in reply


def test_headscale_restart_keeps_nodes_and_keys(
    headscale: HeadscaleServer, tailnet_node: Callable[..., TailnetNode]
) -> None:
    key = _create_key(headscale, str(headscale.user_id))
    node = tailnet_node("charon-durable", key["key"])
    address = _v4(node)
    headscale.stop()
    headscale.start()
    assert address in _listed(headscale, "charon-durable")["ipAddresses"]


def test_legacy_node_joins_with_a_name_based_rest_key(
    headscale_legacy: HeadscaleServer, tailnet_node: Callable[..., TailnetNode]
) -> None:
    key = _create_key(headscale_legacy, headscale_legacy.user)
    assert key["user"] == headscale_legacy.user

    node = tailnet_node("charon-legacy", key["key"], server=headscale_legacy)
    address = _v4(node)
    assert address in _listed(headscale_legacy, "charon-legacy")["ipAddresses"]


def test_legacy_expires_a_key_by_user_and_key(headscale_legacy: HeadscaleServer) -> None:
    key = _create_key(headscale_legacy, headscale_legacy.user, reusable=True)
    with headscale_legacy.api() as client:
        expired = client.post(
            "/preauthkey/expire", json={"user": headscale_legacy.user, "key": key["key"]}
        )
        assert expired.status_code == 200, expired.text
        listed = client.get("/preauthkey", params={"user": headscale_legacy.user})
    assert listed.status_code == 200, listed.text
    (entry,) = [k for k in listed.json()["preAuthKeys"] if k["id"] == key["id"]]
    assert datetime.fromisoformat(entry["expiration"]) <= datetime.now(UTC)


def test_version_endpoint_tells_the_dialects_apart(
    headscale: HeadscaleServer, headscale_legacy: HeadscaleServer
) -> None:
    # The agent probes /version: 0.29 answers with its release, 0.25 has no such endpoint.
    current = httpx.get(f"{headscale.url}/version", timeout=10)
    assert current.status_code == 200
    assert current.json()["version"] == f"v{headscale.version}"
    legacy = httpx.get(f"{headscale_legacy.url}/version", timeout=10)
    assert legacy.status_code == 404


def test_key_without_expiration_is_born_expired(
    headscale: HeadscaleServer, tailnet_node: Callable[..., TailnetNode]
) -> None:
    # Headscale 0.29 stores a missing expiration as "now": such a key can never log a node in.
    with headscale.api() as client:
        response = client.post("/preauthkey", json={"user": str(headscale.user_id)})
    assert response.status_code == 200, response.text
    key = response.json()["preAuthKey"]["key"]
    with pytest.raises(RuntimeError, match="expired"):
        tailnet_node("charon-expired", key)


def test_headscale_namespace_has_no_way_out(headscale: HeadscaleServer) -> None:
    # Sealing: only the /30 to the root namespace is routed, so nothing can reach the internet.
    routes = headscale.netns.run(["ip", "-4", "route", "show"]).stdout.splitlines()
    assert routes and not any(line.startswith("default") for line in routes)
    assert all("/30" in line.split()[0] for line in routes), routes


@pytest.mark.parametrize("server_fixture", ["headscale", "headscale_legacy"])
def test_stopped_node_goes_offline_but_stays_listed(
    server_fixture: str,
    request: pytest.FixtureRequest,
    tailnet_node: Callable[..., TailnetNode],
) -> None:
    # What stale-node cleanup sees: the node stays registered, ``online`` turns false
    # (0.29 waits about 10 s after the map stream drops, 0.25 at once).
    server: HeadscaleServer = request.getfixturevalue(server_fixture)
    user = server.user if server.legacy else str(server.user_id)
    hostname = f"charon-gone-{server_fixture.replace('_', '-')}"
    node = tailnet_node(hostname, _create_key(server, user)["key"], server=server)
    assert _online_settles(server, hostname, want=True)["online"] is True
    node.stop()
    listed = _online_settles(server, hostname, want=False)
    assert listed.get("online") is not True
    assert listed["lastSeen"]


def _online_settles(server: HeadscaleServer, hostname: str, *, want: bool) -> dict[str, Any]:
    """Poll (bounded) until the listed node's ``online`` flag is ``want``; returns the last view."""
    for _ in range(120):
        listed = _listed(server, hostname)
        if bool(listed.get("online")) is want:
            break
        time.sleep(0.5)
    return listed
