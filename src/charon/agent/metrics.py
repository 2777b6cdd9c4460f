"""The sidecar's Prometheus metrics, in a registry of its own (no process-global state)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

__all__ = ["Metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.started = time.monotonic()
        self.last_sync: float | None = None
        self.syncs = Counter(
            "charon_agent_dns_syncs",
            "Reconcile passes that ended with our records in place",
            registry=self.registry,
        )
        self.repairs = Counter(
            "charon_agent_dns_repairs",
            "Writes to DNS, by reason (created, missing, changed, moved)",
            ["reason"],
            registry=self.registry,
        )
        self.conflicts = Counter(
            "charon_agent_dns_conflicts",
            "Passes that found the name held by records we do not own (left untouched)",
            registry=self.registry,
        )
        self.conflict = Gauge(
            "charon_agent_dns_conflict",
            "1 while the name is held by records we do not own",
            registry=self.registry,
        )
        self.api_errors = Counter(
            "charon_agent_api_errors",
            "Failed calls by API (headscale, state-secret, dns) and kind (retryable, permanent)",
            ["api", "kind"],
            registry=self.registry,
        )
        self.api_calls = Counter(
            "charon_agent_api_calls",
            "Calls made, by API (headscale, state-secret, dns)",
            ["api"],
            registry=self.registry,
        )
        since = Gauge(
            "charon_agent_seconds_since_last_sync",
            "Seconds since the records were last confirmed (since start before the first)",
            registry=self.registry,
        )
        since.set_function(self.seconds_since_last_sync)

    def seconds_since_last_sync(self) -> float:
        return time.monotonic() - (self.last_sync if self.last_sync is not None else self.started)

    def mark_synced(self) -> None:
        self.last_sync = time.monotonic()
        self.syncs.inc()

    def render(self) -> bytes:
        data: bytes = generate_latest(self.registry)
        return data
