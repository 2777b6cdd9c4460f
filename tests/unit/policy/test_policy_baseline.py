from policy_builders import compiled, platform, run

from charon.policy import evaluate


def test_clean_platform_has_no_findings() -> None:
    assert run() == []


def test_evaluation_is_deterministic() -> None:
    first = evaluate(platform(), compiled([]))
    second = evaluate(platform(), compiled([]))
    assert first == second
