"""Cross-reference checks: what the models cannot see one field at a time.

They run after the models validate and report SpecIssues at the offending value. References
(a service's category, a category's tier, ...) and "required when" rules are tables, so a new
rule is one line; the few checks that need a whole-platform view are functions below them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from charon.errors import SpecIssue
from charon.spec.cycles import find_cycles
from charon.spec.hints import did_you_mean
from charon.spec.models import AuthMode, DnsProvider, Platform, SecretSource, Sensitivity
from charon.spec.positions import PositionMap
from charon.spec.tiers import BUILTIN_TIERS

__all__ = ["REFERENCES", "REQUIREMENTS", "check_references"]


@dataclass(frozen=True, slots=True)
class Reference:
    """Every value at ``pattern`` (``*``: any key or item) must be one of ``targets``."""

    pattern: str
    targets: Callable[[Platform], Collection[str]]
    noun: str
    declare: str  # how to declare a missing one
    not_self: bool = False  # the value may not name the entry it is written in


@dataclass(frozen=True, slots=True)
class Requirement:
    """The object at ``pattern`` needs ``key`` set when ``when`` holds."""

    pattern: str
    when: Callable[[Platform, Any], bool]
    key: str
    message: str
    fix: str


REFERENCES: tuple[Reference, ...] = (
    Reference("services.*.category", lambda p: p.categories, "category",
              "declare it under `categories:` with its tier"),
    Reference("secrets.*.namespace", lambda p: p.categories, "category",
              "declare it under `categories:` with its tier"),
    Reference("categories.*.tier", lambda p: {*BUILTIN_TIERS, *p.tiers}, "tier",
              f"use a built-in tier ({', '.join(BUILTIN_TIERS)}) or declare it under `tiers:`"),
    Reference("services.*.dependsOn.*", lambda p: p.services, "service",
              "declare the service under `services:` or remove the dependency", not_self=True),
    Reference("services.*.secretEnv.*.secret", lambda p: p.secrets, "secret",
              "declare it under `secrets:` with its source"),
)  # fmt: skip

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("dns", lambda _, d: d.provider == DnsProvider.rfc2136 and d.rfc2136 is None,
                "rfc2136", "the rfc2136 provider needs its server settings",
                "add `rfc2136: {server: ns1.example.com, keyName: charon-update}` under dns"),
    Requirement("dns", lambda _, d: d.provider == DnsProvider.powerdns and d.powerdns_url is None,
                "powerdnsUrl", "the powerdns provider needs the API URL",
                "add `powerdnsUrl: http://powerdns.infra.svc:8081` under dns"),
    Requirement("secrets.*", lambda _, s: s.source == SecretSource.external and s.store is None,
                "store", "an external secret needs the SecretStore to read it from",
                "add `store: <ClusterSecretStore name>`"),
    Requirement("secrets.*",
                lambda _, s: s.source == SecretSource.external and s.remote_key is None,
                "remoteKey", "an external secret needs its remote key",
                "add `remoteKey: <path in the store>`"),
    Requirement("secrets.*",
                lambda _, s: s.source in (SecretSource.sops, SecretSource.sealed) and not s.file,
                "file", "a sops or sealed secret needs the file holding its encrypted manifest",
                "add `file: secrets/<name>.yaml`"),
    Requirement("services.*.auth",
                lambda _, a: a.mode in (AuthMode.app, AuthMode.none) and a.reason is None,
                "reason", "auth modes 'app' and 'none' are not fail-closed and need a reason",
                "add `reason:` under auth saying why this service may skip forward auth"),
    Requirement("services.*.storage.*",
                lambda p, s: s.sensitivity == Sensitivity.shared
                and p.cluster.storage_classes.shared is None,
                "sensitivity", "shared storage needs cluster.storageClasses.shared",
                "add `shared: <RWX StorageClass>` under cluster.storageClasses"),
)  # fmt: skip


def _field_names(model: type[BaseModel]) -> dict[str, str]:
    return {(info.alias or name): name for name, info in model.model_fields.items()}


def walk(obj: Any, pattern: str, path: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, value)`` for every place ``pattern`` matches in a validated model."""
    head, _, rest = pattern.partition(".")
    if not head:
        yield path, obj
        return
    if head == "*":
        if isinstance(obj, dict):
            items: list[tuple[str, Any]] = [(f"{path}.{k}", v) for k, v in sorted(obj.items())]
        elif isinstance(obj, list):
            items = [(f"{path}[{i}]", v) for i, v in enumerate(obj)]
        else:
            items = []
    elif isinstance(obj, BaseModel):
        name = _field_names(type(obj)).get(head)
        items = [] if name is None else [(f"{path}.{head}" if path else head, getattr(obj, name))]
    else:
        items = []
    for where, value in items:
        yield from walk(value, rest, where)


