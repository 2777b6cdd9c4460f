import pytest
from policy_builders import DELETE, compiled, platform

import charon.policy
from charon.policy import SEVERITIES, Finding, evaluate, rules
from charon.policy.registry import FAMILIES, rule

BRIEF_RULES = {
    "auth-fail-closed",
    "auth-reason",
    "sensitive-encrypted",
    "pvc-storage-class",
    "image-pinned",
    "resources-requests",
    "external-ingress-only-enrollment",
    "pod-security-fit",
    "dns1123-names",
    "unique-hostnames",
    "references-exist",
    "secret-env-plain",
    "userspace-allowlist",
}


def test_every_rule_id_from_the_brief_is_registered() -> None:
    ids = {r.id for r in rules()}
    assert ids >= BRIEF_RULES
    assert all(r.summary and r.severity in SEVERITIES for r in rules())
    assert {r.family for r in rules()} == {*FAMILIES, "waivers"}


def test_duplicate_rule_id_is_refused() -> None:
    rules()
    with pytest.raises(ValueError, match="twice"):
        rule("image-pinned", family="x", severity="error", summary="x")(lambda ctx: [])


def test_public_surface() -> None:
    assert sorted(charon.policy.__all__) == sorted(
        ["SEVERITIES", "Finding", "RuleInfo", "Severity", "blocking", "evaluate", "rules"]
    )


def test_findings_are_sorted_errors_first_and_deterministic() -> None:
    p = platform(
        {
            "identity": DELETE,
            "vpn": {"sidecar": {"mode": "userspace"}},
            "services": {"wiki": {"storage": {"data": {"backup": False}}}},
        }
    )
    first = evaluate(p, compiled())
    assert [f.severity for f in first] == sorted((f.severity for f in first), key=SEVERITIES.index)
    assert {f.severity for f in first} == {"error", "warning", "info"}
    assert first == evaluate(p, compiled())
    assert first == sorted(first, key=Finding.sort_key)


def test_select_runs_only_the_named_rules() -> None:
    p = platform({"identity": DELETE, "vpn": {"sidecar": {"mode": "userspace"}}})
    found = evaluate(p, compiled(), select={"userspace-allowlist"})
    assert {f.rule for f in found} == {"userspace-allowlist"}
