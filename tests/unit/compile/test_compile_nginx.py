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
