"""Each StatefulSet's ServiceAccount may touch its own Tailscale state Secrets and nothing else.

The compiler sets `TS_KUBE_SECRET=$(POD_NAME)-tailscale` on the `tailscale` container, so the
Secrets are `<statefulset>-<ordinal>-tailscale`. The real RBAC authorizer of the test control plane
answers SubjectAccessReviews for the pod's ServiceAccount identity after the example is applied.
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


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def applied(request: pytest.FixtureRequest, applied_examples: Any) -> AppliedExample:
    example: Path = request.param
    result: AppliedExample = applied_examples(example)
    return result


def state_secrets(sts: dict[str, Any]) -> list[str]:
    """Secret names the StatefulSet's pods will use, from TS_KUBE_SECRET of `tailscale`."""
    spec = sts["spec"]["template"]["spec"]
    containers = spec.get("containers", []) + spec.get("initContainers", [])
    env = next((c.get("env", []) for c in containers if c["name"] == "tailscale"), [])
    value = next((e.get("value") for e in env if e["name"] == "TS_KUBE_SECRET"), None)
    if value is None:
        return []
    assert value == "$(POD_NAME)-tailscale", f"unexpected TS_KUBE_SECRET {value!r}"
    name = sts["metadata"]["name"]
    return [f"{name}-{i}-tailscale" for i in range(int(sts["spec"].get("replicas", 1)))]


def can(cp: ControlPlane, user: str, ns: str, verb: str, resource: str, name: str = "") -> bool:
    sa_ns = user.split(":")[2]
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": user,
            "groups": [
                "system:serviceaccounts",
                f"system:serviceaccounts:{sa_ns}",
                "system:authenticated",
            ],
            "resourceAttributes": {
                "namespace": ns,
                "verb": verb,
                "resource": resource,
                "name": name,
            },
        },
    }
    status, body = cp.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review)
    assert status == 201, body.decode()
    return bool(json.loads(body)["status"].get("allowed"))


def test_statefulset_service_accounts_are_scoped_to_their_state(
    applied: AppliedExample, control_plane: ControlPlane
) -> None:
    checked = 0
    for sts in applied.of_kind("StatefulSet"):
        secrets = state_secrets(sts)
        if not secrets:
            continue
        ns = sts["metadata"]["namespace"]
        sa = sts["spec"]["template"]["spec"].get("serviceAccountName", "default")
        user = f"system:serviceaccount:{ns}:{sa}"
        where = f"StatefulSet {ns}/{sts['metadata']['name']} (ServiceAccount {sa})"
        for secret in secrets:
            for verb in ("get", "patch"):
                assert can(control_plane, user, ns, verb, "secrets", secret), (
                    f"{where}: {verb} {secret}"
                )
        assert not can(control_plane, user, ns, "get", "secrets", "not-its-state"), where
        assert not can(control_plane, user, ns, "list", "secrets"), f"{where}: may list Secrets"
        assert not can(control_plane, user, ns, "get", "configmaps", "any"), f"{where}: ConfigMaps"
        assert not can(control_plane, user, ns, "list", "configmaps"), f"{where}: ConfigMaps"
        checked += 1
    assert checked > 0, f"{applied.example.name}: no StatefulSet with a tailscale sidecar"


def test_impersonated_service_account_is_refused_another_secret(
    applied: AppliedExample, control_plane: ControlPlane
) -> None:
    """The same answer through a real request path: kubectl --as the ServiceAccount."""
    sts = next((s for s in applied.of_kind("StatefulSet") if state_secrets(s)), None)
    assert sts is not None, "no StatefulSet with a tailscale sidecar"
    ns = sts["metadata"]["namespace"]
    sa = sts["spec"]["template"]["spec"].get("serviceAccountName", "default")
    control_plane.kubectl("create", "secret", "generic", "someone-elses", "-n", ns)
    as_sa = [f"--as=system:serviceaccount:{ns}:{sa}", "-n", ns]
    denied = control_plane.kubectl("get", "secret", "someone-elses", *as_sa, check=False)
    assert denied.returncode != 0 and "forbidden" in denied.stderr.lower()
    listed = control_plane.kubectl("get", "secrets", *as_sa, check=False)
    assert listed.returncode != 0 and "forbidden" in listed.stderr.lower()
