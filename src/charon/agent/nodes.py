"""Which Headscale nodes belong to this pod, and where the pod's VPN addresses come from.

A node is this pod's when it carries the pod's tailnet hostname *and* our user or only our tags
(tagged nodes belong to the pseudo-user ``tagged-devices`` from Headscale 0.28). Nodes of other
hostnames or other users are never touched. Addresses come from Headscale itself or, when the
pod can read it, from the Tailscale state Secret's ``device_ips``, which tailscaled writes as
soon as it is up and which costs Headscale nothing to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from charon.agent.headscale import HeadscaleClient, Node
from charon.agent.kube import StateSecret

__all__ = ["AddressSource", "HeadscaleSource", "SecretSource", "current_node", "is_ours"]


def is_ours(node: Node, hostname: str, user: str, tags: Sequence[str]) -> bool:
    host = hostname.lower()
    if host not in {node.name.lower(), node.given_name.lower()}:
        return False
    if user and node.user == user:
        return True
    return bool(tags) and bool(node.tags) and node.tags <= set(tags)


def _id_key(node: Node) -> tuple[int, str]:
    return (int(node.id), node.id) if node.id.isdigit() else (-1, node.id)


def current_node(nodes: Sequence[Node]) -> Node | None:
    """The node the pod is now: an online one first, then the most recently registered."""
    if not nodes:
        return None
    return max(nodes, key=lambda n: (n.online, _id_key(n)))


class AddressSource(Protocol):
    name: str

    async def addresses(self) -> tuple[str, ...]:
        """The pod's VPN addresses now; empty while the node has not appeared."""
        ...


class HeadscaleSource:
    name = "headscale"

    def __init__(
        self, client: HeadscaleClient, hostname: str, user: str, tags: Sequence[str]
    ) -> None:
        self.client, self.hostname, self.user, self.tags = client, hostname, user, tuple(tags)

    async def addresses(self) -> tuple[str, ...]:
        # Listing all nodes (not ?user=) also finds tagged nodes owned by "tagged-devices".
        ours = [
            n for n in await self.client.nodes() if is_ours(n, self.hostname, self.user, self.tags)
        ]
        node = current_node(ours)
        return tuple(sorted(node.ips)) if node else ()


class SecretSource:
    name = "state-secret"

    def __init__(self, secret: StateSecret) -> None:
        self.secret = secret

    async def addresses(self) -> tuple[str, ...]:
        return tuple(sorted(await self.secret.device_ips()))
