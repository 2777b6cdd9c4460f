from __future__ import annotations

from _compile_helpers import build, find


def _conf(**extra: object) -> str:
    compiled = build(**extra)
    return str(find(compiled, "ConfigMap", "web-nginx")["data"]["default.conf"])


def test_allowlist_precedes_proxy_pass_in_order() -> None:
    conf = _conf()
    positions = [
        conf.index("set_real_ip_from 10.42.0.0/16;"),
        conf.index("real_ip_header X-Forwarded-For;"),
        conf.index("allow 100.64.0.0/10;"),
        conf.index("allow 127.0.0.1;"),
        conf.index("deny all;"),
        conf.index("proxy_pass http://127.0.0.1:3000;"),
    ]
    assert positions == sorted(positions)


def test_tls_and_redirect() -> None:
    conf = _conf()
    assert "listen 443 ssl;" in conf
    assert "ssl_certificate /etc/nginx/certs/tls.crt;" in conf
    assert "ssl_certificate_key /etc/nginx/certs/tls.key;" in conf
    redirect = conf.index("listen 80;")
    assert conf.index("return 301 https://$host$request_uri;") > redirect
    assert "server_name web.t.example;" in conf


def test_vpn_exposure_trusts_no_forwarded_header() -> None:
    conf = _conf(services={"web": {"exposure": "vpn", "dns": "none"}})
    assert "set_real_ip_from" not in conf
    assert "real_ip_header" not in conf


def test_custom_prefix_is_allowed() -> None:
    conf = _conf(vpn={"prefixes": {"v4": "100.100.0.0/16"}})
    assert "allow 100.100.0.0/16;" in conf
    assert "allow 100.64.0.0/10;" not in conf


def test_metrics_are_re_exposed_on_a_separate_server() -> None:
    conf = _conf(services={"web": {"metrics": {"port": 3000, "path": "/prom"}}})
    block = conf[conf.index("listen 9180;") :]
    assert "location = /prom {" in block
    assert block.index("allow 10.42.0.0/16;") < block.index("deny all;")
    assert "proxy_pass http://127.0.0.1:3000;" in block


def test_config_change_rolls_the_pods() -> None:
    before = find(build(), "StatefulSet", "web")
    after = find(build(services={"web": {"port": 3001}}), "StatefulSet", "web")
    key = "charon.dev/nginx-config"
    a = before["spec"]["template"]["metadata"]["annotations"][key]
    b = after["spec"]["template"]["metadata"]["annotations"][key]
    assert a != b


FORWARD = {"url": "http://oauth2-proxy.core.svc.cluster.local:4180/oauth2/auth"}


def test_required_auth_gates_the_pod_with_an_auth_subrequest() -> None:
    conf = _conf(identity={"forwardAuth": FORWARD})
    server = conf[conf.index("listen 443 ssl;") :]
    assert server.index("deny all;") < server.index("auth_request /_charon/auth;")
    auth = server[server.index("location = /_charon/auth {") :]
    assert "internal;" in auth
    assert "proxy_pass http://oauth2-proxy.core.svc.cluster.local:4180/oauth2/auth;" in auth
    assert "proxy_pass_request_body off;" in auth
    assert "proxy_set_header X-Original-URL $scheme://$http_host$request_uri;" in auth
    assert "proxy_set_header X-Original-Method $request_method;" in auth
    assert "proxy_ssl_server_name" not in auth
    assert "error_page 401" not in conf  # no signin: the 401 goes back as it is


def test_signin_gets_the_original_url_unless_it_names_one() -> None:
    signin = {**FORWARD, "signin": "https://auth.t.example/oauth2/start"}
    conf = _conf(identity={"forwardAuth": signin})
    assert "error_page 401 = @charon_signin;" in conf
    target = "https://auth.t.example/oauth2/start?rd=$scheme://$http_host$request_uri"
    assert f"return 302 {target};" in conf
    own = {**FORWARD, "signin": "https://auth.t.example/start?x=1&rd=$scheme://$host"}
    conf = _conf(identity={"forwardAuth": own})
    assert "return 302 https://auth.t.example/start?x=1&rd=$scheme://$host;" in conf


def test_https_auth_url_sends_sni_and_odd_characters_are_quoted() -> None:
    conf = _conf(identity={"forwardAuth": {"url": "https://auth.t.example/verify;x"}})
    assert 'proxy_pass "https://auth.t.example/verify;x";' in conf
    assert "proxy_ssl_server_name on;" in conf


def test_other_auth_modes_and_plain_services_get_no_gate() -> None:
    app = {"auth": {"mode": "app", "reason": "the app's own login"}}
    assert "auth_request" not in _conf(identity={"forwardAuth": FORWARD}, services={"web": app})
    plain = build(identity={"forwardAuth": FORWARD}, services={"web": {"kind": "plain"}})
    assert not [o for o in plain.objects() if o["kind"] == "ConfigMap"]
