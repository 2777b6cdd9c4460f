"""The default layout: one multi-document file per unit and one for the Flux Kustomizations."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from render_samples import SOPS_SECRET, make_platform

from charon.compile import compile_platform
from charon.errors import RenderError
from charon.render import render_files
from charon.spec import load

REPO = Path(__file__).resolve().parents[3]


def test_unit_layout_files_and_documents() -> None:
    compiled = make_platform(gitops_layout="unit")
    files = render_files(compiled)
    assert set(files) == {
        ".sops.yaml",
        "charon-render.json",
        "kustomization.yaml",
        "clusters/home/kustomization.yaml",
        "clusters/home/units.yaml",
        "units/base/kustomization.yaml",
        "units/base/resources.yaml",
        "units/apps/kustomization.yaml",
        "units/apps/resources.yaml",
        "units/apps/secret-db-credentials.sops.yaml",
    }
    for unit in compiled.units:
        docs = list(yaml.safe_load_all(files[f"units/{unit.name}/resources.yaml"]))
        assert docs == list(unit.objects)  # every object, in the unit's order, nothing else
        kust = yaml.safe_load(files[f"units/{unit.name}/kustomization.yaml"])
        raw = ["secret-db-credentials.sops.yaml"] if unit.name == "apps" else []
        expected = ["resources.yaml", *raw]
        assert kust["resources"] == sorted(expected)
    assert files["units/apps/secret-db-credentials.sops.yaml"] == SOPS_SECRET.encode()
    flux = list(yaml.safe_load_all(files["clusters/home/units.yaml"]))
    assert [d["metadata"]["name"] for d in flux] == ["base", "apps"]
    assert {d["kind"] for d in flux} == {"Kustomization"}
    assert yaml.safe_load(files["clusters/home/kustomization.yaml"])["resources"] == ["units.yaml"]


def test_unit_layout_is_the_default_and_holds_the_same_objects_as_the_object_layout() -> None:
    loaded = load(REPO / "examples" / "charon.yaml")
    compiled = compile_platform(loaded.spec)
    assert compiled.gitops_layout == "unit"
    by_unit = render_files(compiled)
    by_object = render_files(make_platform(**{"units": compiled.units, "platform": "charon"}))

    def objects(files: dict[str, bytes]) -> list[object]:
        docs = [
            doc
            for path, content in files.items()
            if path.startswith("units/") and not path.endswith("kustomization.yaml")
            for doc in yaml.safe_load_all(content)
        ]
        return sorted(docs, key=repr)

    assert objects(by_unit) == objects(by_object)
    assert len(by_unit) < len(by_object)


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(RenderError, match="unknown layout"):
        render_files(make_platform(gitops_layout="flat"))
