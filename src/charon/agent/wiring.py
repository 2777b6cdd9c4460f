"""Assemble the sidecar from configuration: pick the address source and the DNS provider."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from charon.agent.config import AgentConfig
from charon.agent.dns import Provider, make_provider
from charon.agent.headscale import HeadscaleClient
from charon.agent.init import Transports
from charon.agent.kube import StateSecret
from charon.agent.nodes import AddressSource, HeadscaleSource, SecretSource
from charon.agent.sidecar import Sidecar
from charon.errors import PermanentError

__all__ = ["build_sidecar"]

Closer = Callable[[], Awaitable[None]]


def _source(config: AgentConfig, transports: Transports, closers: list[Closer]) -> AddressSource:
    token = Path(config.kube_sa_dir) / "token"
    if config.ts_state_secret and token.is_file():
        secret = StateSecret(
            config.kube_api_url,
            config.namespace,
            config.ts_state_secret,
            sa_dir=config.kube_sa_dir,
            timeout=config.http_timeout,
            transport=transports.kube,
        )
        closers.append(secret.aclose)
        return SecretSource(secret)
    if config.headscale_api_key is None:
        raise PermanentError(
            "CHARON_HEADSCALE_API_KEY_FILE: required unless CHARON_TS_STATE_SECRET is readable"
        )
    client = HeadscaleClient(
        config.headscale_url,
        config.headscale_api_key.value,
        timeout=config.http_timeout,
        transport=transports.headscale,
    )
    closers.append(client.aclose)
    return HeadscaleSource(client, config.hostname, config.headscale_user, config.headscale_tags)


def build_sidecar(
    config: AgentConfig, transports: Transports | None = None
) -> tuple[Sidecar, list[Closer]]:
    """The sidecar and the close functions of everything it opened (call them in order)."""
    transports = transports or Transports()
    closers: list[Closer] = []
    source = _source(config, transports, closers)
    provider: Provider | None = None
    if config.dns_provider != "none":
        provider = make_provider(config, transports.dns)
        closers.append(provider.aclose)
    return Sidecar(config, source, provider), closers
