"""Plan ordering, stages, cycles and the prune set, on hand-made and bundled platforms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from charon.cli.pipeline import check_file
from charon.cluster.graph import dependency_levels, find_cycle
from charon.cluster.inventory import Inventory
from charon.cluster.ordering import kind_weight
from charon.cluster.plan import build_plan
from charon.compile.model import CompiledPlatform, Unit
from charon.errors import ClusterError

REPO = Path(__file__).resolve().parents[3]


def obj(kind: str, name: str, ns: str = "", api: str = "v1") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if ns:
        meta["namespace"] = ns
    return {"apiVersion": api, "kind": kind, "metadata": meta}


def platform(*units: Unit) -> CompiledPlatform:
    return CompiledPlatform("p", units)


def test_definitions_first_then_units_by_dependency_then_kind_weight() -> None:
    base = Unit("base", "infra-configs", (
        obj("Deployment", "d", "a", "apps/v1"), obj("Namespace", "a"),
        obj("ConfigMap", "c", "a"), obj("PriorityClass", "pc", api="scheduling.k8s.io/v1"),
    ))  # fmt: skip
    app = Unit("app", "apps", (obj("Ingress", "i", "a", "networking.k8s.io/v1"),
                               obj("ServiceAccount", "sa", "a")), depends_on=("base",))  # fmt: skip
    plan = build_plan(platform(app, base), Inventory.empty())
    kinds = [[p.ref.kind for p in s.objects] for s in plan.stages]
    assert kinds == [["Namespace", "PriorityClass"], ["ConfigMap", "Deployment"],
                     ["ServiceAccount", "Ingress"]]  # fmt: skip
    assert plan.stages[0].definitions and not plan.stages[1].definitions
    assert plan.stages[1].units == ("base",)
    assert [p.wait for p in plan.stages[1].objects] == [False, True]


def test_kind_weights_follow_the_documented_order() -> None:
    order = ["Namespace", "ResourceQuota", "LimitRange", "ServiceAccount", "Secret", "ConfigMap",
             "PersistentVolumeClaim", "Role", "RoleBinding", "Service", "StatefulSet", "Ingress",
             "Certificate", "ValidatingWebhookConfiguration"]  # fmt: skip
    assert sorted(order, key=kind_weight) == order


def test_independent_units_share_a_stage() -> None:
    units = [Unit(n, "apps", (obj("ConfigMap", n, "x"),)) for n in ("a", "b")]
    plan = build_plan(platform(*units), Inventory.empty())
    assert [s.units for s in plan.stages[1:]] == [("a", "b")]


def test_a_cycle_is_an_error_naming_it() -> None:
    a = Unit("a", "apps", (obj("ConfigMap", "a", "x"),), depends_on=("b",))
    b = Unit("b", "apps", (obj("ConfigMap", "b", "x"),), depends_on=("c",))
    c = Unit("c", "apps", (obj("ConfigMap", "c", "x"),), depends_on=("a",))
    with pytest.raises(ClusterError) as info:
        build_plan(platform(a, b, c), Inventory.empty())
    assert "a -> b -> c -> a" in str(info.value)


def test_an_unknown_dependency_is_named() -> None:
    with pytest.raises(ClusterError, match=r"unknown unit.*ghost"):
        dependency_levels(["a"], {"a": ["ghost"]})


def test_find_cycle_none_for_a_dag() -> None:
    assert find_cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) is None
    assert dependency_levels(["c", "a", "b"], {"a": ["b"], "c": ["a"]}) == [["b"], ["a"], ["c"]]


def test_duplicate_objects_across_units_are_refused() -> None:
    a = Unit("a", "apps", (obj("ConfigMap", "same", "x"),))
    b = Unit("b", "apps", (obj("ConfigMap", "same", "x"),))
    with pytest.raises(ClusterError, match="both unit a and unit b"):
        build_plan(platform(a, b), Inventory.empty())


def test_prune_is_previous_minus_current_in_reverse_order() -> None:
    keep = obj("ConfigMap", "keep", "x")
    previous = Inventory({
        "x_keep__ConfigMap": "v1", "x_gone__ConfigMap": "v1", "_x__Namespace": "v1",
        "x_data__PersistentVolumeClaim": "v1", "x_web_apps_Deployment": "v1",
    })  # fmt: skip
    plan = build_plan(platform(Unit("u", "apps", (keep,))), previous)
    ids = [i.ref.id for i in plan.prune]
    assert ids == ["x_web_apps_Deployment", "x_data__PersistentVolumeClaim",
                   "x_gone__ConfigMap", "_x__Namespace"]  # fmt: skip
    assert {i.ref.id for i in plan.prune if i.protected} == {
        "x_data__PersistentVolumeClaim", "_x__Namespace"}  # fmt: skip
    assert plan.prune[0].ref.api_version == "apps/v1"


@pytest.mark.parametrize(
    "example", sorted((REPO / "examples").glob("*.yaml")), ids=lambda p: p.stem
)
def test_every_example_plans_with_namespaces_before_their_objects(example: Path) -> None:
    plan = build_plan(check_file(example).compiled, Inventory.empty())
    namespaces = {p.ref.name for p in plan.stages[0].objects if p.ref.kind == "Namespace"}
    later = [p for s in plan.stages[1:] for p in s.objects]
    assert later and all(p.ref.namespace in namespaces for p in later if p.ref.namespace)
    assert len(plan.current) == len(plan.objects()) == len(check_file(example).compiled.objects())
    assert plan.to_json()["stages"][0]["name"] == "cluster definitions"
