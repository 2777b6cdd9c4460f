"""Real Headscale servers and Tailscale nodes, sealed in a network namespace.

Topology: one namespace per server with ``lo`` and a veth to the root namespace on a private /30
(root side ``.1``, namespace side ``.2``). Headscale listens on the namespace side, so the pytest
process reaches it over the veth and tailnet nodes (also started inside) reach it locally. The
namespace has no default route: DERP is Headscale's embedded server over plain HTTP, STUN is local,
update checks, log upload and port mapping are off, so no packet leaves the machine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from . import require
from .netns import (
    Namespace,
    NetnsFactory,
    free_subnet,
    netns,  # re-exported: conftest loads this module as a plugin
    require_netns,
    stop_process,
)

__all__ = [
    "HeadscaleServer",
    "TailnetNode",
    "headscale",
    "headscale_legacy",
    "netns",
    "tailnet_node",
    "wait_until",
]

HEADSCALE_VERSION = "0.29.2"
HEADSCALE_LEGACY_VERSION = "0.25.1"
HTTP_PORT = 8080
STUN_PORT = 3478
USER = "charon"
# Keep tailscaled's traffic on the test links (see tailscale's own tstest/integration harness).
TAILSCALED_ENV = {
    "TS_ASSUME_NETWORK_UP_FOR_TEST": "1",
    "TS_DISABLE_PORTMAPPER": "1",
    "TS_NO_LOGS_NO_SUPPORT": "true",
    "TS_DEBUG_USE_DERP_HTTP": "1",
    "HTTP_PROXY": "",
    "HTTPS_PROXY": "",
}


def wait_until(
    check: Callable[[], bool], what: str, attempts: int = 150, pause: float = 0.2
) -> None:
    """Poll a bounded number of times; the bound keeps a broken peer from hanging the run."""
    for _ in range(attempts):
        if check():
            return
        time.sleep(pause)
    raise RuntimeError(f"timed out waiting for {what}")


def _config(workdir: Path, addr: str, legacy: bool) -> dict[str, Any]:
    url = f"http://{addr}:{HTTP_PORT}"
    config: dict[str, Any] = {
        "server_url": url,
        "listen_addr": f"{addr}:{HTTP_PORT}",
        "metrics_listen_addr": "127.0.0.1:9090",
        "grpc_listen_addr": "127.0.0.1:50443",
        "grpc_allow_insecure": False,
        "noise": {"private_key_path": str(workdir / "noise_private.key")},
        "prefixes": {
            "v4": "100.64.0.0/10",
            "v6": "fd7a:115c:a1e0::/48",
            "allocation": "sequential",
        },
        "derp": {
            "server": {
                "enabled": True,
                "region_id": 999,
                "region_code": "charon",
                "region_name": "Charon test DERP",
                "stun_listen_addr": f"{addr}:{STUN_PORT}",
                "private_key_path": str(workdir / "derp_server_private.key"),
                "automatically_add_embedded_derp_region": True,
                "ipv4": addr,
            },
            "urls": [],
            "paths": [],
            "auto_update_enabled": False,
            "update_frequency": "24h",
        },
        "disable_check_updates": True,
        "database": {"type": "sqlite", "sqlite": {"path": str(workdir / "db.sqlite")}},
        "log": {"level": "info", "format": "text"},
        "policy": {"mode": "file", "path": ""},
        "dns": {
            "magic_dns": False,
            "base_domain": "tailnet.charon.test",
            "override_local_dns": False,
            "nameservers": {"global": [], "split": {}},
            "search_domains": [],
            "extra_records": [],
        },
        "unix_socket": str(workdir / "headscale.sock"),
        "unix_socket_permission": "0770",
        "logtail": {"enabled": False},
    }
    if legacy:
        config["ephemeral_node_inactivity_timeout"] = "30m"
    else:
        config["node"] = {"expiry": 0, "ephemeral": {"inactivity_timeout": "30m"}}
    return config


class HeadscaleServer:
    """A running headscale; ``stop``/``start`` keep the address, port and database."""

    def __init__(self, binary: Path, ns: Namespace, addr: str, version: str, legacy: bool) -> None:
        self.binary = binary
        self.netns = ns
        self.addr = addr
        self.version = version
        self.legacy = legacy
        self.url = f"http://{addr}:{HTTP_PORT}"
        # Unix sockets need a short path: pytest's tmp_path can exceed the 108-byte limit.
        self.workdir = Path(tempfile.mkdtemp(prefix="charon-hs-"))
        self.config_path = self.workdir / "config.yaml"
        self.config_path.write_text(json.dumps(_config(self.workdir, addr, legacy), indent=2))
        self.log_path = self.workdir / "headscale.log"
        self.api_key = ""
        self.user = USER
        self.user_id = 0
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self._proc is not None:
            raise RuntimeError("headscale already running")
        with self.log_path.open("ab") as log:
            self._proc = self.netns.popen(
                [str(self.binary), "-c", str(self.config_path), "serve"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._healthy, f"headscale at {self.url}")

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def _healthy(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(f"headscale exited; log tail:\n{self.log_tail()}")
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def cli(self, *args: str) -> str:
        """Run the headscale CLI against this server over its unix socket; returns stdout."""
        proc = subprocess.run(
            [str(self.binary), "-c", str(self.config_path), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"headscale {args[0] if args else ''} failed: {proc.stderr.strip()}")
        return proc.stdout

    def bootstrap(self) -> None:
        """Create the test user and an API key (the CLI prints the key once)."""
        created = json.loads(self.cli("users", "create", self.user, "-o", "json"))
        self.user_id = int(created["id"])
        self.api_key = self.cli("apikeys", "create", "--expiration", "24h").strip().splitlines()[-1]

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=10,
        )

    def nodes(self) -> list[dict[str, Any]]:
        with self.api() as client:
            response = client.get("/node")
            response.raise_for_status()
            return list(response.json().get("nodes", []))

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


class TailnetNode:
    """A real userspace tailscaled plus ``tailscale up``, inside the server's namespace."""

    def __init__(self, tailscaled: Path, tailscale: Path, ns: Namespace, hostname: str) -> None:
        self.hostname = hostname
        self._tailscale = tailscale
        self._netns = ns
        self.workdir = Path(tempfile.mkdtemp(prefix="charon-ts-"))
        self.socket = self.workdir / "tailscaled.sock"
        self.log_path = self.workdir / "tailscaled.log"
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "TS_LOGS_DIR": str(self.workdir)}
        env.update(TAILSCALED_ENV)
        argv = [
            str(tailscaled),
            "--tun=userspace-networking",
            f"--statedir={self.workdir / 'state'}",
            f"--socket={self.socket}",
            "--port=0",
            "--no-logs-no-support",
        ]
        with self.log_path.open("ab") as log:
            self._proc: subprocess.Popen[bytes] | None = ns.popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(self.socket.exists, f"tailscaled socket for {hostname}")

    def cli(self, *args: str, check: bool = True, timeout: float = 90) -> str:
        proc = self._netns.run(
            [str(self._tailscale), f"--socket={self.socket}", *args],
            check=False,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            detail = proc.stderr.strip()
            raise RuntimeError(f"tailscale {args[0]} failed on {self.hostname}: {detail}")
        return proc.stdout

    def up(self, server_url: str, authkey: str) -> None:
        self.cli(
            "up",
            f"--login-server={server_url}",
            f"--auth-key={authkey}",
            f"--hostname={self.hostname}",
            "--accept-dns=false",
            "--timeout=60s",
        )

    def ips(self) -> list[str]:
        return [line.strip() for line in self.cli("ip").splitlines() if line.strip()]

    def peer_ips(self) -> set[str]:
        """Tailnet addresses of the peers in this node's current network map."""
        status = json.loads(self.cli("status", "--json"))
        peers = (status.get("Peer") or {}).values()
        return {ip for peer in peers for ip in peer.get("TailscaleIPs") or []}

    def wait_for_peer(self, ip: str) -> None:
        """Block (bounded) until ``ip`` is in the network map: control pushes maps lazily."""
        wait_until(lambda: ip in self.peer_ips(), f"{self.hostname} to learn peer {ip}")

    def ping(self, ip: str, attempts: int = 30) -> str:
        """``tailscale ping`` until a pong: the data plane learns a new peer after the map does."""
        self.wait_for_peer(ip)
        reply = ""
        for _ in range(attempts):
            reply = self.cli("ping", "--c=3", "--timeout=2s", ip, check=False, timeout=60)
            if "pong from" in reply:
                return reply
            time.sleep(0.5)
        raise RuntimeError(f"{self.hostname} got no pong from {ip}: {reply.strip()}")

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _serve(name: str, version: str, legacy: bool) -> Iterator[HeadscaleServer]:
    binary = require(name)
    require_netns()
    factory = NetnsFactory()
    server: HeadscaleServer | None = None
    try:
        ns = factory()
        net = free_subnet()
        root_ip, ns_ip = (str(host) for host in net.hosts())
        factory.link(None, ns, f"{root_ip}/30", f"{ns_ip}/30")
        server = HeadscaleServer(binary, ns, ns_ip, version, legacy)
        server.start()
        server.bootstrap()
        yield server
    finally:
        if server is not None:
            server.close()
        factory.close()


@pytest.fixture(scope="session")
def headscale() -> Iterator[HeadscaleServer]:
    """Headscale 0.29.x (pre-auth key ``user`` = numeric id, expire by id)."""
    yield from _serve("headscale", HEADSCALE_VERSION, legacy=False)


@pytest.fixture(scope="session")
def headscale_legacy() -> Iterator[HeadscaleServer]:
    """Headscale 0.25.x (pre-auth key ``user`` = name, expire by {user, key})."""
    yield from _serve("headscale-legacy", HEADSCALE_LEGACY_VERSION, legacy=True)


@pytest.fixture
def tailnet_node(request: pytest.FixtureRequest) -> Iterator[Callable[..., TailnetNode]]:
    """``tailnet_node(hostname, authkey, server=None)``: a node logged in to ``server``.

    ``server`` defaults to the ``headscale`` fixture. Nodes stop at teardown.
    """
    tailscaled, tailscale = require("tailscaled"), require("tailscale")
    nodes: list[TailnetNode] = []

    def start(hostname: str, authkey: str, server: HeadscaleServer | None = None) -> TailnetNode:
        target: HeadscaleServer = server or request.getfixturevalue("headscale")
        node = TailnetNode(tailscaled, tailscale, target.netns, hostname)
        nodes.append(node)
        node.up(target.url, authkey)
        return node

    try:
        yield start
    finally:
        for node in nodes:
            node.close()
