"""Which stale objects a prune may delete: owner labels, the opt-out annotation, protected kinds."""

from __future__ import annotations

from typing import Any

from charon.cluster.events import PruneOutcome
from charon.cluster.inventory import ObjectRef
from charon.cluster.plan import PruneItem
from charon.cluster.prune import verdict

OURS = {"app.kubernetes.io/managed-by": "charon", "charon.dev/platform": "lab"}


def live(labels: dict[str, str], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "x", "namespace": "n", "uid": "u", "labels": labels}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


ITEM = PruneItem(ObjectRef("", "ConfigMap", "n", "x", "v1"), protected=False)
PVC = PruneItem(ObjectRef("", "PersistentVolumeClaim", "n", "x", "v1"), protected=True)


def test_ours_is_deleted() -> None:
    assert verdict(ITEM, live(OURS), "lab", allow_destructive=False) is None


def test_gone_is_success() -> None:
    assert verdict(ITEM, None, "lab", allow_destructive=False) is PruneOutcome.gone


def test_unlabelled_or_other_platform_is_left_alone() -> None:
    assert verdict(ITEM, live({}), "lab", allow_destructive=True) is PruneOutcome.not_ours
    other = {**OURS, "charon.dev/platform": "prod"}
    assert verdict(ITEM, live(other), "lab", allow_destructive=True) is PruneOutcome.not_ours


def test_prune_disabled_annotation_is_honoured() -> None:
    for key in ("charon.dev/prune", "kustomize.toolkit.fluxcd.io/prune"):
        obj = live(OURS, {key: "disabled"})
        assert verdict(ITEM, obj, "lab", allow_destructive=True) is PruneOutcome.disabled


def test_protected_kinds_need_the_flag_and_stay_in_the_inventory() -> None:
    assert verdict(PVC, live(OURS), "lab", allow_destructive=False) is PruneOutcome.protected
    assert verdict(PVC, live(OURS), "lab", allow_destructive=True) is None
    assert PruneOutcome.protected.stays_in_inventory
    assert PruneOutcome.failed.stays_in_inventory
    assert not PruneOutcome.not_ours.stays_in_inventory
