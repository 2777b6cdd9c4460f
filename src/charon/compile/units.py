"""Grouping into units: ``platform`` (namespaces, quotas, policies, certificates, secrets) and one
unit per service, ``<category>-<service>``, that depends on ``platform`` and on its dependencies.

Objects inside a unit are sorted by kind, namespace and name, so the same spec always gives the
same units in the same order.
"""

from __future__ import annotations

from charon.compile.context import Context, ServiceRef
from charon.compile.model import LAYERS, K8sObject, Unit
from charon.spec.models import SecretSource

__all__ = ["PLATFORM_UNIT", "platform_unit", "service_unit", "sort_objects", "sort_units"]

PLATFORM_UNIT = "platform"


def _key(obj: K8sObject) -> tuple[str, str, str, str]:
    meta = obj["metadata"]
    return (obj["kind"], obj["apiVersion"], meta.get("namespace", ""), meta["name"])


def sort_objects(objects: list[K8sObject]) -> tuple[K8sObject, ...]:
    return tuple(sorted(objects, key=_key))


def platform_unit(
    ctx: Context, objects: list[K8sObject], raw_sources: list[tuple[str, str]]
) -> Unit:
    sops = any(s.source is SecretSource.sops for s in ctx.platform.secrets.values())
    return Unit(
        name=PLATFORM_UNIT,
        layer="infra-configs",
        objects=sort_objects(objects),
        needs_decryption=sops,
        raw_file_sources=tuple(sorted(raw_sources)),
    )


def service_unit(ctx: Context, ref: ServiceRef, objects: list[K8sObject]) -> Unit:
    deps = {PLATFORM_UNIT}
    for dep in ref.spec.depends_on:
        target = ctx.services.get(dep)
        if target is not None and target.unit != ref.unit:
            deps.add(target.unit)
    return Unit(
        name=ref.unit,
        layer="monitoring" if ref.namespace == "monitoring" else "apps",
        objects=sort_objects(objects),
        depends_on=tuple(sorted(deps)),
        health_checks=(("apps/v1", "StatefulSet", ref.namespace, ref.name),),
    )


def sort_units(units: list[Unit]) -> tuple[Unit, ...]:
    return tuple(sorted(units, key=lambda u: (LAYERS.index(u.layer), u.name)))
