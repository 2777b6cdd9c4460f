"""The cluster package's public surface is what ``__all__`` says, and every name resolves."""

from __future__ import annotations

import importlib

import pytest

import charon.cluster

MODULES = ["api_errors", "console", "diff", "engine", "events", "executor", "graph", "inventory",
           "kinds", "kstatus", "kubeconfig", "ordering", "plan", "prune", "session", "status",
           "transport", "waits", "workload_status"]  # fmt: skip


@pytest.mark.parametrize("name", ["charon.cluster", *(f"charon.cluster.{m}" for m in MODULES)])
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, name
    for attr in module.__all__:
        assert hasattr(module, attr), f"{name}.{attr}"


def test_package_exports_the_engine() -> None:
    assert {"build_plan", "apply_plan", "ApplyOptions", "Transport"} <= set(charon.cluster.__all__)
