"""Auth is fail-closed: ``required`` must really gate requests; anything weaker says why."""

from __future__ import annotations

from collections.abc import Iterator

from charon.policy._pods import object_key
from charon.policy._spec import AUTH_URL, ingress_class
from charon.policy.context import Context
from charon.policy.registry import Issue, rule
from charon.spec.models import AuthMode, Exposure

__all__ = ["auth_fail_closed", "auth_reason"]


@rule(
    "auth-fail-closed",
    family="auth",
    severity="error",
    summary="auth 'required' has an identity provider and every Ingress carries forward-auth",
)
def auth_fail_closed(ctx: Context) -> Iterator[Issue]:
    identity = ctx.platform.identity
    gated = identity.forward_auth is not None or identity.oidc is not None
    for name, service in sorted(ctx.platform.services.items()):
        if service.auth.mode is AuthMode.required and not gated:
            yield Issue(
                object=f"service/{name}",
                path=f"services.{name}.auth.mode",
                message="auth 'required' but neither identity.forwardAuth nor identity.oidc"
                " is configured, so nothing could gate requests",
                fix="Configure identity.forwardAuth (auth subrequest URL) or identity.oidc, or set"
                f" services.{name}.auth.mode to 'app'/'public'/'none' with a reason.",
            )
    classes = ctx.platform.cluster.ingress_classes
    for obj in ctx.objects:
        if obj.get("kind") != "Ingress" or ingress_class(obj) not in (
            classes.internal,
            classes.external,
        ):
            continue
        owner = ctx.owner(obj)
        if not owner or ctx.platform.services[owner].auth.mode is not AuthMode.required:
            continue
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if not annotations.get(AUTH_URL):
            yield Issue(
                object=object_key(obj),
                path=f"services.{owner}.auth.mode",
                field=f"metadata.annotations[{AUTH_URL}]",
                message=f"Ingress of auth-'required' service '{owner}' has no forward-auth"
                " annotation: requests would reach the app ungated",
                fix="Configure identity.forwardAuth so the compiler adds the auth-url annotation.",
            )
    yield from _vpn_exposed(ctx)


def _nginx_gates(ctx: Context, service: str) -> bool:
    """True when a ConfigMap of the service holds an nginx ``auth_request`` (in-pod gating)."""
    return any(
        o.get("kind") == "ConfigMap"
        and ctx.owner(o) == service
        and any("auth_request" in str(v) for v in (o.get("data") or {}).values())
        for o in ctx.objects
    )


def _vpn_exposed(ctx: Context) -> Iterator[Issue]:
    """Exposure 'vpn' reaches the pod on its tailnet address, past any Ingress annotation."""
    if not ctx.objects:
        return
    for name, service in sorted(ctx.platform.services.items()):
        if (
            service.exposure is Exposure.vpn
            and service.auth.mode is AuthMode.required
            and not _nginx_gates(ctx, name)
        ):
            yield Issue(
                object=f"service/{name}",
                path=f"services.{name}.auth.mode",
                message="auth 'required' with exposure 'vpn': requests reach the pod on its"
                " VPN address without passing an Ingress, and nginx-tls has no auth_request",
                fix="Use exposure 'internal' (the ingress applies forward-auth), or auth 'app'"
                " with a reason naming the app's own login.",
            )


@rule(
    "auth-reason",
    family="auth",
    severity="error",
    summary="auth 'app' or 'none' states in writing what gates the service",
)
def auth_reason(ctx: Context) -> Iterator[Issue]:
    for name, service in sorted(ctx.platform.services.items()):
        if service.auth.mode in (AuthMode.app, AuthMode.none) and not service.auth.reason:
            yield Issue(
                object=f"service/{name}",
                path=f"services.{name}.auth.mode",
                message=f"auth '{service.auth.mode.value}' without a reason: nothing records why"
                " the fail-closed default was dropped",
                fix=f"Add services.{name}.auth.reason saying what gates the service"
                " (e.g. 'the app's own LDAP login').",
            )
