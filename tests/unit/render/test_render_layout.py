"""The tree's layout and the Flux fields of every unit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml
from render_samples import SOPS_SECRET, make_platform

from charon.compile.model import CompiledPlatform, Unit
from charon.errors import RenderError
from charon.render import render_files, render_tree
from charon.render.flux import unit_path
from charon.render.layout import object_file_names


def _load(files: dict[str, bytes], path: str) -> dict:
    return yaml.safe_load(files[path])


def test_layout_lists_every_file(compiled: CompiledPlatform) -> None:
    files = render_files(compiled)
    assert set(files) == {
        ".sops.yaml",
        "charon-render.json",
        "kustomization.yaml",
        "clusters/home/kustomization.yaml",
        "clusters/home/apps.yaml",
        "clusters/home/base.yaml",
        "units/base/kustomization.yaml",
        "units/base/namespace-apps.yaml",
        "units/apps/kustomization.yaml",
        "units/apps/statefulset-grafana.yaml",
        "units/apps/configmap-apps-nginx.yaml",
        "units/apps/configmap-monitoring-nginx.yaml",
        "units/apps/secret-grafana-ts-state.yaml",
        "units/apps/secret-db-credentials.sops.yaml",
    }


def test_every_yaml_directory_has_a_kustomization_listing_its_files(
    compiled: CompiledPlatform,
) -> None:
    files = render_files(compiled)
    dirs = {str(Path(p).parent) for p in files if p.endswith(".yaml")}
    for directory in dirs:
        prefix = "" if directory == "." else directory + "/"
        kust = _load(files, prefix + "kustomization.yaml")
        assert kust["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
        assert kust["resources"] == sorted(kust["resources"])
        if directory.startswith(("units/", "clusters/")):
            siblings = sorted(
                p[len(prefix) :]
                for p in files
                if p.startswith(prefix) and "/" not in p[len(prefix) :]
            )
            assert kust["resources"] == [s for s in siblings if s != "kustomization.yaml"]
    assert _load(files, "kustomization.yaml")["resources"] == ["clusters/home"]


def test_flux_kustomization_fields(compiled: CompiledPlatform) -> None:
    files = render_files(compiled)
    apps = _load(files, "clusters/home/apps.yaml")
    assert apps["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1"
    assert apps["kind"] == "Kustomization"
    assert apps["metadata"]["namespace"] == "flux-system"
    assert apps["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "charon",
        "charon.dev/platform": "home",
        "charon.dev/unit": "apps",
    }
    spec = apps["spec"]
    assert spec["interval"] == "10m"
    assert spec["retryInterval"] == "2m"
    assert spec["timeout"] == "5m"
    assert spec["path"] == "./clusters/home/units/apps"
    assert spec["prune"] is True
    assert spec["wait"] is True
    assert spec["sourceRef"] == {"kind": "GitRepository", "name": "flux-system"}
    assert spec["dependsOn"] == [{"name": "base"}]
    assert spec["healthChecks"] == [
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "grafana", "namespace": "apps"}
    ]
    assert spec["decryption"] == {"provider": "sops", "secretRef": {"name": "sops-age"}}
    base = _load(files, "clusters/home/base.yaml")["spec"]
    assert "dependsOn" not in base
    assert "healthChecks" not in base
    assert base["decryption"]["provider"] == "sops"  # on every unit, DESIGN §3.5


@pytest.mark.parametrize(
    ("gitops_path", "expected"),
    [
        ("", "./units/web"),
        (".", "./units/web"),
        ("./", "./units/web"),
        ("/clusters//home/", "./clusters/home/units/web"),
        ("./a/./b", "./a/b/units/web"),
    ],
)
def test_unit_path_is_normalised(gitops_path: str, expected: str) -> None:
    assert unit_path(gitops_path, "web") == expected


def test_unit_path_refuses_parent_segments() -> None:
    with pytest.raises(RenderError, match=r"\.\."):
        unit_path("../elsewhere", "web")


def test_sops_config_with_and_without_recipients(compiled: CompiledPlatform) -> None:
    rules = _load(render_files(compiled), ".sops.yaml")["creation_rules"]
    assert rules == [{"encrypted_regex": "^(data|stringData)$", "age": "age1aaaa,age1zzzz"}]
    bare = make_platform(sops_age_recipients=())
    assert _load(render_files(bare), ".sops.yaml")["creation_rules"] == [
        {"encrypted_regex": "^(data|stringData)$"}
    ]


def test_manifest_lists_files_with_hashes_and_no_timestamp(compiled: CompiledPlatform) -> None:
    files = render_files(compiled)
    doc = json.loads(files["charon-render.json"])
    assert doc["platform"] == "home"
    assert doc["units"] == ["base", "apps"]
    assert doc["objects"] == 5
    listed = {entry["path"]: entry["sha256"] for entry in doc["files"]}
    assert set(listed) == set(files) - {"charon-render.json"}
    for path, digest in listed.items():
        assert hashlib.sha256(files[path]).hexdigest() == digest
    assert not {"time", "timestamp", "date", "host"} & set(doc)


def test_clashing_names_get_the_namespace_whatever_the_order() -> None:
    objs = [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": ns}}
        for ns in ("b", "a")
    ]
    objs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"}})
    forward = object_file_names(Unit(name="u", layer="apps", objects=tuple(objs)))
    backward = object_file_names(Unit(name="u", layer="apps", objects=tuple(reversed(objs))))
    assert forward == ["service-b-web.yaml", "service-a-web.yaml", "service-db.yaml"]
    assert backward == list(reversed(forward))


def test_same_object_twice_is_an_error() -> None:
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "w", "namespace": "a"}}
    with pytest.raises(RenderError, match="twice"):
        object_file_names(Unit(name="u", layer="apps", objects=(obj, dict(obj))))


def test_unknown_dependency_and_bad_unit_name_are_refused() -> None:
    unit = Unit(name="web", layer="apps", objects=(), depends_on=("nope",))
    with pytest.raises(RenderError, match="nope"):
        render_files(make_platform(units=(unit,)))
    with pytest.raises(RenderError, match="DNS-1123"):
        render_files(make_platform(units=(Unit(name="Web/../x", layer="apps", objects=()),)))


def test_raw_file_sources_are_read_relative_to_the_spec(tmp_path: Path) -> None:

    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "db.enc.yaml").write_text(SOPS_SECRET, encoding="utf-8")
    unit = Unit(
        name="web",
        layer="apps",
        objects=(),
        raw_file_sources=(("secret-db.sops.yaml", "secrets/db.enc.yaml"),),
    )
    platform = make_platform(units=(unit,))
    files = render_files(platform, source_dir=tmp_path)
    assert files["units/web/secret-db.sops.yaml"] == SOPS_SECRET.encode()
    assert _load(files, "units/web/kustomization.yaml")["resources"] == ["secret-db.sops.yaml"]
    with pytest.raises(RenderError, match="secrets/missing"):
        bad = Unit(
            name="web", layer="apps", objects=(), raw_file_sources=(("x.yaml", "secrets/missing"),)
        )
        render_files(make_platform(units=(bad,)), source_dir=tmp_path)


def test_render_tree_reports_counts(compiled: CompiledPlatform, tmp_path: Path) -> None:
    result = render_tree(compiled, tmp_path / "out")
    assert (result.units, result.objects, result.replaced) == (2, 5, False)
    assert len(result.files) == 14
    on_disk = sorted(
        p.relative_to(tmp_path / "out").as_posix()
        for p in (tmp_path / "out").rglob("*")
        if p.is_file()
    )
    assert on_disk == sorted(result.files)
