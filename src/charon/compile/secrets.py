"""Secrets declared under ``secrets:``: ExternalSecrets for Vault-backed ones, file references for
SOPS and Sealed Secrets, nothing for ``existing`` ones (they are only referenced).

``external-secrets.io/v1`` is the version ESO serves since v0.17, which stopped serving v1beta1.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from charon.compile.context import Context
from charon.compile.labels import meta, owner_labels
from charon.compile.model import K8sObject
from charon.spec.models import SecretSource

__all__ = ["external_secrets", "secret_file_sources"]


def external_secrets(ctx: Context, unit: str) -> list[K8sObject]:
    out: list[K8sObject] = []
    for name, spec in sorted(ctx.platform.secrets.items()):
        if spec.source is not SecretSource.external:
            continue
        remote = spec.remote_key or name
        data: list[dict[str, Any]] = [
            {"secretKey": key, "remoteRef": {"key": remote, "property": key}}
            for key in sorted(set(spec.keys))
        ]
        body: dict[str, Any] = {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": spec.store or "vault"},
            "target": {"name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
        }
        if data:
            body["data"] = data
        else:
            body["dataFrom"] = [{"extract": {"key": remote}}]
        out.append(
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ExternalSecret",
                "metadata": meta(name, owner_labels(ctx.name, unit), spec.namespace),
                "spec": body,
            }
        )
    return out


def secret_file_sources(ctx: Context) -> list[tuple[str, str]]:
    """(file name in the unit, path as written in the spec) of every SOPS/sealed manifest."""
    out: list[tuple[str, str]] = []
    for name, spec in sorted(ctx.platform.secrets.items()):
        if spec.source in (SecretSource.sops, SecretSource.sealed) and spec.file:
            suffix = "sops" if spec.source is SecretSource.sops else "sealed"
            ext = PurePosixPath(spec.file).suffix or ".yaml"
            out.append((f"secret-{spec.namespace}-{name}.{suffix}{ext}", spec.file))
    return out
