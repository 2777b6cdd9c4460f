"""DNS providers behind one small interface.

A provider answers two questions for one owner name: what A, AAAA and TXT records exist there
(:meth:`Provider.records`), and apply one :class:`Change` to them (:meth:`Provider.apply`). All
ownership decisions are made above it (``charon.agent.ownership``), so a provider stays a thin
translation to one API. A :class:`Change` carries the snapshot it was planned from; providers that
can (RFC2136 prerequisites) make the write conditional on it, the others re-read first.

Adding a provider is one module ``charon.agent.dns.<name>`` exposing
``from_config(config, transport) -> Provider``, plus its name in ``config.PROVIDERS``. Provider
modules are imported lazily, so a sidecar only loads the library it uses.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

    from charon.agent.config import AgentConfig

__all__ = ["ADDRESS_TYPES", "Change", "Provider", "Record", "make_provider"]

ADDRESS_TYPES = ("A", "AAAA")
MANAGED_TYPES = ("A", "AAAA", "TXT")


@dataclass(frozen=True, slots=True, order=True)
class Record:
    """One resource record; ``name`` is an absolute lower-case FQDN, TXT ``value`` is unquoted."""

    name: str
    rtype: str
    value: str
    ttl: int = field(default=60, compare=False)
    ref: str = field(default="", compare=False)  # the provider's id for the record, if any


@dataclass(frozen=True, slots=True)
class Change:
    """Deletes then adds at one name, planned from ``snapshot`` (every managed record there)."""

    name: str
    snapshot: tuple[Record, ...]
    delete: tuple[Record, ...] = ()
    add: tuple[Record, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.delete or self.add)


class Provider(Protocol):
    name: str

    async def records(self, name: str) -> list[Record]:
        """Every A, AAAA and TXT record at exactly ``name``."""
        ...

    async def apply(self, change: Change) -> None:
        """Perform ``change``; raise RetryableError if the records moved under it."""
        ...

    async def aclose(self) -> None: ...


def make_provider(
    config: AgentConfig, transport: httpx.AsyncBaseTransport | None = None
) -> Provider:
    """The configured provider; the module is imported only now, so unused libraries stay out."""
    module = importlib.import_module(f"charon.agent.dns.{config.dns_provider}")
    provider: Provider = module.from_config(config, transport)
    return provider
