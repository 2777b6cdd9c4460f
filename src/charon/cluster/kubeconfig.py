"""Which cluster to talk to: ``--kubeconfig``, then ``KUBECONFIG``, ``~/.kube/config``, in-cluster.

The order is kubectl's, with the in-cluster service account last so a kubeconfig a person passes
always wins. ``--context`` picks a context of the chosen file. Every failure is a ClusterError
that says what was looked for; lightkube's configuration errors never escape.
"""

from __future__ import annotations

import os
from pathlib import Path

from lightkube.config.kubeconfig import KubeConfig, SingleConfig
from lightkube.core.exceptions import ConfigError

from charon.errors import ClusterError

__all__ = ["load_config"]

_DEFAULT = Path("~/.kube/config")


def _candidates(explicit: Path | None) -> list[Path]:
    if explicit is not None:
        return [explicit]
    env = os.environ.get("KUBECONFIG", "")
    # KUBECONFIG may list several files; like kubectl, the first existing one is used here.
    listed = [Path(p) for p in env.split(os.pathsep) if p]
    return [*listed, _DEFAULT.expanduser()]


def load_config(kubeconfig: Path | None = None, context: str | None = None) -> SingleConfig:
    """The connection settings of one context (the current one unless ``context`` is given)."""
    for path in _candidates(kubeconfig):
        if not path.is_file():
            if kubeconfig is not None:
                raise ClusterError("kubeconfig", f"{path} does not exist")
            continue
        try:
            config = KubeConfig.from_file(path).get(context)
        except (ConfigError, KeyError, ValueError, TypeError, OSError) as exc:
            raise ClusterError("kubeconfig", f"{path}: {exc}") from exc
        if config is None:  # pragma: no cover - get() raises instead
            raise ClusterError("kubeconfig", f"{path}: no usable context")
        return config
    try:
        in_cluster = KubeConfig.from_service_account().get(context)
    except ConfigError as exc:
        raise ClusterError(
            "kubeconfig",
            "no kubeconfig found (tried --kubeconfig, KUBECONFIG, ~/.kube/config) and not "
            "running in a pod",
            ["fix: pass --kubeconfig FILE or set KUBECONFIG"],
        ) from exc
    if in_cluster is None:  # pragma: no cover - get() raises instead
        raise ClusterError("kubeconfig", "the in-cluster configuration has no context")
    return in_cluster
