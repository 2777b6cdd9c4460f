"""Run an idempotent step again after retryable failures, within a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from charon.agent.backoff import Backoff, sleep
from charon.agent.log import get_logger
from charon.errors import RetryableError

__all__ = ["retrying"]

T = TypeVar("T")
log = get_logger("retry")


async def retrying(
    step: Callable[[], Awaitable[T]],
    *,
    what: str,
    timeout: float,
    stop: asyncio.Event,
    backoff: Backoff | None = None,
) -> T:
    """``step()``'s result; a RetryableError is retried until ``timeout`` runs out, then raised.

    Permanent errors pass straight through: waiting will not fix them.
    """
    backoff = backoff or Backoff(initial=0.5, cap=10.0)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await step()
        except RetryableError as exc:
            delay = exc.delay if exc.delay is not None else backoff.next()
            left = deadline - time.monotonic()
            if left <= 0 or delay > left or stop.is_set():
                raise
            log.warning("%s failed, retrying in %.1fs: %s", what, delay, exc)
            if await sleep(stop, delay):
                raise
