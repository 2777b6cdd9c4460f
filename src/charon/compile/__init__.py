"""The compiler: a platform spec in, Kubernetes objects grouped in Flux units out.

Pure and deterministic: no I/O, no clock, no randomness, so the same spec always renders the
same bytes and golden tests can pin the output.
"""

from __future__ import annotations

from charon.compile.context import Context
from charon.compile.model import CompiledPlatform, K8sObject, Unit
from charon.compile.namespaces import namespaces
from charon.compile.netpol import namespace_policies
from charon.compile.notes import notes
from charon.compile.priority import priority_classes
from charon.compile.quotas import limit_ranges, resource_quotas
from charon.compile.rbac import owner_bindings
from charon.compile.secrets import external_secrets, secret_file_sources
from charon.compile.service.build import service_objects
from charon.compile.tls import wildcard_certificates
from charon.compile.units import PLATFORM_UNIT, platform_unit, service_unit, sort_units
from charon.spec.models import Platform

__all__ = ["CompiledPlatform", "compile_platform"]


def compile_platform(platform: Platform) -> CompiledPlatform:
    """Every object the platform needs, grouped in units in reconcile order."""
    ctx = Context(platform)
    shared: list[K8sObject] = [
        *namespaces(ctx, PLATFORM_UNIT),
        *priority_classes(ctx, PLATFORM_UNIT),
        *limit_ranges(ctx, PLATFORM_UNIT),
        *resource_quotas(ctx, PLATFORM_UNIT),
        *namespace_policies(ctx, PLATFORM_UNIT),
        *owner_bindings(ctx, PLATFORM_UNIT),
        *wildcard_certificates(ctx, PLATFORM_UNIT),
        *external_secrets(ctx, PLATFORM_UNIT),
    ]
    units: list[Unit] = [platform_unit(ctx, shared, secret_file_sources(ctx))]
    units += [service_unit(ctx, ref, service_objects(ctx, ref)) for ref in ctx.services.values()]
    return CompiledPlatform(
        platform=ctx.name,
        units=sort_units(units),
        sops_age_recipients=tuple(sorted(set(platform.sops.age_recipients))),
        gitops_source=platform.gitops.source,
        gitops_interval=platform.gitops.interval,
        gitops_path=platform.gitops.path,
        gitops_layout=platform.gitops.layout,
        notes=tuple(notes(ctx)),
    )
