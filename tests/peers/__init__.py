"""Real test peers (kube-apiserver, etcd, headscale, tailscaled, BIND, nginx, sops, ...).

Binaries built from Go modules by ``testbed/build.sh`` live in ``$CHARON_CACHE/testbed/bin``
(``CHARON_CACHE`` defaults to ``~/.cache/charon``); Debian peers are found on ``PATH`` (and in
``/usr/sbin``). ``require(name)`` finds one: when it is missing the test is skipped with a one-line
reason, unless ``CHARON_TESTBED=required`` (set by CI), where a missing peer is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

__all__ = ["cache_dir", "require", "testbed_bin"]


def cache_dir() -> Path:
    return Path(os.environ.get("CHARON_CACHE", Path.home() / ".cache" / "charon"))


def testbed_bin() -> Path:
    return cache_dir() / "testbed" / "bin"


def require(name: str) -> Path:
    """Path of a peer program, or skip (locally) / fail (CI) when it is not installed."""
    candidate = testbed_bin() / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    found = shutil.which(name, path=search)
    if found:
        return Path(found)
    reason = f"peer {name!r} not installed (run `make testbed`)"
    if os.environ.get("CHARON_TESTBED") == "required":
        pytest.fail(reason + " and CHARON_TESTBED=required", pytrace=False)
    pytest.skip(reason)
