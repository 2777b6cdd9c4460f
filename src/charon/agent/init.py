"""``charon agent init``: prepare a pod to join the tailnet under its stable hostname.

Runs as the init container, before tailscaled starts, so no node of *this* pod is online yet;
every node with this hostname and our user/tags is a leftover of an earlier pod and is deleted,
except the one the pod's saved Tailscale state will log back in as (``device_id`` in the state
Secret, when the agent may read it). Our stale address records go too (the ownership TXT stays,
keeping the name claimed until the sidecar publishes the new address). Then a fresh single-use
pre-auth key is written for tailscaled. Every step is idempotent, so a re-run is harmless.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import httpx

from charon.agent.authkey import read_previous, write_key
from charon.agent.config import AgentConfig
from charon.agent.dns import make_provider
from charon.agent.headscale import HeadscaleClient, PreAuthKey
from charon.agent.kube import StateSecret
from charon.agent.log import get_logger
from charon.agent.nodes import is_ours
from charon.agent.ownership import Owner, cleanup
from charon.agent.retry import retrying
from charon.errors import AgentError, PermanentError, RetryableError

__all__ = ["InitResult", "run_init"]

log = get_logger("init")


@dataclass
class InitResult:
    deleted_nodes: list[str] = field(default_factory=list)
    kept_node: str = ""
    deleted_records: list[str] = field(default_factory=list)
    key_id: str = ""


@dataclass(frozen=True, slots=True)
class Transports:
    """Injectable wires for tests; ``None`` means the real network."""

    headscale: httpx.AsyncBaseTransport | None = None
    dns: httpx.AsyncBaseTransport | None = None
    kube: httpx.AsyncBaseTransport | None = None


async def _kept_node(config: AgentConfig, transport: httpx.AsyncBaseTransport | None) -> str:
    """The node id the pod's saved Tailscale state belongs to, or "" when unknown."""
    if not config.ts_state_secret:
        return ""
    try:
        secret = StateSecret(
            config.kube_api_url,
            config.namespace,
            config.ts_state_secret,
            sa_dir=config.kube_sa_dir,
            timeout=config.http_timeout,
            transport=transport,
        )
    except AgentError as exc:
        log.warning("cannot read the Tailscale state Secret, keeping no node: %s", exc)
        return ""
    try:
        return await secret.device_id()
    except AgentError as exc:
        log.warning("cannot read the Tailscale state Secret, keeping no node: %s", exc)
        return ""
    finally:
        await secret.aclose()


async def _clean_nodes(
    config: AgentConfig, client: HeadscaleClient, keep: str, result: InitResult
) -> None:
    for node in await client.nodes():
        if not is_ours(node, config.hostname, config.headscale_user, config.headscale_tags):
            continue
        if keep and node.id == keep:
            result.kept_node = node.id
            continue
        await client.delete_node(node.id)
        result.deleted_nodes.append(node.id)
        log.info("deleted stale node id=%s hostname=%s", node.id, node.name)


async def _clean_dns(config: AgentConfig, transports: Transports, result: InitResult) -> None:
    provider = make_provider(config, transports.dns)
    try:
        owner = Owner(config.dns_owner_id, config.resource)
        records = await provider.records(config.dns_name)
        plan = cleanup(config.dns_name, records, owner)
        if plan.change:
            await provider.apply(plan.change)
            result.deleted_records = [f"{r.rtype} {r.value}" for r in plan.change.delete]
            log.info("deleted stale records at %s: %s", config.dns_name, result.deleted_records)
    finally:
        await provider.aclose()


async def _new_key(config: AgentConfig, client: HeadscaleClient) -> PreAuthKey:
    previous = read_previous(config.authkey_file)
    if previous is not None:
        old = PreAuthKey(id=previous[1], key=previous[0], user=config.headscale_user)
        try:
            await client.expire_preauth_key(old)
            log.info("expired the previous pre-auth key id=%s", old.id)
        except AgentError as exc:
            log.warning("could not expire the previous pre-auth key id=%s: %s", old.id, exc)
    key = await client.create_preauth_key(
        config.headscale_user,
        expiry_seconds=config.authkey_expiry,
        ephemeral=config.authkey_ephemeral,
        tags=config.headscale_tags,
    )
    write_key(config.authkey_file, key.key, key.id)
    log.info("wrote a new pre-auth key id=%s to %s", key.id, config.authkey_file)
    return key


async def run_init(
    config: AgentConfig, transports: Transports | None = None, stop: asyncio.Event | None = None
) -> InitResult:
    transports = transports or Transports()
    stop = stop or asyncio.Event()
    if config.headscale_api_key is None:
        raise PermanentError("CHARON_HEADSCALE_API_KEY_FILE: required but not set")
    result = InitResult()
    keep = await _kept_node(config, transports.kube)
    async with HeadscaleClient(
        config.headscale_url,
        config.headscale_api_key.value,
        timeout=config.http_timeout,
        transport=transports.headscale,
    ) as client:
        timeout = config.init_timeout
        await retrying(
            lambda: _clean_nodes(config, client, keep, result),
            what="stale node cleanup",
            timeout=timeout,
            stop=stop,
        )
        if config.dns_provider != "none":
            try:
                await retrying(
                    lambda: _clean_dns(config, transports, result),
                    what="stale DNS cleanup",
                    timeout=timeout,
                    stop=stop,
                )
            except RetryableError as exc:
                # The sidecar overwrites our record anyway; a DNS outage must not stop the pod.
                log.warning("stale DNS cleanup skipped: %s", exc)
        key = await retrying(
            lambda: _new_key(config, client), what="pre-auth key", timeout=timeout, stop=stop
        )
        result.key_id = key.id
    return result
