"""The Cloudflare API v4 DNS records endpoints (API token as Bearer).

Cloudflare allows 1200 requests per 5 minutes per user and answers 429 for a while after that.
The provider keeps its own sliding-window budget and refuses to send past it, raising a
RetryableError whose delay says when a slot frees up; a 429 from the server is honoured the same
way from its ``retry-after``. A changed address is a PATCH of the existing record (one request, no
moment without an answer). VPN addresses are never proxied: the edge could not reach them.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from charon.agent._http import RateLimitedError, make_client, request_json
from charon.agent.dns import ADDRESS_TYPES, MANAGED_TYPES, Change, Record
from charon.errors import PermanentError, RetryableError

if TYPE_CHECKING:
    import httpx

    from charon.agent.config import AgentConfig

__all__ = ["Budget", "CloudflareProvider", "from_config"]

DEFAULT_BLOCK = 300.0  # a 429 without retry-after: Cloudflare blocks for five minutes


class Budget:
    """At most ``limit`` requests in any ``window`` seconds, counted on this side."""

    def __init__(
        self, limit: int = 1200, window: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._sent: collections.deque[float] = collections.deque()
        self._blocked_until = 0.0

    def take(self) -> None:
        now = self._clock()
        if now < self._blocked_until:
            raise RetryableError("cloudflare: rate limited", delay=self._blocked_until - now)
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        if len(self._sent) >= self.limit:
            raise RetryableError(
                "cloudflare: client-side request budget used up",
                delay=self._sent[0] + self.window - now,
            )
        self._sent.append(now)

    def block(self, seconds: float) -> None:
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)


def _bare(name: str) -> str:
    return name.rstrip(".")


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


class CloudflareProvider:
    name = "cloudflare"

    def __init__(
        self,
        url: str,
        token: str,
        zone_id: str,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
        budget: Budget | None = None,
    ) -> None:
        self._base = f"/zones/{zone_id}/dns_records"
        self._http = make_client(
            url.rstrip("/") + "/", {"Authorization": f"Bearer {token}"}, timeout, transport
        )
        self.budget = budget or Budget()

    async def _call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        self.budget.take()
        try:
            body = await request_json(self._http, method, path.lstrip("/"), what, **kwargs)
        except RateLimitedError as exc:
            exc.delay = exc.delay if exc.delay is not None else DEFAULT_BLOCK
            self.budget.block(exc.delay)
            raise
        if isinstance(body, dict) and body.get("success") is False:
            errors = "; ".join(str(e.get("message", e)) for e in body.get("errors") or ())
            raise PermanentError(f"{what}: {errors or 'request failed'}")
        return body

    async def records(self, name: str) -> list[Record]:
        found: list[Record] = []
        page, pages = 1, 1
        while page <= pages:
            body = await self._call(
                "GET",
                self._base,
                "cloudflare list records",
                params={"name.exact": _bare(name), "per_page": "100", "page": str(page)},
            )
            for raw in body.get("result") or ():
                rtype = raw.get("type")
                if rtype not in MANAGED_TYPES or _bare(str(raw.get("name", ""))).lower() != (
                    _bare(name)
                ):
                    continue
                content = str(raw.get("content", ""))
                value = _unquote(content) if rtype == "TXT" else content
                found.append(Record(name, rtype, value, int(raw.get("ttl", 1)), str(raw["id"])))
            pages = int((body.get("result_info") or {}).get("total_pages") or 1)
            page += 1
        return sorted(found)

    def _body(self, record: Record) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": record.rtype,
            "name": _bare(record.name),
            "content": f'"{record.value}"' if record.rtype == "TXT" else record.value,
            "ttl": record.ttl,
        }
        if record.rtype in ADDRESS_TYPES:
            body["proxied"] = False
        return body

    async def apply(self, change: Change) -> None:
        deletes = list(change.delete)
        for record in change.add:
            # Reuse a record of the same type that is going away: one PATCH instead of two calls.
            reuse = next((d for d in deletes if d.rtype == record.rtype and d.ref), None)
            if reuse is not None:
                deletes.remove(reuse)
                await self._call(
                    "PATCH",
                    f"{self._base}/{reuse.ref}",
                    "cloudflare update record",
                    body=self._body(record),
                )
            else:
                await self._call(
                    "POST", self._base, "cloudflare create record", body=self._body(record)
                )
        for record in deletes:
            if not record.ref:
                continue
            await self._call(
                "DELETE", f"{self._base}/{record.ref}", "cloudflare delete record", allow_404=True
            )

    async def aclose(self) -> None:
        await self._http.aclose()


def from_config(
    config: AgentConfig, transport: httpx.AsyncBaseTransport | None
) -> CloudflareProvider:
    if config.cloudflare_api_token is None:
        raise PermanentError("CHARON_CLOUDFLARE_API_TOKEN_FILE: required but not set")
    return CloudflareProvider(
        config.cloudflare_api_url,
        config.cloudflare_api_token.value,
        config.cloudflare_zone_id,
        timeout=config.http_timeout,
        transport=transport,
    )
