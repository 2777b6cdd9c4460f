"""Compile a case folder and lay the result out as files, so goldens are plain YAML to review.

A case folder holds ``platform.yaml`` (or ``case.yaml`` with ``platform: <relative path>`` to
reuse a bundled example) and ``expected/``: ``notes.yaml``, and per unit ``units/<unit>/_unit.yaml``
(layer, dependencies, health checks) plus one file per object, ``<kind>-<name>.yaml`` for
cluster-scoped objects and ``<kind>-<namespace>-<name>.yaml`` for namespaced ones.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml

from charon.compile import compile_platform
from charon.compile.model import CompiledPlatform, K8sObject
from charon.spec.models import Platform

try:  # the loader with source positions, once the spec package provides it
    from charon.spec import load_text
except ImportError:  # pragma: no cover - until then, plain pydantic validation
    load_text = None

ROOT = Path(__file__).parent


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=True, default_flow_style=False)


def platform_path(case: Path) -> Path:
    pointer = case / "case.yaml"
    if pointer.exists():
        target = yaml.safe_load(pointer.read_text(encoding="utf-8"))["platform"]
        return (case / target).resolve()
    return case / "platform.yaml"


def load_platform(path: Path) -> Platform:
    text = path.read_text(encoding="utf-8")
    if load_text is None:
        return Platform.model_validate(yaml.safe_load(text))
    return load_text(text, str(path.name)).spec


def file_name(obj: K8sObject) -> str:
    meta = obj["metadata"]
    kind = str(obj["kind"]).lower()
    if meta.get("namespace"):
        return f"{kind}-{meta['namespace']}-{meta['name']}.yaml"
    return f"{kind}-{meta['name']}.yaml"


def layout(compiled: CompiledPlatform) -> dict[str, str]:
    files: dict[str, str] = {"notes.yaml": dump(list(compiled.notes))}
    for unit in compiled.units:
        base = f"units/{unit.name}"
        files[f"{base}/_unit.yaml"] = dump(
            {
                "layer": unit.layer,
                "dependsOn": list(unit.depends_on),
                "healthChecks": [list(h) for h in unit.health_checks],
                "needsDecryption": unit.needs_decryption,
                "rawFileSources": [list(r) for r in unit.raw_file_sources],
            }
        )
        for obj in unit.objects:
            name = f"{base}/{file_name(obj)}"
            assert name not in files, f"two objects would share {name}"
            files[name] = dump(obj)
    return files


def compile_case(case: Path) -> dict[str, str]:
    return layout(compile_platform(load_platform(platform_path(case))))


def read_expected(case: Path) -> dict[str, str]:
    root = case / "expected"
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.yaml"))
    }


def write_expected(case: Path, files: dict[str, str]) -> None:
    root = case / "expected"
    for old in root.rglob("*.yaml") if root.exists() else []:
        old.unlink()
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for folder in sorted(root.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def diff(expected: dict[str, str], actual: dict[str, str]) -> str:
    """A readable report: missing and unexpected files, then a unified diff per changed file."""
    out: list[str] = []
    for name in sorted(set(expected) - set(actual)):
        out.append(f"missing from the output: {name}")
    for name in sorted(set(actual) - set(expected)):
        out.append(f"not in the goldens: {name}")
    for name in sorted(set(expected) & set(actual)):
        if expected[name] != actual[name]:
            out.extend(
                difflib.unified_diff(
                    expected[name].splitlines(),
                    actual[name].splitlines(),
                    f"expected/{name}",
                    f"actual/{name}",
                    lineterm="",
                )
            )
    return "\n".join(out)


def cases() -> list[Path]:
    found = [p.parent for p in ROOT.glob("*/*/platform.yaml")]
    found += [p.parent for p in ROOT.glob("*/*/case.yaml")]
    return sorted(found)
