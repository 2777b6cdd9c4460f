"""Every name the spec refers to exists: categories, services, Secrets, the TLS and DNS setup.

The spec models check one object at a time; references cross objects, and a dangling one would
otherwise surface as a pod stuck in ``CreateContainerConfigError`` or an agent that never writes a
DNS record.
"""

from __future__ import annotations

from collections.abc import Iterator

from charon.policy._pods import meta
from charon.policy._spec import effective_dns
from charon.policy.context import Context
from charon.policy.registry import Issue, rule
from charon.spec.models import DnsProvider, DnsType, SecretSource, ServiceKind

__all__ = ["references_exist"]

_SECRET_KINDS = frozenset({"Secret", "ExternalSecret", "SealedSecret"})


def _compiled_secrets(ctx: Context) -> set[tuple[str, str]]:
    """(name, namespace) of every Secret-producing object the compiler wrote."""
    return {
        (str(meta(o).get("name")), str(meta(o).get("namespace", "")))
        for o in ctx.objects
        if o.get("kind") in _SECRET_KINDS
    }


def _secret_exists(
    ctx: Context, name: str, namespace: str | None, compiled: set[tuple[str, str]]
) -> bool:
    declared = ctx.platform.secrets.get(name)
    if declared is not None and namespace in (None, declared.namespace):
        return True
    return any(n == name and namespace in (None, ns) for n, ns in compiled)


def _platform(ctx: Context) -> str:
    return f"platform/{ctx.platform.metadata.name}"


def _services(ctx: Context, compiled: set[tuple[str, str]]) -> Iterator[Issue]:
    p = ctx.platform
    for name, svc in sorted(p.services.items()):
        obj = f"service/{name}"
        if svc.category not in p.categories:
            yield Issue(
                obj,
                f"services.{name}.category",
                f"category '{svc.category}' is not declared",
                f"Declare categories.{svc.category} or pick one of:"
                f" {', '.join(sorted(p.categories))}.",
            )
        for i, dep in enumerate(svc.depends_on):
            if dep not in p.services:
                yield Issue(
                    obj,
                    f"services.{name}.dependsOn[{i}]",
                    f"depends on unknown service '{dep}'",
                    "Name a service declared under services.",
                )
        for env, ref in sorted(svc.secret_env.items()):
            at = f"services.{name}.secretEnv.{env}"
            if not _secret_exists(ctx, ref.secret, svc.category, compiled):
                yield Issue(
                    obj,
                    f"{at}.secret",
                    f"Secret '{ref.secret}' is not declared in namespace '{svc.category}'",
                    f"Declare secrets.{ref.secret} with namespace: {svc.category}.",
                )
                continue
            keys = p.secrets[ref.secret].keys if ref.secret in p.secrets else []
            if keys and ref.key not in keys:
                yield Issue(
                    obj,
                    f"{at}.key",
                    f"Secret '{ref.secret}' has no key '{ref.key}'",
                    f"Use one of {', '.join(keys)} or add the key to secrets.{ref.secret}.keys.",
                )
        if svc.lifecycle and p.vpn.headscale.service not in p.services:
            yield Issue(
                obj,
                f"services.{name}.lifecycle",
                "the lifecycle agent needs the Headscale"
                f" service '{p.vpn.headscale.service}', which is not declared",
                "Declare the Headscale service, or set vpn.headscale.service to its name.",
            )
        if effective_dns(svc) is DnsType.vpn:
            if not svc.lifecycle:
                yield Issue(
                    obj,
                    f"services.{name}.lifecycle",
                    "DNS type 'vpn' needs the lifecycle agent to publish the pod's VPN address",
                    f"Set services.{name}.lifecycle: true, or choose another DNS type.",
                )
            if p.dns.provider is DnsProvider.none:
                yield Issue(
                    obj,
                    f"services.{name}.dns",
                    "DNS type 'vpn' but dns.provider is 'none': nobody can write the record",
                    "Configure dns.provider (rfc2136, powerdns or cloudflare) and its settings.",
                )


def _provider(ctx: Context) -> Iterator[Issue]:
    dns = ctx.platform.dns
    needs: list[tuple[str, bool, str]] = [("dns.zone", dns.zone is not None, "the zone")]
    if dns.provider is DnsProvider.rfc2136:
        needs.append(("dns.rfc2136", dns.rfc2136 is not None, "server and TSIG key name"))
    elif dns.provider is DnsProvider.powerdns:
        needs.append(("dns.powerdnsUrl", dns.powerdns_url is not None, "the API URL"))
    elif dns.provider is DnsProvider.cloudflare:
        needs.append(("dns.cloudflareZoneId", dns.cloudflare_zone_id is not None, "the zone id"))
    for path, ok, what in needs:
        if dns.provider is not DnsProvider.none and not ok:
            yield Issue(
                _platform(ctx),
                "dns.provider",
                f"dns.provider '{dns.provider.value}' lacks {what}",
                f"Set {path}.",
            )


def _platform_refs(ctx: Context, compiled: set[tuple[str, str]]) -> Iterator[Issue]:
    p = ctx.platform
    tls = p.cluster.tls
    needs_tls = any(s.kind is ServiceKind.web for s in p.services.values())
    if (
        needs_tls
        and tls.issuer is None
        and not _secret_exists(ctx, tls.wildcard_secret, None, compiled)
    ):
        yield Issue(
            _platform(ctx),
            "cluster.tls",
            "web services need the wildcard certificate,"
            f" but there is no issuer and no Secret '{tls.wildcard_secret}'",
            "Set cluster.tls.issuer (cert-manager writes the Certificate) or declare"
            f" secrets.{tls.wildcard_secret}.",
        )
    identity = p.identity
    refs = [
        ("identity.ldap.bindSecret", identity.ldap.bind_secret if identity.ldap else None),
        ("identity.oidc.clientSecret", identity.oidc.client_secret if identity.oidc else None),
    ]
    for path, ref in refs:
        if ref is not None and not _secret_exists(ctx, ref, None, compiled):
            yield Issue(
                _platform(ctx),
                path,
                f"Secret '{ref}' is not declared",
                f"Declare secrets.{ref}.",
            )
    for name, secret in sorted(p.secrets.items()):
        at = f"secrets.{name}"
        if secret.namespace not in p.categories:
            yield Issue(
                f"secret/{name}",
                f"{at}.namespace",
                f"namespace '{secret.namespace}' is not a declared category",
                "Use one of the categories.",
            )
        if secret.source is SecretSource.external and not (secret.store and secret.remote_key):
            yield Issue(
                f"secret/{name}",
                f"{at}.source",
                "an external Secret needs a store and a remoteKey",
                f"Set {at}.store and {at}.remoteKey.",
            )
        if secret.source in (SecretSource.sops, SecretSource.sealed) and not secret.file:
            yield Issue(
                f"secret/{name}",
                f"{at}.source",
                f"a {secret.source.value} Secret needs its encrypted manifest",
                f"Set {at}.file.",
            )


@rule(
    "references-exist",
    family="references",
    severity="error",
    summary="referenced categories, services, Secrets, TLS issuer and DNS provider exist",
)
def references_exist(ctx: Context) -> Iterator[Issue]:
    compiled = _compiled_secrets(ctx)
    yield from _services(ctx, compiled)
    yield from _provider(ctx)
    yield from _platform_refs(ctx, compiled)
