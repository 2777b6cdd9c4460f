"""Inventory round trip, diff normalisation and Secret masking."""

from __future__ import annotations

import base64
from typing import Any

from charon.cluster.diff import MASK, same, unified_diff
from charon.cluster.inventory import Inventory, ObjectRef


def test_inventory_round_trips_through_its_configmap() -> None:
    inv = Inventory({"ns_web_apps_Deployment": "v1", "_ns__Namespace": "v1"})
    cm = inv.to_configmap("lab")
    assert cm["metadata"]["name"] == "charon-inventory-lab"
    assert cm["metadata"]["labels"]["charon.dev/platform"] == "lab"
    assert Inventory.from_configmap(cm) == inv
    assert Inventory.from_configmap(None) == Inventory.empty()


def test_refs_rebuild_the_api_version() -> None:
    ref = ObjectRef.parse("ns_web_apps_Deployment", "v1")
    assert (ref.api_version, ref.namespace, ref.name, ref.kind) == (
        "apps/v1",
        "ns",
        "web",
        "Deployment",
    )
    assert ObjectRef.parse("_ns__Namespace", "v1").api_version == "v1"
    assert ref.id == "ns_web_apps_Deployment"


def test_union_minus_only() -> None:
    a = Inventory({"1": "v1", "2": "v1"})
    b = Inventory({"2": "v1", "3": "v1"})
    assert set(a.union(b).entries) == {"1", "2", "3"}
    assert set(a.minus(b).entries) == {"1"}
    assert set(a.only(["2", "9"]).entries) == {"2"}


def secret(**data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "n"},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
    }  # fmt: skip


def test_secret_values_never_appear_in_a_diff() -> None:
    live = secret(password="hunter2", user="admin")
    planned = secret(password="correct-horse", user="admin")
    text = unified_diff("n_s__Secret", live, planned)
    for value in ("hunter2", "correct-horse", "admin"):
        assert value not in text
        assert base64.b64encode(value.encode()).decode() not in text
    assert f"-  password: '{MASK} (before)'" in text
    assert f"+  password: '{MASK} (after)'" in text
    changed = [line for line in text.splitlines() if line.startswith(("+ ", "- "))]
    assert not any("user" in line for line in changed)


def test_server_fields_are_ignored_and_real_changes_are_not() -> None:
    live = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"},
            "metadata": {"name": "c", "uid": "u1", "resourceVersion": "7", "generation": 1,
                         "creationTimestamp": "t", "managedFields": [{}]}}  # fmt: skip
    result = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"},
              "metadata": {"name": "c", "uid": "u1", "resourceVersion": "8"}}  # fmt: skip
    assert same(live, result)
    assert unified_diff("c", live, result) == ""
    changed = {**result, "data": {"a": "2"}}
    assert not same(live, changed)
    diff = unified_diff("c", live, changed)
    assert "-  a: '1'" in diff and "+  a: '2'" in diff
    assert "managedFields" not in diff and "resourceVersion" not in diff
    assert not same(None, result)
