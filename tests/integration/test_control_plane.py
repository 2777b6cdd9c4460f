"""The test control plane itself: version, RBAC, Pod Security, audit counting, CRDs, kwok."""

from __future__ import annotations

import json
import time

import pytest

from peers.kube import ADMIN_USER, ControlPlane, unique_name

pytestmark = pytest.mark.integration

KUBE_VERSION = "v1.34.10"  # testbed/kube/go.mod and LDFLAGS
PINNED_KINDS = {
    "Certificate", "ClusterIssuer", "Issuer",
    "GitRepository", "OCIRepository", "HelmRepository", "Kustomization", "HelmRelease",
    "ServiceMonitor", "PrometheusRule", "PodMonitor",
    "ExternalSecret", "SecretStore", "ClusterSecretStore",
    "Cluster", "ScheduledBackup",
    "SealedSecret",
    "Middleware", "IngressRoute",
}  # fmt: skip


def test_version_is_the_pinned_release(control_plane: ControlPlane) -> None:
    status, body = control_plane.request("GET", "/version")
    assert status == 200
    info = json.loads(body)
    assert info["gitVersion"] == KUBE_VERSION
    assert (info["major"], info["minor"]) == ("1", "34")


def test_kubectl_client_reports_the_same_version(control_plane: ControlPlane) -> None:
    out = control_plane.kubectl("version", "-o", "json").stdout
    versions = json.loads(out)
    assert versions["clientVersion"]["gitVersion"] == KUBE_VERSION
    assert versions["serverVersion"]["gitVersion"] == KUBE_VERSION


def test_rbac_forbids_an_unprivileged_identity(control_plane: ControlPlane, namespace: str) -> None:
    nobody = control_plane.kubeconfig_for(unique_name("nobody"))
    denied = control_plane.kubectl(
        "get", "secrets", "-n", namespace, kubeconfig=nobody, check=False
    )
    assert denied.returncode != 0
    assert "forbidden" in denied.stderr.lower()
    allowed = control_plane.kubectl("get", "secrets", "-n", namespace)
    assert allowed.returncode == 0


def test_pod_security_admission_rejects_a_privileged_pod(control_plane: ControlPlane) -> None:
    ns = control_plane.create_namespace(labels={"pod-security.kubernetes.io/enforce": "restricted"})
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "privileged", "namespace": ns},
        "spec": {
            "containers": [
                {"name": "c", "image": "busybox", "securityContext": {"privileged": True}}
            ]
        },
    }
    status, body = control_plane.request("POST", f"/api/v1/namespaces/{ns}/pods", pod)
    assert status == 403, body.decode()
    message = json.loads(body)["message"]
    assert 'violates PodSecurity "restricted' in message
    assert "privileged" in message
    # The same pod is admitted where no level is enforced: the rejection came from PSA.
    ok = control_plane.create_namespace()
    pod["metadata"]["namespace"] = ok
    status, body = control_plane.request("POST", f"/api/v1/namespaces/{ok}/pods", pod)
    assert status == 201, body.decode()
    for name in (ns, ok):
        control_plane.kubectl("delete", "namespace", name, "--wait=false")


def test_audit_log_counts_exactly_the_writes_made(
    control_plane: ControlPlane, namespace: str
) -> None:
    marker = control_plane.audit_marker()
    for i in range(3):
        control_plane.kubectl("create", "configmap", f"cm-{i}", "-n", namespace)
    control_plane.kubectl("get", "configmaps", "-n", namespace)  # a read: never counted
    control_plane.kubectl(
        "patch", "configmap", "cm-0", "-n", namespace, "--type=merge", "-p", '{"data":{"a":"b"}}'
    )
    control_plane.kubectl("delete", "configmap", "cm-1", "-n", namespace)
    control_plane.kubectl("create", "configmap", "dry", "-n", namespace, "--dry-run=server")
    writes = control_plane.mutating_requests(marker, dry_run=False)
    summary = sorted((e["verb"], e["objectRef"].get("name", "")) for e in writes)
    assert summary == [
        ("create", ""), ("create", ""), ("create", ""), ("delete", "cm-1"), ("patch", "cm-0")
    ]  # fmt: skip
    assert all(e["user"]["username"] == ADMIN_USER for e in writes)
    with_dry_run = control_plane.mutating_requests(marker, dry_run=True)
    assert len(with_dry_run) == len(writes) + 1
    assert "dryRun=All" in with_dry_run[-1]["requestURI"]
    # Nothing written since a fresh marker: the count is zero, not "whatever happened before".
    assert control_plane.mutating_requests(control_plane.audit_marker()) == []


def test_every_pinned_crd_kind_is_established(control_plane: ControlPlane, crds: list[str]) -> None:
    assert set(crds) >= PINNED_KINDS
    listing = json.loads(control_plane.kubectl("get", "crd", "-o", "json").stdout)
    established = {
        item["spec"]["names"]["kind"]
        for item in listing["items"]
        if any(
            c["type"] == "Established" and c["status"] == "True"
            for c in item.get("status", {}).get("conditions", [])
        )
    }
    assert established >= PINNED_KINDS


def test_statefulset_becomes_ready_on_the_kwok_node(
    control_plane: ControlPlane, namespace: str
) -> None:
    sts = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "replicas": 2,
            "serviceName": "web",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }
    control_plane.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(sts))
    rollout = control_plane.kubectl(
        "rollout", "status", "statefulset/web", "-n", namespace, "--timeout=120s", check=False
    )
    assert rollout.returncode == 0, rollout.stderr
    deadline = time.monotonic() + 30
    ready = 0
    while time.monotonic() < deadline:
        got = json.loads(
            control_plane.kubectl("get", "statefulset", "web", "-n", namespace, "-o", "json").stdout
        )
        ready = got.get("status", {}).get("readyReplicas", 0)
        if ready == 2:
            break
        time.sleep(0.5)
    assert ready == 2
    pods = json.loads(control_plane.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)
    assert {p["spec"]["nodeName"] for p in pods["items"]} == {"kwok-node-0"}
    assert all(p["status"]["phase"] == "Running" for p in pods["items"])


def test_restart_keeps_data_and_audit_counting(control_plane: ControlPlane, namespace: str) -> None:
    """stop()/start() for fault tests: same data dir, ports and identities."""
    control_plane.kubectl("create", "configmap", "survivor", "-n", namespace)
    marker = control_plane.audit_marker()
    control_plane.stop()
    down = control_plane.kubectl("get", "ns", namespace, "--request-timeout=5s", check=False)
    assert down.returncode != 0
    control_plane.start()
    got = control_plane.kubectl("get", "configmap", "survivor", "-n", namespace, "-o", "name")
    assert got.stdout.strip() == "configmap/survivor"
    assert control_plane.mutating_requests(marker) == []
