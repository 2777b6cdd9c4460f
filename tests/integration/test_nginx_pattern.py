"""The nginx TLS sidecar configs the compiler renders behave as promised, in real nginx.

Each web service's ConfigMap ``<service>-nginx`` (key ``default.conf``) is taken from a real
``charon render examples/charon.yaml``; only the certificate paths are rewritten to a self-signed
certificate made here. The config runs in nginx inside a server namespace next to a stub app on
``127.0.0.1:<app port>``; clients in their own namespaces reach it over veth links:

* tailnet client (100.64.0.0/10): gets the app's page over verified TLS;
* LAN client (192.168.x): 403;
* pod-network client (the spec's pod CIDR): may scrape the metrics port; where the site trusts the
  pod network as a reverse proxy (``set_real_ip_from``) its ``X-Forwarded-For`` decides access on
  443 (a tailnet address passes, others get 403), elsewhere forwarded addresses are ignored (403);
* plain HTTP on 80 redirects to https with the same host and path.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from peers import require
from peers.netns import Namespace, NetnsFactory
from peers.rendering import documents, render
from peers.services import NginxServer
from peers.vpn import wait_until

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "charon.yaml"
CERT_PATH = "/etc/nginx/certs/tls.crt"
KEY_PATH = "/etc/nginx/certs/tls.key"
# Addresses of the test links: server side / client side, one /30 each.
TAILNET = ("100.64.231.1", "100.64.231.2")
LAN = ("192.168.231.1", "192.168.231.2")


@dataclass(frozen=True)
class SiteConfig:
    service: str
    text: str
    host: str
    app_port: int
    pod_cidr: ipaddress.IPv4Network | None


def _parse(service: str, text: str) -> SiteConfig:
    hosts = re.findall(r"^\s*server_name\s+(\S+?);", text, re.MULTILINE)
    ports = re.findall(r"proxy_pass\s+http://127\.0\.0\.1:(\d+)", text)
    trusted = re.findall(r"set_real_ip_from\s+(\S+?);", text)
    assert hosts and ports, f"{service}: no server_name/proxy_pass in the rendered config"
    pod_cidr = ipaddress.ip_network(trusted[0]) if trusted else None
    assert pod_cidr is None or isinstance(pod_cidr, ipaddress.IPv4Network)
    return SiteConfig(service, text, hosts[0], int(ports[0]), pod_cidr)


@pytest.fixture(scope="module")
def rendered_sites(tmp_path_factory: pytest.TempPathFactory) -> list[SiteConfig]:
    tree = render(EXAMPLE, tmp_path_factory.mktemp("render") / "tree")
    sites = []
    for doc in documents(tree):
        name = str(doc["metadata"]["name"]) if doc.get("kind") == "ConfigMap" else ""
        if name.endswith("-nginx") and "default.conf" in doc.get("data", {}):
            sites.append(_parse(name.removesuffix("-nginx"), doc["data"]["default.conf"]))
    assert sites, "the example platform renders no nginx sidecar config"
    return sites


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory, rendered_sites: list[SiteConfig]) -> Path:
    """One self-signed certificate whose SANs cover every rendered host."""
    openssl = require("openssl")
    directory = tmp_path_factory.mktemp("certs")
    sans = ",".join(sorted({f"DNS:{site.host}" for site in rendered_sites}))
    subprocess.run(
        [
            str(openssl),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=charon-test",
            "-addext",
            f"subjectAltName={sans}",
            "-keyout",
            str(directory / "tls.key"),
            "-out",
            str(directory / "tls.crt"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return directory


def _with_test_certs(site: SiteConfig, certs: Path) -> str:
    assert CERT_PATH in site.text and KEY_PATH in site.text, site.service
    return site.text.replace(CERT_PATH, str(certs / "tls.crt")).replace(
        KEY_PATH, str(certs / "tls.key")
    )


@dataclass
class Topology:
    server: Namespace
    tailnet: Namespace
    lan: Namespace
    pod: Namespace | None
    pod_addrs: tuple[str, str] | None


@pytest.fixture
def topology(netns: NetnsFactory, rendered_sites: list[SiteConfig]) -> Topology:
    server, tailnet, lan = netns(), netns(), netns()
    netns.link(server, tailnet, f"{TAILNET[0]}/30", f"{TAILNET[1]}/30")
    netns.link(server, lan, f"{LAN[0]}/30", f"{LAN[1]}/30")
    cidrs = {site.pod_cidr for site in rendered_sites if site.pod_cidr is not None}
    if not cidrs:
        return Topology(server, tailnet, lan, None, None)
    # A /30 at the top of the pod CIDR stands in for the ingress controller's pod.
    (cidr,) = cidrs
    top = cidr.broadcast_address
    addrs = (str(top - 2), str(top - 1))
    pod = netns()
    netns.link(server, pod, f"{addrs[0]}/30", f"{addrs[1]}/30")
    return Topology(server, tailnet, lan, pod, addrs)


@pytest.fixture
def stub_app(tmp_path: Path) -> Iterator[Callable[[Namespace, int, str], None]]:
    """Starts ``python -m http.server`` on 127.0.0.1:<port> inside a namespace."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(ns: Namespace, port: int, marker: str) -> None:
        root = tmp_path / f"app-{port}"
        root.mkdir(exist_ok=True)
        (root / "index.html").write_text(f"<p>{marker}</p>\n")
        (root / "metrics").write_text(f'charon_stub_up{{app="{marker}"}} 1\n')
        argv = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)]
        procs.append(
            ns.popen(
                [*argv, "--directory", str(root)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_until(lambda: _curl(ns, f"http://127.0.0.1:{port}/")[0] == 200, f"stub app :{port}")

    yield start
    # The namespaces' teardown stops the processes; nothing else to close here.
    procs.clear()


def _curl(ns: Namespace, url: str, *extra: str) -> tuple[int, str, str]:
    """(status, body, redirect target) of one request made from inside ``ns``."""
    write_out = "\n%{http_code} %{redirect_url}"
    proc = ns.run(
        ["curl", "-sS", "--max-time", "10", "-o", "-", "-w", write_out, *extra, url],
        check=False,
        timeout=30,
    )
    body, _, tail = proc.stdout.rpartition("\n")
    code, _, redirect = tail.partition(" ")
    return (int(code) if code.isdigit() else 0), body, redirect


def _https(ns: Namespace, site: SiteConfig, addr: str, certs: Path, *extra: str) -> tuple[int, str]:
    status, body, _ = _curl(
        ns,
        f"https://{site.host}/",
        "--resolve",
        f"{site.host}:443:{addr}",
        "--cacert",
        str(certs / "tls.crt"),
        *extra,
    )
    return status, body


def test_every_rendered_config_passes_nginx_t(
    rendered_sites: list[SiteConfig],
    certs: Path,
    nginx_server: Callable[..., NginxServer],
    netns: NetnsFactory,
) -> None:
    for site in rendered_sites:
        server = nginx_server(_with_test_certs(site, certs), netns=netns())
        result = server.test()
        assert result.returncode == 0, f"{site.service}: {result.stderr}"


def test_rendered_configs_serve_only_the_tailnet_over_tls(
    rendered_sites: list[SiteConfig],
    certs: Path,
    nginx_server: Callable[..., NginxServer],
    topology: Topology,
    stub_app: Callable[[Namespace, int, str], None],
) -> None:
    started: set[int] = set()
    for site in rendered_sites:
        marker = f"stub-of-{site.service}"
        if site.app_port not in started:
            stub_app(topology.server, site.app_port, marker)
            started.add(site.app_port)
        server = nginx_server(_with_test_certs(site, certs), netns=topology.server)
        try:
            _check_site(site, certs, topology)
        finally:
            server.close()


def _check_site(site: SiteConfig, certs: Path, topo: Topology) -> None:
    name = site.service
    status, body = _https(topo.tailnet, site, TAILNET[0], certs)
    assert status == 200 and "<p>stub-of-" in body, f"{name}: tailnet client got {status}"

    status, body = _https(topo.lan, site, LAN[0], certs)
    assert status == 403 and "stub-of-" not in body, f"{name}: LAN client got {status}"

    status, _, redirect = _curl(
        topo.tailnet,
        f"http://{site.host}/some/path?q=1",
        "--resolve",
        f"{site.host}:80:{TAILNET[0]}",
    )
    assert status in (301, 308), f"{name}: plain HTTP answered {status}"
    assert redirect == f"https://{site.host}/some/path?q=1", f"{name}: redirect to {redirect!r}"

    if topo.pod is None or topo.pod_addrs is None:
        return
    server_addr = topo.pod_addrs[0]
    relayed, _ = _https(topo.pod, site, server_addr, certs, "-H", "X-Forwarded-For: 100.64.9.9")
    # Only a site that trusts the pod network as a proxy may honour the forwarded address.
    expected = 200 if site.pod_cidr is not None else 403
    assert relayed == expected, f"{name}: proxy relaying a tailnet client got {relayed}"
    relayed, _ = _https(topo.pod, site, server_addr, certs, "-H", "X-Forwarded-For: 192.0.2.7")
    assert relayed == 403, f"{name}: proxy relaying an outside client got {relayed}"

    metrics_ports = re.findall(r"listen\s+(\d+);\s*\n\s*location = /metrics", site.text)
    for port in metrics_ports:
        scraped, text, _ = _curl(topo.pod, f"http://{server_addr}:{port}/metrics")
        assert scraped == 200 and "charon_stub_up" in text, f"{name}: scrape got {scraped}"
        denied, _, _ = _curl(topo.tailnet, f"http://{TAILNET[0]}:{port}/metrics")
        assert denied == 403, f"{name}: metrics port open to the tailnet ({denied})"
