"""The rules against the real compiler's objects, and every bundled example policy-clean."""

from pathlib import Path

import pytest
import yaml
from policy_builders import DELETE, platform

from charon.compile import compile_platform
from charon.policy import Finding, evaluate
from charon.spec.models import Platform

EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.yaml"))


def check(p: Platform) -> list[Finding]:
    return evaluate(p, compile_platform(p))


@pytest.mark.parametrize(
    "example",
    EXAMPLES or [pytest.param(None, marks=pytest.mark.skip(reason="examples/ is empty"))],
    ids=lambda p: p.stem if p else "none",
)
def test_every_example_is_policy_clean(example: Path) -> None:
    p = Platform.model_validate(yaml.safe_load(example.read_text()))
    found = [f for f in check(p) if f.severity in ("error", "warning")]
    assert [(f.rule, f.object, f.path, f.field, f.message) for f in found] == []


def test_base_platform_compiles_clean_with_derived_pod_security() -> None:
    p = platform({"categories": {"apps": {"podSecurity": DELETE}}})
    assert check(p) == []


def test_userspace_sidecar_fits_restricted_and_only_explains() -> None:
    p = platform({"vpn": {"sidecar": {"mode": "userspace"}}})
    found = check(p)
    assert [(f.rule, f.severity, f.object) for f in found] == [
        ("userspace-allowlist", "info", "service/wiki")
    ]


def test_kernel_sidecar_in_restricted_category_points_to_userspace() -> None:
    found = [f for f in check(platform()) if f.rule == "pod-security-fit"]
    assert found, "kernel-mode Tailscale must not fit a restricted namespace"
    assert {f.object for f in found} == {"StatefulSet/apps/wiki"}
    net_admin = [
        f
        for f in found
        if f.field.endswith("containers[tailscale].securityContext.capabilities.add")
    ]
    assert len(net_admin) == 1
    assert "vpn.sidecar.mode: userspace" in net_admin[0].fix
    assert "categories.apps.podSecurity" in net_admin[0].fix


def test_latest_image_found_in_compiled_statefulset() -> None:
    p = platform(
        {
            "categories": {"apps": {"podSecurity": DELETE}},
            "services": {"wiki": {"image": "requarks/wiki"}},
        }
    )
    found = [f for f in check(p) if f.rule == "image-pinned"]
    assert [(f.object, f.path) for f in found] == [("StatefulSet/apps/wiki", "services.wiki.image")]
    assert found[0].field.endswith(".image")


def test_missing_identity_fails_closed_on_spec_and_ingress() -> None:
    p = platform({"categories": {"apps": {"podSecurity": DELETE}}, "identity": DELETE})
    found = [(f.object, f.path) for f in check(p) if f.rule == "auth-fail-closed"]
    assert found == [
        ("ConfigMap/apps/wiki-nginx", "services.wiki.auth.mode"),
        ("Ingress/apps/wiki", "services.wiki.auth.mode"),
        ("service/wiki", "services.wiki.auth.mode"),
    ]


def test_compiled_nginx_gates_required_services_on_every_exposure() -> None:
    for exposure in ("internal", "vpn"):
        extra = {"lifecycle": True} if exposure == "vpn" else {}
        p = platform(
            {
                "categories": {"apps": {"podSecurity": DELETE}},
                "services": {"wiki": {"exposure": exposure, **extra}},
            }
        )
        assert [f for f in check(p) if f.rule == "auth-fail-closed"] == [], exposure


def test_oidc_alone_leaves_the_pod_path_open() -> None:
    p = platform(
        {
            "categories": {"apps": {"podSecurity": DELETE}},
            "identity": {"forwardAuth": DELETE, "oidc": {"issuer": "https://id.example"}},
            "services": {"wiki": {"exposure": "vpn", "lifecycle": True}},
        }
    )
    found = [f for f in check(p) if f.rule == "auth-fail-closed"]
    assert [(f.object, f.field) for f in found] == [
        ("ConfigMap/apps/wiki-nginx", "data[default.conf]")
    ]
    assert "location / has no auth_request" in found[0].message


def test_sensitive_volume_on_plain_class_in_compiled_objects() -> None:
    p = platform(
        {
            "categories": {"apps": {"podSecurity": DELETE}},
            "services": {"wiki": {"storage": {"data": {"storageClass": "block"}}}},
        }
    )
    found = [f for f in check(p) if f.rule == "sensitive-encrypted"]
    assert [f.path for f in found] == ["services.wiki.storage.data.storageClass"]
