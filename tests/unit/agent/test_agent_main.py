"""The agent as a real process: exit codes, one-line errors, SIGTERM, light imports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from fakes.cloudflare import FakeCloudflare
from fakes.headscale import FakeHeadscale

NAME = "grafana.charon.test"


def agent(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "charon.agent", *args],
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _env(tmp_path: Path, hs_url: str, cf_url: str, hs: FakeHeadscale) -> dict[str, str]:
    (tmp_path / "hs").write_text(hs.api_key)
    (tmp_path / "cf").write_text("cf-test-token")
    return {
        "CHARON_AGENT_HOSTNAME": "grafana",
        "CHARON_AGENT_NAMESPACE": "monitoring",
        "CHARON_AGENT_SERVICE": "grafana",
        "CHARON_HEADSCALE_URL": hs_url,
        "CHARON_HEADSCALE_API_KEY_FILE": str(tmp_path / "hs"),
        "CHARON_HEADSCALE_USER": "charon",
        "CHARON_AUTHKEY_FILE": str(tmp_path / "auth" / "authkey"),
        "CHARON_DNS_PROVIDER": "cloudflare",
        "CHARON_DNS_ZONE": "charon.test",
        "CHARON_DNS_NAME": NAME,
        "CHARON_DNS_OWNER_ID": "cluster-a",
        "CHARON_CLOUDFLARE_API_URL": cf_url,
        "CHARON_CLOUDFLARE_ZONE_ID": "0123456789abcdef0123456789abcdef",
        "CHARON_CLOUDFLARE_API_TOKEN_FILE": str(tmp_path / "cf"),
        "CHARON_KUBE_SA_DIR": str(tmp_path / "no-sa"),
    }


def test_version() -> None:
    done = agent("version", env={})
    assert done.returncode == 0
    assert done.stdout.startswith("charon-agent ")


def test_bad_configuration_exits_78_with_one_line(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("SUPERSECRET")
    done = agent(
        "init",
        env={
            "CHARON_HEADSCALE_API_KEY_FILE": str(secret),
            "CHARON_DNS_PROVIDER": "bogus",
            "CHARON_AGENT_HOSTNAME": "grafana",
        },
    )
    assert done.returncode == 78
    assert done.stderr.strip().splitlines() == [
        "charon agent init: error: CHARON_DNS_PROVIDER: unknown provider 'bogus'; "
        "use one of none, rfc2136, powerdns, cloudflare"
    ]
    assert "SUPERSECRET" not in done.stderr + done.stdout


def test_unreachable_headscale_exits_75(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        hs = FakeHeadscale()
        env = _env(tmp_path, url, url, hs)
        env.update(CHARON_DNS_PROVIDER="none", CHARON_AGENT_INIT_TIMEOUT="0")
        done = agent("init", env=env)
    assert done.returncode == 75
    assert "Traceback" not in done.stderr
    assert hs.api_key not in done.stderr


def test_init_then_dns_once_against_served_fakes(tmp_path: Path) -> None:
    hs, cf = FakeHeadscale(version="v0.23.0"), FakeCloudflare()
    stale = hs.add_node("grafana", ips=("100.64.0.1",))
    with hs.serve() as hs_url, cf.serve() as cf_url:
        env = _env(tmp_path, hs_url, cf_url, hs)
        init = agent("init", env=env)
        assert init.returncode == 0, init.stderr
        assert stale not in hs.nodes
        assert (tmp_path / "auth" / "authkey").read_text().startswith("hskey-auth-")
        waiting = agent("dns", "--once", env=env)
        assert (waiting.returncode, waiting.stdout.strip()) == (75, "waiting")
        hs.add_node("grafana", ips=("100.64.0.2",))
        done = agent("dns", "--once", env=env)
        assert (done.returncode, done.stdout.split()[:2]) == (0, ["wrote", "100.64.0.2"])
        again = agent("dns", "--once", env=env)
        assert again.stdout.split()[:1] == ["in-sync"]
    assert ("A", "100.64.0.2") in cf.at(NAME)
    secret_values = [hs.api_key, "cf-test-token", *(k["key"] for k in hs.keys.values())]
    for out in (init, waiting, done, again):
        assert not any(s in out.stderr + out.stdout for s in secret_values)


def test_sidecar_serves_health_and_exits_promptly_on_sigterm(tmp_path: Path) -> None:
    hs, cf = FakeHeadscale(), FakeCloudflare()
    hs.add_node("grafana", ips=("100.64.0.2",))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with hs.serve() as hs_url, cf.serve() as cf_url:
        env = _env(tmp_path, hs_url, cf_url, hs)
        env["CHARON_AGENT_LISTEN"] = f"127.0.0.1:{port}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "charon.agent", "dns"],
            env={"PATH": os.environ.get("PATH", ""), **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            body = b""
            for _ in range(200):  # bounded: up to ~20 s for the interpreter to start
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                        body = r.read()
                    if b'charon_agent_dns_repairs_total{reason="created"} 1.0' in body:
                        break
                except OSError:
                    pass
                time.sleep(0.1)
            assert b"charon_agent_dns_syncs_total 1.0" in body
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=5)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, err
        assert "Traceback" not in err


def _top_modules(imports: str) -> set[str]:
    code = f"import sys, {imports}; print(' '.join({{m.split('.')[0] for m in sys.modules}}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_agent_imports_stay_light() -> None:
    heavy = {"pydantic", "typer", "rich", "yaml", "lightkube", "dns", "click", "pygments"}
    # Even where the full CLI's dependencies are installed (httpx would load click and rich for
    # its own optional CLI), the agent entry point keeps them out; dnspython is loaded only when
    # the rfc2136 provider is configured.
    loaded = _top_modules("charon.agent.main, charon.agent.wiring, charon.agent.init")
    assert loaded & heavy == set()
    assert "httpx" in loaded
