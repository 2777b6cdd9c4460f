"""Swap a whole tree into place so a reader never sees half a render.

The new tree is written into a temporary sibling of the target (same file system, so renames are
atomic), then the old tree is renamed aside, the new one renamed in and the old one deleted. Any
failure before the swap deletes the temporary directory and leaves the old tree untouched; a
failure during the swap renames the old tree back. The one window without a tree at the target
is between two renames in the same directory.

A directory that is neither empty nor a previous Charon render (no manifest) is never replaced
without ``force``: ``-o`` pointing at the wrong place must not delete someone's work.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from charon.errors import RenderError
from charon.render.manifest import MANIFEST, is_charon_tree

__all__ = ["write_tree"]


def _write_file(path: Path, content: bytes) -> None:
    # os.open/os.write: a third of pathlib's cost per file, and render writes thousands of them.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _check_target(out_dir: Path, force: bool) -> None:
    if out_dir.is_symlink():
        raise RenderError(f"{out_dir} is a symbolic link; give the real directory with -o")
    absolute = out_dir.absolute()
    cwd = Path.cwd().absolute()
    if absolute == cwd or absolute in cwd.parents:
        raise RenderError(
            f"refusing to render into {out_dir}: it holds the current directory; "
            "give a subdirectory such as -o out/<platform>"
        )
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise RenderError(f"{out_dir} exists and is not a directory; choose another -o")
    if force or is_charon_tree(out_dir) or next(out_dir.iterdir(), None) is None:
        return
    raise RenderError(
        f"refusing to replace {out_dir}: it is not empty and is not a previous charon render "
        f"(no {MANIFEST}). Choose a new or empty directory, or pass --force to replace it "
        "and everything in it"
    )


def _fill(root: Path, files: Mapping[str, bytes]) -> None:
    made: set[Path] = {root}
    for rel, content in files.items():
        path = root / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        _write_file(path, content)


def _swap(new: Path, out_dir: Path) -> bool:
    """Put ``new`` at ``out_dir``; True when an existing tree was replaced."""
    if not out_dir.exists():
        new.rename(out_dir)
        return False
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.charon-old-", dir=out_dir.parent))
    out_dir.rename(old)  # onto the empty placeholder: atomic on POSIX
    try:
        new.rename(out_dir)
    except BaseException:
        old.rename(out_dir)
        raise
    try:
        shutil.rmtree(old)
    except OSError as exc:
        raise RenderError(
            f"the new tree is in place at {out_dir}, but the previous one could not be "
            f"deleted from {old}: {exc}"
        ) from exc
    return True


def write_tree(out_dir: Path, files: Mapping[str, bytes], *, force: bool = False) -> bool:
    """Write ``files`` (relative POSIX path → bytes) as the whole content of ``out_dir``.

    Returns True when a previous tree was replaced.
    """
    _check_target(out_dir, force)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.charon-new-", dir=out_dir.parent))
    except OSError as exc:
        raise RenderError(f"cannot create a directory next to {out_dir}: {exc}") from exc
    try:
        new.chmod(0o755)  # mkdtemp makes it 0700; a rendered tree is meant to be shared
        _fill(new, files)
        return _swap(new, out_dir)
    except OSError as exc:
        raise RenderError(f"could not write the tree to {out_dir}: {exc}") from exc
    finally:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)
