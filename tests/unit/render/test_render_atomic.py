"""Determinism, the all-or-nothing swap and the refusal to overwrite someone else's directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_samples import make_platform

from charon.compile.model import CompiledPlatform, Unit
from charon.errors import RenderError
from charon.render import atomic, render_tree


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _siblings(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


def test_two_renders_are_byte_identical(compiled: CompiledPlatform, tmp_path: Path) -> None:
    render_tree(compiled, tmp_path / "one")
    render_tree(make_platform(), tmp_path / "two")  # rebuilt input, not the same objects
    assert _snapshot(tmp_path / "one") == _snapshot(tmp_path / "two")


def test_rerender_replaces_the_tree_and_drops_stale_files(
    compiled: CompiledPlatform, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    render_tree(compiled, out)
    (out / "units" / "apps" / "stale.yaml").write_text("old", encoding="utf-8")
    result = render_tree(compiled, out)
    assert result.replaced is True
    assert not (out / "units" / "apps" / "stale.yaml").exists()
    assert _siblings(tmp_path) == ["out"]  # no temporary or old directories left behind


def test_failure_while_writing_keeps_the_old_tree(
    compiled: CompiledPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    render_tree(compiled, out)
    before = _snapshot(out)
    written: list[Path] = []

    def failing_write(path: Path, content: bytes) -> None:
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        written.append(path)
        path.write_bytes(content)

    monkeypatch.setattr(atomic, "_write_file", failing_write)
    changed = make_platform(gitops_interval="1h")
    with pytest.raises(RenderError, match="No space left"):
        render_tree(changed, out)
    assert _snapshot(out) == before
    assert _siblings(tmp_path) == ["out"]


def test_failure_during_the_swap_puts_the_old_tree_back(
    compiled: CompiledPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    render_tree(compiled, out)
    before = _snapshot(out)
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if ".charon-new-" in self.name:
            raise OSError(5, "Input/output error")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(RenderError, match="Input/output"):
        render_tree(make_platform(gitops_interval="1h"), out)
    assert _snapshot(out) == before
    assert _siblings(tmp_path) == ["out"]


def test_foreign_directory_is_refused_and_untouched(
    compiled: CompiledPlatform, tmp_path: Path
) -> None:
    out = tmp_path / "work"
    out.mkdir()
    (out / "notes.txt").write_text("precious", encoding="utf-8")
    with pytest.raises(RenderError, match="--force") as info:
        render_tree(compiled, out)
    assert "charon-render.json" in str(info.value)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "precious"
    assert _siblings(tmp_path) == ["work"]


def test_force_replaces_a_foreign_directory(compiled: CompiledPlatform, tmp_path: Path) -> None:
    out = tmp_path / "work"
    out.mkdir()
    (out / "notes.txt").write_text("replace me", encoding="utf-8")
    render_tree(compiled, out, force=True)
    assert not (out / "notes.txt").exists()
    assert (out / "charon-render.json").is_file()


def test_empty_directory_and_missing_parents_are_fine(
    compiled: CompiledPlatform, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    render_tree(compiled, tmp_path / "empty")
    render_tree(compiled, tmp_path / "a" / "b" / "c")
    assert (tmp_path / "empty" / "kustomization.yaml").is_file()
    assert (tmp_path / "a" / "b" / "c" / "kustomization.yaml").is_file()


def test_a_file_or_the_current_directory_is_refused(
    compiled: CompiledPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(RenderError, match="not a directory"):
        render_tree(compiled, target)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RenderError, match="current directory"):
        render_tree(compiled, Path(), force=True)
    assert target.read_text(encoding="utf-8") == "x"


def test_a_render_error_in_planning_writes_nothing(tmp_path: Path) -> None:
    leaky = Unit(
        name="web",
        layer="apps",
        objects=(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "db", "namespace": "apps"},
                "stringData": {"password": "hunter2"},
            },
        ),
    )
    with pytest.raises(RenderError, match="plain text") as info:
        render_tree(make_platform(units=(leaky,)), tmp_path / "out")
    assert "hunter2" not in str(info.value)
    assert _siblings(tmp_path) == []
