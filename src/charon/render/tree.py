"""``render_tree``: compiled platform in, Flux-ready directory out, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from charon.compile.model import CompiledPlatform
from charon.render.atomic import write_tree
from charon.render.layout import plan_tree
from charon.render.manifest import MANIFEST, build_manifest

__all__ = ["RenderResult", "render_files", "render_tree"]


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What a render wrote; enough for a one-line summary and for tooling."""

    out_dir: Path
    platform: str
    units: int
    objects: int
    files: tuple[str, ...]  # relative POSIX paths, sorted, including the manifest
    replaced: bool  # a previous tree was swapped out


def render_files(compiled: CompiledPlatform) -> dict[str, bytes]:
    """Every file of the tree, manifest included, without touching the disk."""
    files = plan_tree(compiled)
    files[MANIFEST] = build_manifest(compiled, files)
    return dict(sorted(files.items()))


def render_tree(compiled: CompiledPlatform, out_dir: Path, *, force: bool = False) -> RenderResult:
    """Write the GitOps tree of ``compiled`` to ``out_dir``, replacing a previous render.

    Raises RenderError (and leaves any previous tree intact) when the tree cannot be written,
    when ``out_dir`` is a foreign non-empty directory and ``force`` is false, or when a file
    would hold a secret in plain text.
    """
    files = render_files(compiled)
    replaced = write_tree(Path(out_dir), files, force=force)
    return RenderResult(
        out_dir=Path(out_dir),
        platform=compiled.platform,
        units=len(compiled.units),
        objects=sum(len(unit.objects) for unit in compiled.units),
        files=tuple(files),
        replaced=replaced,
    )
