from policy_builders import backup, clean_objects, platform, replace, run, statefulset


def test_claim_without_storage_class() -> None:
    objects = replace(clean_objects(), "StatefulSet", statefulset(claims=[("cache", None)]))
    found = run(objects=objects, rule="pvc-storage-class")
    assert [(f.object, f.path, f.field) for f in found] == [
        (
            "StatefulSet/apps/wiki",
            "services.wiki",
            "spec.volumeClaimTemplates[cache].spec.storageClassName",
        )
    ]
    assert found[0].fix


def test_standalone_pvc_maps_to_its_volume() -> None:
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "wiki-data", "namespace": "apps", "labels": {}},
        "spec": {"accessModes": ["ReadWriteOnce"]},
    }
    found = run(objects=[*clean_objects(), pvc], rule="pvc-storage-class")
    assert [(f.object, f.path, f.field) for f in found] == [
        (
            "PersistentVolumeClaim/apps/wiki-data",
            "services.wiki.storage.data",
            "spec.storageClassName",
        )
    ]


def test_shared_volume_without_shared_class() -> None:
    p = platform(
        {
            "cluster": {"storageClasses": {"shared": None}},
            "services": {
                "wiki": {
                    "storage": {
                        "media": {"size": "1Gi", "mountPath": "/m", "sensitivity": "shared"}
                    }
                }
            },
        }
    )
    found = run(p, rule="pvc-storage-class")
    assert [f.path for f in found] == ["services.wiki.storage.media.sensitivity"]


def test_named_claims_pass() -> None:
    assert run(rule="pvc-storage-class") == []


def test_sensitive_volume_overridden_to_plain_class() -> None:
    p = platform({"services": {"wiki": {"storage": {"data": {"storageClass": "block"}}}}})
    objects = replace(clean_objects(), "StatefulSet", statefulset(claims=[("data", "block")]))
    found = run(p, objects, rule="sensitive-encrypted")
    # reported once, at the spec field that chose the class
    assert [(f.object, f.path) for f in found] == [
        ("service/wiki", "services.wiki.storage.data.storageClass")
    ]
    assert "block-crypt" in found[0].fix


def test_sensitive_claim_compiled_on_plain_class() -> None:
    objects = replace(clean_objects(), "StatefulSet", statefulset(claims=[("data", "block")]))
    found = run(objects=objects, rule="sensitive-encrypted")
    assert [(f.object, f.path, f.field) for f in found] == [
        (
            "StatefulSet/apps/wiki",
            "services.wiki.storage.data",
            "spec.volumeClaimTemplates[data].spec.storageClassName",
        )
    ]


def test_normal_volume_may_use_default_class() -> None:
    p = platform({"services": {"wiki": {"storage": {"data": {"sensitivity": "normal"}}}}})
    objects = replace(clean_objects(), "StatefulSet", statefulset(claims=[("data", "block")]))
    assert run(p, objects, rule="sensitive-encrypted") == []


def test_backup_switched_off_warns() -> None:
    p = platform({"services": {"wiki": {"storage": {"data": {"backup": False}}}}})
    found = run(p, rule="backup-required")
    assert [(f.severity, f.object, f.path) for f in found] == [
        ("warning", "service/wiki", "services.wiki.storage.data.backup")
    ]
    assert found[0].fix


def test_missing_backup_cronjob_warns() -> None:
    objects = [o for o in clean_objects() if o != backup()]
    found = run(objects=objects, rule="backup-required")
    assert [(f.severity, f.path) for f in found] == [("warning", "services.wiki.storage.data")]


def test_velero_backup_needs_no_cronjob() -> None:
    p = platform({"services": {"wiki": {"storage": {"data": {"backup": {"method": "velero"}}}}}})
    objects = [o for o in clean_objects() if o != backup()]
    assert run(p, objects, rule="backup-required") == []
