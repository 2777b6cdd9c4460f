"""RFC2136 dynamic updates signed with TSIG (BIND, Knot, PowerDNS, Technitium all accept them).

Reads are TSIG-signed TCP queries straight to the primary, so no resolver cache sits between the
agent and the truth. Writes carry RFC2136 prerequisites equal to the snapshot they were planned
from (each managed RRset exactly as read, or absent), which makes every update a compare-and-swap:
a record someone changed in between fails the update with YXRRSET/NXRRSET instead of being
overwritten, and the next round re-plans from fresh data.
"""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.tsig
import dns.tsigkeyring
import dns.update

from charon.agent.dns import MANAGED_TYPES, Change, Record
from charon.errors import PermanentError, RetryableError

if TYPE_CHECKING:
    import httpx

    from charon.agent.config import AgentConfig

__all__ = ["Rfc2136Provider", "from_config"]

_PERMANENT_RCODES = {dns.rcode.REFUSED, dns.rcode.NOTAUTH, dns.rcode.NOTZONE, dns.rcode.FORMERR}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rdata(record: Record) -> Any:
    value = _quote(record.value) if record.rtype == "TXT" else record.value
    return dns.rdata.from_text(dns.rdataclass.IN, record.rtype, value)


def _text(rdata: Any, rtype: str) -> str:
    if rtype == "TXT":
        return "".join(s.decode("utf-8", "replace") for s in rdata.strings)
    return str(rdata.to_text())


class Rfc2136Provider:
    name = "rfc2136"

    def __init__(
        self,
        server: str,
        port: int,
        zone: str,
        *,
        key_name: str = "",
        algorithm: str = "hmac-sha256",
        secret: str = "",
        timeout: float = 5.0,
    ) -> None:
        self.server, self.port, self.zone, self.timeout = server, port, zone, timeout
        self._keyring: dict[Any, Any] | None = None
        self._key_name: Any = None
        self._algorithm: Any = dns.name.from_text(algorithm)
        if key_name:
            try:
                self._keyring = dns.tsigkeyring.from_text({key_name: secret})
            except (ValueError, dns.exception.DNSException) as exc:
                raise PermanentError(
                    "CHARON_RFC2136_TSIG_SECRET_FILE: not a base64 TSIG secret"
                ) from exc
            self._key_name = dns.name.from_text(key_name)

    async def _address(self) -> str:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                self.server, self.port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise RetryableError(f"rfc2136: cannot resolve {self.server}: {exc}") from exc
        return str(infos[0][4][0])

    async def _send(self, message: Any, what: str) -> Any:
        where = await self._address()
        try:
            response = await dns.asyncquery.tcp(
                message, where, port=self.port, timeout=self.timeout
            )
        except (dns.tsig.PeerBadKey, dns.tsig.PeerBadSignature, dns.tsig.BadSignature) as exc:
            raise PermanentError(f"rfc2136 {what}: TSIG rejected ({exc})") from exc
        except (OSError, EOFError, dns.exception.Timeout) as exc:
            raise RetryableError(f"rfc2136 {what}: {self.server}:{self.port}: {exc}") from exc
        except dns.exception.DNSException as exc:
            raise RetryableError(f"rfc2136 {what}: {exc}") from exc
        rcode = response.rcode()
        if rcode in _PERMANENT_RCODES:
            raise PermanentError(f"rfc2136 {what}: server answered {dns.rcode.to_text(rcode)}")
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            # YXRRSET/NXRRSET: the records changed since we read them; SERVFAIL: try later.
            raise RetryableError(f"rfc2136 {what}: server answered {dns.rcode.to_text(rcode)}")
        return response

    def _sign(self, message: Any) -> None:
        if self._keyring is not None:
            message.use_tsig(self._keyring, keyname=self._key_name, algorithm=self._algorithm)

    async def records(self, name: str) -> list[Record]:
        queries = []
        for rtype in MANAGED_TYPES:
            query = dns.message.make_query(name, rtype)
            query.flags &= ~dns.flags.RD
            self._sign(query)
            queries.append(self._send(query, f"query {name} {rtype}"))
        found: list[Record] = []
        for response in await asyncio.gather(*queries):
            for rrset in response.answer:
                rtype = dns.rdatatype.to_text(rrset.rdtype)
                if rtype not in MANAGED_TYPES or rrset.name.to_text().lower() != name:
                    continue
                found += [Record(name, rtype, _text(rd, rtype), rrset.ttl) for rd in rrset]
        return sorted(found)

    async def apply(self, change: Change) -> None:
        update = dns.update.UpdateMessage(
            self.zone, keyring=self._keyring, keyname=self._key_name, keyalgorithm=self._algorithm
        )
        for rtype in MANAGED_TYPES:
            present = [_rdata(r) for r in change.snapshot if r.rtype == rtype]
            if present:
                update.present(change.name, *present)
            else:
                update.absent(change.name, rtype)
        for record in change.delete:
            update.delete(change.name, _rdata(record))
        for record in change.add:
            update.add(change.name, record.ttl, _rdata(record))
        await self._send(update, f"update {change.name}")

    async def aclose(self) -> None:
        return None


def from_config(config: AgentConfig, transport: httpx.AsyncBaseTransport | None) -> Rfc2136Provider:
    del transport  # DNS, not HTTP
    secret = config.rfc2136_tsig_secret
    if config.rfc2136_tsig_key_name and secret is None:
        raise PermanentError("CHARON_RFC2136_TSIG_SECRET_FILE: required with a TSIG key name")
    return Rfc2136Provider(
        config.rfc2136_server,
        config.rfc2136_port,
        config.dns_zone,
        key_name=config.rfc2136_tsig_key_name,
        algorithm=config.rfc2136_tsig_algorithm,
        secret=secret.value if secret else "",
        timeout=config.http_timeout,
    )
