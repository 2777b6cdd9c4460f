"""Every container requests CPU and memory, so the scheduler and the tier quotas can count it.

A namespace ResourceQuota on ``requests.*`` rejects pods whose containers request nothing unless a
LimitRange fills the gap; explicit requests keep scheduling honest and the rendered tree readable.
"""

from __future__ import annotations

from collections.abc import Iterator

from charon.policy._pods import containers, object_key, pod_templates
from charon.policy.context import Context
from charon.policy.registry import Issue, rule

__all__ = ["resources_requests"]


@rule(
    "resources-requests",
    family="resources",
    severity="error",
    summary="every container and init container requests cpu and memory",
)
def resources_requests(ctx: Context) -> Iterator[Issue]:
    for template in pod_templates(ctx.objects):
        for container in containers(template):
            requests = (container.body.get("resources") or {}).get("requests") or {}
            missing = [r for r in ("cpu", "memory") if not requests.get(r)]
            if not missing:
                continue
            path = ctx.container_path(container, "resources.requests")
            yield Issue(
                object=object_key(template.obj),
                path=path,
                field=f"{container.field}.resources.requests",
                message=f"container '{container.name}' requests no {' and no '.join(missing)}",
                fix=f"Set {' and '.join(missing)} under {path or 'resources.requests'}"
                if path.endswith("resources.requests")
                else f"Give container '{container.name}' {'/'.join(missing)} requests.",
            )
