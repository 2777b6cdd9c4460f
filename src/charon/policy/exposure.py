"""Only the Headscale enrollment endpoint faces the internet; everything else is VPN-only."""

from __future__ import annotations

from collections.abc import Iterator

from charon.policy._pods import object_key
from charon.policy._spec import ingress_class
from charon.policy.context import Context
from charon.policy.registry import Issue, rule
from charon.spec.models import Exposure

__all__ = ["external_ingress_only_enrollment"]


@rule(
    "external-ingress-only-enrollment",
    family="exposure",
    severity="error",
    summary="only the Headscale enrollment service uses exposure 'public' / the external class",
)
def external_ingress_only_enrollment(ctx: Context) -> Iterator[Issue]:
    enrollment = ctx.platform.vpn.headscale.service
    for name, service in sorted(ctx.platform.services.items()):
        if service.exposure is Exposure.public and name != enrollment:
            yield Issue(
                object=f"service/{name}",
                path=f"services.{name}.exposure",
                message=f"service '{name}' is public, but only the Headscale enrollment service"
                f" ('{enrollment}') may face the internet",
                fix="Use exposure 'internal' (VPN-only), or waive"
                " external-ingress-only-enrollment on the service with the reason.",
            )
    external = ctx.platform.cluster.ingress_classes.external
    for obj in ctx.objects:
        if obj.get("kind") != "Ingress" or ingress_class(obj) != external:
            continue
        owner = ctx.owner(obj)
        if owner == enrollment:
            continue
        if owner and ctx.platform.services[owner].exposure is Exposure.public:
            continue  # reported once, at the spec field that asked for it
        yield Issue(
            object=object_key(obj),
            path=ctx.path_of(obj, "exposure"),
            field="spec.ingressClassName",
            message=f"Ingress uses the external class '{external}' but does not belong to the"
            f" enrollment service '{enrollment}'",
            fix=f"Use the internal class '{ctx.platform.cluster.ingress_classes.internal}'.",
        )
