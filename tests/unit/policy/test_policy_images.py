import pytest
from policy_builders import clean_objects, container, cronjob, platform, replace, run, statefulset

from charon.policy.images import image_problem


@pytest.mark.parametrize(
    "image",
    ["nginx", "nginx:latest", "ghcr.io/org/app:latest", "registry:5000/app", "nginx:alpine", ""],
)
def test_unpinned_images(image: str) -> None:
    assert image_problem(image) is not None


@pytest.mark.parametrize(
    "image",
    [
        "nginx:1.27.3-alpine",
        "registry:5000/app:1.2",
        "ghcr.io/org/app@sha256:" + "a" * 64,
        "ghcr.io/org/app:latest@sha256:" + "b" * 64,
    ],
)
def test_pinned_images(image: str) -> None:
    assert image_problem(image) is None


def test_latest_app_image_points_at_the_service_image() -> None:
    p = platform({"services": {"wiki": {"image": "requarks/wiki:latest"}}})
    sts = statefulset(containers=[container("app", "requarks/wiki:latest")])
    found = run(p, replace(clean_objects(), "StatefulSet", sts), rule="image-pinned")
    assert [(f.object, f.path, f.field) for f in found] == [
        ("StatefulSet/apps/wiki", "services.wiki.image", "spec.template.spec.containers[app].image")
    ]
    assert "services.wiki.image" in found[0].fix
    assert "latest" in found[0].message


def test_untagged_sidecar_points_at_vpn_sidecar_image() -> None:
    p = platform({"vpn": {"sidecar": {"image": "tailscale/tailscale"}}})
    sts = statefulset(
        containers=[
            container("app", "requarks/wiki:2.5.307"),
            container("tailscale", "tailscale/tailscale"),
        ]
    )
    found = run(p, replace(clean_objects(), "StatefulSet", sts), rule="image-pinned")
    assert [(f.path, f.field) for f in found] == [
        ("vpn.sidecar.image", "spec.template.spec.containers[tailscale].image")
    ]


def test_cronjob_init_containers_are_checked() -> None:
    job = cronjob("wiki-backup", "apps", [container("backup", "busybox:1.37.0")])
    job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"] = [
        container("prep", "busybox")
    ]
    found = run(objects=replace(clean_objects(), "CronJob", job), rule="image-pinned")
    assert [(f.object, f.path, f.field) for f in found] == [
        (
            "CronJob/apps/wiki-backup",
            "services.wiki",
            "spec.jobTemplate.spec.template.spec.initContainers[prep].image",
        )
    ]


def test_pinned_objects_pass() -> None:
    assert run(rule="image-pinned") == []
