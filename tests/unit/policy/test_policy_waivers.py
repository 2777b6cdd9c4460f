from policy_builders import clean_objects, container, platform, replace, run, statefulset

from charon.policy import blocking

LATEST = {"services": {"wiki": {"image": "requarks/wiki:latest"}}}


def latest_objects() -> list[dict]:
    sts = statefulset(containers=[container("app", "requarks/wiki:latest")])
    return replace(clean_objects(), "StatefulSet", sts)


def with_waivers(patch: dict) -> object:
    merged = {**LATEST, **patch}
    if "services" in patch:
        merged["services"] = {"wiki": {**LATEST["services"]["wiki"], **patch["services"]["wiki"]}}
    return platform(merged)


def test_service_waiver_keeps_the_finding_but_stops_it_blocking() -> None:
    reason = "upstream publishes only latest"
    p = with_waivers(
        {"services": {"wiki": {"waivers": [{"rule": "image-pinned", "reason": reason}]}}}
    )
    found = run(p, latest_objects())
    assert [(f.rule, f.waived) for f in found] == [("image-pinned", reason)]
    assert blocking(found) == []


def test_unwaived_finding_blocks() -> None:
    found = run(platform(LATEST), latest_objects())
    assert [f.rule for f in blocking(found)] == ["image-pinned"]


def test_service_waiver_does_not_reach_other_services() -> None:
    p = platform(
        {
            **LATEST,
            "services": {
                "wiki": LATEST["services"]["wiki"],
                "headscale": {
                    "waivers": [{"rule": "image-pinned", "reason": "not my image at all"}]
                },
            },
        }
    )
    found = run(p, latest_objects())
    assert [(f.rule, f.waived) for f in found if f.rule == "image-pinned"] == [
        ("image-pinned", None)
    ]
    assert [(f.rule, f.path) for f in found if f.rule == "waiver-unused"] == [
        ("waiver-unused", "services.headscale.waivers[0]")
    ]


def test_platform_waiver_limited_to_an_object() -> None:
    good = {
        "rule": "image-pinned",
        "reason": "vendor ships latest only",
        "object": "StatefulSet/wiki",
    }
    wrong = {
        "rule": "image-pinned",
        "reason": "vendor ships latest only",
        "object": "StatefulSet/blog",
    }
    found = run(with_waivers({"waivers": [good]}), latest_objects())
    assert [f.waived for f in found] == ["vendor ships latest only"]
    found = run(with_waivers({"waivers": [wrong]}), latest_objects())
    assert sorted((f.rule, f.waived is None) for f in found) == [
        ("image-pinned", True),
        ("waiver-unused", True),
    ]


def test_full_object_id_matches() -> None:
    w = {
        "rule": "image-pinned",
        "reason": "vendor ships latest only",
        "object": "StatefulSet/apps/wiki",
    }
    found = run(with_waivers({"waivers": [w]}), latest_objects())
    assert [f.waived for f in found] == ["vendor ships latest only"]


def test_unknown_rule_is_an_error_with_a_suggestion() -> None:
    p = platform({"waivers": [{"rule": "image-pined", "reason": "typo in the rule id"}]})
    found = run(p)
    assert [(f.rule, f.severity, f.object, f.path) for f in found] == [
        ("waiver-unknown-rule", "error", "platform/demo", "waivers[0].rule")
    ]
    assert "did you mean 'image-pinned'" in found[0].fix
    assert blocking(found) == found


def test_unknown_rule_without_a_close_match() -> None:
    p = platform({"services": {"wiki": {"waivers": [{"rule": "zzz", "reason": "no such rule"}]}}})
    found = run(p)
    assert [(f.rule, f.path) for f in found] == [
        ("waiver-unknown-rule", "services.wiki.waivers[0].rule")
    ]
    assert "did you mean" not in found[0].fix
    assert "--rules" in found[0].fix


def test_waiver_checks_cannot_be_waived() -> None:
    p = platform({"waivers": [{"rule": "waiver-unused", "reason": "silence the checker"}]})
    assert [f.rule for f in run(p)] == ["waiver-unknown-rule"]
