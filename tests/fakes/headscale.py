"""A small Headscale REST API stand-in for unit tests of the agent's logic, per API generation.

The integration tests use the real headscale (tests/peers/vpn.py); this fake exists so the pure
logic (which node is stale, which request body each version needs) is tested on every run, even
where the testbed is not built. It enforces exactly the version differences the agent must
honour (api-notes.md §1): pre-auth key ``user`` is a name before 0.26 and a numeric id from 0.26;
expire takes ``{user, key}`` before 0.28 and ``{id}`` from 0.28; tagged keys without a user only
from 0.28, producing nodes owned by ``tagged-devices``. Errors look like grpc-gateway's.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from fakes._serve import serve, transport

__all__ = ["FakeHeadscale"]


@dataclass
class FakeHeadscale:
    version: str = "v0.28.0"
    api_key: str = "hskey-api-test-secret"
    users: dict[str, str] = field(default_factory=lambda: {"1": "charon", "2": "other"})
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    down: bool = False  # answer 503 to everything, like a restarting server behind a proxy
    requests: list[tuple[str, str]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def vt(self) -> tuple[int, int]:
        major, minor = self.version.lstrip("v").split(".")[:2]
        return int(major), int(minor)

    def add_node(
        self,
        hostname: str,
        user: str = "charon",
        ips: tuple[str, ...] = ("100.64.0.1",),
        tags: tuple[str, ...] = (),
        online: bool = False,
    ) -> str:
        with self._lock:
            nid = str(next(self._ids))
            uid = next((k for k, v in self.users.items() if v == user), "99")
            self.nodes[nid] = {
                "id": nid,
                "name": hostname,
                "givenName": hostname,
                "user": {"id": uid, "name": user},
                "ipAddresses": list(ips),
                "online": online,
                "createdAt": "2026-01-01T00:00:00Z",
                ("tags" if self.vt >= (0, 28) else "forcedTags"): list(tags),
            }
            return nid

    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            status, payload = self._handle(method, url, headers, body)
        return status, {"content-type": "application/json"}, json.dumps(payload).encode()

    def _handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(url)
        path, query = parts.path, parse_qs(parts.query)
        self.requests.append((method, path))
        if self.down:
            return 503, {"code": 14, "message": "unavailable"}
        if path == "/version":
            # The endpoint arrived in 0.27 (juanfont/headscale#2821); older servers answer 404,
            # as the real 0.25 build in the testbed does.
            if self.vt < (0, 27):
                return 404, {"code": 5, "message": "Not Found"}
            return 200, {"version": self.version}
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if auth != f"Bearer {self.api_key}":
            return 401, {"code": 16, "message": "Unauthorized"}
        data = json.loads(body) if body else {}
        if path == "/api/v1/user" and method == "GET":
            name = (query.get("name") or [""])[0]
            users = [{"id": k, "name": v} for k, v in self.users.items() if not name or v == name]
            return 200, {"users": users}
        if path == "/api/v1/node" and method == "GET":
            user = (query.get("user") or [""])[0]
            nodes = [n for n in self.nodes.values() if not user or n["user"]["name"] == user]
            return 200, {"nodes": nodes}
        if path.startswith("/api/v1/node/") and method == "DELETE":
            nid = path.rsplit("/", 1)[1]
            if self.nodes.pop(nid, None) is None:
                return 500, {"code": 2, "message": "record not found"}
            return 200, {}
        if path == "/api/v1/preauthkey" and method == "GET":
            user = (query.get("user") or [""])[0]
            if (0, 26) <= self.vt < (0, 28) and not user.isdigit():
                return 400, {"code": 3, "message": "type mismatch, parameter: user"}
            return 200, {"preAuthKeys": []}
        if path == "/api/v1/preauthkey" and method == "POST":
            return self._create_key(data)
        if path == "/api/v1/preauthkey/expire" and method == "POST":
            return self._expire_key(data)
        return 404, {"code": 5, "message": "Not Found"}

    def _create_key(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        user = data.get("user")
        if user is None:
            if self.vt < (0, 28) or not data.get("aclTags"):
                return 400, {"code": 3, "message": "user is required"}
            owner = "tagged-devices"
        elif self.vt >= (0, 26):
            if not str(user).isdigit() or str(user) not in self.users:
                return 400, {"code": 3, "message": "invalid user id"}
            owner = self.users[str(user)]
        else:
            if user not in self.users.values():
                return 500, {"code": 2, "message": "user not found"}
            owner = user
        kid = str(next(self._ids))
        key = {
            "id": kid,
            "key": f"hskey-auth-{kid}-secretsecret",
            "user": owner,
            "reusable": data.get("reusable", False),
            "ephemeral": data.get("ephemeral", False),
            "aclTags": data.get("aclTags", []),
            "expiration": data.get("expiration"),
            "expired": False,
        }
        self.keys[kid] = key
        return 200, {"preAuthKey": {**key, "user": {"name": owner}}}

    def _expire_key(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.vt >= (0, 28):
            if set(data) != {"id"} or str(data["id"]) not in self.keys:
                return 400, {"code": 3, "message": "expire needs a known id"}
            self.keys[str(data["id"])]["expired"] = True
            return 200, {}
        want_user = data.get("user")
        for key in self.keys.values():
            owner_ok = (
                want_user == key["user"]
                if self.vt < (0, 26)
                else self.users.get(str(want_user)) == key["user"]
            )
            if key["key"] == data.get("key") and owner_ok:
                key["expired"] = True
                return 200, {}
        return 500, {"code": 2, "message": "preauthkey not found"}

    def transport(self) -> httpx.MockTransport:
        return transport(self.handle)

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        with serve(self.handle) as url:
            yield url
