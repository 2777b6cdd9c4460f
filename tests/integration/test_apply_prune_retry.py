"""A prune delete the API server refuses, on the real control plane: the object stays live and in
the inventory, the apply fails with a ClusterError naming it, and the next prune deletes it.

The refusal comes from real admission: a ValidatingAdmissionPolicy that denies DELETE of one
Service by name, bound with the Deny action, then removed again."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_apply_support import (
    charon,
    crds_installed,  # noqa: F401 - a fixture
    inventory_ids,
    live,
    minimal_variant,
    writes,
)

from charon.compile.model import object_id
from charon.errors import ClusterError
from peers.kube import ControlPlane, unique_name

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("crds_installed")]

_ADMISSION = "admissionregistration.k8s.io/v1"
_ACTIVATION_TIMEOUT = 30.0  # seconds for the API server to load or drop an admission policy
_POLL = 0.2


def _until(what: str, probe: Callable[[], bool]) -> None:
    deadline = time.monotonic() + _ACTIVATION_TIMEOUT
    while not probe():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {_ACTIVATION_TIMEOUT:.0f}s", pytrace=False)
        time.sleep(_POLL)


def _delete_accepted(cp: ControlPlane, service: dict[str, Any]) -> bool:
    """Would the API server accept deleting the Service now? (A server-side dry run.)"""
    meta = service["metadata"]
    proc = cp.kubectl("delete", "service", meta["name"], "-n", meta["namespace"],
                      "--dry-run=server", check=False)  # fmt: skip
    return proc.returncode == 0


def _gone(obj: dict[str, Any] | None) -> bool:
    return obj is None or bool(obj["metadata"].get("deletionTimestamp"))


def _refuse_delete(cp: ControlPlane, name: str, service: dict[str, Any], message: str) -> None:
    """Make admission deny deleting that one Service, and wait until it does."""
    meta = service["metadata"]
    target = (
        f"oldObject.metadata.namespace == {json.dumps(meta['namespace'])}"
        f" && oldObject.metadata.name == {json.dumps(meta['name'])}"
    )
    rule = {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["DELETE"],
            "resources": ["services"]}  # fmt: skip
    policy = {
        "apiVersion": _ADMISSION,
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [rule]},
            # On DELETE `object` is null; the object being deleted is `oldObject`.
            "validations": [{"expression": f"!({target})", "message": message}],
        },
    }
    binding = {
        "apiVersion": _ADMISSION,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name},
        "spec": {"policyName": name, "validationActions": ["Deny"]},
    }
    items = {"apiVersion": "v1", "kind": "List", "items": [policy, binding]}
    cp.kubectl("apply", "-f", "-", input=json.dumps(items))
    _until("the admission policy refusing the delete", lambda: not _delete_accepted(cp, service))


def _allow_delete(cp: ControlPlane, name: str) -> None:
    """Remove the binding and the policy (both may be missing)."""
    for kind in ("validatingadmissionpolicybinding", "validatingadmissionpolicy"):
        cp.kubectl("delete", kind, name, "--ignore-not-found")


def test_a_refused_prune_delete_stays_in_the_inventory_and_is_retried(
    control_plane: ControlPlane, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    suffix = unique_name("r")[2:9]
    before, after = (
        minimal_variant(tmp_path, suffix),
        minimal_variant(tmp_path, suffix, drop="whoami"),
    )
    assert charon(monkeypatch, capsys, control_plane, before, "apply", "--no-wait")[0] == 0
    kept = {object_id(o) for o in after.objects()}
    stale = {object_id(o): o for o in before.objects() if object_id(o) not in kept}
    disabled = {
        oid for oid, o in stale.items()
        if (o["metadata"].get("annotations") or {}).get("charon.dev/prune") == "disabled"
    }  # fmt: skip
    service = next(o for o in stale.values()
                   if o["kind"] == "Service" and o["metadata"]["name"] == "whoami")  # fmt: skip
    refused = object_id(service)
    pruned = set(stale) - disabled - {refused}
    assert pruned and disabled

    # 1. Admission refuses deleting the whoami Service; the prune deletes everything else.
    policy = unique_name("charon-refuse-delete")
    message = f"charon test {suffix}: this Service may not be deleted"
    try:
        _refuse_delete(control_plane, policy, service, message)
        code, _out, err = charon(monkeypatch, capsys, control_plane, after, "apply", "--no-wait",
                                "--prune")  # fmt: skip
    finally:
        _allow_delete(control_plane, policy)

    assert code == ClusterError.exit_code == 1, err
    assert f"prune {refused}: failed: {refused}: refused by the API server" in err
    assert message in err
    assert f"error: {refused}: could not be pruned; kept in the inventory for next time" in err
    still = live(control_plane, service)
    assert still is not None and not still["metadata"].get("deletionTimestamp")
    for oid in pruned:
        assert _gone(live(control_plane, stale[oid])), f"{oid} should have been pruned"
    for oid in disabled:
        assert live(control_plane, stale[oid]) is not None, f"{oid} must be left alone"
    assert inventory_ids(control_plane, after.platform) == kept | {refused}

    # 2. The policy is gone: the next prune deletes the Service and forgets it, nothing else.
    _until("the removed admission policy to stop refusing the delete",
           lambda: _delete_accepted(control_plane, service))  # fmt: skip
    marker = control_plane.audit_marker()
    code, out, err = charon(monkeypatch, capsys, control_plane, after, "prune")
    assert code == 0, err
    assert f"prune {refused}: deleted" in err
    assert out.strip().endswith("pruned 1")
    assert _gone(live(control_plane, service))
    assert inventory_ids(control_plane, after.platform) == kept
    written = sorted((e["verb"], e["objectRef"]["resource"], e["objectRef"]["name"])
                     for e in writes(control_plane, marker))  # fmt: skip
    assert written == [
        ("delete", "services", service["metadata"]["name"]),
        ("patch", "configmaps", f"charon-inventory-{after.platform}"),
    ]
