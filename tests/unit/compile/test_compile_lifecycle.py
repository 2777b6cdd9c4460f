from __future__ import annotations

import pytest
from _compile_helpers import build, containers, env, find

#: The agent's contract (charon.agent.config reads exactly these).
CONTRACT = {
    "CHARON_AGENT_HOSTNAME", "CHARON_AGENT_NAMESPACE", "CHARON_AGENT_SERVICE",
    "CHARON_HEADSCALE_URL", "CHARON_HEADSCALE_API_KEY_FILE", "CHARON_HEADSCALE_USER",
    "CHARON_HEADSCALE_TAGS", "CHARON_AUTHKEY_FILE", "CHARON_AUTHKEY_EXPIRY",
    "CHARON_AUTHKEY_EPHEMERAL", "CHARON_DNS_PROVIDER", "CHARON_DNS_ZONE", "CHARON_DNS_NAME",
    "CHARON_DNS_OWNER_ID", "CHARON_DNS_TTL", "CHARON_RFC2136_SERVER", "CHARON_RFC2136_PORT",
    "CHARON_RFC2136_TSIG_KEY_NAME", "CHARON_RFC2136_TSIG_ALGORITHM",
    "CHARON_RFC2136_TSIG_SECRET_FILE", "CHARON_POWERDNS_URL", "CHARON_POWERDNS_SERVER_ID",
    "CHARON_POWERDNS_API_KEY_FILE", "CHARON_CLOUDFLARE_API_URL", "CHARON_CLOUDFLARE_ZONE_ID",
    "CHARON_CLOUDFLARE_API_TOKEN_FILE", "CHARON_TS_STATE_SECRET", "CHARON_AGENT_LISTEN",
    "CHARON_AGENT_INTERVAL",
}  # fmt: skip

PROVIDERS = {
    "cloudflare": {"provider": "cloudflare", "cloudflareZoneId": "zone123"},
    "powerdns": {"provider": "powerdns", "powerdnsUrl": "http://pdns:8081"},
    "rfc2136": {"provider": "rfc2136", "rfc2136": {"server": "192.0.2.1", "keyName": "k"}},
}


def _agent(provider: dict[str, object], **service: object) -> tuple[dict, dict, dict]:
    svc = {"exposure": "vpn", "lifecycle": True, **service}
    sts = find(
        build(dns={"zone": "t.example", **provider}, services={"web": svc}), "StatefulSet", "web"
    )
    init = containers(sts, init=True)
    return init["lifecycle-init"], init["lifecycle-dns"], sts


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_env_names_follow_the_agent_contract(provider: str) -> None:
    init, sidecar, _ = _agent(PROVIDERS[provider])
    names = set(env(init)) - {"POD_NAME"}
    assert names <= CONTRACT
    assert env(init) == env(sidecar)
    assert env(init)["CHARON_DNS_PROVIDER"] == provider
    other = {p for p in PROVIDERS if p != provider}
    assert not any(n.startswith(f"CHARON_{o.upper()}_") for n in names for o in other)


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_secret_files_are_mounted_never_in_env(provider: str) -> None:
    init, _, sts = _agent(PROVIDERS[provider])
    values = env(init)
    files = {k: v for k, v in values.items() if k.endswith("_FILE") and k != "CHARON_AUTHKEY_FILE"}
    assert len(files) == 2  # the Headscale API key and this provider's credential
    mounts = {m["mountPath"]: m["name"] for m in init["volumeMounts"]}
    volumes = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
    for path in files.values():
        assert path.startswith("/var/run/charon/")
        folder, key = path.rsplit("/", 1)
        secret = volumes[mounts[folder]]["secret"]
        assert secret["items"] == [{"key": key, "path": key}]
    assert volumes["headscale-api-key"]["secret"]["secretName"] == "charon-headscale-api-key"
    assert volumes["dns-credentials"]["secret"]["secretName"] == "charon-dns"


def test_init_then_native_sidecar() -> None:
    init, sidecar, sts = _agent(PROVIDERS["cloudflare"])
    names = [c["name"] for c in sts["spec"]["template"]["spec"]["initContainers"]]
    assert names == ["lifecycle-init", "lifecycle-dns"]
    assert init["command"] == ["charon", "agent", "init"]
    assert sidecar["command"] == ["charon", "agent", "dns"]
    assert sidecar["restartPolicy"] == "Always"
    assert "restartPolicy" not in init
    writable = {m["name"]: not m.get("readOnly") for m in init["volumeMounts"]}
    assert writable["tailscale-auth"] is True
    assert env(init)["CHARON_AUTHKEY_FILE"] == "/tailscale-auth/authkey"
    assert env(init)["CHARON_DNS_NAME"] == "web.t.example"


def test_several_replicas_get_one_record_per_pod() -> None:
    init, _, _ = _agent(PROVIDERS["cloudflare"], replicas=2)
    assert env(init)["CHARON_DNS_NAME"] == "$(POD_NAME).t.example"


def test_dns_not_vpn_means_no_provider_and_no_credentials() -> None:
    init, _, sts = _agent(PROVIDERS["cloudflare"], dns="none")
    assert env(init)["CHARON_DNS_PROVIDER"] == "none"
    assert not any(n.startswith("CHARON_CLOUDFLARE") for n in env(init))
    names = {v["name"] for v in sts["spec"]["template"]["spec"]["volumes"]}
    assert "dns-credentials" not in names


def test_tags_are_sorted_and_joined() -> None:
    init, _, _ = _agent({}, **{})
    assert env(init)["CHARON_HEADSCALE_TAGS"] == ""
    compiled = build(
        vpn={"headscale": {"tags": ["tag:b", "tag:a"]}},
        services={"web": {"lifecycle": True}},
    )
    agent = containers(find(compiled, "StatefulSet", "web"), init=True)["lifecycle-init"]
    assert env(agent)["CHARON_HEADSCALE_TAGS"] == "tag:a,tag:b"
