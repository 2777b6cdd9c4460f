"""Every directory of a rendered tree builds with kustomize (kubectl's embedded one)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from charon.compile.model import CompiledPlatform
from charon.render import render_tree

kubectl = shutil.which("kubectl")


@pytest.mark.skipif(kubectl is None, reason="kubectl (with kustomize) is not installed")
def test_kustomize_builds_every_directory(compiled: CompiledPlatform, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render_tree(compiled, out)
    built: dict[str, list[dict]] = {}
    for kust in sorted(out.rglob("kustomization.yaml")):
        proc = subprocess.run(
            [str(kubectl), "kustomize", str(kust.parent)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        rel = kust.parent.relative_to(out).as_posix()
        built[rel] = [d for d in yaml.safe_load_all(proc.stdout) if d]
    assert {d["metadata"]["name"] for d in built["."]} == {"apps", "base"}
    assert len(built["units/apps"]) == 5
    assert {d["kind"] for d in built["units/base"]} == {"Namespace"}
