"""Render: write a compiled platform as a Flux-ready GitOps tree (see docs/render.md)."""

from charon.render.tree import RenderResult, render_files, render_tree

__all__ = ["RenderResult", "render_files", "render_tree"]
