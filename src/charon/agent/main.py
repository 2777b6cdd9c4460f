"""Entry point of ``charon agent`` (init container and DNS sidecar).

``charon.cli.main`` hands ``charon agent ...`` here before importing anything heavy, and the
container runs ``python -m charon.agent``; either way only the standard library, httpx,
prometheus_client and (for RFC2136) dnspython are loaded. Exit codes: 0 ok, 75 retryable failure
(EX_TEMPFAIL), 78 permanent or configuration failure (EX_CONFIG).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

# httpx imports its optional command line (click, rich, pygments: ~5 MiB) whenever those happen
# to be installed, as they are next to the full charon CLI. The agent never uses it; a None entry
# makes httpx's guarded import fail and fall back. Must run before anything imports httpx.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from charon import __version__  # noqa: E402
from charon.agent.config import load_config  # noqa: E402
from charon.agent.log import setup  # noqa: E402
from charon.errors import CharonError, RetryableError  # noqa: E402

__all__ = ["main"]

EXIT_OK, EXIT_RETRY = 0, RetryableError.exit_code
STOP_GRACE = 2.0  # seconds an in-flight call may finish after SIGTERM before it is cancelled


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="charon agent",
        description="In-pod lifecycle agent: pre-auth keys, stale nodes, VPN DNS records.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="remove stale nodes and records, write a fresh pre-auth key")
    dns = sub.add_parser("dns", help="publish this pod's VPN address in DNS and keep it right")
    dns.add_argument("--once", action="store_true", help="one pass, then exit (0 = in place)")
    sub.add_parser("version", help="print the agent version")
    return parser


def _install_stop(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def _until_stopped(work: asyncio.Task[int], stop: asyncio.Event) -> int:
    """``work``'s result, or 0 soon after ``stop`` is set (cancelling work after a short grace)."""
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not work.done():
            await asyncio.wait({work}, timeout=STOP_GRACE)
        if not work.done():
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work
            return EXIT_OK
        return work.result()
    finally:
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopper


async def _init() -> int:
    # Imported here so each command loads only what it runs (init never loads prometheus_client).
    from charon.agent.init import run_init  # noqa: PLC0415

    config = load_config()
    stop = asyncio.Event()
    _install_stop(stop)

    async def work() -> int:
        await run_init(config, stop=stop)
        return EXIT_OK

    return await _until_stopped(asyncio.create_task(work()), stop)


async def _dns(once: bool) -> int:
    from charon.agent.health import HealthServer  # noqa: PLC0415
    from charon.agent.wiring import build_sidecar  # noqa: PLC0415

    config = load_config()
    stop = asyncio.Event()
    _install_stop(stop)
    sidecar, closers = build_sidecar(config)
    try:
        if once:
            outcome = await sidecar.sync_once()
            print(f"{outcome.state} {' '.join(outcome.addresses)} {outcome.detail}".strip())
            return EXIT_OK if outcome.state in ("in-sync", "wrote") else EXIT_RETRY
        server = HealthServer(sidecar.metrics, sidecar.healthy)
        await server.start(config.listen)
        try:

            async def work() -> int:
                await sidecar.run(stop)
                return EXIT_OK

            return await _until_stopped(asyncio.create_task(work()), stop)
        finally:
            await server.stop()
    finally:
        for close in closers:
            await close()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["agent"]:
        args = args[1:]
    options = _parser().parse_args(args)
    if options.command == "version":
        print(f"charon-agent {__version__}")
        return EXIT_OK
    setup()
    try:
        if options.command == "init":
            return asyncio.run(_init())
        return asyncio.run(_dns(options.once))
    except CharonError as exc:
        print(f"charon agent {options.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
