"""The Flux and kustomize documents that tie a rendered tree together.

Every unit becomes one Flux ``Kustomization`` (``kustomize.toolkit.fluxcd.io/v1``) in
``flux-system`` that points at the unit's own directory, so Flux reconciles, prunes, health-checks
and orders units exactly as ``charon apply`` does. Decryption is configured on every unit, not only
on those that hold SOPS files today: adding a secret later must not need a second, easily forgotten
change (DESIGN.md §3.5), and Flux refuses to apply an encrypted Secret without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from charon.compile.model import (
    LABEL_MANAGED_BY,
    LABEL_PLATFORM,
    LABEL_UNIT,
    MANAGED_BY,
    CompiledPlatform,
    K8sObject,
    Unit,
)
from charon.errors import RenderError

__all__ = [
    "FLUX_API",
    "FLUX_NAMESPACE",
    "KUSTOMIZE_API",
    "SOPS_KEY_SECRET",
    "check_name",
    "flux_kustomization",
    "kustomization",
    "unit_path",
]

FLUX_API = "kustomize.toolkit.fluxcd.io/v1"
KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
FLUX_NAMESPACE = "flux-system"
#: The Secret holding the cluster's age private key (``*.agekey``), as Flux's docs name it.
SOPS_KEY_SECRET = "sops-age"  # noqa: S105 - a Secret name, not a value
RETRY_INTERVAL = "2m"
TIMEOUT = "5m"

_UNIT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def unit_path(gitops_path: str, unit: str) -> str:
    """``./<gitops path>/units/<unit>`` with no empty, ``.`` or doubled segments."""
    parts = [p for p in gitops_path.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise RenderError(
            f"gitops.path {gitops_path!r} climbs out of the repository with '..'; "
            "write it relative to the repository root, e.g. 'clusters/home'"
        )
    return "./" + "/".join([*parts, "units", unit])


def check_name(name: str, what: str = "unit") -> None:
    """Unit and platform names become directory and object names; refuse anything unsafe."""
    if not _UNIT_NAME.match(name) or len(name) > 63:
        raise RenderError(
            f"{what} name {name!r} is not a DNS-1123 label; it cannot name a directory"
        )


def _labels(platform: str, unit: str) -> dict[str, str]:
    return {LABEL_MANAGED_BY: MANAGED_BY, LABEL_PLATFORM: platform, LABEL_UNIT: unit}


def flux_kustomization(compiled: CompiledPlatform, unit: Unit) -> K8sObject:
    """The Flux Kustomization that reconciles one unit's directory."""
    spec: K8sObject = {
        "interval": compiled.gitops_interval,
        "retryInterval": RETRY_INTERVAL,
        "timeout": TIMEOUT,
        "path": unit_path(compiled.gitops_path, unit.name),
        "prune": True,
        "wait": True,
        "sourceRef": {"kind": "GitRepository", "name": compiled.gitops_source},
        "decryption": {"provider": "sops", "secretRef": {"name": SOPS_KEY_SECRET}},
    }
    if unit.depends_on:
        spec["dependsOn"] = [{"name": name} for name in sorted(set(unit.depends_on))]
    if unit.health_checks:
        checks = []
        for api_version, kind, namespace, name in sorted(set(unit.health_checks)):
            check = {"apiVersion": api_version, "kind": kind, "name": name}
            if namespace:
                check["namespace"] = namespace
            checks.append(check)
        spec["healthChecks"] = checks
    return {
        "apiVersion": FLUX_API,
        "kind": "Kustomization",
        "metadata": {
            "name": unit.name,
            "namespace": FLUX_NAMESPACE,
            "labels": _labels(compiled.platform, unit.name),
        },
        "spec": spec,
    }


def kustomization(resources: Iterable[str]) -> K8sObject:
    """A plain kustomize ``kustomization.yaml`` so ``kustomize build`` works on the directory."""
    return {
        "apiVersion": KUSTOMIZE_API,
        "kind": "Kustomization",
        "resources": sorted(resources),
    }
