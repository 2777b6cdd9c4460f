from __future__ import annotations

from _compile_helpers import build, find, has

FORWARD = {"forwardAuth": {"url": "http://auth/verify", "signin": "https://auth/start"}}


def _ingress(**service: object) -> dict:
    compiled = build(identity=FORWARD, services={"web": service})
    return find(compiled, "Ingress", "web")


def test_required_auth_adds_forward_auth() -> None:
    annotations = _ingress()["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/auth-url"] == "http://auth/verify"
    assert annotations["nginx.ingress.kubernetes.io/auth-signin"] == "https://auth/start"
    assert annotations["charon.dev/auth"] == "required"
    assert annotations["nginx.ingress.kubernetes.io/backend-protocol"] == "HTTPS"


def test_app_auth_is_recorded_without_forward_auth() -> None:
    ing = _ingress(auth={"mode": "app", "reason": "the app's own LDAP login"})
    annotations = ing["metadata"]["annotations"]
    assert annotations["charon.dev/auth"] == "app"
    assert "nginx.ingress.kubernetes.io/auth-url" not in annotations


def test_internal_uses_internal_class_and_nginx_tls_backend() -> None:
    spec = _ingress()["spec"]
    assert spec["ingressClassName"] == "nginx"
    backend = spec["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "web", "port": {"name": "https"}}
    assert spec["tls"] == [{"hosts": ["web.t.example"], "secretName": "wildcard-tls"}]


def test_public_plain_service_uses_external_class_and_http() -> None:
    ing = _ingress(kind="plain", exposure="public", auth={"mode": "public"})
    assert ing["spec"]["ingressClassName"] == "nginx-external"
    annotations = ing["metadata"]["annotations"]
    assert "nginx.ingress.kubernetes.io/backend-protocol" not in annotations
    assert annotations["external-dns.alpha.kubernetes.io/cloudflare-proxied"] == "false"
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["port"] == {"name": "http"}


def test_dns_types_map_to_external_dns_annotations() -> None:
    proxied = _ingress(dns="proxied")["metadata"]["annotations"]
    assert proxied["external-dns.alpha.kubernetes.io/cloudflare-proxied"] == "true"
    assert proxied["external-dns.alpha.kubernetes.io/hostname"] == "web.t.example"
    internal = _ingress(dns="internal")["metadata"]["annotations"]
    assert internal["external-dns.alpha.kubernetes.io/hostname"] == "web.t.example"
    assert "external-dns.alpha.kubernetes.io/cloudflare-proxied" not in internal
    none = _ingress(dns="none")["metadata"]["annotations"]
    assert not any(k.startswith("external-dns") for k in none)


def test_vpn_exposure_has_no_ingress() -> None:
    compiled = build(services={"web": {"exposure": "vpn"}})
    assert not has(compiled, "Ingress", "web")
