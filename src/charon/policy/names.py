"""Names the API server would reject, and hostnames two services would fight over.

The spec's own validation covers what one field can know; these checks see the names the compiler
builds from several fields (``<service>-backup``, ``<category>-<service>``, FQDNs), where a long
service name only fails at apply time, or, for a StatefulSet, only when its pods are created.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from charon.policy._pods import object_key
from charon.policy._spec import fqdn, ingress_hosts
from charon.policy.context import Context
from charon.policy.registry import Issue, rule

__all__ = ["dns1123_names", "unique_hostnames"]

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
#: Kinds whose names must be a DNS-1123 label (63), not a subdomain (253).
_LABEL_KINDS = frozenset({"Namespace", "Service"})
#: Kinds whose children append to the name: CronJob -> Job (11 characters), StatefulSet ->
#: the controller-revision-hash label value on its pods (11 characters).
_SHORT_KINDS = {"CronJob": 52, "StatefulSet": 52}
#: RBAC names only need to be path segments (``system:auth-delegator`` is valid).
_PATH_SEGMENT_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})


@lru_cache(maxsize=4096)
def _label_value_ok(value: str) -> bool:
    return len(value) <= 63 and _LABEL_VALUE.match(value) is not None


def _subdomain(name: str) -> bool:
    return 0 < len(name) <= 253 and all(_LABEL.match(p) for p in name.split("."))


@lru_cache(maxsize=4096)
def _name_problem(kind: str, name: str) -> str | None:
    if kind in _PATH_SEGMENT_KINDS:
        bad = not name or name in (".", "..") or "/" in name or "%" in name
        return "is not a valid path segment (no '/', '%', '.' or '..')" if bad else None
    if kind in _LABEL_KINDS and not (len(name) <= 63 and _LABEL.match(name)):
        return "is not a DNS-1123 label (lower-case alphanumerics and '-', at most 63)"
    if not _subdomain(name):
        return "is not a DNS-1123 subdomain (lower-case, '-', '.', at most 253)"
    limit = _SHORT_KINDS.get(kind)
    if limit is not None and len(name) > limit:
        return f"is {len(name)} characters; a {kind} name longer than {limit} breaks its children"
    return None


@rule(
    "dns1123-names",
    family="names",
    severity="error",
    summary="object names, namespaces, label values and service hostnames are valid DNS names",
)
def dns1123_names(ctx: Context) -> Iterator[Issue]:
    for obj in ctx.objects:
        meta = obj.get("metadata") or {}
        key, kind = object_key(obj), str(obj.get("kind", ""))
        checks = [("metadata.name", kind, str(meta.get("name", "")))]
        if "namespace" in meta:
            checks.append(("metadata.namespace", "Namespace", str(meta["namespace"])))
        for field, as_kind, value in checks:
            problem = _name_problem(as_kind, value)
            if problem:
                yield Issue(
                    object=key,
                    path=ctx.path_of(obj),
                    field=field,
                    message=f"{field} '{value}' {problem}",
                    fix="Shorten the service, category or platform name it is built from.",
                )
        for label, value in sorted((meta.get("labels") or {}).items()):
            if not _label_value_ok(str(value)):
                yield Issue(
                    object=key,
                    path=ctx.path_of(obj),
                    field=f"metadata.labels[{label}]",
                    message=f"label value '{value}' is not a valid label value"
                    " (at most 63 alphanumerics, '-', '_', '.')",
                    fix="Shorten the name the label value is built from.",
                )
    for name, service in sorted(ctx.platform.services.items()):
        host = fqdn(ctx.platform, name, service)
        if len(host) > 253:
            yield Issue(
                object=f"service/{name}",
                path=f"services.{name}.hostname",
                message=f"hostname '{host}' is longer than 253 characters",
                fix="Choose a shorter hostname or domain.",
            )


@rule(
    "unique-hostnames",
    family="names",
    severity="error",
    summary="no two services resolve to the same FQDN and no two Ingress rules claim one host",
)
def unique_hostnames(ctx: Context) -> Iterator[Issue]:
    seen: dict[str, str] = {}
    for name, service in sorted(ctx.platform.services.items()):
        host = fqdn(ctx.platform, name, service)
        if host in seen:
            yield Issue(
                object=f"service/{name}",
                path=f"services.{name}.hostname",
                message=f"service '{name}' resolves to '{host}', already used by '{seen[host]}'",
                fix=f"Give services.{name}.hostname a name of its own.",
            )
        else:
            seen[host] = name
    claimed: dict[str, str] = {}
    for obj in ctx.objects:
        if obj.get("kind") != "Ingress":
            continue
        key = object_key(obj)
        for index, host in ingress_hosts(obj):
            first = claimed.setdefault(host, key)
            if first != key:
                yield Issue(
                    object=key,
                    path=ctx.path_of(obj, "hostname"),
                    field=f"spec.rules[{index}].host",
                    message=f"Ingress host '{host}' is already claimed by {first}",
                    fix="Give one of the two services another hostname.",
                )
