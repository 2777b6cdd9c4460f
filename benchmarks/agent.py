"""Benchmark the DNS sidecar: node appears -> DNS answers, steady-state RSS, requests per minute.

Each registration starts a real ``python -m charon.agent dns`` process that waits for its node,
then the node is added to a Headscale API served on loopback and the time until the name answers
(UDP query to a real PowerDNS Authoritative, polled every 10 ms) is recorded. The Headscale side
is the in-repo API stand-in by default; ``--headscale URL --api-key-file F --node-cmd ...`` is not
offered because registering a real tailscaled takes seconds of its own, which would measure
tailscaled, not the agent. Steady state: one sidecar in sync for ``--steady`` seconds, RSS read
from /proc and HTTP requests counted at the servers.

    .venv/bin/python benchmarks/agent.py [--runs 20] [--steady 60]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakes import pdns_peer
from fakes.headscale import FakeHeadscale


def _env(
    work: Path, hs_url: str, pdns: pdns_peer.PowerDns, host: str, hs_key: str
) -> dict[str, str]:
    (work / "hs").write_text(hs_key)
    (work / "pdns").write_text(pdns_peer.API_KEY)
    zone = pdns.zone.rstrip(".")
    return {
        "PATH": os.environ.get("PATH", ""),
        "CHARON_AGENT_HOSTNAME": host,
        "CHARON_AGENT_NAMESPACE": "bench",
        "CHARON_AGENT_SERVICE": host,
        "CHARON_HEADSCALE_URL": hs_url,
        "CHARON_HEADSCALE_API_KEY_FILE": str(work / "hs"),
        "CHARON_HEADSCALE_USER": "charon",
        "CHARON_DNS_PROVIDER": "powerdns",
        "CHARON_DNS_ZONE": zone,
        "CHARON_DNS_NAME": f"{host}.{zone}",
        "CHARON_DNS_OWNER_ID": "bench",
        "CHARON_POWERDNS_URL": pdns.url,
        "CHARON_POWERDNS_API_KEY_FILE": str(work / "pdns"),
        "CHARON_AGENT_LISTEN": "127.0.0.1:0",
        "CHARON_KUBE_SA_DIR": str(work / "no-sa"),
    }


def _answer(pdns: pdns_peer.PowerDns, name: str) -> list[str]:
    query = dns.message.make_query(name, "A")
    reply = dns.query.udp(query, "127.0.0.1", port=pdns.dns_port, timeout=1)
    if reply.rcode() != dns.rcode.NOERROR:
        return []
    return [rd.to_text() for rrset in reply.answer for rd in rrset]


def _start(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "charon.agent", "dns"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen[bytes]) -> float:
    """Send SIGTERM; return the seconds until the process exited."""
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return time.monotonic() - start


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--steady", type=float, default=60.0)
    args = parser.parse_args()
    if pdns_peer.binary() is None:
        print("pdns-server + pdns-backend-sqlite3 are needed (apt-get install them)")
        return 1
    rng = random.Random(7)
    latencies: list[float] = []
    stops: list[float] = []
    hs = FakeHeadscale(version="v0.29.2")
    with (
        pdns_peer.running() as pdns,
        hs.serve() as hs_url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        work = Path(tmp)
        for i in range(args.runs):
            host = f"bench{i}"
            proc = _start(_env(work, hs_url, pdns, host, hs.api_key))
            try:
                time.sleep(1.0 + rng.random())  # the sidecar is up and waiting, as in a pod
                ip = f"100.64.{i // 200}.{i % 200 + 1}"
                fqdn = f"{host}.{pdns.zone}"
                appeared = time.monotonic()
                hs.add_node(host, ips=(ip,))
                for _ in range(3000):  # bounded: 30 s
                    if _answer(pdns, fqdn) == [ip]:
                        break
                    time.sleep(0.01)
                else:
                    print(f"run {i}: no answer within 30 s")
                    continue
                latencies.append(time.monotonic() - appeared)
            finally:
                stops.append(_stop(proc))

        host = "steady"
        hs.add_node(host, ips=("100.64.9.9",))
        proc = _start(_env(work, hs_url, pdns, host, hs.api_key))
        try:
            for _ in range(3000):
                if _answer(pdns, f"{host}.{pdns.zone}") == ["100.64.9.9"]:
                    break
                time.sleep(0.01)
            time.sleep(2)
            before = len(hs.requests)
            start = time.monotonic()
            time.sleep(args.steady)
            elapsed = time.monotonic() - start
            hs_rpm = (len(hs.requests) - before) * 60 / elapsed
            rss = _rss_mib(proc.pid)
        finally:
            stops.append(_stop(proc))

    interval = 30.0
    print()
    print(f"{'measure':<44}{'value':>12}")
    print("-" * 56)
    print(f"{'registrations measured':<44}{len(latencies):>12}")
    if latencies:
        print(f"{'node appears -> DNS answers, p50 (s)':<44}{statistics.median(latencies):>12.3f}")
        print(f"{'node appears -> DNS answers, p95 (s)':<44}{_pct(latencies, 0.95):>12.3f}")
        print(f"{'node appears -> DNS answers, max (s)':<44}{max(latencies):>12.3f}")
    print(f"{'sidecar RSS in steady state (MiB)':<44}{rss:>12.1f}")
    print(f"{'Headscale requests/min in steady state':<44}{hs_rpm:>12.1f}")
    dns_rpm = 60 / interval
    print(f"{'DNS API reads/min in steady state (interval)':<44}{dns_rpm:>12.1f}")
    print(f"{'SIGTERM -> exit, max (s)':<44}{max(stops):>12.3f}")
    print("(seeds: 10 s polling, up to 30 tries -> 0-10 s to notice, 300 s worst case)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
