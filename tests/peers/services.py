"""Debian-packaged and Go-built service peers: BIND9, nginx, sops + age, promtool.

Every daemon runs in the foreground from a private temporary directory on loopback (or inside a
test namespace), never as a system service; see ``testbed/install-debian.sh``.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype
import pytest

from . import require
from .netns import Namespace, stop_process
from .vpn import wait_until

__all__ = [
    "AgeKeypair",
    "DnsServer",
    "NginxServer",
    "Sops",
    "age_keypair",
    "dns_server",
    "nginx_server",
    "promtool",
    "sops",
]

ZONE = "charon.test."
TSIG_NAME = "charon-test-key."
TSIG_ALGORITHM = "hmac-sha256"


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on 127.0.0.1")


def _named_conf(workdir: Path, port: int, secret: str) -> str:
    zone_name = ZONE.rstrip(".")
    return f"""\
options {{
    directory "{workdir}";
    pid-file "{workdir}/named.pid";
    session-keyfile "{workdir}/session.key";
    managed-keys-directory "{workdir}";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    notify no;
}};
controls {{ }};
key "{TSIG_NAME}" {{ algorithm {TSIG_ALGORITHM}; secret "{secret}"; }};
zone "{zone_name}" {{
    type primary;
    file "{workdir}/{zone_name}.zone";
    allow-update {{ key "{TSIG_NAME}"; }};
    allow-transfer {{ key "{TSIG_NAME}"; }};
}};
"""


ZONE_DATA = f"""\
$TTL 300
@   IN SOA ns1.{ZONE} hostmaster.{ZONE} 1 3600 600 86400 300
@   IN NS  ns1.{ZONE}
ns1 IN A   127.0.0.1
"""


class DnsServer:
    """BIND9 ``named -g`` answering the zone ``charon.test.`` with TSIG-guarded updates."""

    def __init__(self, named: Path) -> None:
        self.named = named
        self.host = "127.0.0.1"
        self.port = free_port()
        self.zone = ZONE
        self.tsig_name = TSIG_NAME
        self.tsig_algorithm = TSIG_ALGORITHM
        self.tsig_secret = base64.b64encode(secrets.token_bytes(32)).decode()
        self.workdir = Path(tempfile.mkdtemp(prefix="charon-named-"))
        self.conf = self.workdir / "named.conf"
        self.conf.write_text(_named_conf(self.workdir, self.port, self.tsig_secret))
        (self.workdir / f"{ZONE.rstrip('.')}.zone").write_text(ZONE_DATA)
        self.log_path = self.workdir / "named.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if self._proc is not None:
            raise RuntimeError("named already running")
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [str(self.named), "-g", "-4", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._answers, f"named on port {self.port}")

    def _answers(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            tail = self.log_path.read_text(errors="replace").splitlines()[-20:]
            raise RuntimeError("named exited:\n" + "\n".join(tail))
        try:
            return bool(self.query(self.zone, "SOA"))
        except (dns.exception.DNSException, OSError):
            return False

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def query(self, name: str, rdtype: str) -> list[str]:
        """Answer texts for ``name``/``rdtype`` (empty when the name or type does not exist)."""
        request = dns.message.make_query(name, rdtype)
        response = dns.query.udp(request, self.host, port=self.port, timeout=2)
        wanted = dns.rdatatype.from_text(rdtype)
        answers = [rrset for rrset in response.answer if rrset.rdtype == wanted]
        return sorted(rdata.to_text() for rrset in answers for rdata in rrset)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def dns_server() -> Iterator[DnsServer]:
    server = DnsServer(require("named"))
    try:
        server.start()
        yield server
    finally:
        server.close()


def _nginx_main(workdir: Path) -> str:
    # As root nginx would switch workers to "nobody", which cannot read the private temp dir.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temps = "\n".join(
        f"    {kind}_temp_path {workdir}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""\
{user}daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {workdir}/access.log;
{temps}
    include {workdir}/conf.d/*.conf;
}}
"""


class NginxServer:
    """Real nginx running one http-level config from a private prefix dir."""

    def __init__(self, nginx: Path, config_text: str, ns: Namespace | None) -> None:
        self.nginx = nginx
        self.netns = ns
        self.workdir = Path(tempfile.mkdtemp(prefix="charon-nginx-"))
        (self.workdir / "conf.d").mkdir()
        self.site = self.workdir / "conf.d" / "default.conf"
        self.site.write_text(config_text)
        self.conf = self.workdir / "nginx.conf"
        self.conf.write_text(_nginx_main(self.workdir))
        self._proc: subprocess.Popen[bytes] | None = None

    def argv(self, *extra: str) -> list[str]:
        argv = [str(self.nginx), "-p", f"{self.workdir}/", "-e", f"{self.workdir}/error.log"]
        argv += ["-c", str(self.conf), *extra]
        return self.netns.argv(argv) if self.netns else argv

    def test(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` on this config (``returncode`` 0 when valid; details in ``stderr``)."""
        return subprocess.run(
            self.argv("-t"), check=False, capture_output=True, text=True, timeout=60
        )

    def start(self) -> None:
        pid = self.workdir / "nginx.pid"
        self._proc = subprocess.Popen(
            self.argv(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

        def ready() -> bool:
            if self._proc is not None and self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise RuntimeError(f"nginx exited: {err.strip()}")
            return pid.exists()

        wait_until(ready, "nginx pid file")

    def error_log(self) -> str:
        path = self.workdir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture
def nginx_server() -> Iterator[Callable[..., NginxServer]]:
    """``nginx_server(config_text, netns=None)``: nginx serving ``config_text``, started."""
    nginx = require("nginx")
    servers: list[NginxServer] = []

    def start(config_text: str, netns: Namespace | None = None) -> NginxServer:
        server = NginxServer(nginx, config_text, netns)
        servers.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.close()


class AgeKeypair:
    def __init__(self, recipient: str, identity_file: Path) -> None:
        self.recipient = recipient
        self.identity_file = identity_file


@pytest.fixture
def age_keypair(tmp_path: Path) -> AgeKeypair:
    """A fresh age identity file (mode 0600) and its ``age1...`` recipient."""
    keygen = require("age-keygen")
    identity = tmp_path / "age" / "keys.txt"
    identity.parent.mkdir()
    subprocess.run([str(keygen), "-o", str(identity)], check=True, capture_output=True, timeout=30)
    recipients = [
        line.split(":", 1)[1].strip()
        for line in identity.read_text().splitlines()
        if line.startswith("# public key:")
    ]
    return AgeKeypair(recipients[0], identity)


class Sops:
    """The real sops binary; runs from the file's directory so no stray .sops.yaml applies."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary

    def _run(self, argv: Sequence[str], cwd: Path, env: dict[str, str]) -> str:
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd)}
        proc = subprocess.run(
            [str(self.binary), *argv],
            cwd=cwd,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"sops {argv[0]} failed: {proc.stderr.strip()}")
        return proc.stdout

    def encrypt(
        self,
        path: Path,
        recipients: Sequence[str],
        encrypted_regex: str = "^(data|stringData)$",
    ) -> str:
        argv = ["encrypt", "--age", ",".join(recipients), "--encrypted-regex", encrypted_regex]
        return self._run([*argv, str(path)], path.parent, {})

    def decrypt(self, path: Path, identity_file: Path) -> str:
        env = {"SOPS_AGE_KEY_FILE": str(identity_file)}
        return self._run(["decrypt", str(path)], path.parent, env)


@pytest.fixture(scope="session")
def sops() -> Sops:
    return Sops(require("sops"))


@pytest.fixture(scope="session")
def promtool() -> Path:
    return require("promtool")
