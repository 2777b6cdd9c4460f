"""Pod templates fit the Pod Security level their namespace enforces.

Pod Security Admission rejects a non-fitting pod only when the controller creates it, long after
``apply`` reported success; checking the templates against the namespace label turns that silent
crash loop into a finding with the field and the way out.
"""

from __future__ import annotations

from collections.abc import Iterator

from charon.policy._pods import object_key, pod_templates
from charon.policy._pss import LEVELS, Violation, violations
from charon.policy.context import Context
from charon.policy.registry import Issue, rule
from charon.spec.models import VpnMode

__all__ = ["ENFORCE_LABEL", "pod_security_fit"]

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"


def _enforced(ctx: Context) -> dict[str, str]:
    """Namespace -> enforced level, from the compiled Namespaces, else the spec's categories."""
    levels = {
        name: category.pod_security.value
        for name, category in ctx.platform.categories.items()
        if category.pod_security is not None
    }
    for obj in ctx.objects:
        if obj.get("kind") == "Namespace":
            meta = obj.get("metadata") or {}
            level = (meta.get("labels") or {}).get(ENFORCE_LABEL)
            if level in LEVELS:
                levels[str(meta.get("name"))] = str(level)
    return levels


def _fix(ctx: Context, namespace: str, v: Violation) -> str:
    needed = "privileged" if v.level == "baseline" else "baseline"
    where = (
        f"categories.{namespace}.podSecurity"
        if namespace in ctx.platform.categories
        else f"the '{namespace}' namespace's level"
    )
    fix = f"Raise {where} to '{needed}'"
    sidecar = ctx.platform.vpn.sidecar
    if (
        v.container is not None
        and v.container.body.get("image") == sidecar.image
        and sidecar.mode is VpnMode.kernel
    ):
        fix += ", or set vpn.sidecar.mode: userspace (no NET_ADMIN, no privileged level needed)"
    return fix + "."


@rule(
    "pod-security-fit",
    family="podsecurity",
    severity="error",
    summary="each pod template fits the Pod Security level its namespace enforces",
)
def pod_security_fit(ctx: Context) -> Iterator[Issue]:
    levels = _enforced(ctx)
    for template in pod_templates(ctx.objects):
        level = levels.get(template.namespace, "privileged")
        for v in violations(template, level):
            who = f"container '{v.container.name}': " if v.container is not None else ""
            yield Issue(
                object=object_key(template.obj),
                path=ctx.path_of(template.obj),
                field=v.field,
                message=f"{who}{v.problem} breaks Pod Security '{v.level}'; namespace"
                f" '{template.namespace}' enforces '{level}'",
                fix=_fix(ctx, template.namespace, v),
            )
