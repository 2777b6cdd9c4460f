"""Every bundled example renders, builds with kustomize and is accepted by a real API server.

The apply is real (server-side apply, strict field validation, CRDs installed, namespaces
first). Pod Security is checked by the API server itself: each workload's pod template is sent as
a dry-run Pod into its namespace, which runs the full admission chain including PSA `enforce`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from peers.kube import ControlPlane
from peers.kube_examples import AppliedExample, example_files

pytestmark = pytest.mark.integration

EXAMPLES = example_files()
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}
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
    checked = 0
    for obj in applied.objects:
        if obj.get("kind") not in WORKLOADS and obj.get("kind") != "CronJob":
            continue
        template = _pod_template(obj)
        ns = obj["metadata"]["namespace"]
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": f"psa-{obj['metadata']['name']}"[:63], "namespace": ns,
                         "labels": template.get("metadata", {}).get("labels", {})},
            "spec": template["spec"],
        }  # fmt: skip
        status, body = control_plane.request(
            "POST", f"/api/v1/namespaces/{ns}/pods?dryRun=All&fieldValidation=Strict", pod
        )
        assert status == 201, f"{obj['kind']}/{obj['metadata']['name']} in {ns}: {_msg(body)}"
        checked += 1
    assert checked > 0, "no workload in the example"


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


def _group(obj: dict[str, Any]) -> str:
    return str(obj["apiVersion"]).rpartition("/")[0]


def _pod_template(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template: dict[str, Any] = spec["template"]
    return template


def _msg(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", body.decode()))
    except ValueError:
        return body.decode(errors="replace")