def _reference_issues(platform: Platform) -> Iterator[tuple[str, str, str]]:
    for ref in REFERENCES:
        targets = ref.targets(platform)
        for path, value in walk(platform, ref.pattern):
            if ref.not_self and value == path.split(".")[1]:
                field = ref.pattern.split(".")[2]
                yield (
                    path,
                    f"{ref.noun} '{value}' refers to itself",
                    f"remove '{value}' from {field}",
                )
                continue
            if value in targets:
                continue
            guess = did_you_mean(value, targets, cutoff=0.75)
            fix = f"did you mean '{guess}'?" if guess else ref.declare
            yield path, f"unknown {ref.noun} '{value}'", fix


def _requirement_issues(platform: Platform) -> Iterator[tuple[str, str, str]]:
    for req in REQUIREMENTS:
        for path, obj in walk(platform, req.pattern):
            if req.when(platform, obj):
                yield f"{path}.{req.key}", req.message, req.fix


def _cycle_issues(platform: Platform) -> Iterator[tuple[str, str, str]]:
    graph = {name: svc.depends_on for name, svc in platform.services.items()}
    for cycle in find_cycles(graph):
        first, second = cycle[0], cycle[1 % len(cycle)]
        index = graph[first].index(second)
        loop = " → ".join((*cycle, cycle[0]))
        yield (
            f"services.{first}.dependsOn[{index}]",
            f"dependency cycle: {loop}",
            "remove one of these dependsOn entries so that the services can start in order",
        )


def _hostname_issues(platform: Platform) -> Iterator[tuple[str, str, str]]:
    owners: dict[str, str] = {}
    for name, svc in sorted(platform.services.items()):
        host = svc.hostname or name
        other = owners.setdefault(host, name)
        if other != name:
            where = f"services.{name}.hostname" if svc.hostname else f"services.{name}"
            yield (
                where,
                f"hostname '{host}' is already used by service '{other}'",
                "set a different `hostname:` for one of them",
            )


def _secret_env_issues(platform: Platform) -> Iterator[tuple[str, str, str]]:
    for name, svc in sorted(platform.services.items()):
        for var, ref in sorted(svc.secret_env.items()):
            secret = platform.secrets.get(ref.secret)
            if secret is None:
                continue  # reported as an unknown secret
            path = f"services.{name}.secretEnv.{var}"
            if secret.namespace != svc.category:
                yield (
                    f"{path}.secret",
                    f"secret '{ref.secret}' lives in namespace '{secret.namespace}', but service "
                    f"'{name}' runs in '{svc.category}'",
                    f"declare a secret in namespace '{svc.category}' and reference that one",
                )
            if secret.keys and ref.key not in secret.keys:
                guess = did_you_mean(ref.key, secret.keys, cutoff=0.75)
                yield (
                    f"{path}.key",
                    f"secret '{ref.secret}' has no key '{ref.key}' (it declares: "
                    + ", ".join(secret.keys)
                    + ")",
                    f"did you mean '{guess}'?" if guess else f"add '{ref.key}' to its `keys:`",
                )


def _headscale_issues(platform: Platform) -> Iterator[tuple[str, str, str]]:
    public = sorted(n for n, s in platform.services.items() if s.exposure.value == "public")
    service = platform.vpn.headscale.service
    if public and service not in platform.services:
        guess = did_you_mean(service, platform.services, cutoff=0.75)
        yield (
            "vpn.headscale.service",
            f"'{service}' is not a declared service; public exposure is only for the Headscale "
            f"enrollment endpoint (public here: {', '.join(public)})",
            f"did you mean '{guess}'?"
            if guess
            else "declare the Headscale service under `services:` with `exposure: public`",
        )


_CHECKS: tuple[Callable[[Platform], Iterator[tuple[str, str, str]]], ...] = (
    _reference_issues,
    _requirement_issues,
    _cycle_issues,
    _hostname_issues,
    _secret_env_issues,
    _headscale_issues,
)


def check_references(platform: Platform, positions: PositionMap, filename: str) -> list[SpecIssue]:
    """Every cross-reference problem of a platform whose fields are each valid."""
    issues = []
    for check in _CHECKS:
        for path, message, fix in check(platform):
            line, column = positions.point(path) or positions.locate(path) or (0, 0)
            issues.append(SpecIssue(filename, line, column, path, message, fix))
    return issues
