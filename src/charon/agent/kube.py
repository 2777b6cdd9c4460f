"""Read the pod's Tailscale state Secret with the pod's own service-account token.

No Kubernetes library: one GET with httpx is all the agent needs, and the heavy clients would
double its memory. The token is re-read on every call because the kubelet rotates projected
tokens. tailscaled writes ``device_ips`` (a JSON list) and ``device_id`` into this Secret once it
is logged in; the pod's Role allows exactly this one Secret (resourceNames).
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

import httpx

from charon.agent._http import make_client, request_json
from charon.errors import PermanentError

__all__ = ["StateSecret"]


class StateSecret:
    def __init__(
        self,
        api_url: str,
        namespace: str,
        name: str,
        *,
        sa_dir: str = "/var/run/secrets/kubernetes.io/serviceaccount",
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not api_url:
            raise PermanentError(
                "CHARON_TS_STATE_SECRET: no Kubernetes API address (KUBERNETES_SERVICE_HOST)"
            )
        self._sa = Path(sa_dir)
        ns_file = self._sa / "namespace"
        self.namespace = namespace or (ns_file.read_text().strip() if ns_file.is_file() else "")
        if not self.namespace:
            raise PermanentError("CHARON_AGENT_NAMESPACE: required to read the state Secret")
        ca = self._sa / "ca.crt"
        self.name = name
        self._http = make_client(
            api_url, {}, timeout, transport=transport, verify=str(ca) if ca.is_file() else True
        )

    def _token(self) -> str:
        try:
            return (self._sa / "token").read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise PermanentError(
                f"CHARON_TS_STATE_SECRET: no service-account token in {self._sa}"
            ) from exc

    async def data(self) -> dict[str, str]:
        """The Secret's decoded values (empty while the Secret does not exist yet)."""
        self._http.headers["Authorization"] = f"Bearer {self._token()}"
        body: Any = await request_json(
            self._http,
            "GET",
            f"/api/v1/namespaces/{self.namespace}/secrets/{self.name}",
            f"read Secret {self.namespace}/{self.name}",
            allow_404=True,
        )
        out: dict[str, str] = {}
        for key, value in ((body or {}).get("data") or {}).items():
            if key in ("device_ips", "device_id", "device_fqdn"):
                try:
                    out[key] = base64.b64decode(value).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    continue
        return out

    async def device_ips(self) -> list[str]:
        raw = (await self.data()).get("device_ips", "")
        try:
            ips = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [str(ip) for ip in ips] if isinstance(ips, list) else []

    async def device_id(self) -> str:
        return (await self.data()).get("device_id", "")

    async def aclose(self) -> None:
        await self._http.aclose()
