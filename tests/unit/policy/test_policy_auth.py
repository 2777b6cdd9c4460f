from typing import Any

from policy_builders import (
    DELETE,
    GATED_CONF,
    clean_objects,
    ingress,
    nginx_conf,
    platform,
    replace,
    run,
)

from charon.policy import Finding


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


def _conf_findings(text: str, patch: dict[str, Any] | None = None) -> list[Finding]:
    objects = replace(clean_objects(), "ConfigMap", nginx_conf(text))
    return run(platform(patch), objects, rule="auth-fail-closed")


def test_clean_gated_config_passes_also_with_vpn_exposure() -> None:
    assert _conf_findings(GATED_CONF) == []
    vpn = {"services": {"wiki": {"exposure": "vpn", "lifecycle": True}}}
    no_ingress = [
        o for o in clean_objects() if o["metadata"]["name"] != "wiki" or o["kind"] != "Ingress"
    ]
    assert run(platform(vpn), no_ingress, rule="auth-fail-closed") == []


def test_required_web_service_without_nginx_config() -> None:
    objects = [o for o in clean_objects() if o["kind"] != "ConfigMap"]
    found = run(objects=objects, rule="auth-fail-closed")
    assert [(f.object, f.path) for f in found] == [("service/wiki", "services.wiki.auth.mode")]
    assert "identity.forwardAuth" in found[0].fix


def test_auth_request_in_a_comment_does_not_count() -> None:
    text = GATED_CONF.replace(
        "    auth_request /_charon/auth;", "    # auth_request /_charon/auth;"
    )
    found = _conf_findings(text)
    assert [(f.object, f.field) for f in found] == [
        ("ConfigMap/apps/wiki-nginx", "data[default.conf]")
    ]
    assert "location / has no auth_request" in found[0].message
    assert "VPN address" in found[0].message


def test_a_location_that_switches_auth_off_is_reported() -> None:
    text = GATED_CONF.replace(
        "    location / {",
        "    location /api { auth_request off; proxy_pass http://127.0.0.1:3000; }\n"
        "    location / {",
    )
    found = _conf_findings(text)
    assert len(found) == 1
    assert "location /api has no auth_request" in found[0].message
    assert "location / " not in found[0].message


def test_auth_request_must_reach_an_internal_proxying_location() -> None:
    exposed = GATED_CONF.replace("{ internal; proxy_pass", "{ proxy_pass")
    found = _conf_findings(exposed)
    assert len(found) == 1
    assert "/_charon/auth, which is no internal location" in found[0].message
    missing = GATED_CONF.replace("auth_request /_charon/auth;", "auth_request /nowhere;")
    assert "/nowhere, which is no internal location" in _conf_findings(missing)[0].message


def test_gate_inside_the_location_counts() -> None:
    text = GATED_CONF.replace("    auth_request /_charon/auth;\n", "").replace(
        "location / {", "location / { auth_request /_charon/auth;"
    )
    assert _conf_findings(text) == []


def test_only_the_https_server_is_judged() -> None:
    metrics = "server { listen 9180; location = /metrics { proxy_pass http://127.0.0.1:3000; } }"
    assert _conf_findings(GATED_CONF + metrics) == []
    found = _conf_findings(metrics)
    assert "no server listens on 443" in found[0].message


def test_unreadable_config_is_a_finding_not_a_crash() -> None:
    found = _conf_findings(GATED_CONF + "server {")
    assert "cannot be read" in found[0].message


def test_app_auth_and_plain_services_need_no_gate() -> None:
    app = {"services": {"wiki": {"auth": {"mode": "app", "reason": "own LDAP login"}}}}
    assert _conf_findings("server { listen 443 ssl; location / {} }", app) == []
    plain = {"services": {"wiki": {"kind": "plain"}}}
    objects = [o for o in clean_objects() if o["kind"] != "ConfigMap"]
    assert run(platform(plain), objects, rule="auth-fail-closed") == []
