"""Small builders shared by the compiler unit tests: a platform from a few overrides."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from charon.compile import compile_platform
from charon.compile.model import CompiledPlatform, K8sObject
from charon.spec.models import Platform

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

BASE: dict[str, Any] = {
    "apiVersion": "charon.dev/v1alpha1",
    "kind": "Platform",
    "metadata": {"name": "t"},
    "cluster": {
        "domain": "t.example",
        "storageClasses": {"default": "std", "encrypted": "crypt", "shared": "nfs"},
        "tls": {"issuer": "le"},
        "podCidr": "10.42.0.0/16",
    },
    "vpn": {"headscale": {"url": "https://hs.t.example"}},
    "categories": {"apps": {"tier": "3-edge"}},
    "services": {
        "web": {"category": "apps", "image": "ghcr.io/x/web:1.0.0", "port": 3000},
    },
}


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def platform(**extra: Any) -> Platform:
    return Platform.model_validate(merge(BASE, extra))


def build(**extra: Any) -> CompiledPlatform:
    return compile_platform(platform(**extra))


def example(name: str) -> CompiledPlatform:
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    return compile_platform(Platform.model_validate(yaml.safe_load(text)))


def find(
    compiled: CompiledPlatform, kind: str, name: str, namespace: str | None = None
) -> K8sObject:
    for obj in compiled.objects():
        meta = obj["metadata"]
        same_ns = namespace is None or meta.get("namespace") == namespace
        if obj["kind"] == kind and meta["name"] == name and same_ns:
            return obj
    raise AssertionError(f"no {kind} {namespace}/{name}")


def has(compiled: CompiledPlatform, kind: str, name: str) -> bool:
    return any(o["kind"] == kind and o["metadata"]["name"] == name for o in compiled.objects())


def containers(sts: K8sObject, init: bool = False) -> dict[str, dict[str, Any]]:
    spec = sts["spec"]["template"]["spec"]
    return {c["name"]: c for c in spec.get("initContainers" if init else "containers", [])}


def env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
