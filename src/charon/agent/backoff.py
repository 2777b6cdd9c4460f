"""Waiting without busy polling: exponential backoff with jitter, interruptible by a stop event.

Jitter keeps a fleet of restarted pods from hitting Headscale and the DNS API in lockstep. Every
sleep is a wait on the stop event, so SIGTERM ends any wait at once instead of after it.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

__all__ = ["Backoff", "sleep"]


@dataclass(slots=True)
class Backoff:
    """Delays ``initial * factor**n`` capped at ``cap``, each scaled by a random 0.5-1.0 factor."""

    initial: float = 0.25
    factor: float = 2.0
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next(self) -> float:
        base = min(self.cap, self.initial * self.factor**self.attempt)
        self.attempt += 1
        return base * (0.5 + 0.5 * self.rng.random())

    def reset(self) -> None:
        self.attempt = 0


async def sleep(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to ``seconds``; return True when ``stop`` was set (the caller should finish)."""
    if stop.is_set():
        return True
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))
    except TimeoutError:
        return False
    return True
