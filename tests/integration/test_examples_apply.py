"""Every bundled example renders, builds with kustomize and is accepted by a real API server.

The apply is real (server-side apply, strict field validation, CRDs installed, namespaces
first). Pod Security is checked by the API server itself: each workload's pod template is sent as
a dry-run Pod into its namespace, which runs the full admission chain including PSA `enforce`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from peers.kube import ControlPlane
from peers.kube_examples import AppliedExample, example_files

pytestmark = pytest.mark.integration

EXAMPLES = example_files()
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "CronJob"}
PSA_ENFORCE = "pod-security.kubernetes.io/enforce"


def test_there_are_examples() -> None:
    assert EXAMPLES, "examples/*.yaml: no bundled example to apply"


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def applied(request: pytest.FixtureRequest, applied_examples: Any) -> AppliedExample:
    example: Path = request.param
    result: AppliedExample = applied_examples(example)
    return result


def test_every_kustomization_builds(applied: AppliedExample) -> None:
    assert applied.kustomize_dirs, "the rendered tree has no kustomization.yaml"
    assert (applied.tree / "kustomization.yaml") in [
        d / "kustomization.yaml" for d in applied.kustomize_dirs
    ]


def test_every_object_is_accepted(applied: AppliedExample, control_plane: ControlPlane) -> None:
    # apply_example already failed the run on any rejection; check the objects now exist.
    assert len(applied.applied) == len(applied.objects) > 0
    for obj in applied.objects:
        meta = obj["metadata"]
        args = ["get", f"{obj['kind']}.{_group(obj)}".rstrip("."), meta["name"], "-o", "name"]
        if meta.get("namespace"):
            args += ["-n", meta["namespace"]]
        assert control_plane.kubectl(*args, check=False).returncode == 0, f"missing {args}"


def test_namespaces_carry_their_declared_pod_security(applied: AppliedExample) -> None:
    namespaces = list(applied.of_kind("Namespace"))
    assert namespaces, "the example renders no Namespace"
    for ns in namespaces:
        level = ns["metadata"].get("labels", {}).get(PSA_ENFORCE)
        assert level in {"privileged", "baseline", "restricted"}, ns["metadata"]["name"]


def test_pod_templates_pass_pod_security_admission(
    applied: AppliedExample, control_plane: ControlPlane
) -> None:
    """Each pod template, as a dry-run Pod, is admitted under its namespace's declared level.

    The probe runs in a twin namespace carrying the same pod-security labels (and the pod's
    ServiceAccount), so the example's ResourceQuota, already used by the running pods, cannot
    turn a Pod Security verdict into a quota one.
    """
    twins: dict[str, str] = {}
    checked = 0
    for obj in applied.objects:
        if obj.get("kind") not in WORKLOADS:
            continue
        template = _pod_template(obj)
        ns = obj["metadata"]["namespace"]
        if ns not in twins:
            twins[ns] = control_plane.create_namespace(labels=_psa_labels(applied, ns))
        twin = twins[ns]
        account = template["spec"].get("serviceAccountName", "default")
        sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account}}
        control_plane.request("POST", f"/api/v1/namespaces/{twin}/serviceaccounts", sa)
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"psa-{obj['metadata']['name']}"[:63], "namespace": twin,
                         "labels": template.get("metadata", {}).get("labels", {})},
            "spec": template["spec"],
        }  # fmt: skip
        status, body = control_plane.request(
            "POST", f"/api/v1/namespaces/{twin}/pods?dryRun=All&fieldValidation=Strict", pod
        )
        assert status == 201, f"{obj['kind']}/{obj['metadata']['name']} in {ns}: {_msg(body)}"
        checked += 1
    for twin in twins.values():
        control_plane.kubectl("delete", "namespace", twin, "--wait=false")
    assert checked > 0, "no workload in the example"


def test_controllers_create_pods_without_pod_security_rejections(
    applied: AppliedExample, control_plane: ControlPlane
) -> None:
    """The real controllers create the workloads' pods; none is refused by Pod Security."""
    namespaces = sorted({o["metadata"]["namespace"] for o in applied.of_kind("StatefulSet")})
    namespaces += sorted(
        {o["metadata"]["namespace"] for o in applied.of_kind("Deployment")} - set(namespaces)
    )
    owners = {
        (o["metadata"]["namespace"], o["metadata"]["name"])
        for kind in ("StatefulSet", "Deployment")
        for o in applied.of_kind(kind)
        if o["spec"].get("replicas", 1) > 0
    }
    deadline = time.monotonic() + 60
    missing = set(owners)
    while missing and time.monotonic() < deadline:
        missing = {(ns, name) for ns, name in owners if not _has_pod(control_plane, ns, name)}
        if missing:
            time.sleep(1)
    refusals = []
    for ns in namespaces:
        events = json.loads(control_plane.kubectl("get", "events", "-n", ns, "-o", "json").stdout)[
            "items"
        ]
        refusals += [
            f"{ns}: {e['message']}"
            for e in events
            if e.get("reason") == "FailedCreate" and "PodSecurity" in e.get("message", "")
        ]
    assert refusals == []
    assert missing == set(), f"workloads without any pod: {sorted(missing)}"


def test_pod_security_is_enforced_where_declared(
    applied: AppliedExample, control_plane: ControlPlane
) -> None:
    """A privileged pod is refused in every namespace the example does not declare privileged."""
    strict = [
        ns["metadata"]["name"]
        for ns in applied.of_kind("Namespace")
        if ns["metadata"].get("labels", {}).get(PSA_ENFORCE) in {"baseline", "restricted"}
    ]
    for ns in strict:
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "psa-probe", "namespace": ns},
            "spec": {
                "containers": [{"name": "c", "image": "x", "securityContext": {"privileged": True}}]
            },
        }
        status, body = control_plane.request(
            "POST", f"/api/v1/namespaces/{ns}/pods?dryRun=All", pod
        )
        assert status == 403, f"{ns}: privileged pod admitted: {_msg(body)}"
        assert "violates PodSecurity" in _msg(body)


def _psa_labels(applied: AppliedExample, ns: str) -> dict[str, str]:
    for obj in applied.of_kind("Namespace"):
        if obj["metadata"]["name"] == ns:
            labels = obj["metadata"].get("labels", {})
            return {k: v for k, v in labels.items() if k.startswith("pod-security.kubernetes.io/")}
    return {}


def _has_pod(cp: ControlPlane, ns: str, owner: str) -> bool:
    pods = json.loads(cp.kubectl("get", "pods", "-n", ns, "-o", "json").stdout)["items"]
    return any(p["metadata"]["name"].startswith(f"{owner}-") for p in pods)


def _group(obj: dict[str, Any]) -> str:
    return str(obj["apiVersion"]).rpartition("/")[0]


def _pod_template(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod the controller would create: StatefulSets add one volume per claim template."""
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template: dict[str, Any] = json.loads(json.dumps(spec["template"]))
    claims = spec.get("volumeClaimTemplates", []) if obj["kind"] == "StatefulSet" else []
    for claim in claims:
        name = claim["metadata"]["name"]
        template["spec"].setdefault("volumes", []).append(
            {
                "name": name,
                "persistentVolumeClaim": {"claimName": f"{name}-{obj['metadata']['name']}-0"},
            }
        )
    return template


def _msg(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", body.decode()))
    except ValueError:
        return body.decode(errors="replace")
