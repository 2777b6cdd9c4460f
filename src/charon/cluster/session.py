"""Synchronous entry points for the command line: connect, run one engine coroutine, close.

The engine is async (it sends many requests at once); the command line is not. Each function here
opens one transport, runs to completion under ``asyncio.run`` and always closes the connection
pool, so no client outlives the command (tests run with warnings as errors).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from charon.cluster.engine import ApplyResult, apply_plan, load_plan
from charon.cluster.events import Reporter, ignore
from charon.cluster.executor import ApplyOptions
from charon.cluster.kubeconfig import load_config
from charon.cluster.plan import Plan
from charon.cluster.status import PlatformStatus, read_status
from charon.cluster.transport import KubeTransport, Transport
from charon.compile.model import CompiledPlatform

__all__ = ["Target", "apply", "plan", "status"]

T = TypeVar("T")


class Target:
    """Which cluster: a kubeconfig file (or the usual search) and a context."""

    def __init__(self, kubeconfig: Path | None = None, context: str | None = None) -> None:
        self.kubeconfig, self.context = kubeconfig, context

    def run(self, work: Callable[[Transport], Awaitable[T]]) -> T:
        config = load_config(self.kubeconfig, self.context)

        async def main() -> T:
            transport = KubeTransport(config)
            try:
                return await work(transport)
            finally:
                await transport.aclose()

        return asyncio.run(main())


def plan(target: Target, compiled: CompiledPlatform) -> Plan:
    return target.run(lambda t: load_plan(t, compiled))


def apply(
    target: Target,
    compiled: CompiledPlatform,
    opts: ApplyOptions,
    report: Reporter = ignore,
    *,
    prune_only: bool = False,
) -> ApplyResult:
    """Plan against the live inventory and execute it (``prune_only``: skip the stages)."""

    async def work(t: Transport) -> ApplyResult:
        planned = await load_plan(t, compiled)
        if prune_only:
            planned = Plan(planned.platform, planned.stages[:0], planned.prune,
                           planned.previous, planned.current, planned.notes)  # fmt: skip
        return await apply_plan(t, planned, opts, report)

    return target.run(work)


def status(target: Target, compiled: CompiledPlatform) -> PlatformStatus:
    async def work(t: Transport) -> PlatformStatus:
        return await read_status(t, await load_plan(t, compiled))

    return target.run(work)
