from __future__ import annotations

from pathlib import Path

import pytest

from charon.agent.config import load_config
from charon.errors import PermanentError


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    key = tmp_path / "hs-key"
    key.write_text("hskey-api-abc-SECRETVALUE\n")
    return {
        "CHARON_AGENT_HOSTNAME": "grafana",
        "CHARON_HEADSCALE_URL": "http://127.0.0.1:8080/",
        "CHARON_HEADSCALE_API_KEY_FILE": str(key),
        "CHARON_HEADSCALE_USER": "charon",
        **extra,
    }


def test_defaults_and_secret_never_shown(tmp_path: Path) -> None:
    config = load_config(_env(tmp_path, CHARON_HEADSCALE_TAGS="tag:web, tag:vpn"))
    assert config.headscale_url == "http://127.0.0.1:8080"
    assert config.headscale_tags == ("tag:web", "tag:vpn")
    assert config.authkey_file == "/tailscale-auth/authkey"
    assert (config.authkey_expiry, config.authkey_ephemeral, config.dns_ttl) == (600, False, 60)
    assert config.dns_provider == "none"
    assert config.headscale_api_key is not None
    assert config.headscale_api_key.value == "hskey-api-abc-SECRETVALUE"
    assert "SECRETVALUE" not in repr(config)
    assert "SECRETVALUE" not in str(config.headscale_api_key)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"CHARON_AGENT_HOSTNAME": ""}, "CHARON_AGENT_HOSTNAME: required"),
        ({"CHARON_DNS_PROVIDER": "route53"}, "CHARON_DNS_PROVIDER: unknown provider"),
        ({"CHARON_AUTHKEY_EXPIRY": "soon"}, "CHARON_AUTHKEY_EXPIRY: expected a whole number"),
        ({"CHARON_AUTHKEY_EXPIRY": "5"}, "CHARON_AUTHKEY_EXPIRY: 5 is outside"),
        ({"CHARON_AUTHKEY_EPHEMERAL": "maybe"}, "CHARON_AUTHKEY_EPHEMERAL: expected true or false"),
        ({"CHARON_HEADSCALE_TAGS": "web"}, "must start with 'tag:'"),
        ({"CHARON_HEADSCALE_API_KEY_FILE": "/nonexistent/key"}, "cannot read /nonexistent/key"),
        ({"CHARON_DNS_PROVIDER": "rfc2136"}, "CHARON_DNS_ZONE: required"),
        (
            {
                "CHARON_DNS_PROVIDER": "cloudflare",
                "CHARON_DNS_ZONE": "example.org",
                "CHARON_DNS_NAME": "grafana.example.com",
                "CHARON_DNS_OWNER_ID": "c1",
            },
            "is not inside CHARON_DNS_ZONE",
        ),
        (
            {
                "CHARON_DNS_PROVIDER": "cloudflare",
                "CHARON_DNS_ZONE": "example.org",
                "CHARON_DNS_NAME": "grafana.example.org",
                "CHARON_DNS_OWNER_ID": "c1",
            },
            "CHARON_CLOUDFLARE_ZONE_ID: required",
        ),
        ({"CHARON_AGENT_INTERVAL": "0"}, "CHARON_AGENT_INTERVAL: 0 is outside"),
    ],
)
def test_bad_configuration_is_one_permanent_line(
    tmp_path: Path, extra: dict[str, str], message: str
) -> None:
    with pytest.raises(PermanentError) as info:
        load_config(_env(tmp_path, **extra))
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    assert info.value.exit_code == 78


def test_empty_secret_file_is_rejected(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(PermanentError, match="is empty"):
        load_config(_env(tmp_path, CHARON_HEADSCALE_API_KEY_FILE=str(empty)))


def test_dns_names_are_absolute_and_resource_defaults(tmp_path: Path) -> None:
    token = tmp_path / "cf"
    token.write_text("tok")
    config = load_config(
        _env(
            tmp_path,
            CHARON_DNS_PROVIDER="cloudflare",
            CHARON_DNS_ZONE="Example.org",
            CHARON_DNS_NAME="Grafana.example.org",
            CHARON_DNS_OWNER_ID="cluster-a",
            CHARON_CLOUDFLARE_ZONE_ID="z1",
            CHARON_CLOUDFLARE_API_TOKEN_FILE=str(token),
            CHARON_AGENT_NAMESPACE="monitoring",
        )
    )
    assert (config.dns_zone, config.dns_name) == ("example.org.", "grafana.example.org.")
    assert config.resource == "monitoring/grafana"


def test_in_cluster_api_address(tmp_path: Path) -> None:
    env = _env(tmp_path, KUBERNETES_SERVICE_HOST="fd00::1", KUBERNETES_SERVICE_PORT="6443")
    assert load_config(env).kube_api_url == "https://[fd00::1]:6443"
