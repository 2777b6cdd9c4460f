"""Faults on the real control plane: the API server dies mid-apply, another field manager owns a
field, the API refuses an object, a workload never becomes ready."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from test_apply_support import (
    charon,
    crds_installed,  # noqa: F401 - a fixture
    example,
    inventory_ids,
    live,
    with_unit,
    writes,
)

from charon.cluster import session
from charon.cluster.events import Event, ObjectDone, Waiting
from charon.cluster.executor import ApplyOptions
from charon.compile.model import LABEL_PLATFORM, CompiledPlatform, Unit, object_id
from charon.errors import ClusterError
from peers.kube import ADMIN_USER, ControlPlane, unique_name

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("crds_installed")]


def _owned_ids(cp: ControlPlane, compiled: CompiledPlatform) -> list[str]:
    kinds = sorted({f"{o['kind'].lower()}.{o['apiVersion'].rpartition('/')[0]}".rstrip(".")
                    for o in compiled.objects()})  # fmt: skip
    proc = cp.kubectl("get", ",".join(kinds), "-A", "-l", f"{LABEL_PLATFORM}={compiled.platform}",
                      "-o", "json")  # fmt: skip
    items = json.loads(proc.stdout)["items"]
    return [object_id(o) for o in items if o["metadata"].get("namespace") != "charon-system"]


def test_api_server_stopped_mid_apply_then_rerun_converges(control_plane: ControlPlane) -> None:
    compiled = example("charon")
    target = session.Target(control_plane.kubeconfig)
    done: list[str] = []

    def stop_after_twenty(event: Event) -> None:
        if isinstance(event, ObjectDone):
            done.append(event.change.id)
            if len(done) == 20:
                control_plane.stop()  # blocks the loop: the requests in flight fail

    try:
        with pytest.raises(ClusterError, match="cannot reach the Kubernetes API"):
            session.apply(target, compiled, ApplyOptions(wait=False), stop_after_twenty)
    finally:
        if not control_plane._procs:
            control_plane.start()
    assert len(done) >= 20

    result = session.apply(target, compiled, ApplyOptions(wait=False))
    expected = {object_id(o) for o in compiled.objects()}
    assert {c.id for c in result.changes} == expected
    owned = _owned_ids(control_plane, compiled)
    assert sorted(owned) == sorted(expected)  # no orphan, no duplicate
    assert inventory_ids(control_plane, compiled.platform) == expected
    again = session.apply(target, compiled, ApplyOptions(wait=False))
    assert not again.changed


def test_a_field_owned_by_another_manager_is_reported_with_its_name(
    control_plane: ControlPlane,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    compiled = example("minimal")
    assert charon(monkeypatch, capsys, control_plane, compiled, "apply", "--no-wait")[0] == 0
    cm = next(o for o in compiled.objects() if o["kind"] == "ConfigMap" and o.get("data"))
    key = sorted(cm["data"])[0]
    theirs = copy.deepcopy(cm)
    theirs["data"] = {key: "changed by someone else"}
    control_plane.kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=other",
                          "-f", "-", input=json.dumps(theirs))  # fmt: skip

    code, _out, err = charon(monkeypatch, capsys, control_plane, compiled, "apply", "--no-wait")
    assert code == 1
    assert object_id(cm) in err
    assert '"other"' in err and f"data.{key}" in err
    assert "--force-conflicts" in err
    assert "Traceback" not in err

    code, _out, err = charon(monkeypatch, capsys, control_plane, compiled, "apply", "--no-wait",
                             "--force-conflicts")  # fmt: skip
    assert code == 0, err
    assert live(control_plane, cm)["data"][key] == cm["data"][key]  # type: ignore[index]


def _deployment(ns: str, name: str, replicas: int, platform: str) -> dict[str, Any]:
    labels = {"app.kubernetes.io/managed-by": "charon", LABEL_PLATFORM: platform,
              "charon.dev/unit": "extra", "app": name}  # fmt: skip
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {
                "containers": [{"name": "c", "image": "registry.invalid/app:1"}],
                "tolerations": [{"operator": "Exists"}],
            }},
        },
    }  # fmt: skip


def _namespace(name: str, platform: str) -> dict[str, Any]:
    labels = {"app.kubernetes.io/managed-by": "charon", LABEL_PLATFORM: platform}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def test_an_invalid_object_is_rejected_with_the_api_field_cause(
    control_plane: ControlPlane,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    compiled = example("minimal")
    ns = next(o["metadata"]["name"] for o in compiled.objects() if o["kind"] == "Namespace")
    bad = _deployment(ns, "bad", -1, compiled.platform)
    broken = with_unit(compiled, Unit("extra", "apps", (bad,), depends_on=("platform",)))
    code, _out, err = charon(monkeypatch, capsys, control_plane, broken, "apply", "--no-wait")
    assert code == 1
    assert object_id(bad) in err
    assert "spec.replicas" in err and "greater than or equal to 0" in err
    assert "Traceback" not in err
    assert live(control_plane, bad) is None


@pytest.mark.parametrize("kind", ["Deployment", "Certificate"])
def test_an_undeclared_field_is_refused_once_with_its_path(
    control_plane: ControlPlane, kind: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Charon sends fieldValidation=Ignore: server-side apply still refuses unknown fields, for a
    built-in kind and for a CRD kind alike, and the refusal is final (not retried as an outage)."""
    compiled = example("minimal")
    ns = next(o["metadata"]["name"] for o in compiled.objects() if o["kind"] == "Namespace")
    if kind == "Deployment":
        bad = _deployment(ns, "typo", 1, compiled.platform)
    else:
        bad = next(copy.deepcopy(o) for o in compiled.objects() if o["kind"] == kind)
        bad["metadata"]["name"] = "typo"
    bad["spec"]["replicaz" if kind == "Deployment" else "dnsNamez"] = 1
    broken = with_unit(compiled, Unit("extra", "apps", (bad,), depends_on=("platform",)))
    marker = control_plane.audit_marker()
    code, _out, err = charon(monkeypatch, capsys, control_plane, broken, "apply", "--no-wait")
    assert code == 1
    field = "spec.replicaz" if kind == "Deployment" else "spec.dnsNamez"
    assert f"{object_id(bad)}: refused by the API server: not in the kind's schema" in err
    assert f"{field}: field not declared in schema" in err
    assert "Traceback" not in err and "cannot reach" not in err
    assert live(control_plane, bad) is None
    tries = [e for e in control_plane.mutating_requests(marker)
             if e["objectRef"].get("name") == "typo"]  # fmt: skip
    assert len(tries) == 1, "a schema refusal must not be retried"


