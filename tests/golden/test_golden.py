"""One test per case folder: the compiler's output must equal the reviewed goldens."""

from __future__ import annotations

from pathlib import Path

import pytest

from golden.harness import ROOT, cases, compile_case, diff, read_expected, write_expected

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(ROOT).as_posix() for c in CASES])
def test_golden(case: Path, update_goldens: bool) -> None:
    actual = compile_case(case)
    if update_goldens:
        write_expected(case, actual)
    expected = read_expected(case)
    assert expected, f"{case} has no goldens; run pytest tests/golden --update-goldens"
    report = diff(expected, actual)
    assert not report, f"compiled output differs from the goldens of {case.name}:\n{report}"


def test_enough_cases() -> None:
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(ROOT).as_posix() for c in CASES])
def test_deterministic(case: Path) -> None:
    assert compile_case(case) == compile_case(case)
