"""Helpers shared by the test_apply_* tests (this module holds no tests of its own).

Each test applies its own copy of a platform: `isolate` renames the platform, its namespaces and
its PriorityClasses with a unique suffix, so tests (and the examples test, which applies the same
examples under their own names) never meet each other's objects.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from charon.cli import cluster_cmds
from charon.cli.main import main
from charon.cli.pipeline import check_file
from charon.compile.model import LABEL_PLATFORM, CompiledPlatform, Unit
from peers import cache_dir, require
from peers.kube import ControlPlane, unique_name

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
_NS_KEYS = frozenset({"namespace", "targetNamespace"})


@pytest.fixture(scope="session")
def crds_installed(control_plane: ControlPlane) -> None:
    """The pinned CRDs, installed like peers.kube's `crds` fixture but without parsing them:
    that fixture's yaml.safe_load trips over a `=` scalar in one of the CRD files."""
    root = cache_dir() / "testbed" / "crds"
    dirs = sorted(p for p in root.glob("*-v*") if p.is_dir()) if root.is_dir() else []
    if not dirs:
        require("crds")
    args = ["apply", "--server-side", "--force-conflicts", "--field-manager=charon-testbed"]
    for d in dirs:
        args += ["-f", str(d)]
    control_plane.kubectl(*args)
    control_plane.kubectl("wait", "--for=condition=Established", "--timeout=120s", "crd", "--all")


def _rename(value: Any, names: dict[str, str], classes: dict[str, str], platform: str,
            key: str | None = None) -> Any:  # fmt: skip
    if isinstance(value, dict):
        return {k: _rename(v, names, classes, platform, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, names, classes, platform, key) for v in value]
    if key in _NS_KEYS and isinstance(value, str):
        return names.get(value, value)
    if key == "priorityClassName" and isinstance(value, str):
        return classes.get(value, value)
    if key == LABEL_PLATFORM:
        return platform
    return value


def isolate(compiled: CompiledPlatform, suffix: str) -> CompiledPlatform:
    """A copy of the platform under `<name>-<suffix>`, its namespaces and classes renamed."""
    objects = compiled.objects()
    names = {o["metadata"]["name"]: f"{o['metadata']['name']}-{suffix}"
             for o in objects if o["kind"] == "Namespace"}  # fmt: skip
    classes = {o["metadata"]["name"]: f"{o['metadata']['name']}-{suffix}"
               for o in objects if o["kind"] == "PriorityClass"}  # fmt: skip
    platform = f"{compiled.platform}-{suffix}"
    units = []
    for unit in compiled.units:
        renamed = []
        for obj in unit.objects:
            new = _rename(obj, names, classes, platform)
            if obj["kind"] == "Namespace":
                new["metadata"]["name"] = names[obj["metadata"]["name"]]
            if obj["kind"] == "PriorityClass":
                new["metadata"]["name"] = classes[obj["metadata"]["name"]]
            renamed.append(new)
        units.append(dataclasses.replace(unit, objects=tuple(renamed)))
    return dataclasses.replace(compiled, platform=platform, units=tuple(units))


def example(name: str, suffix: str | None = None) -> CompiledPlatform:
    compiled = check_file(REPO / "examples" / f"{name}.yaml").compiled
    return isolate(compiled, suffix or unique_name("t")[2:9])


def minimal_variant(tmp_path: Path, suffix: str, drop: str | None = None) -> CompiledPlatform:
    """examples/minimal.yaml with unique names, optionally without the service ``drop``."""
    spec = yaml.safe_load((REPO / "examples" / "minimal.yaml").read_text())
    if drop:
        del spec["services"][drop]
    path = tmp_path / f"minimal-{drop or 'all'}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return isolate(check_file(path).compiled, suffix)


def without_unit(compiled: CompiledPlatform, unit: str) -> CompiledPlatform:
    return dataclasses.replace(compiled, units=tuple(u for u in compiled.units if u.name != unit))


def with_unit(compiled: CompiledPlatform, unit: Unit) -> CompiledPlatform:
    return dataclasses.replace(compiled, units=(*compiled.units, unit))


def writes(cp: ControlPlane, marker: str) -> list[dict[str, Any]]:
    """Mutating requests since the marker that were not dry runs (those are not writes)."""
    return [e for e in cp.mutating_requests(marker) if "dryRun=" not in e.get("requestURI", "")]


def dry_runs(cp: ControlPlane, marker: str) -> list[dict[str, Any]]:
    return [e for e in cp.mutating_requests(marker) if "dryRun=All" in e.get("requestURI", "")]


def charon(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cp: ControlPlane,
    compiled: CompiledPlatform,
    *args: str,
) -> tuple[int, str, str]:
    """Run `charon <args> platform.yaml --kubeconfig ...` in-process on `compiled`."""
    monkeypatch.setattr(cluster_cmds, "_compiled", lambda _file: compiled)
    capsys.readouterr()
    code = main([*args, "platform.yaml", "--kubeconfig", str(cp.kubeconfig)])
    out, err = capsys.readouterr()
    return code, out, err


def live(cp: ControlPlane, obj: dict[str, Any]) -> dict[str, Any] | None:
    meta = obj["metadata"]
    group = obj["apiVersion"].rpartition("/")[0]
    kind = f"{obj['kind']}.{group}".rstrip(".")
    args = ["get", kind, meta["name"], "-o", "json", "--ignore-not-found"]
    if meta.get("namespace"):
        args += ["-n", meta["namespace"]]
    text = cp.kubectl(*args).stdout.strip()
    return json.loads(text) if text else None


def inventory_ids(cp: ControlPlane, platform: str) -> set[str]:
    proc = cp.kubectl("get", "configmap", f"charon-inventory-{platform}", "-n", "charon-system",
                      "-o", "json")  # fmt: skip
    return {e["id"] for e in json.loads(json.loads(proc.stdout)["data"]["entries"])}
