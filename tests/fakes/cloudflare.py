"""A fake Cloudflare API v4 (DNS records only), following the documented contract.

Cloudflare cannot run here, so this is the one fake the agent's tests use. What it keeps from the
real API (api-notes.md §2; developers.cloudflare.com/api/resources/dns/subresources/records):

* the envelope ``{success, errors[{code, message}], messages, result, result_info}``;
* Bearer token auth (403, code 10000 "Authentication error" otherwise);
* ``GET /zones/{zone}/dns_records`` with ``name``/``name.exact``, ``type``, ``page``, ``per_page``;
  ``POST``, ``PATCH``, ``PUT``, ``DELETE`` on ``/dns_records[/{id}]``;
* validation: A/AAAA content must be an address of that family, ``proxied`` only on A/AAAA/CNAME,
  TTL 1 (auto) or 60..86400, names inside the zone, identical records refused (code 81058);
* the rate limit: ``limit`` requests per ``window`` seconds, then HTTP 429 with ``retry-after`` for
  ``block`` seconds (code 10000 "Rate limited"); the clock is injectable.

It serves as an httpx transport (``.transport()``) or on a loopback port (``.serve()``) for the
agent running as a real process.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from fakes._serve import serve, transport

__all__ = ["FakeCloudflare"]


@dataclass
class FakeCloudflare:
    zone_id: str = "0123456789abcdef0123456789abcdef"
    zone_name: str = "charon.test"
    token: str = "cf-test-token"
    limit: int = 1200
    window: float = 300.0
    block: float = 300.0
    clock: Callable[[], float] = time.monotonic
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    throttled: int = 0
    _sent: list[float] = field(default_factory=list)
    _blocked_until: float = 0.0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the API -------------------------------------------------------------------------------
    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            status, extra, payload = self._handle(method, url, headers, body)
        return status, {"content-type": "application/json", **extra}, json.dumps(payload).encode()

    def _handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        parts = urlsplit(url)
        self.requests.append((method, parts.path))
        now = self.clock()
        if now < self._blocked_until:
            self.throttled += 1
            wait = max(1, round(self._blocked_until - now))
            return 429, {"retry-after": str(wait)}, _fail(10000, "Rate limited")
        self._sent = [t for t in self._sent if t > now - self.window]
        self._sent.append(now)
        if len(self._sent) > self.limit:
            self._blocked_until = now + self.block
            self.throttled += 1
            return 429, {"retry-after": str(round(self.block))}, _fail(10000, "Rate limited")
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if auth != f"Bearer {self.token}":
            return 403, {}, _fail(10000, "Authentication error")
        path = parts.path.rstrip("/")
        for prefix in ("/client/v4", ""):
            base = f"{prefix}/zones/{self.zone_id}/dns_records"
            if path == base:
                if method == "GET":
                    return self._list(parse_qs(parts.query))
                if method == "POST":
                    return self._create(_json(body))
            elif path.startswith(base + "/"):
                rid = path[len(base) + 1 :]
                if rid not in self.records:
                    return 404, {}, _fail(81044, "Record does not exist.")
                if method == "GET":
                    return 200, {}, _ok(self.records[rid])
                if method == "DELETE":
                    del self.records[rid]
                    return 200, {}, _ok({"id": rid})
                if method in ("PATCH", "PUT"):
                    return self._update(rid, _json(body), replace=method == "PUT")
        return 404, {}, _fail(7003, "Could not route to " + parts.path)

    def _list(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], dict[str, Any]]:
        name = (query.get("name.exact") or query.get("name") or [""])[0].lower().rstrip(".")
        rtype = (query.get("type") or [""])[0]
        rows = [
            r
            for r in sorted(self.records.values(), key=lambda r: r["id"])
            if (not name or r["name"] == name) and (not rtype or r["type"] == rtype)
        ]
        per_page = max(5, min(5000, int((query.get("per_page") or ["100"])[0])))
        page = max(1, int((query.get("page") or ["1"])[0]))
        chunk = rows[(page - 1) * per_page : page * per_page]
        info = {
            "page": page,
            "per_page": per_page,
            "count": len(chunk),
            "total_count": len(rows),
            "total_pages": max(1, -(-len(rows) // per_page)),
        }
        return 200, {}, {**_ok(chunk), "result_info": info}

    def _validate(self, rec: dict[str, Any]) -> str:
        rtype, content, name = rec.get("type"), str(rec.get("content", "")), rec.get("name", "")
        if rtype not in ("A", "AAAA", "TXT", "CNAME"):
            return f"unsupported type {rtype}"
        if not (name == self.zone_name or name.endswith("." + self.zone_name)):
            return "Record name is not in the zone"
        if rtype in ("A", "AAAA"):
            try:
                version = ipaddress.ip_address(content).version
            except ValueError:
                return "Content for A/AAAA record is invalid"
            if version != (4 if rtype == "A" else 6):
                return f"Content for {rtype} record is invalid"
        if rec.get("proxied") and rtype not in ("A", "AAAA", "CNAME"):
            return "This record type cannot be proxied"
        ttl = rec.get("ttl", 1)
        if not isinstance(ttl, int) or not (ttl == 1 or 60 <= ttl <= 86400):
            return "TTL must be between 60 and 86400 seconds, or 1 for Automatic"
        for other in self.records.values():
            same = (other["type"], other["name"], other["content"])
            if other["id"] != rec.get("id") and same == (rtype, name, content):
                return "An identical record already exists."
        return ""

    def _create(self, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        rec = {
            "id": f"{next(self._ids):032x}",
            "zone_id": self.zone_id,
            "zone_name": self.zone_name,
            "type": body.get("type"),
            "name": str(body.get("name", "")).lower().rstrip("."),
            "content": body.get("content", ""),
            "ttl": body.get("ttl", 1),
            "proxied": bool(body.get("proxied", False)),
            "comment": body.get("comment"),
            "tags": body.get("tags", []),
        }
        problem = self._validate(rec)
        if problem:
            code = 81058 if "identical" in problem else 9000
            return 400, {}, _fail(code, problem)
        self.records[rec["id"]] = rec
        return 200, {}, _ok(rec)

    def _update(
        self, rid: str, body: dict[str, Any], *, replace: bool
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        rec = dict(self.records[rid])
        if replace:
            rec.update({"proxied": False, "comment": None, "tags": []})
        rec.update({k: v for k, v in body.items() if k in ("type", "content", "ttl", "proxied")})
        if "name" in body:
            rec["name"] = str(body["name"]).lower().rstrip(".")
        problem = self._validate(rec)
        if problem:
            return 400, {}, _fail(9000, problem)
        self.records[rid] = rec
        return 200, {}, _ok(rec)

    # -- helpers for tests ---------------------------------------------------------------------
    def add(self, rtype: str, name: str, content: str, ttl: int = 60) -> str:
        """Put a record in place as someone else would (not counted against the budget)."""
        with self._lock:
            status, _, body = self._create(
                {"type": rtype, "name": name, "content": content, "ttl": ttl}
            )
        assert status == 200, body
        return str(body["result"]["id"])

    def at(self, name: str) -> list[tuple[str, str]]:
        name = name.rstrip(".")
        with self._lock:
            return sorted(
                (r["type"], r["content"]) for r in self.records.values() if r["name"] == name
            )

    def transport(self) -> httpx.MockTransport:
        return transport(self.handle)

    @contextlib.contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on 127.0.0.1; yields the API base URL (``.../client/v4``)."""
        with serve(self.handle) as url:
            yield url + "/client/v4"


def _ok(result: Any) -> dict[str, Any]:
    return {"success": True, "errors": [], "messages": [], "result": result}


def _fail(code: int, message: str) -> dict[str, Any]:
    return {
        "success": False,
        "errors": [{"code": code, "message": message}],
        "messages": [],
        "result": None,
    }


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
