from typing import Any

import pytest
from policy_builders import DELETE, clean_objects, container, platform, replace, run, statefulset

from charon.policy._pods import PodTemplate
from charon.policy._pss import violations


def kernel_tailscale() -> dict[str, Any]:
    return container(
        "tailscale",
        "tailscale/tailscale:v1.98.1",
        securityContext={
            "allowPrivilegeEscalation": False,
            "capabilities": {"add": ["NET_ADMIN"]},
            "runAsUser": 0,
        },
    )


def test_kernel_sidecar_in_restricted_namespace() -> None:
    sts = statefulset(
        containers=[container("app", "requarks/wiki:2.5.307"), kernel_tailscale()],
        pod={"volumes": [{"name": "tun", "hostPath": {"path": "/dev/net/tun"}}]},
    )
    found = run(objects=replace(clean_objects(), "StatefulSet", sts), rule="pod-security-fit")
    fields = {f.field for f in found}
    base = "spec.template.spec"
    assert {
        f"{base}.containers[tailscale].securityContext.capabilities.add",
        f"{base}.volumes[tun].hostPath",
        f"{base}.containers[tailscale].securityContext.runAsNonRoot",
        f"{base}.containers[tailscale].securityContext.seccompProfile.type",
        f"{base}.containers[tailscale].securityContext.capabilities.drop",
        f"{base}.containers[tailscale].securityContext.runAsUser",
    } == fields
    net_admin = next(f for f in found if f.field.endswith("capabilities.add"))
    assert net_admin.object == "StatefulSet/apps/wiki"
    assert net_admin.path == "services.wiki"
    assert "NET_ADMIN" in net_admin.message and "'baseline'" in net_admin.message
    assert "categories.apps.podSecurity" in net_admin.fix
    assert "'privileged'" in net_admin.fix
    assert "userspace" in net_admin.fix


def test_kernel_sidecar_in_privileged_namespace_fits() -> None:
    sts = statefulset(containers=[container("app", "requarks/wiki:2.5.307"), kernel_tailscale()])
    p = platform({"categories": {"apps": {"podSecurity": "privileged"}}})
    objects = [o for o in clean_objects() if o["kind"] != "Namespace"]
    assert run(p, replace(objects, "StatefulSet", sts), rule="pod-security-fit") == []


def test_namespace_label_wins_over_the_spec() -> None:
    # the compiled Namespace says restricted; a root container breaks it
    root = container("app", "requarks/wiki:2.5.307", securityContext={"runAsUser": 0})
    p = platform({"categories": {"apps": {"podSecurity": DELETE}}})
    found = run(p, replace(clean_objects(), "StatefulSet", statefulset(containers=[root])))
    assert {f.rule for f in found} == {"pod-security-fit"}
    assert all("restricted" in f.message for f in found)


def test_unknown_namespace_level_is_not_checked() -> None:
    sts = statefulset(namespace="elsewhere", service=None, containers=[kernel_tailscale()])
    assert run(objects=[*clean_objects(), sts], rule="pod-security-fit") == []


def _tpl(spec: dict[str, Any]) -> PodTemplate:
    return PodTemplate({"kind": "Pod", "metadata": {"namespace": "x"}}, "", spec)


def ok() -> dict[str, Any]:
    return container("c", "img:1")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"hostNetwork": True, "containers": [ok()]}, "spec.hostNetwork"),
        ({"hostPID": True, "containers": [ok()]}, "spec.hostPID"),
        ({"hostIPC": True, "containers": [ok()]}, "spec.hostIPC"),
        (
            {
                "containers": [
                    {**ok(), "securityContext": {**ok()["securityContext"], "privileged": True}}
                ]
            },
            "spec.containers[c].securityContext.privileged",
        ),
        (
            {"containers": [{**ok(), "ports": [{"containerPort": 80, "hostPort": 80}]}]},
            "spec.containers[c].ports[80].hostPort",
        ),
        (
            {
                "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]},
                "containers": [ok()],
            },
            "spec.securityContext.sysctls[kernel.msgmax]",
        ),
        (
            {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [ok()]},
            "spec.securityContext.seccompProfile.type",
        ),
    ],
)
def test_baseline_breaks(spec: dict[str, Any], field: str) -> None:
    found = list(violations(_tpl(spec), "baseline"))
    assert [(v.level, v.field) for v in found] == [("baseline", field)]


def test_baseline_allows_the_default_capabilities_and_restricted_does_not() -> None:
    c = container("c", "img:1", securityContext={"capabilities": {"add": ["CHOWN"]}})
    assert list(violations(_tpl({"containers": [c]}), "baseline")) == []
    restricted = {v.field for v in violations(_tpl({"containers": [c]}), "restricted")}
    assert "spec.containers[c].securityContext.capabilities.add" in restricted


def test_restricted_allows_net_bind_service_and_pod_level_settings() -> None:
    c = container(
        "c",
        "img:1",
        securityContext={
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
        },
    )
    pod = {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [c],
        "volumes": [{"name": "d", "emptyDir": {}}, {"name": "s", "secret": {"secretName": "x"}}],
    }
    assert list(violations(_tpl(pod), "restricted")) == []


def test_restricted_rejects_nfs_volume_and_privilege_escalation() -> None:
    c = container("c", "img:1")
    del c["securityContext"]["allowPrivilegeEscalation"]
    pod = {"containers": [c], "volumes": [{"name": "media", "nfs": {"server": "nas", "path": "/"}}]}
    fields = {v.field for v in violations(_tpl(pod), "restricted")}
    assert fields == {
        "spec.volumes[media]",
        "spec.containers[c].securityContext.allowPrivilegeEscalation",
    }
    assert list(violations(_tpl(pod), "baseline")) == []


def test_privileged_level_checks_nothing() -> None:
    assert list(violations(_tpl({"hostNetwork": True, "containers": [{}]}), "privileged")) == []
