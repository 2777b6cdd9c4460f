"""Changes and prunes on the real control plane: only changed objects are written, a removed
service is pruned exactly, foreign and protected objects survive."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
from test_apply_support import (
    charon,
    crds_installed,  # noqa: F401 - a fixture
    inventory_ids,
    live,
    minimal_variant,
    writes,
)

from charon.compile.model import CompiledPlatform, object_id
from peers.kube import ControlPlane, unique_name

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("crds_installed")]


def _edit(compiled: CompiledPlatform, kind: str, edit: object) -> tuple[CompiledPlatform, str]:
    """Change the first object of `kind` with `edit(obj)`; returns the new platform and its id."""
    units, changed = [], ""
    for unit in compiled.units:
        objects = []
        for original in unit.objects:
            obj = original
            if not changed and obj["kind"] == kind:
                obj = copy.deepcopy(original)
                edit(obj)  # type: ignore[operator]
                changed = object_id(obj)
            objects.append(obj)
        units.append(dataclasses.replace(unit, objects=tuple(objects)))
    return dataclasses.replace(compiled, units=tuple(units)), changed


def test_a_changed_spec_writes_only_the_changed_objects(
    control_plane: ControlPlane, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    compiled = minimal_variant(tmp_path, unique_name("c")[2:9])
    assert charon(monkeypatch, capsys, control_plane, compiled, "apply", "--no-wait")[0] == 0
    changed, cm_id = _edit(compiled, "ConfigMap", lambda o: o.setdefault("data", {}).update(x="1"))
    changed, svc_id = _edit(
        changed, "Service", lambda o: o["metadata"].setdefault("labels", {}).update(extra="y")
    )

    code, out, _ = charon(monkeypatch, capsys, control_plane, changed, "diff")
    assert code == 1
    assert f"live/{cm_id}" in out and "+  x: '1'" in out
    assert f"live/{svc_id}" in out and "+    extra: y" in out

    marker = control_plane.audit_marker()
    code, out, err = charon(monkeypatch, capsys, control_plane, changed, "apply", "--no-wait")
    assert code == 0, err
    assert "0 created, 2 configured" in out
    written = {(e["objectRef"]["resource"], e["objectRef"]["name"]) for e in
               writes(control_plane, marker)}  # fmt: skip
    cm_name, svc_name = cm_id.split("_")[1], svc_id.split("_")[1]
    assert written == {("configmaps", cm_name), ("services", svc_name)}


def test_removing_a_service_prunes_exactly_its_objects(
    control_plane: ControlPlane, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    suffix = unique_name("p")[2:9]
    before, after = (
        minimal_variant(tmp_path, suffix),
        minimal_variant(tmp_path, suffix, drop="whoami"),
    )
    assert charon(monkeypatch, capsys, control_plane, before, "apply", "--no-wait")[0] == 0
    gone = {object_id(o): o for o in before.objects()}
    kept = {object_id(o): o for o in after.objects()}
    stale = {oid: o for oid, o in gone.items() if oid not in kept}
    disabled = {
        oid for oid, o in stale.items()
        if (o["metadata"].get("annotations") or {}).get("charon.dev/prune") == "disabled"
    }  # fmt: skip
    # A look-alike nobody labelled: same kind of object, no owner label; it must survive.
    foreign_cm = next(o for o in stale.values() if o["kind"] in {"ConfigMap", "Service"})
    ns = foreign_cm["metadata"]["namespace"]
    control_plane.kubectl("label", foreign_cm["kind"].lower(), foreign_cm["metadata"]["name"],
                          "-n", ns, "app.kubernetes.io/managed-by-")  # fmt: skip
    foreign = object_id(foreign_cm)
    assert stale and disabled

    code, _out, err = charon(monkeypatch, capsys, control_plane, after, "apply", "--no-wait",
                            "--prune")  # fmt: skip
    assert code == 0, err
    for oid, obj in stale.items():
        present = live(control_plane, obj)
        if oid in disabled or oid == foreign:
            assert present is not None, f"{oid} must be left alone"
        else:
            assert present is None or present["metadata"].get("deletionTimestamp"), oid
    for oid, obj in kept.items():
        assert live(control_plane, obj) is not None, f"{oid} was pruned but is still declared"
    assert inventory_ids(control_plane, after.platform) == set(kept)


def test_protected_kinds_are_pruned_only_with_the_flag(
    control_plane: ControlPlane, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    suffix = unique_name("d")[2:9]
    before, after = (
        minimal_variant(tmp_path, suffix),
        minimal_variant(tmp_path, suffix, drop="headscale"),
    )
    pvcs = [o for o in before.objects() if o["kind"] == "PersistentVolumeClaim"]
    assert pvcs and all(object_id(p) not in {object_id(o) for o in after.objects()} for p in pvcs)
    assert charon(monkeypatch, capsys, control_plane, before, "apply", "--no-wait")[0] == 0

    code, _out, err = charon(monkeypatch, capsys, control_plane, after, "apply", "--no-wait",
                            "--prune")  # fmt: skip
    assert code == 0, err
    assert "protected kind" in err
    for pvc in pvcs:
        assert live(control_plane, pvc) is not None
        assert object_id(pvc) in inventory_ids(control_plane, after.platform)

    code, _out, err = charon(monkeypatch, capsys, control_plane, after, "prune",
                            "--allow-destructive")  # fmt: skip
    assert code == 0, err
    for pvc in pvcs:
        present = live(control_plane, pvc)
        assert present is None or present["metadata"].get("deletionTimestamp")
        assert object_id(pvc) not in inventory_ids(control_plane, after.platform)
