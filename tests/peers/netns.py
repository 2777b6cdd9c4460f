"""Network namespaces for peers that must not touch the host's network.

Every namespace starts with only ``lo``; veth pairs join two namespaces (or one namespace and the
root namespace) on a private /30 the test chooses. There is never a default route, so a peer that
tries to reach the internet fails fast instead of leaking traffic. Needs root (``ip netns``).
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

__all__ = ["Namespace", "NetnsFactory", "netns"]

_counter = itertools.count()


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


def _unique(prefix: str) -> str:
    # Interface names are limited to 15 bytes; pid + counter keep parallel pytest runs apart.
    return f"{prefix}{os.getpid() % 100000:05d}{next(_counter):03d}"


class Namespace:
    """One network namespace; ``run``/``popen`` execute programs inside it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._procs: list[subprocess.Popen[Any]] = []

    def argv(self, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]

    def run(
        self, argv: Sequence[str], *, check: bool = True, timeout: float = 60, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        kwargs.setdefault("capture_output", True)
        return subprocess.run(self.argv(argv), check=check, timeout=timeout, text=True, **kwargs)

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
        """Start a long-running program inside; it is stopped when the namespace goes away."""
        proc: subprocess.Popen[Any] = subprocess.Popen(self.argv(argv), **kwargs)
        self._procs.append(proc)
        return proc

    def addresses(self) -> list[str]:
        out = self.run(["ip", "-o", "-4", "addr", "show"]).stdout
        return [line.split()[3] for line in out.splitlines()]

    def close(self) -> None:
        for proc in self._procs:
            stop_process(proc)
        self._procs.clear()
        subprocess.run(
            ["ip", "netns", "del", self.name], check=False, capture_output=True, timeout=30
        )

    def __repr__(self) -> str:
        return f"Namespace({self.name!r})"


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10) -> None:
    """Terminate, then kill; close the pipes so no ResourceWarning escapes."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


class NetnsFactory:
    """Creates namespaces and veth links; ``close`` removes all of them."""

    def __init__(self) -> None:
        self._namespaces: list[Namespace] = []
        self._root_links: list[str] = []

    def __call__(self) -> Namespace:
        ns = Namespace(_unique("charon"))
        _ip("netns", "add", ns.name)
        self._namespaces.append(ns)
        _ip("-n", ns.name, "link", "set", "lo", "up")
        return ns

    def link(
        self, left: Namespace | None, right: Namespace | None, left_addr: str, right_addr: str
    ) -> tuple[str, str]:
        """Veth pair between two namespaces (``None`` = root namespace), addresses in CIDR form.

        Returns the two interface names. Both addresses must be private or shared (CGNAT) space so
        nothing routes off the machine.
        """
        for addr in (left_addr, right_addr):
            net = ipaddress.ip_interface(addr)
            if not (net.is_private or net.ip in ipaddress.ip_network("100.64.0.0/10")):
                raise ValueError(f"refusing a public address on a test link: {addr}")
        left_if, right_if = _unique("chv"), _unique("chv")
        _ip("link", "add", left_if, "type", "veth", "peer", "name", right_if)
        for ns, ifname, addr in ((left, left_if, left_addr), (right, right_if, right_addr)):
            if ns is None:
                self._root_links.append(ifname)
                prefix: list[str] = []
            else:
                _ip("link", "set", ifname, "netns", ns.name)
                prefix = ["-n", ns.name]
            _ip(*prefix, "addr", "add", addr, "dev", ifname)
            _ip(*prefix, "link", "set", ifname, "up")
        return left_if, right_if

    def close(self) -> None:
        for ns in reversed(self._namespaces):
            ns.close()
        self._namespaces.clear()
        # Namespace deletion frees its veths asynchronously; delete the root ends now.
        for ifname in self._root_links:
            subprocess.run(
                ["ip", "link", "del", ifname], check=False, capture_output=True, timeout=30
            )
        self._root_links.clear()


def free_subnet(second: int = 231) -> ipaddress.IPv4Network:
    """A /30 in 10.<second>.0.0/16 not yet used by any interface of the root namespace."""
    used = subprocess.run(
        ["ip", "-o", "-4", "addr", "show"], check=True, capture_output=True, text=True, timeout=30
    ).stdout
    taken = [ipaddress.ip_interface(line.split()[3]).network for line in used.splitlines()]
    start = (os.getpid() * 7 + next(_counter)) % 16384
    for step in range(16384):
        base = ((start + step) % 16384) * 4
        net = ipaddress.IPv4Network(f"10.{second}.{base // 256}.{base % 256}/30")
        if not any(net.overlaps(other) for other in taken):
            return net
    raise RuntimeError("no free /30 left for a test link")


def require_netns() -> None:
    """Skip (or fail under CHARON_TESTBED=required) when namespaces cannot be made here."""
    reason = ""
    if shutil.which("ip") is None:
        reason = "iproute2 (`ip`) not installed"
    elif os.geteuid() != 0:
        reason = "network namespaces need root"
    if reason:
        if os.environ.get("CHARON_TESTBED") == "required":
            pytest.fail(reason + " and CHARON_TESTBED=required", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def netns() -> Iterator[NetnsFactory]:
    """Factory of throw-away namespaces: ``ns = netns()``, ``netns.link(ns, None, a, b)``."""
    require_netns()
    factory = NetnsFactory()
    try:
        yield factory
    finally:
        factory.close()