def test_waits_follow_kstatus_and_time_out_with_the_reason(control_plane: ControlPlane) -> None:
    platform = unique_name("w")
    ns = platform
    ready = _deployment(ns, "ready", 2, platform)
    events: list[Event] = []
    compiled = CompiledPlatform(platform, (
        Unit("base", "infra-configs", (_namespace(ns, platform),)),
        Unit("extra", "apps", (ready,), depends_on=("base",)),
    ))  # fmt: skip
    target = session.Target(control_plane.kubeconfig)
    marker = control_plane.audit_marker()
    session.apply(target, compiled, ApplyOptions(timeout=120), events.append)
    waits = [e for e in events if isinstance(e, Waiting) and e.total == 1]
    assert waits and waits[-1].ready == 1
    assert live(control_plane, ready)["status"]["readyReplicas"] == 2  # type: ignore[index]
    # The wait watched instead of polling: however long the rollout took, one LIST to see the
    # state (plus the apply's own LIST of live objects) and a WATCH for the changes.
    reads = [e["verb"] for e in control_plane.audit_events(marker)
             if e.get("user", {}).get("username") == ADMIN_USER
             and (e.get("objectRef") or {}).get("resource") == "deployments"
             and e["verb"] in ("list", "watch")]  # fmt: skip
    assert reads.count("watch") >= 1
    assert reads.count("list") <= 3, reads

    stuck = copy.deepcopy(ready)
    stuck["metadata"]["name"] = "stuck"
    stuck["spec"]["template"]["spec"]["nodeSelector"] = {"no-such-node": "true"}
    more = with_unit(compiled, Unit("more", "apps", (stuck,), depends_on=("extra",)))
    with pytest.raises(ClusterError) as info:
        session.apply(target, more, ApplyOptions(timeout=3))
    assert info.value.object_id == object_id(stuck)
    assert "not ready after 3s" in str(info.value)
    assert "0/2" in str(info.value)


def test_an_unserved_kind_stops_the_apply_before_any_write(
    control_plane: ControlPlane,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    compiled = example("minimal")
    ns = next(o["metadata"]["name"] for o in compiled.objects() if o["kind"] == "Namespace")
    widget = {"apiVersion": "widgets.example.invalid/v1", "kind": "Widget",
              "metadata": {"name": "w", "namespace": ns}}  # fmt: skip
    broken = with_unit(compiled, Unit("extra", "apps", (widget,), depends_on=("platform",)))
    marker = control_plane.audit_marker()
    code, _out, err = charon(monkeypatch, capsys, control_plane, broken, "apply", "--no-wait")
    assert code == 1
    assert "does not serve Widget (widgets.example.invalid/v1)" in err
    assert "nothing was applied" in err
    assert writes(control_plane, marker) == []
