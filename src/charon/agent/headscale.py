"""Async client for the parts of the Headscale REST API the agent needs, across API generations.

Headscale changed two calls under the same paths: the pre-auth key ``user`` field is a user *name*
before 0.26 and a numeric *id* from 0.26, and expiring a key takes ``{user, key}`` before 0.28 and
``{id}`` from 0.28. The client probes ``/version`` once and speaks the matching dialect, so one
agent image works against every server a platform may run (api-notes.md §1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from charon.agent._http import make_client, request_json
from charon.errors import PermanentError, RetryableError

__all__ = ["HeadscaleClient", "Node", "PreAuthKey", "parse_version"]


def parse_version(text: str) -> tuple[int, int, int]:
    """``v0.26.1`` / ``0.23.0-beta.2`` / ``dev`` -> a comparable triple (``dev`` is newest)."""
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if not match:
        return (999, 0, 0)
    return (int(match[1]), int(match[2]), int(match[3] or 0))


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str  # the hostname the client reported
    given_name: str  # the DNS-safe name Headscale assigned
    user: str
    tags: frozenset[str]
    ips: tuple[str, ...]
    online: bool
    created_at: str

    @classmethod
    def from_api(cls, raw: dict[str, Any]) -> Node:
        user = raw.get("user") or {}
        tags: set[str] = set()
        for key in ("tags", "forcedTags", "validTags"):
            tags.update(str(t) for t in raw.get(key) or ())
        return cls(
            id=str(raw.get("id", "")),
            name=str(raw.get("name", "")),
            given_name=str(raw.get("givenName", "")),
            user=str(user.get("name", "")) if isinstance(user, dict) else str(user),
            tags=frozenset(tags),
            ips=tuple(str(ip) for ip in raw.get("ipAddresses") or ()),
            online=bool(raw.get("online", False)),
            created_at=str(raw.get("createdAt", "")),
        )


@dataclass(frozen=True, slots=True)
class PreAuthKey:
    id: str
    key: str  # the secret itself; never logged
    user: str

    def __repr__(self) -> str:
        return f"PreAuthKey(id={self.id!r}, user={self.user!r})"


class HeadscaleClient:
    """One Headscale server; use as ``async with``. ``transport`` lets tests swap the wire."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not url:
            raise PermanentError("CHARON_HEADSCALE_URL: required but not set")
        self._http = make_client(
            url, {"Authorization": f"Bearer {api_key}"}, timeout, transport=transport
        )
        self._version: tuple[int, int, int] | None = None

    async def __aenter__(self) -> HeadscaleClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def version(self) -> tuple[int, int, int]:
        if self._version is None:
            body = await request_json(
                self._http, "GET", "/version", "headscale version", allow_404=True
            )
            if body is None:
                self._version = await self._probe_dialect()
            else:
                text = str(body.get("version", "")) if isinstance(body, dict) else ""
                self._version = parse_version(text)
        return self._version

    async def _probe_dialect(self) -> tuple[int, int, int]:
        """Tell the pre-auth key dialect of a server too old to have ``/version`` (before 0.27).

        From 0.26 the ``user`` of the pre-auth key API is a numeric id, so grpc-gateway refuses a
        non-numeric one with 400 before any lookup; 0.25 and older take it as a user name and
        answer with the (empty) list or a lookup error instead.
        """
        try:
            await request_json(
                self._http,
                "GET",
                "/api/v1/preauthkey",
                "headscale dialect probe",
                params={"user": "charon-probe"},
                allow_404=True,
            )
        except PermanentError as exc:
            if "HTTP 400" in str(exc):
                return (0, 26, 0)
        except RetryableError as exc:
            if "HTTP 5" not in str(exc):
                raise  # the server is unreachable: try again later, do not guess
        return (0, 25, 0)

    async def user_id(self, name: str) -> str:
        body = await request_json(
            self._http, "GET", "/api/v1/user", "headscale list users", params={"name": name}
        )
        for user in (body or {}).get("users") or ():
            if user.get("name") == name:
                return str(user["id"])
        raise PermanentError(f"CHARON_HEADSCALE_USER: headscale has no user named {name!r}")

    async def nodes(self, user: str = "") -> list[Node]:
        params = {"user": user} if user else None
        body = await request_json(
            self._http, "GET", "/api/v1/node", "headscale list nodes", params=params
        )
        return [Node.from_api(raw) for raw in (body or {}).get("nodes") or ()]

    async def delete_node(self, node_id: str) -> None:
        """Delete one node; a node already gone counts as deleted."""
        try:
            await request_json(
                self._http,
                "DELETE",
                f"/api/v1/node/{node_id}",
                "headscale delete node",
                allow_404=True,
            )
        except RetryableError as exc:
            # Before 0.30 a missing node is a 500 "record not found", not a 404.
            if "not found" not in str(exc).lower():
                raise

    async def create_preauth_key(
        self,
        user: str,
        *,
        expiry_seconds: int,
        ephemeral: bool,
        tags: tuple[str, ...] = (),
        reusable: bool = False,
    ) -> PreAuthKey:
        expiration = datetime.now(UTC) + timedelta(seconds=expiry_seconds)
        body: dict[str, Any] = {
            "reusable": reusable,
            "ephemeral": ephemeral,
            "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aclTags": list(tags),
        }
        if user:
            body["user"] = await self.user_id(user) if await self.version() >= (0, 26) else user
        elif await self.version() < (0, 28) or not tags:
            raise PermanentError(
                "CHARON_HEADSCALE_USER: required unless tags are set on headscale 0.28 or newer"
            )
        reply = await request_json(
            self._http, "POST", "/api/v1/preauthkey", "headscale create pre-auth key", body=body
        )
        raw = (reply or {}).get("preAuthKey") or {}
        if not raw.get("key"):
            raise RetryableError("headscale create pre-auth key: reply holds no key")
        return PreAuthKey(id=str(raw.get("id", "")), key=str(raw["key"]), user=user)

    async def expire_preauth_key(self, key: PreAuthKey) -> None:
        """Expire a key this agent created earlier; used or unknown keys are not an error."""
        if await self.version() >= (0, 28):
            body: dict[str, Any] = {"id": key.id}
        else:
            user = await self.user_id(key.user) if await self.version() >= (0, 26) else key.user
            body = {"user": user, "key": key.key}
        try:
            await request_json(
                self._http,
                "POST",
                "/api/v1/preauthkey/expire",
                "headscale expire pre-auth key",
                body=body,
                allow_404=True,
            )
        except (RetryableError, PermanentError) as exc:
            if "not found" not in str(exc).lower():
                raise
