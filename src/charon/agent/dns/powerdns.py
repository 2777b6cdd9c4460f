"""The PowerDNS Authoritative HTTP API (``X-API-Key``; RRsets replaced whole with PATCH).

PowerDNS edits RRsets, not single records: each change becomes one ``REPLACE`` (or ``DELETE``
when nothing is left) of the affected (name, type) RRsets, computed from the snapshot the change
was planned from. The read asks for just our name (``rrset_name``, PowerDNS 4.8+) and filters
again here, so an older server that ignores the filter still works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from charon.agent._http import make_client, request_json
from charon.agent.dns import MANAGED_TYPES, Change, Record
from charon.errors import PermanentError

if TYPE_CHECKING:
    import httpx

    from charon.agent.config import AgentConfig

__all__ = ["PowerDnsProvider", "from_config"]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text


class PowerDnsProvider:
    name = "powerdns"

    def __init__(
        self,
        url: str,
        api_key: str,
        zone: str,
        *,
        server_id: str = "localhost",
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.zone = zone
        self._path = f"/api/v1/servers/{quote(server_id, safe='')}/zones/{quote(zone, safe='')}"
        self._http = make_client(url, {"X-API-Key": api_key}, timeout, transport=transport)

    async def records(self, name: str) -> list[Record]:
        body: Any = await request_json(
            self._http, "GET", self._path, "powerdns read zone", params={"rrset_name": name}
        )
        found: list[Record] = []
        for rrset in (body or {}).get("rrsets") or ():
            rtype = rrset.get("type")
            if str(rrset.get("name", "")).lower() != name or rtype not in MANAGED_TYPES:
                continue
            ttl = int(rrset.get("ttl", 0))
            for rec in rrset.get("records") or ():
                if rec.get("disabled"):
                    continue
                content = str(rec.get("content", ""))
                value = _unquote(content) if rtype == "TXT" else content
                found.append(Record(name, rtype, value, ttl))
        return sorted(found)

    async def apply(self, change: Change) -> None:
        touched = sorted({r.rtype for r in change.delete + change.add})
        rrsets: list[dict[str, Any]] = []
        for rtype in touched:
            remaining = [r for r in change.snapshot if r.rtype == rtype and r not in change.delete]
            final = sorted(set(remaining) | {r for r in change.add if r.rtype == rtype})
            if not final:
                rrsets.append({"name": change.name, "type": rtype, "changetype": "DELETE"})
                continue
            ttl = max((r.ttl for r in change.add if r.rtype == rtype), default=final[0].ttl)
            rrsets.append(
                {
                    "name": change.name,
                    "type": rtype,
                    "ttl": ttl,
                    "changetype": "REPLACE",
                    "records": [
                        {
                            "content": _quote(r.value) if rtype == "TXT" else r.value,
                            "disabled": False,
                        }
                        for r in final
                    ],
                }
            )
        if rrsets:
            await request_json(
                self._http, "PATCH", self._path, "powerdns update", body={"rrsets": rrsets}
            )

    async def aclose(self) -> None:
        await self._http.aclose()


def from_config(
    config: AgentConfig, transport: httpx.AsyncBaseTransport | None
) -> PowerDnsProvider:
    if config.powerdns_api_key is None:
        raise PermanentError("CHARON_POWERDNS_API_KEY_FILE: required but not set")
    return PowerDnsProvider(
        config.powerdns_url,
        config.powerdns_api_key.value,
        config.dns_zone,
        server_id=config.powerdns_server_id,
        timeout=config.http_timeout,
        transport=transport,
    )
