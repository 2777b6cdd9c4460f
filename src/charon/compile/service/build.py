"""Every object of one service, in the order a reader would look for them."""

from __future__ import annotations

from charon.compile.context import Context, ServiceRef
from charon.compile.model import K8sObject
from charon.compile.netpol import service_policy
from charon.compile.service.backup import backup_objects
from charon.compile.service.ingress import ingress
from charon.compile.service.monitoring import service_monitor
from charon.compile.service.nginx import nginx_config, nginx_configmap
from charon.compile.service.services import (
    headless_service,
    service,
    service_account,
    state_rbac,
    state_secrets,
)
from charon.compile.service.statefulset import statefulset

__all__ = ["service_objects"]


def service_objects(ctx: Context, ref: ServiceRef) -> list[K8sObject]:
    objects: list[K8sObject] = []
    config = None
    if ref.web:
        config = nginx_config(ctx, ref)
        objects.append(nginx_configmap(ctx, ref, config))
        objects += state_rbac(ctx, ref)
        objects += state_secrets(ctx, ref)
    objects += [
        statefulset(ctx, ref, config),
        service(ctx, ref),
        headless_service(ctx, ref),
        service_account(ctx, ref),
        service_policy(ctx, ref),
    ]
    for optional in (ingress(ctx, ref), service_monitor(ctx, ref)):
        if optional is not None:
            objects.append(optional)
    objects += backup_objects(ctx, ref)
    return objects
