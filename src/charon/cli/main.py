"""The console entry point: route ``charon agent`` away first, then turn errors into exit codes.

``charon agent ...`` runs inside every web pod (init container and sidecar), where memory and
start-up time are budgeted, so it is dispatched before typer, rich or pydantic are imported.
Everything else goes through the typer app; a CharonError becomes a clear message and its
``exit_code``, anything unexpected becomes ``internal error`` and exit 70 (EX_SOFTWARE), with
the traceback only when ``CHARON_DEBUG=1``.
"""

from __future__ import annotations

import os
import sys

from charon.errors import CharonError, SpecError

__all__ = ["EXIT_INTERNAL", "main", "run"]

EXIT_INTERNAL = 70  # EX_SOFTWARE
EXIT_INTERRUPTED = 130


def _agent(argv: list[str]) -> int:
    try:
        from charon.agent.main import main as agent_main  # noqa: PLC0415 - must stay late
    except ModuleNotFoundError as exc:
        if exc.name not in ("charon.agent", "charon.agent.main"):
            raise
        print("charon agent is not part of this build of charon", file=sys.stderr)
        return EXIT_INTERNAL
    return agent_main(argv)


def _cli(argv: list[str]) -> int:
    from typer.main import get_command  # noqa: PLC0415 - not on the agent's path

    from charon.cli.app import app  # noqa: PLC0415

    try:
        get_command(app).main(args=argv, prog_name="charon", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    return 0


def _report(exc: CharonError) -> None:
    if isinstance(exc, SpecError):
        for issue in exc.issues:
            print(issue.format(), file=sys.stderr)
        count = len(exc.issues)
        print(f"{count} problem{'s' if count != 1 else ''} in the platform file", file=sys.stderr)
        return
    print(f"error: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one charon command and return its exit code (tests call this in-process)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["agent"]:
        return _agent(args[1:])
    try:
        return _cli(args)
    except CharonError as exc:
        _report(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get("CHARON_DEBUG") == "1":
            import traceback  # noqa: PLC0415

            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(
            "This is a bug in charon. Please report it with the command you ran "
            "(CHARON_DEBUG=1 shows the traceback).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def run() -> None:
    """``charon`` console script."""
    argv = sys.argv[1:]
    if argv[:1] == ["agent"]:
        sys.exit(_agent(argv[1:]))
    sys.exit(main(argv))
