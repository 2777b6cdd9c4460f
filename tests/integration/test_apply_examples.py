"""`charon apply` of every bundled example on the real control plane: cold, then a no-op.

The cold apply must create and get admitted every object; the second apply must send zero
writes (the audit log counts create/update/patch/delete requests that are not dry runs: the
no-op check itself is a series of `dryRun=All` applies, which the API server never persists).
"""

from __future__ import annotations

import json

import pytest
from test_apply_support import (
    EXAMPLES,
    charon,
    crds_installed,  # noqa: F401 - a fixture
    dry_runs,
    example,
    inventory_ids,
    writes,
)

from charon.compile.model import LABEL_PLATFORM, object_id
from peers.kube import ControlPlane

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("crds_installed")]


def _owned(cp: ControlPlane, platform: str, kinds: set[str]) -> dict[str, dict]:
    proc = cp.kubectl("get", ",".join(sorted(kinds)), "-A", "-l", f"{LABEL_PLATFORM}={platform}",
                      "--show-managed-fields",
                      "-o", "json")  # fmt: skip
    items = json.loads(proc.stdout)["items"]
    # The inventory carries the platform label too; it is bookkeeping, not a platform object.
    return {object_id(o): o for o in items if o["metadata"].get("namespace") != "charon-system"}


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_cold_apply_creates_everything_and_a_reapply_writes_nothing(
    name: str, control_plane: ControlPlane,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    compiled = example(name)
    expected = {object_id(o) for o in compiled.objects()}
    code, out, err = charon(monkeypatch, capsys, control_plane, compiled, "apply", "--no-wait")
    assert code == 0, err
    assert f"{len(expected)} created" in out, out
    kinds = {f"{o['kind'].lower()}.{o['apiVersion'].rpartition('/')[0]}".rstrip(".")
             for o in compiled.objects()}  # fmt: skip
    live = _owned(control_plane, compiled.platform, kinds)
    assert set(live) == expected
    for oid, obj in live.items():
        managers = {m["manager"] for m in obj["metadata"]["managedFields"]}
        assert "charon" in managers, oid
    assert inventory_ids(control_plane, compiled.platform) == expected

    marker = control_plane.audit_marker()
    code, out, err = charon(monkeypatch, capsys, control_plane, compiled, "apply", "--no-wait")
    assert code == 0, err
    assert "0 created, 0 configured" in out, out
    assert writes(control_plane, marker) == []
    # Every object was checked by a server-side dry run (IfNotPresent Secrets only need a read).
    if_not_present = sum(
        1 for o in compiled.objects()
        if (o["metadata"].get("annotations") or {}).get("kustomize.toolkit.fluxcd.io/ssa")
        == "IfNotPresent"
    )  # fmt: skip
    assert len(dry_runs(control_plane, marker)) == len(expected) - if_not_present

    code, out, _ = charon(monkeypatch, capsys, control_plane, compiled, "diff")
    assert (code, out) == (0, "")

    code, out, _ = charon(
        monkeypatch, capsys, control_plane, compiled, "status", "--output", "json"
    )
    status = json.loads(out)
    assert {u["name"] for u in status["units"]} == {u.name for u in compiled.units}
    assert code == (0 if status["ready"] else 1)
    for unit in status["units"]:
        assert unit["ready"] or unit["reason"], unit  # anything not ready says why


def test_plan_prints_stages_as_json(
    control_plane: ControlPlane,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    compiled = example("minimal")
    code, out, err = charon(
        monkeypatch, capsys, control_plane, compiled, "plan", "--output", "json"
    )
    assert code == 0, err
    plan = json.loads(out)
    assert plan["stages"][0]["name"] == "cluster definitions"
    first = {o["kind"] for o in plan["stages"][0]["objects"]}
    assert first <= {"Namespace", "PriorityClass"} and "Namespace" in first
    assert sum(len(s["objects"]) for s in plan["stages"]) == len(compiled.objects())
    assert plan["prune"] == []
    code, out, _ = charon(monkeypatch, capsys, control_plane, compiled, "plan")
    assert code == 0 and "cluster definitions" not in out and "Namespace" in out
