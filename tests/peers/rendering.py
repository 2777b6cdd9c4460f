"""Render a platform with the real `charon render` and read the documents of the tree.

Shared by the tests that feed rendered output to real peers (kube-apiserver, nginx).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

__all__ = ["documents", "render"]

REPO = Path(__file__).resolve().parents[2]


def render(spec: Path, out: Path) -> Path:
    """`charon render SPEC -o OUT` with this interpreter; raises with the CLI's own message."""
    proc = subprocess.run(
        [sys.executable, "-m", "charon", "render", str(spec), "-o", str(out)],
        capture_output=True, text=True, check=False, timeout=300, cwd=REPO,
    )  # fmt: skip
    if proc.returncode != 0 or not out.is_dir():
        raise AssertionError(
            f"charon render {spec.name} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
        )
    return out


def documents(tree: Path) -> Iterator[dict[str, Any]]:
    """Every YAML document (a mapping) of a rendered tree, in path order."""
    for path in sorted(tree.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                yield doc
