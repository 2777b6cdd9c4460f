"""Properties of the whole output: owner labels, units, order, tiers, policies, determinism."""

from __future__ import annotations

import yaml
from _compile_helpers import build, example, find

import charon.compile
from charon.compile.model import LABEL_MANAGED_BY, LABEL_PLATFORM, LABEL_UNIT, object_id


def test_public_api() -> None:
    assert charon.compile.__all__ == ["CompiledPlatform", "compile_platform"]


def test_every_object_carries_owner_labels_of_its_unit() -> None:
    compiled = example("charon")
    for unit in compiled.units:
        for obj in unit.objects:
            labels = obj["metadata"]["labels"]
            assert labels[LABEL_MANAGED_BY] == "charon"
            assert labels[LABEL_PLATFORM] == "charon"
            assert labels[LABEL_UNIT] == unit.name


def test_object_ids_are_unique() -> None:
    ids = [object_id(o) for o in example("charon").objects()]
    assert len(ids) == len(set(ids))


def test_units_layers_and_dependencies() -> None:
    compiled = example("charon")
    names = [u.name for u in compiled.units]
    assert names[0] == "platform"
    assert compiled.unit("monitoring-grafana").layer == "monitoring"
    webui = compiled.unit("inference-open-webui")
    assert webui.layer == "apps"
    assert webui.depends_on == ("inference-ollama", "platform")
    assert webui.health_checks == (("apps/v1", "StatefulSet", "inference", "open-webui"),)
    assert compiled.unit("platform").layer == "infra-configs"


def test_dependency_cycle_does_not_loop() -> None:
    compiled = build(
        services={
            "web": {"dependsOn": ["api"]},
            "api": {"category": "apps", "image": "x/api:1.0.0", "port": 80, "dependsOn": ["web"]},
        }
    )
    assert compiled.unit("apps-web").depends_on == ("apps-api", "platform")


def test_tier_objects_follow_overrides() -> None:
    compiled = build(
        tiers={"3-edge": {"priority": 123, "quota": {"pods": 7}}},
        categories={"apps": {"limits": {"maxMemory": "1Gi"}}},
    )
    assert find(compiled, "PriorityClass", "tier-3-edge")["value"] == 123
    assert find(compiled, "ResourceQuota", "tier-quota", "apps")["spec"]["hard"]["pods"] == "7"
    limits = find(compiled, "LimitRange", "tier-limits", "apps")["spec"]["limits"][0]
    assert limits["max"] == {"memory": "1Gi"}
    assert limits["defaultRequest"] == {"cpu": "50m", "memory": "128Mi"}
    sts = find(compiled, "StatefulSet", "web")
    assert sts["spec"]["template"]["spec"]["priorityClassName"] == "tier-3-edge"


def test_namespace_is_default_deny_and_dependencies_open_both_ends() -> None:
    compiled = build(
        categories={"data": {"tier": "0-core"}},
        services={
            "web": {"dependsOn": ["db"]},
            "db": {"category": "data", "kind": "plain", "image": "x/db:1.0", "port": 5432},
        },
    )
    deny = find(compiled, "NetworkPolicy", "default-deny", "apps")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    web = find(compiled, "NetworkPolicy", "web", "apps")["spec"]
    to_db = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "db"}},
    }
    assert {"to": [to_db], "ports": [{"port": 5432, "protocol": "TCP"}]} in web["egress"]
    db = find(compiled, "NetworkPolicy", "db", "data")["spec"]
    from_web = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "apps"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
    }
    assert {"from": [from_web], "ports": [{"port": 5432, "protocol": "TCP"}]} in db["ingress"]


def test_every_container_has_requests_limits_and_a_pinned_image() -> None:
    for name in ("charon", "minimal", "userspace"):
        for obj in example(name).objects():
            spec = obj.get("spec", {})
            template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get(
                "template"
            )
            if not template:
                continue
            pod = template["spec"]
            for c in pod.get("initContainers", []) + pod["containers"]:
                assert c["resources"]["requests"]["cpu"]
                assert c["resources"]["requests"]["memory"]
                assert c["resources"]["limits"]["memory"]
                tag = c["image"].rsplit(":", 1)
                assert len(tag) == 2 and tag[1] != "latest"


def test_userspace_example_is_restricted_everywhere() -> None:
    compiled = example("userspace")
    for obj in compiled.objects():
        if obj["kind"] == "Namespace":
            assert obj["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        spec = obj.get("spec", {})
        template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get(
            "template"
        )
        if not template:
            continue
        pod = template["spec"]
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert all("hostPath" not in v for v in pod.get("volumes", []))
        for c in pod.get("initContainers", []) + pod["containers"]:
            ctx = c["securityContext"]
            assert ctx["allowPrivilegeEscalation"] is False
            assert ctx["capabilities"] == {"drop": ["ALL"]}
            assert ctx["runAsNonRoot"] is True


def test_output_has_no_yaml_aliases_and_is_deterministic() -> None:
    first = example("charon").objects()
    text = yaml.dump_all(first, Dumper=yaml.CSafeDumper, sort_keys=True)
    assert "&id" not in text and "*id" not in text
    assert (
        yaml.dump_all(example("charon").objects(), Dumper=yaml.CSafeDumper, sort_keys=True) == text
    )


def test_sops_and_sealed_files_are_referenced_not_read() -> None:
    compiled = build(
        secrets={
            "db": {"namespace": "apps", "source": "sops", "file": "secrets/db.sops.yaml"},
            "k": {"namespace": "apps", "source": "sealed", "file": "k.yaml"},
            "v": {"namespace": "apps", "source": "external", "store": "vault", "keys": ["a"]},
        }
    )
    unit = compiled.unit("platform")
    assert unit.needs_decryption is True
    assert unit.raw_files == ()
    assert unit.raw_file_sources == (
        ("secret-apps-db.sops.yaml", "secrets/db.sops.yaml"),
        ("secret-apps-k.sealed.yaml", "k.yaml"),
    )
    es = find(compiled, "ExternalSecret", "v", "apps")
    assert es["apiVersion"] == "external-secrets.io/v1"
    assert es["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "vault"}
    assert es["spec"]["data"] == [{"secretKey": "a", "remoteRef": {"key": "v", "property": "a"}}]
