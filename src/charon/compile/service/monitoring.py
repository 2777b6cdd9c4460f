"""A ServiceMonitor for every service that declares metrics (prometheus-operator v1)."""

from __future__ import annotations

from charon.compile.context import Context, ServiceRef
from charon.compile.labels import meta, selector, service_labels
from charon.compile.model import K8sObject
from charon.compile.service.services import HEADLESS_LABEL

__all__ = ["service_monitor"]


def service_monitor(ctx: Context, ref: ServiceRef) -> K8sObject | None:
    metrics = ref.spec.metrics
    if metrics is None:
        return None
    port = "metrics" if ref.metrics_port != ref.port else ref.port_name
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": meta(ref.name, service_labels(ctx.name, ref.unit, ref.name), ref.namespace),
        "spec": {
            "endpoints": [
                {"interval": metrics.interval, "path": metrics.path, "port": port, "scheme": "http"}
            ],
            # The headless Service carries the same labels; scraping both would double every series.
            "selector": {
                "matchExpressions": [{"key": HEADLESS_LABEL, "operator": "DoesNotExist"}],
                "matchLabels": selector(ref.name),
            },
        },
    }
