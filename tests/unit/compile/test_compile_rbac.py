from __future__ import annotations

import pytest
from _compile_helpers import build, find, has


@pytest.mark.parametrize("replicas", [1, 3])
def test_role_names_exactly_the_state_secrets(replicas: int) -> None:
    compiled = build(services={"web": {"replicas": replicas}})
    role = find(compiled, "Role", "web-tailscale-state")
    expected = [f"web-{i}-tailscale" for i in range(replicas)]
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "resourceNames": expected,
            "verbs": ["get", "patch", "update"],
        }
    ]
    for name in expected:
        secret = find(compiled, "Secret", name)
        assert (
            secret["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/ssa"] == "IfNotPresent"
        )
        assert "data" not in secret and "stringData" not in secret
    binding = find(compiled, "RoleBinding", "web-tailscale-state")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "web", "namespace": "apps"}]


def test_zero_replicas_grant_nothing() -> None:
    role = find(build(services={"web": {"replicas": 0}}), "Role", "web-tailscale-state")
    assert role["rules"] == []


def test_owners_get_admin_with_users_and_groups() -> None:
    compiled = build(categories={"apps": {"owners": ["group:devs", "alice", "user:bob"]}})
    binding = find(compiled, "RoleBinding", "owners-admin", "apps")
    assert binding["roleRef"]["name"] == "admin"
    assert [(s["kind"], s["name"]) for s in binding["subjects"]] == [
        ("Group", "devs"),
        ("User", "alice"),
        ("User", "bob"),
    ]


def test_no_owners_no_binding() -> None:
    assert not has(build(), "RoleBinding", "owners-admin")
