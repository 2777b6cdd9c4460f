from policy_builders import DELETE, clean_objects, ingress, platform, replace, run


def test_required_without_identity_is_an_error_on_the_auth_mode() -> None:
    found = run(platform({"identity": DELETE}), rule="auth-fail-closed")
    assert [(f.object, f.path, f.severity) for f in found] == [
        ("service/wiki", "services.wiki.auth.mode", "error")
    ]
    assert "identity.forwardAuth" in found[0].fix


def test_oidc_counts_as_identity() -> None:
    p = platform({"identity": {"forwardAuth": DELETE, "oidc": {"issuer": "https://id.example"}}})
    assert run(p, rule="auth-fail-closed") == []


def test_ingress_of_required_service_without_auth_annotation() -> None:
    objects = replace(
        clean_objects(),
        "Ingress",
        ingress("wiki", "apps", "wiki.example.com", service="wiki", auth=False),
    )
    found = run(objects=objects, rule="auth-fail-closed")
    assert [(f.object, f.path) for f in found] == [("Ingress/apps/wiki", "services.wiki.auth.mode")]
    assert found[0].field == "metadata.annotations[nginx.ingress.kubernetes.io/auth-url]"
    assert found[0].fix


def test_ingress_of_service_with_app_auth_needs_no_annotation() -> None:
    p = platform({"services": {"wiki": {"auth": {"mode": "app", "reason": "own LDAP login"}}}})
    objects = replace(
        clean_objects(),
        "Ingress",
        ingress("wiki", "apps", "wiki.example.com", service="wiki", auth=False),
    )
    assert run(p, objects, rule="auth-fail-closed") == []


def test_app_auth_without_reason() -> None:
    p = platform({"services": {"wiki": {"auth": {"mode": "app"}}}})
    found = run(p, rule="auth-reason")
    assert [(f.object, f.path) for f in found] == [("service/wiki", "services.wiki.auth.mode")]
    assert "reason" in found[0].fix


def test_none_auth_with_reason_is_fine() -> None:
    assert run(rule="auth-reason") == []  # headscale has mode none with a reason


def test_public_auth_needs_no_reason() -> None:
    p = platform({"services": {"wiki": {"auth": {"mode": "public"}}}})
    assert run(p, rule="auth-reason") == []


def test_vpn_exposure_with_required_auth_has_no_gate() -> None:
    p = platform({"services": {"wiki": {"exposure": "vpn", "lifecycle": True}}})
    found = run(p, rule="auth-fail-closed")
    assert [(f.object, f.path) for f in found] == [("service/wiki", "services.wiki.auth.mode")]
    assert "exposure 'vpn'" in found[0].message
    assert "internal" in found[0].fix


def test_vpn_exposure_gated_by_nginx_auth_request() -> None:
    p = platform({"services": {"wiki": {"exposure": "vpn", "lifecycle": True}}})
    conf = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "wiki-nginx", "namespace": "apps", "labels": {}},
        "data": {"default.conf": "location / { auth_request /_auth; }"},
    }
    assert run(p, [*clean_objects(), conf], rule="auth-fail-closed") == []
