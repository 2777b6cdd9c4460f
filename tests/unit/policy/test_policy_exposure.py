from policy_builders import clean_objects, ingress, platform, run


def test_public_service_other_than_headscale() -> None:
    p = platform({"services": {"wiki": {"exposure": "public"}}})
    found = run(p, rule="external-ingress-only-enrollment")
    assert [(f.object, f.path) for f in found] == [("service/wiki", "services.wiki.exposure")]
    assert "internal" in found[0].fix


def test_external_ingress_of_an_internal_service() -> None:
    rogue = ingress("blog", "apps", "blog.example.com", cls="nginx-external")
    found = run(objects=[*clean_objects(), rogue], rule="external-ingress-only-enrollment")
    assert [(f.object, f.path, f.field) for f in found] == [
        ("Ingress/apps/blog", "categories.apps", "spec.ingressClassName")
    ]


def test_enrollment_endpoint_may_be_public() -> None:
    assert run(rule="external-ingress-only-enrollment") == []


def test_renamed_enrollment_service_is_respected() -> None:
    p = platform({"vpn": {"headscale": {"service": "wiki"}}})
    found = run(p, rule="external-ingress-only-enrollment")
    # the public headscale service is reported once, at its exposure, not again for its Ingress
    assert [(f.object, f.path) for f in found] == [
        ("service/headscale", "services.headscale.exposure")
    ]
