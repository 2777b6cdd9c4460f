from policy_builders import DELETE, platform, run


def paths(p: object) -> list[tuple[str, str]]:
    return [(f.object, f.path) for f in run(p, [], rule="references-exist")]  # type: ignore[arg-type]


def test_clean_references() -> None:
    assert paths(platform()) == []


def test_secret_env_secret_missing() -> None:
    p = platform({"secrets": DELETE})
    found = run(p, [], rule="references-exist")
    assert [(f.object, f.path) for f in found] == [
        ("service/wiki", "services.wiki.secretEnv.DB_PASS.secret")
    ]
    assert "secrets.wiki-db" in found[0].fix


def test_secret_in_another_namespace_does_not_count() -> None:
    p = platform({"secrets": {"wiki-db": {"namespace": "core"}}})
    assert paths(p) == [("service/wiki", "services.wiki.secretEnv.DB_PASS.secret")]


def test_secret_key_missing() -> None:
    p = platform({"services": {"wiki": {"secretEnv": {"DB_PASS": {"key": "passwd"}}}}})
    assert paths(p) == [("service/wiki", "services.wiki.secretEnv.DB_PASS.key")]


def test_unknown_category_and_dependency() -> None:
    p = platform({"services": {"wiki": {"category": "nowhere", "dependsOn": ["postgres"]}}})
    assert set(paths(p)) >= {
        ("service/wiki", "services.wiki.category"),
        ("service/wiki", "services.wiki.dependsOn[0]"),
    }


def test_no_tls_issuer_and_no_wildcard_secret() -> None:
    p = platform({"cluster": {"tls": {"issuer": None}}})
    found = run(p, [], rule="references-exist")
    assert [(f.object, f.path) for f in found] == [("platform/demo", "cluster.tls")]
    assert "cluster.tls.issuer" in found[0].fix


def test_declared_wildcard_secret_is_enough() -> None:
    p = platform(
        {"cluster": {"tls": {"issuer": None}}, "secrets": {"wildcard-tls": {"namespace": "apps"}}}
    )
    assert paths(p) == []


def test_lifecycle_needs_headscale_service() -> None:
    p = platform({"services": {"headscale": DELETE, "wiki": {"lifecycle": True}}})
    assert paths(p) == [("service/wiki", "services.wiki.lifecycle")]


def test_vpn_dns_needs_lifecycle_and_a_provider() -> None:
    p = platform({"dns": {"provider": "none"}, "services": {"wiki": {"exposure": "vpn"}}})
    assert sorted(paths(p)) == [
        ("service/wiki", "services.wiki.dns"),
        ("service/wiki", "services.wiki.lifecycle"),
    ]


def test_vpn_dns_with_lifecycle_and_provider_passes() -> None:
    p = platform({"services": {"wiki": {"exposure": "vpn", "lifecycle": True}}})
    assert paths(p) == []


def test_provider_settings_missing() -> None:
    p = platform({"dns": {"provider": "cloudflare", "rfc2136": DELETE}})
    found = run(p, [], rule="references-exist")
    assert [(f.object, f.path) for f in found] == [("platform/demo", "dns.provider")]
    assert "dns.cloudflareZoneId" in found[0].fix


def test_external_secret_needs_store() -> None:
    p = platform({"secrets": {"wiki-db": {"source": "external"}}})
    assert paths(p) == [("secret/wiki-db", "secrets.wiki-db.source")]


def test_identity_secret_reference() -> None:
    p = platform(
        {
            "identity": {
                "ldap": {"url": "ldaps://ipa:636", "baseDn": "dc=x", "bindSecret": "ldap-bind"}
            }
        }
    )
    assert paths(p) == [("platform/demo", "identity.ldap.bindSecret")]


def test_compiled_secret_object_satisfies_the_reference() -> None:
    external = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "wiki-db", "namespace": "apps"},
    }
    p = platform({"secrets": DELETE})
    assert run(p, [external], rule="references-exist") == []
    elsewhere = {**external, "metadata": {"name": "wiki-db", "namespace": "core"}}
    assert len(run(p, [elsewhere], rule="references-exist")) == 1
