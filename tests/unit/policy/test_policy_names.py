from policy_builders import backup, clean_objects, ingress, platform, run


def test_long_cronjob_name_is_an_error() -> None:
    job = backup()
    job["metadata"]["name"] = "w" * 53
    found = run(objects=[*clean_objects(), job], rule="dns1123-names")
    assert [(f.object, f.field) for f in found] == [(f"CronJob/apps/{'w' * 53}", "metadata.name")]
    assert "52" in found[0].message
    assert found[0].fix


def test_bad_label_value_and_namespace() -> None:
    job = backup()
    job["metadata"]["namespace"] = "Apps"
    job["metadata"]["labels"]["charon.dev/unit"] = "x" * 64
    found = run(objects=[*clean_objects(), job], rule="dns1123-names")
    assert sorted(f.field for f in found) == [
        "metadata.labels[charon.dev/unit]",
        "metadata.namespace",
    ]


def test_service_name_must_be_a_label() -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a.b", "namespace": "apps"}}
    found = run(objects=[*clean_objects(), svc], rule="dns1123-names")
    assert [f.object for f in found] == ["Service/apps/a.b"]


def test_hostname_too_long() -> None:
    domain = ".".join(["d" * 60] * 4)  # 243 characters
    p = platform({"cluster": {"domain": domain}, "services": {"wiki": {"hostname": "w" * 20}}})
    found = run(p, [], rule="dns1123-names")
    assert [(f.object, f.path) for f in found] == [("service/wiki", "services.wiki.hostname")]


def test_valid_names_pass() -> None:
    assert run(rule="dns1123-names") == []


def test_two_services_same_fqdn() -> None:
    p = platform({"services": {"wiki": {"hostname": "headscale"}}})
    found = run(p, [], rule="unique-hostnames")
    assert [(f.object, f.path) for f in found] == [("service/wiki", "services.wiki.hostname")]
    assert "headscale.example.com" in found[0].message
    assert found[0].fix


def test_internal_dns_uses_the_internal_domain() -> None:
    p = platform(
        {
            "cluster": {"internalDomain": "lan"},
            "services": {"wiki": {"hostname": "headscale", "dns": "internal"}},
        }
    )
    assert run(p, [], rule="unique-hostnames") == []


def test_ingress_hosts_collide() -> None:
    twin = ingress("wiki2", "apps", "wiki.example.com")
    found = run(objects=[*clean_objects(), twin], rule="unique-hostnames")
    assert [(f.object, f.field) for f in found] == [("Ingress/apps/wiki2", "spec.rules[0].host")]
    assert "Ingress/apps/wiki" in found[0].message


def test_distinct_hosts_pass() -> None:
    assert run(rule="unique-hostnames") == []


def test_rbac_names_may_contain_colons_but_not_slashes() -> None:
    def role(name: str) -> dict:
        meta = {"name": name, "namespace": "apps"}
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta}

    assert run(objects=[*clean_objects(), role("charon:owner")], rule="dns1123-names") == []
    found = run(objects=[*clean_objects(), role("a/b")], rule="dns1123-names")
    assert [f.object for f in found] == ["Role/apps/a/b"]
