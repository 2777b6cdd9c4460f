from policy_builders import compiled, platform, run

from charon.policy import blocking, evaluate


def test_userspace_mode_explains_the_allowlist() -> None:
    p = platform({"vpn": {"sidecar": {"mode": "userspace"}}})
    found = run(p, [], rule="userspace-allowlist")
    assert [(f.severity, f.object, f.path) for f in found] == [
        ("info", "service/wiki", "vpn.sidecar.mode")  # headscale is a plain service
    ]
    assert "127.0.0.1" in found[0].message
    assert found[0].fix
    assert blocking(evaluate(p, compiled())) == []


def test_kernel_mode_has_no_explanation() -> None:
    assert run(rule="userspace-allowlist") == []


def test_vpn_dns_with_replicas_warns() -> None:
    p = platform({"services": {"wiki": {"exposure": "vpn", "lifecycle": True, "replicas": 2}}})
    found = run(p, [], rule="vpn-dns-replicas")
    assert [(f.severity, f.path) for f in found] == [("warning", "services.wiki.replicas")]
    assert found[0].fix


def test_internal_exposure_with_replicas_is_fine() -> None:
    p = platform({"services": {"wiki": {"replicas": 3}}})
    assert run(p, [], rule="vpn-dns-replicas") == []
