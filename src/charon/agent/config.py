"""The agent's configuration, read once from environment variables and mounted files.

The compiler emits exactly these variable names into the StatefulSet, so they are a contract.
Secrets (API keys, TSIG secret, tokens) come only from files and live in :class:`Secret`, whose
``repr`` never shows the value, so a stray log line or traceback cannot leak one. Every problem is
a :class:`PermanentError` with a one-line message naming the variable: a bad configuration does not
get better by restarting the pod.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from charon.errors import PermanentError

__all__ = ["AgentConfig", "Secret", "load_config"]

PROVIDERS = ("none", "rfc2136", "powerdns", "cloudflare")


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret value read from a file; shown as ``Secret(<path>)`` and never as its value."""

    path: str
    value: str = field(repr=False, compare=False)

    def __str__(self) -> str:
        return f"Secret({self.path})"


@dataclass(frozen=True, slots=True)
class AgentConfig:
    hostname: str
    namespace: str = ""
    service: str = ""
    headscale_url: str = ""
    headscale_api_key: Secret | None = None
    headscale_user: str = ""
    headscale_tags: tuple[str, ...] = ()
    authkey_file: str = "/tailscale-auth/authkey"
    authkey_expiry: int = 600
    authkey_ephemeral: bool = False
    dns_provider: str = "none"
    dns_zone: str = ""
    dns_name: str = ""
    dns_owner_id: str = ""
    dns_ttl: int = 60
    rfc2136_server: str = ""
    rfc2136_port: int = 53
    rfc2136_tsig_key_name: str = ""
    rfc2136_tsig_algorithm: str = "hmac-sha256"
    rfc2136_tsig_secret: Secret | None = None
    powerdns_url: str = ""
    powerdns_server_id: str = "localhost"
    powerdns_api_key: Secret | None = None
    cloudflare_api_url: str = "https://api.cloudflare.com/client/v4"
    cloudflare_zone_id: str = ""
    cloudflare_api_token: Secret | None = None
    ts_state_secret: str = ""
    kube_sa_dir: str = "/var/run/secrets/kubernetes.io/serviceaccount"
    kube_api_url: str = ""
    listen: str = "0.0.0.0:9102"
    interval: float = 30.0
    init_timeout: float = 120.0
    http_timeout: float = 5.0

    @property
    def resource(self) -> str:
        """The ``<namespace>/<service>`` this agent publishes, written into the ownership TXT."""
        return f"{self.namespace or 'default'}/{self.service or self.hostname}"


def _fqdn(name: str) -> str:
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


