"""Auth is fail-closed: ``required`` must really gate requests; anything weaker says why."""

from __future__ import annotations

from collections.abc import Iterator

from charon.compile.context import HTTPS_PORT
from charon.compile.model import K8sObject
from charon.compile.service.nginx import NGINX_CONF_KEY
from charon.policy._nginx import ungated
from charon.policy._pods import object_key
from charon.policy._spec import AUTH_URL, ingress_class
from charon.policy.context import Context
from charon.policy.registry import Issue, rule
from charon.spec.models import AuthMode, ServiceKind

__all__ = ["auth_fail_closed", "auth_reason"]


@rule(
    "auth-fail-closed",
    family="auth",
    severity="error",
    summary="auth 'required' has an identity provider, every Ingress carries forward-auth and"
    " nginx-tls runs auth_request on the pod's own address",
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
    yield from _pod_path(ctx)


def _nginx_configs(ctx: Context) -> dict[str, list[tuple[K8sObject, str]]]:
    """(ConfigMap, ``default.conf``) of every service's nginx-tls, by service, in one pass.

    One pass over the objects, not one per service: per service it was quadratic and took most
    of ``charon render``'s time at 500 services (benchmarks/compile.py).
    """
    configs: dict[str, list[tuple[K8sObject, str]]] = {}
    for o in ctx.objects:
        if o.get("kind") != "ConfigMap" or not isinstance(o.get("data"), dict):
            continue
        if NGINX_CONF_KEY in o["data"]:
            configs.setdefault(ctx.owner(o), []).append((o, str(o["data"][NGINX_CONF_KEY])))
    return configs


def _pod_path(ctx: Context) -> Iterator[Issue]:
    """A web pod serves nginx-tls on its own VPN address, past any Ingress and its annotation,
    so nginx-tls itself must run the auth subrequest for every location a client can reach."""
    if not ctx.objects:
        return
    all_configs = _nginx_configs(ctx)
    for name, service in sorted(ctx.platform.services.items()):
        if service.auth.mode is not AuthMode.required or service.kind is not ServiceKind.web:
            continue
        configs = all_configs.get(name, [])
        if not configs:
            yield Issue(
                object=f"service/{name}",
                path=f"services.{name}.auth.mode",
                message=f"auth 'required' but no nginx-tls config ({NGINX_CONF_KEY}) of '{name}'"
                " was compiled, so nothing shows the pod's VPN address is gated",
                fix=_FIX,
            )
            continue
        for obj, text in configs:
            problems = ungated(text, HTTPS_PORT)
            if problems:
                yield Issue(
                    object=object_key(obj),
                    path=f"services.{name}.auth.mode",
                    field=f"data[{NGINX_CONF_KEY}]",
                    message="auth 'required' but nginx-tls serves the pod's VPN address without"
                    f" forward auth: {'; '.join(problems)}",
                    fix=_FIX,
                )


_FIX = (
    "Configure identity.forwardAuth (nginx-tls then sends every request through it with"
    " auth_request), or choose auth 'app'/'public'/'none' with a reason."
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
