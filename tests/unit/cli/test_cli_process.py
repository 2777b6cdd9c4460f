"""The entry point as a process: agent dispatch stays light, ``python -m charon`` works."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent(
    """
    import sys
    sys.argv = ["charon", "agent", "version"]
    import charon.agent.main as agent_main
    seen = {}
    def fake(argv):
        heavy = sorted(
            m for m in sys.modules
            if m.split(".")[0] in {"typer", "rich", "pydantic", "click", "yaml"}
        )
        print("HEAVY=" + ",".join(heavy))
        print("ARGV=" + " ".join(argv))
        return 7
    agent_main.main = fake
    from charon.cli.main import run
    run()
    """
)


def test_agent_dispatch_imports_no_typer_rich_or_pydantic() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 7, proc.stderr
    assert "HEAVY=\n" in proc.stdout
    assert "ARGV=version" in proc.stdout


def test_python_dash_m_charon_runs_the_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "charon", "version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("charon ")


def test_charon_agent_reaches_the_agent_parser() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "charon", "agent", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "charon agent" in proc.stdout
