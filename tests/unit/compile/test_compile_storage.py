from __future__ import annotations

import pytest
from _compile_helpers import build, find, has


def _claims(**storage: object) -> dict[str, dict]:
    sts = find(build(services={"web": {"storage": storage}}), "StatefulSet", "web")
    return {c["metadata"]["name"]: c for c in sts["spec"].get("volumeClaimTemplates", [])}


@pytest.mark.parametrize(
    ("sensitivity", "klass", "mode"),
    [
        ("sensitive", "crypt", "ReadWriteOnce"),
        ("normal", "std", "ReadWriteOnce"),
        ("shared", "nfs", "ReadWriteMany"),
    ],
)
def test_class_follows_sensitivity(sensitivity: str, klass: str, mode: str) -> None:
    claim = _claims(d={"size": "1Gi", "mountPath": "/d", "sensitivity": sensitivity})["d"]
    assert claim["spec"]["storageClassName"] == klass
    assert claim["spec"]["accessModes"] == [mode]


def test_scratch_is_an_empty_dir() -> None:
    sts = find(
        build(services={"web": {"storage": {"s": {"size": "2Gi", "mountPath": "/s",
                                                 "sensitivity": "scratch"}}}}),
        "StatefulSet",
        "web",
    )  # fmt: skip
    assert "volumeClaimTemplates" not in sts["spec"]
    volumes = {v["name"]: v for v in sts["spec"]["template"]["spec"]["volumes"]}
    assert volumes["s"] == {"name": "s", "emptyDir": {"sizeLimit": "2Gi"}}


def test_override_class_is_kept() -> None:
    claim = _claims(d={"size": "1Gi", "mountPath": "/d", "storageClass": "fast"})["d"]
    assert claim["spec"]["storageClassName"] == "fast"


def test_every_claim_names_a_class() -> None:
    compiled = build(
        services={"web": {"storage": {"a": {"size": "1Gi", "mountPath": "/a"}}}},
        cluster={"storageClasses": {"shared": None}},
    )
    for obj in compiled.objects():
        claims = obj.get("spec", {}).get("volumeClaimTemplates", [])
        if obj["kind"] == "PersistentVolumeClaim":
            claims = [obj]
        for claim in claims:
            assert claim["spec"]["storageClassName"]


def test_sensitive_data_gets_a_backup_job() -> None:
    compiled = build(
        services={"web": {"storage": {"d": {"size": "3Gi", "mountPath": "/d",
                                             "sensitivity": "sensitive"}}}}
    )  # fmt: skip
    job = find(compiled, "CronJob", "web-backup")["spec"]
    assert job["concurrencyPolicy"] == "Forbid"
    assert job["successfulJobsHistoryLimit"] == 3
    assert job["failedJobsHistoryLimit"] == 5
    pod = job["jobTemplate"]["spec"]["template"]["spec"]
    claims = {v["name"]: v["persistentVolumeClaim"] for v in pod["volumes"]}
    assert claims["data-d"] == {"claimName": "d-web-0", "readOnly": True}
    mounts = {m["name"]: m for m in pod["containers"][0]["volumeMounts"]}
    assert mounts["data-d"]["readOnly"] is True
    script = pod["containers"][0]["command"][-1]
    assert "date -u +%Y%m%dT%H%M%SZ" in script
    assert "tail -n +8" in script  # default retention 7
    affinity = pod["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert affinity["labelSelector"]["matchLabels"] == {
        "statefulset.kubernetes.io/pod-name": "web-0"
    }
    target = find(compiled, "PersistentVolumeClaim", "web-backup")
    assert target["spec"]["storageClassName"] == "crypt"
    assert target["spec"]["resources"]["requests"]["storage"] == "3Gi"


@pytest.mark.parametrize("backup", [False, {"method": "velero"}])
def test_no_cronjob_when_off_or_velero(backup: object) -> None:
    storage = {
        "d": {"size": "1Gi", "mountPath": "/d", "sensitivity": "sensitive", "backup": backup}
    }
    compiled = build(services={"web": {"storage": storage}})
    assert not has(compiled, "CronJob", "web-backup")
    assert not has(compiled, "PersistentVolumeClaim", "web-backup")


def test_backup_target_with_sub_path_uses_that_claim() -> None:
    storage = {
        "d": {"size": "1Gi", "mountPath": "/d", "backup": {"target": "nas/web", "retention": 2}}
    }
    compiled = build(services={"web": {"storage": storage}})
    pod = find(compiled, "CronJob", "web-backup")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]}
    assert claims["backup"] == "nas"
    mounts = {m["name"]: m for m in pod["containers"][0]["volumeMounts"]}
    assert mounts["backup"]["subPath"] == "web"
    assert "tail -n +3" in pod["containers"][0]["command"][-1]
    assert not has(compiled, "PersistentVolumeClaim", "web-backup")