def load_config(env: Mapping[str, str] | None = None) -> AgentConfig:
    """Build the configuration or raise one :class:`PermanentError` naming the bad variable."""
    env = os.environ if env is None else env
    r = _Reader(env)
    hostname = r.text("CHARON_AGENT_HOSTNAME", required=True)
    provider = r.text("CHARON_DNS_PROVIDER", "none").lower()
    if provider not in PROVIDERS:
        raise PermanentError(
            f"CHARON_DNS_PROVIDER: unknown provider {provider!r}; use one of {', '.join(PROVIDERS)}"
        )
    dns_on = provider != "none"
    zone = _fqdn(r.text("CHARON_DNS_ZONE", required=dns_on)) if dns_on else ""
    name = _fqdn(r.text("CHARON_DNS_NAME", required=dns_on)) if dns_on else ""
    if dns_on and not (name == zone or name.endswith("." + zone)):
        raise PermanentError(f"CHARON_DNS_NAME: {name} is not inside CHARON_DNS_ZONE {zone}")
    owner = r.text("CHARON_DNS_OWNER_ID", required=dns_on)
    if "," in owner or "=" in owner or '"' in owner:
        raise PermanentError("CHARON_DNS_OWNER_ID: must not contain ',', '=' or '\"'")
    tags = tuple(t.strip() for t in r.text("CHARON_HEADSCALE_TAGS").split(",") if t.strip())
    for tag in tags:
        if not tag.startswith("tag:"):
            raise PermanentError(f"CHARON_HEADSCALE_TAGS: {tag!r} must start with 'tag:'")
    return AgentConfig(
        hostname=hostname,
        namespace=r.text("CHARON_AGENT_NAMESPACE"),
        service=r.text("CHARON_AGENT_SERVICE"),
        headscale_url=r.text("CHARON_HEADSCALE_URL").rstrip("/"),
        headscale_api_key=r.secret("CHARON_HEADSCALE_API_KEY_FILE"),
        headscale_user=r.text("CHARON_HEADSCALE_USER"),
        headscale_tags=tags,
        authkey_file=r.text("CHARON_AUTHKEY_FILE", "/tailscale-auth/authkey"),
        authkey_expiry=r.integer("CHARON_AUTHKEY_EXPIRY", 600, low=60, high=86400),
        authkey_ephemeral=r.boolean("CHARON_AUTHKEY_EPHEMERAL", default=False),
        dns_provider=provider,
        dns_zone=zone,
        dns_name=name,
        dns_owner_id=owner,
        dns_ttl=r.integer("CHARON_DNS_TTL", 60, low=1, high=86400),
        rfc2136_server=r.text("CHARON_RFC2136_SERVER", required=provider == "rfc2136"),
        rfc2136_port=r.integer("CHARON_RFC2136_PORT", 53, low=1, high=65535),
        rfc2136_tsig_key_name=r.text("CHARON_RFC2136_TSIG_KEY_NAME"),
        rfc2136_tsig_algorithm=r.text("CHARON_RFC2136_TSIG_ALGORITHM", "hmac-sha256"),
        rfc2136_tsig_secret=r.secret("CHARON_RFC2136_TSIG_SECRET_FILE"),
        powerdns_url=r.text("CHARON_POWERDNS_URL", required=provider == "powerdns").rstrip("/"),
        powerdns_server_id=r.text("CHARON_POWERDNS_SERVER_ID", "localhost"),
        powerdns_api_key=r.secret("CHARON_POWERDNS_API_KEY_FILE", required=provider == "powerdns"),
        cloudflare_api_url=r.text(
            "CHARON_CLOUDFLARE_API_URL", "https://api.cloudflare.com/client/v4"
        ).rstrip("/"),
        cloudflare_zone_id=r.text("CHARON_CLOUDFLARE_ZONE_ID", required=provider == "cloudflare"),
        cloudflare_api_token=r.secret(
            "CHARON_CLOUDFLARE_API_TOKEN_FILE", required=provider == "cloudflare"
        ),
        ts_state_secret=r.text("CHARON_TS_STATE_SECRET"),
        kube_sa_dir=r.text("CHARON_KUBE_SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount"),
        kube_api_url=r.text("CHARON_KUBE_API_URL", _in_cluster_url(env)).rstrip("/"),
        listen=r.text("CHARON_AGENT_LISTEN", "0.0.0.0:9102"),
        interval=r.number("CHARON_AGENT_INTERVAL", 30.0, low=1.0, high=3600.0),
        init_timeout=r.number("CHARON_AGENT_INIT_TIMEOUT", 120.0, low=0.0, high=3600.0),
        http_timeout=r.number("CHARON_AGENT_HTTP_TIMEOUT", 5.0, low=0.5, high=60.0),
    )


def _in_cluster_url(env: Mapping[str, str]) -> str:
    host = env.get("KUBERNETES_SERVICE_HOST", "")
    if not host:
        return ""
    host = f"[{host}]" if ":" in host else host
    return f"https://{host}:{env.get('KUBERNETES_SERVICE_PORT', '443')}"


class _Reader:
    """Typed access to the environment, each failure a one-line message naming the variable."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def text(self, key: str, default: str = "", *, required: bool = False) -> str:
        value = self.env.get(key, "").strip() or default
        if required and not value:
            raise PermanentError(f"{key}: required but not set")
        return value

    def integer(self, key: str, default: int, *, low: int, high: int) -> int:
        raw = self.text(key)
        try:
            value = int(raw) if raw else default
        except ValueError:
            raise PermanentError(f"{key}: expected a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise PermanentError(f"{key}: {value} is outside {low}..{high}")
        return value

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        raw = self.text(key)
        try:
            value = float(raw) if raw else default
        except ValueError:
            raise PermanentError(f"{key}: expected a number of seconds, got {raw!r}") from None
        if not low <= value <= high:
            raise PermanentError(f"{key}: {value:g} is outside {low:g}..{high:g}")
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        raw = self.text(key).lower()
        if not raw:
            return default
        if raw in {"1", "true", "yes", "on"}:
            return True
        if raw in {"0", "false", "no", "off"}:
            return False
        raise PermanentError(f"{key}: expected true or false, got {raw!r}")

    def secret(self, key: str, *, required: bool = False) -> Secret | None:
        path = self.text(key, required=required)
        if not path:
            return None
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise PermanentError(f"{key}: cannot read {path}: {exc.strerror}") from exc
        if not value:
            raise PermanentError(f"{key}: {path} is empty")
        return Secret(path=path, value=value)
