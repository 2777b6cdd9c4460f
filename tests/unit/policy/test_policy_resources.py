from policy_builders import clean_objects, container, replace, run, statefulset


def test_app_container_without_memory_request() -> None:
    app = container("app", "requarks/wiki:2.5.307", resources={"requests": {"cpu": "100m"}})
    found = run(objects=replace(clean_objects(), "StatefulSet", statefulset(containers=[app])))
    found = [f for f in found if f.rule == "resources-requests"]
    assert [(f.object, f.path, f.field) for f in found] == [
        (
            "StatefulSet/apps/wiki",
            "services.wiki.resources.requests",
            "spec.template.spec.containers[app].resources.requests",
        )
    ]
    assert "memory" in found[0].message
    assert "cpu" not in found[0].message
    assert found[0].fix


def test_sidecar_without_requests_points_at_the_service() -> None:
    sidecar = container("nginx-tls", "nginx:1.27.3-alpine", resources={})
    sts = statefulset(containers=[container("app", "requarks/wiki:2.5.307"), sidecar])
    found = run(objects=replace(clean_objects(), "StatefulSet", sts), rule="resources-requests")
    assert [(f.path, f.field) for f in found] == [
        ("services.wiki", "spec.template.spec.containers[nginx-tls].resources.requests")
    ]
    assert "cpu and no memory" in found[0].message


def test_requests_present_pass() -> None:
    assert run(rule="resources-requests") == []
