"""``render_tree``: compiled platform in, Flux-ready directory out, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from charon.compile.model import CompiledPlatform, Unit
from charon.errors import RenderError
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


def _read_sources(unit: Unit, source_dir: Path | None) -> Unit:
    """Turn the spec's encrypted-manifest references into raw files (the compiler does no I/O)."""
    if not unit.raw_file_sources:
        return unit
    if source_dir is None:
        raise RenderError(
            f"unit {unit.name} copies files named in the spec; render needs the spec's directory"
        )
    read: list[tuple[str, str]] = []
    for name, spec_path in unit.raw_file_sources:
        path = source_dir / spec_path
        try:
            read.append((name, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise RenderError(
                f"unit {unit.name}: cannot read {spec_path} (relative to {source_dir}): {exc}"
            ) from exc
    return replace(unit, raw_files=(*unit.raw_files, *read), raw_file_sources=())


def render_files(compiled: CompiledPlatform, source_dir: Path | None = None) -> dict[str, bytes]:
    """Every file of the tree, manifest included; reads only the spec's encrypted manifests.

    ``source_dir`` is the directory of the spec file, against which ``raw_file_sources`` paths
    are resolved.
    """
    units = tuple(_read_sources(unit, source_dir) for unit in compiled.units)
    if any(new is not old for new, old in zip(units, compiled.units, strict=True)):
        compiled = replace(compiled, units=units)
    files = plan_tree(compiled)
    files[MANIFEST] = build_manifest(compiled, files)
    return dict(sorted(files.items()))


def render_tree(
    compiled: CompiledPlatform,
    out_dir: Path,
    *,
    force: bool = False,
    source_dir: Path | None = None,
) -> RenderResult:
    """Write the GitOps tree of ``compiled`` to ``out_dir``, replacing a previous render.

    Raises RenderError (and leaves any previous tree intact) when the tree cannot be written,
    when ``out_dir`` is a foreign non-empty directory and ``force`` is false, or when a file
    would hold a secret in plain text.
    """
    files = render_files(compiled, source_dir)
    replaced = write_tree(Path(out_dir), files, force=force)
    return RenderResult(
        out_dir=Path(out_dir),
        platform=compiled.platform,
        units=len(compiled.units),
        objects=sum(len(unit.objects) for unit in compiled.units),
        files=tuple(files),
        replaced=replaced,
    )
