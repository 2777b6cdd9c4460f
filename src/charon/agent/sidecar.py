"""``charon agent dns``: publish the pod's VPN address and keep it right.

One pass reads the pod's addresses and the records at our name, plans (``ownership.plan``) and
writes only what differs, so a healthy steady state costs two reads per interval. Pacing:

* waiting for the node: short jittered polls (0.2 s growing to 1 s, 5 s after a minute), so a node
  is noticed within about a second of appearing without hammering Headscale;
* in sync: one pass per ``CHARON_AGENT_INTERVAL`` (repairs deletions, edits and address moves);
* retryable failure: the server's ``retry-after`` or jittered backoff up to 15 s;
* permanent failure: the loop stops and the command exits 78, so the restart count shows it.

A name held by records without our ownership TXT is reported (log line on change, metric) and
never written.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from charon.agent.backoff import Backoff, sleep
from charon.agent.config import AgentConfig
from charon.agent.dns import ADDRESS_TYPES, Provider, Record
from charon.agent.log import get_logger
from charon.agent.metrics import Metrics
from charon.agent.nodes import AddressSource
from charon.agent.ownership import Owner, plan
from charon.errors import AgentError, PermanentError, RetryableError

__all__ = ["Outcome", "Sidecar"]

log = get_logger("dns")

WAITING, IN_SYNC, WROTE, CONFLICT = "waiting", "in-sync", "wrote", "conflict"


@dataclass(frozen=True, slots=True)
class Outcome:
    state: str  # waiting | in-sync | wrote | conflict
    addresses: tuple[str, ...] = ()
    detail: str = ""


class Sidecar:
    def __init__(
        self,
        config: AgentConfig,
        source: AddressSource,
        provider: Provider | None,
        metrics: Metrics | None = None,
    ) -> None:
        self.config, self.source, self.provider = config, source, provider
        self.metrics = metrics or Metrics()
        self.owner = Owner(config.dns_owner_id, config.resource)
        self.published: tuple[str, ...] = ()
        self._conflict = ""
        self.last_pass = time.monotonic()

    async def sync_once(self) -> Outcome:
        """One reconcile pass; raises RetryableError/PermanentError after counting it."""
        self.last_pass = time.monotonic()
        api = self.source.name
        try:
            self.metrics.api_calls.labels(api).inc()
            addresses = await self.source.addresses()
            if not addresses:
                return Outcome(WAITING)
            if self.provider is None:
                self.metrics.mark_synced()
                return Outcome(IN_SYNC, addresses)
            api = "dns"
            self.metrics.api_calls.labels(api).inc()
            records = await self.provider.records(self.config.dns_name)
            decision = plan(
                self.config.dns_name, records, list(addresses), self.owner, self.config.dns_ttl
            )
            if decision.conflict:
                self._report(decision.conflict)
                return Outcome(CONFLICT, addresses, decision.conflict)
            self._report("")
            if not decision.change:
                self.published = addresses
                self.metrics.mark_synced()
                return Outcome(IN_SYNC, addresses)
            reason = self._reason(decision.claimed, decision.change.delete, addresses)
            self.metrics.api_calls.labels(api).inc()
            await self.provider.apply(decision.change)
        except AgentError as exc:
            kind = "permanent" if isinstance(exc, PermanentError) else "retryable"
            self.metrics.api_errors.labels(api, kind).inc()
            raise
        self.metrics.repairs.labels(reason).inc()
        log.info(
            "%s %s -> %s (%s)",
            "published" if reason == "created" else "repaired",
            self.config.dns_name,
            ", ".join(addresses),
            reason,
        )
        self.published = addresses
        self.metrics.mark_synced()
        return Outcome(WROTE, addresses, reason)

    def _reason(
        self, claimed: bool, deleting: tuple[Record, ...], addresses: tuple[str, ...]
    ) -> str:
        if not claimed:
            return "created"
        if self.published and self.published != addresses:
            return "moved"
        return "changed" if any(r.rtype in ADDRESS_TYPES for r in deleting) else "missing"

    def _report(self, conflict: str) -> None:
        self.metrics.conflict.set(1 if conflict else 0)
        if conflict:
            self.metrics.conflicts.inc()
            if conflict != self._conflict:
                log.warning("not publishing: %s; leaving them untouched", conflict)
        elif self._conflict:
            log.info("the conflict at %s is gone", self.config.dns_name)
        self._conflict = conflict

    def healthy(self) -> bool:
        """Alive while passes keep happening (a wedged loop fails the liveness probe)."""
        return time.monotonic() - self.last_pass < max(3 * self.config.interval, 90.0)

    async def run(self, stop: asyncio.Event) -> None:
        """Loop until ``stop`` is set; a PermanentError ends the loop by propagating."""
        wait = Backoff(initial=0.2, factor=1.5, cap=1.0)
        errors = Backoff(initial=0.5, factor=2.0, cap=15.0)
        waiting_since: float | None = None
        while not stop.is_set():
            try:
                outcome = await self.sync_once()
            except RetryableError as exc:
                delay = exc.delay if exc.delay is not None else errors.next()
                log.warning("sync failed, retrying in %.1fs: %s", delay, exc)
                if await sleep(stop, delay):
                    return
                continue
            errors.reset()
            if outcome.state == WAITING:
                now = time.monotonic()
                waiting_since = waiting_since or now
                if now - waiting_since > 60:
                    wait.cap = 5.0
                delay = wait.next()
            else:
                waiting_since = None
                wait.reset()
                wait.cap = 1.0
                delay = self.config.interval
            if await sleep(stop, delay):
                return
