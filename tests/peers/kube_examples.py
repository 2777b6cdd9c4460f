"""Render the bundled examples and apply them to the test control plane, for real.

Used by tests/integration/test_examples_apply.py and test_service_rbac.py through the session
fixture `applied_examples` (registered by peers.kube). Each example is rendered with the real
`charon render`, every directory holding a kustomization.yaml goes through the real
`kustomize build`, and the union of the built objects is applied with server-side apply and strict
field validation. Namespaces get a per-run suffix (and every `namespace`/`targetNamespace` field
that names one is rewritten) so the run never meets objects another test applied.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from peers import require
from peers.rendering import render

if TYPE_CHECKING:
    from peers.kube import ControlPlane

__all__ = ["AppliedExample", "apply_example", "example_files", "kustomize_objects", "render"]

REPO = Path(__file__).resolve().parents[2]
FIELD_MANAGER = "charon-examples-test"
_NS_KEYS = frozenset({"namespace", "targetNamespace"})
_ALWAYS_PRESENT = frozenset({"flux-system"})  # Flux bootstrap creates it; charon does not


def example_files() -> list[Path]:
    return sorted((REPO / "examples").glob("*.yaml"))


def kustomize_objects(tree: Path) -> tuple[list[Path], list[dict[str, Any]]]:
    """(directories built, unique objects) from `kustomize build` of every kustomization dir."""
    kustomize = require("kustomize")
    dirs = sorted(p.parent for p in tree.rglob("kustomization.yaml"))
    seen: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for d in dirs:
        proc = subprocess.run(
            [str(kustomize), "build", str(d)], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise AssertionError(f"kustomize build {d.relative_to(tree)} failed:\n{proc.stderr}")
        for doc in yaml.safe_load_all(proc.stdout):
            if doc:
                seen.setdefault(identity(doc), doc)
    return dirs, [seen[k] for k in sorted(seen)]


def identity(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    return (group, str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name")))


def _rename(value: Any, mapping: dict[str, str], key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _rename(v, mapping, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, mapping, key) for v in value]
    if key in _NS_KEYS and isinstance(value, str):
        return mapping.get(value, value)
    return value


@dataclass
class AppliedExample:
    example: Path
    tree: Path
    kustomize_dirs: list[Path]
    namespaces: dict[str, str]  # rendered name -> name used in the cluster
    objects: list[dict[str, Any]]  # as applied (renamed namespaces)
    skipped_encrypted: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # kubectl -o name output

    def of_kind(self, kind: str) -> Iterator[dict[str, Any]]:
        return (o for o in self.objects if o.get("kind") == kind)


def apply_example(cp: ControlPlane, example: Path, work: Path, suffix: str) -> AppliedExample:
    """Render, build and apply one example; namespaces get `-<suffix>`."""
    tree = render(example, work / "tree")
    dirs, built = kustomize_objects(tree)
    encrypted = [f"{o['kind']}/{o['metadata']['name']}" for o in built if "sops" in o]
    plain = [o for o in built if "sops" not in o]  # SOPS-encrypted: only Flux holds the key
    names = {o["metadata"]["name"] for o in plain if o.get("kind") == "Namespace"}
    names |= {str(o["metadata"]["namespace"]) for o in plain if o["metadata"].get("namespace")}
    mapping = {n: f"{n}-{suffix}"[:63].rstrip("-") for n in sorted(names)}
    objects = [_rename(o, mapping) for o in plain]
    for o in objects:
        if o.get("kind") == "Namespace":
            o["metadata"]["name"] = mapping[o["metadata"]["name"]]
    result = AppliedExample(example, tree, dirs, mapping, objects, encrypted)
    rendered_ns = {o["metadata"]["name"] for o in objects if o.get("kind") == "Namespace"}
    for original in sorted(_ALWAYS_PRESENT & set(mapping)):
        if mapping[original] not in rendered_ns:
            cp.create_namespace(mapping[original])
    first = [o for o in objects if o.get("kind") in {"CustomResourceDefinition", "Namespace"}]
    rest = [o for o in objects if o not in first]
    for batch in (first, rest):
        if batch:
            result.applied += _server_side_apply(cp, batch, work / f"batch-{len(result.applied)}")
    return result


def _server_side_apply(cp: ControlPlane, objects: list[dict[str, Any]], path: Path) -> list[str]:
    path.write_text("".join("---\n" + json.dumps(o) + "\n" for o in objects))
    proc = cp.kubectl(
        "apply", "--server-side", "--validate=strict", "--force-conflicts",
        f"--field-manager={FIELD_MANAGER}", "-o", "name", "-f", str(path), check=False,
    )  # fmt: skip
    applied = proc.stdout.split()
    if proc.returncode != 0 or len(applied) != len(objects):
        raise AssertionError(
            f"{len(objects) - len(applied)} of {len(objects)} objects rejected:\n{proc.stderr}"
        )
    return applied
