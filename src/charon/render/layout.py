"""Where every byte of a rendered tree goes, computed as pure data before anything is written.

::

    kustomization.yaml                 resources: [clusters/<platform>]  (the Flux entry point)
    .sops.yaml                         creation rule for SOPS (age recipients when given)
    charon-render.json                 manifest: platform, version, files + sha256 (the marker)
    clusters/<platform>/kustomization.yaml
    clusters/<platform>/<unit>.yaml    one Flux Kustomization per unit
    units/<unit>/kustomization.yaml    resources: every file of the unit, sorted
    units/<unit>/<kind>-<name>.yaml    one object per file; raw files copied verbatim

Object file names are ``<kind>-<name>.yaml``; when two objects of a unit would share one (same
kind and name in two namespaces) both get ``<kind>-<namespace>-<name>.yaml``, and the API group
is added if that still clashes, so a name never depends on the order objects arrive in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from charon.compile.model import CompiledPlatform, K8sObject, Unit
from charon.errors import RenderError
from charon.render import flux, guard
from charon.render.yaml_emit import dump

__all__ = ["KUSTOMIZATION", "SOPS_CONFIG", "object_file_names", "plan_tree", "sops_config"]

KUSTOMIZATION = "kustomization.yaml"
SOPS_CONFIG = ".sops.yaml"
ENCRYPTED_REGEX = "^(data|stringData)$"

_UNSAFE = re.compile(r"[^a-z0-9.-]+")


def _safe(text: str) -> str:
    return _UNSAFE.sub("-", text.lower()).strip("-.") or "x"


def _candidates(obj: K8sObject) -> tuple[str, str, str]:
    kind = _safe(str(obj.get("kind", "object")))
    meta = obj.get("metadata") or {}
    name = _safe(str(meta.get("name", "")))
    namespace = _safe(str(meta.get("namespace") or "cluster"))
    group = _safe(str(obj.get("apiVersion", "")).rpartition("/")[0] or "core")
    return (
        f"{kind}-{name}.yaml",
        f"{kind}-{namespace}-{name}.yaml",
        f"{kind}-{group}-{namespace}-{name}.yaml",
    )


def object_file_names(unit: Unit) -> list[str]:
    """A file name per object of the unit, in the unit's order, unique and order-independent."""
    options = [_candidates(obj) for obj in unit.objects]
    names = [opt[0] for opt in options]
    for level in (1, 2):
        counts = Counter(names)
        names = [opt[level] if counts[n] > 1 else n for n, opt in zip(names, options, strict=True)]
    clashes = sorted(n for n, c in Counter(names).items() if c > 1)
    if clashes:
        raise RenderError(f"unit {unit.name}: the same object appears twice ({clashes[0]})")
    return names


def sops_config(recipients: tuple[str, ...]) -> K8sObject:
    """``.sops.yaml``: encrypt only Secret values, so Flux can still read kind and metadata."""
    rule: dict[str, str] = {"encrypted_regex": ENCRYPTED_REGEX}
    if recipients:
        rule["age"] = ",".join(sorted(set(recipients)))
    return {"creation_rules": [rule]}


def _unit_files(unit: Unit, put: Callable[[str, bytes], None]) -> None:
    base = f"units/{unit.name}"
    names = object_file_names(unit)
    for obj, name in zip(unit.objects, names, strict=True):
        guard.check_object(unit, obj)
        put(f"{base}/{name}", dump(obj))
    taken = set(names) | {KUSTOMIZATION}
    for name, content in unit.raw_files:
        guard.check_raw_file(unit, name, content)
        if name in taken:
            raise RenderError(f"unit {unit.name}: raw file {name!r} clashes with another file")
        taken.add(name)
        put(f"{base}/{name}", content.encode("utf-8"))
    put(f"{base}/{KUSTOMIZATION}", dump(flux.kustomization(taken - {KUSTOMIZATION})))


def plan_tree(compiled: CompiledPlatform) -> dict[str, bytes]:
    """Every file of the tree (relative POSIX path → content), except the manifest."""
    flux.check_name(compiled.platform, "platform")
    files: dict[str, bytes] = {}

    def put(path: str, content: bytes) -> None:
        files[path] = content

    known = {unit.name for unit in compiled.units}
    if len(known) != len(compiled.units):
        raise RenderError("two units share one name; unit names must be unique")
    cluster = f"clusters/{compiled.platform}"
    for unit in compiled.units:
        flux.check_name(unit.name)
        missing = sorted(set(unit.depends_on) - known)
        if missing:
            raise RenderError(f"unit {unit.name} depends on unknown unit(s): {', '.join(missing)}")
        _unit_files(unit, put)
        put(f"{cluster}/{unit.name}.yaml", dump(flux.flux_kustomization(compiled, unit)))
    unit_files = [f"{unit.name}.yaml" for unit in compiled.units]
    put(f"{cluster}/{KUSTOMIZATION}", dump(flux.kustomization(unit_files)))
    put(KUSTOMIZATION, dump(flux.kustomization([cluster])))
    put(SOPS_CONFIG, dump(sops_config(compiled.sops_age_recipients)))
    return dict(sorted(files.items()))
