"""Images are pinned: a moving tag (or none) makes two renders deploy different code."""

from __future__ import annotations

from collections.abc import Iterator

from charon.policy._pods import containers, object_key, pod_templates
from charon.policy.context import Context
from charon.policy.registry import Issue, rule

__all__ = ["FLOATING_TAGS", "image_pinned", "image_problem"]

#: Tags that upstreams move on every release; as bad as ``latest`` for reproducibility.
FLOATING_TAGS = frozenset({"latest", "stable", "edge", "nightly", "main", "master", "alpine"})


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned, or None. A ``@sha256:`` digest always pins."""
    if not image.strip():
        return "has no image"
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image '{image}' has no tag (it means :latest)"
    tag = last.rsplit(":", 1)[1]
    if tag in FLOATING_TAGS:
        return f"image '{image}' uses the floating tag ':{tag}'"
    return None


@rule(
    "image-pinned",
    family="images",
    severity="error",
    summary="every container image has a fixed tag or a digest (no :latest, no untagged)",
)
def image_pinned(ctx: Context) -> Iterator[Issue]:
    for template in pod_templates(ctx.objects):
        for container in containers(template):
            problem = image_problem(str(container.body.get("image") or ""))
            if problem is None:
                continue
            path = ctx.container_path(container, "image")
            yield Issue(
                object=object_key(template.obj),
                path=path,
                field=f"{container.field}.image",
                message=f"container '{container.name}' {problem}",
                fix=f"Pin a version tag or @sha256 digest in {path or 'the image'}"
                " (or waive image-pinned with a reason).",
            )
