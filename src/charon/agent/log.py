"""One-line log records on stderr, for ``kubectl logs``; nothing secret is ever passed in."""

from __future__ import annotations

import logging
import sys

__all__ = ["get_logger", "setup"]


def setup(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s charon-agent %(message)s"))
    root = logging.getLogger("charon.agent")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"charon.agent.{name}")
