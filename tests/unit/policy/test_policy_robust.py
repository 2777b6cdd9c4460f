"""Rules never crash on sparse objects: absent or null fields are a finding or nothing."""

import pytest
from policy_builders import clean_objects, run

SPARSE = [
    {"apiVersion": "v1", "kind": "PersistentVolumeClaim"},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": None}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": None, "data": None},
    {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "i"},
        "spec": None,
    },
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": None},
    {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c"},
        "spec": {"jobTemplate": None},
    },
    {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "s", "namespace": "apps"},
        "spec": {
            "volumeClaimTemplates": None,
            "template": {
                "spec": {
                    "containers": [{"image": "x"}],
                    "initContainers": None,
                    "volumes": None,
                    "securityContext": None,
                }
            },
        },
    },
]


@pytest.mark.parametrize("obj", SPARSE, ids=lambda o: o["kind"])
def test_sparse_objects_do_not_crash(obj: dict) -> None:
    found = run(objects=[*clean_objects(), obj])
    assert all(f.rule and f.fix for f in found)


def test_sparse_objects_still_get_their_findings() -> None:
    found = run(objects=[*clean_objects(), *SPARSE])
    by_rule = {(f.rule, f.object) for f in found}
    assert ("image-pinned", "StatefulSet/apps/s") in by_rule
    assert ("pvc-storage-class", "PersistentVolumeClaim/") in by_rule
