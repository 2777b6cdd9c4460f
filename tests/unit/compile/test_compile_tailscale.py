from __future__ import annotations

from _compile_helpers import build, containers, env, find


def test_kernel_mode_adds_net_admin_and_tun_and_privileged_namespace() -> None:
    compiled = build()
    sts = find(compiled, "StatefulSet", "web")
    ts = containers(sts)["tailscale"]
    assert ts["securityContext"]["capabilities"]["add"] == ["NET_ADMIN"]
    assert {"mountPath": "/dev/net/tun", "name": "dev-net-tun"} in ts["volumeMounts"]
    volumes = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
    assert volumes["dev-net-tun"]["hostPath"]["path"] == "/dev/net/tun"
    assert env(ts)["TS_USERSPACE"] == "false"
    labels = find(compiled, "Namespace", "apps")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "privileged"


def test_userspace_mode_is_restricted() -> None:
    compiled = build(vpn={"sidecar": {"mode": "userspace"}})
    sts = find(compiled, "StatefulSet", "web")
    ts = containers(sts)["tailscale"]
    assert "add" not in ts["securityContext"]["capabilities"]
    assert ts["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert ts["securityContext"]["runAsNonRoot"] is True
    assert env(ts)["TS_USERSPACE"] == "true"
    assert all("hostPath" not in v for v in sts["spec"]["template"]["spec"]["volumes"])
    labels = find(compiled, "Namespace", "apps")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_explicit_pod_security_wins() -> None:
    compiled = build(categories={"apps": {"podSecurity": "baseline"}})
    labels = find(compiled, "Namespace", "apps")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"


def test_state_secret_and_login_server() -> None:
    ts = containers(find(build(), "StatefulSet", "web"))["tailscale"]
    values = env(ts)
    assert ts["env"][0]["name"] == "POD_NAME"  # must precede every $(POD_NAME) use
    assert values["POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert values["TS_KUBE_SECRET"] == "$(POD_NAME)-tailscale"
    assert values["TS_HOSTNAME"] == "$(POD_NAME)"
    assert values["TS_EXTRA_ARGS"] == "--login-server=http://headscale.core.svc.cluster.local:8080"
    assert "TS_AUTHKEY" not in values  # no lifecycle: containerboot reads the state Secret


def test_lifecycle_reads_the_auth_key_file() -> None:
    sts = find(build(services={"web": {"lifecycle": True}}), "StatefulSet", "web")
    assert env(containers(sts)["tailscale"])["TS_AUTHKEY"] == "file:/tailscale-auth/authkey"


def test_plain_service_has_only_the_app() -> None:
    compiled = build(services={"web": {"kind": "plain", "exposure": "public"}})
    sts = find(compiled, "StatefulSet", "web")
    assert list(containers(sts)) == ["app"]
    assert "initContainers" not in sts["spec"]["template"]["spec"]
    labels = find(compiled, "Namespace", "apps")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
