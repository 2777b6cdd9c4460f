"""Valid fixtures load; each invalid one is rejected with exactly the issues its header expects.

Header lines of an invalid fixture::

    # expect: <yaml.path> @ <line>: <message substring> [| fix: <fix substring>]
    # allow-empty-fix

``<document>`` stands for the empty path (problems with the file as a whole). Every issue must be
expected (no surprises) and carry a fix unless the fixture allows an empty one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from charon.errors import SpecError, SpecIssue
from charon.spec import load

SPECS = Path(__file__).resolve().parents[2] / "fixtures" / "specs"
VALID = sorted((SPECS / "valid").glob("*.yaml"))
INVALID = sorted((SPECS / "invalid").glob("*.yaml"))
_EXPECT = re.compile(
    r"^# expect: (?P<path>\S+) @ (?P<line>\d+): (?P<message>.+?)(?: \| fix: (?P<fix>.+))?$"
)


@dataclass(frozen=True)
class Expected:
    path: str
    line: int
    message: str
    fix: str | None

    def matches(self, issue: SpecIssue) -> bool:
        return (
            issue.path == self.path
            and issue.line == self.line
            and self.message in issue.message
            and (self.fix is None or self.fix in issue.fix)
        )


def _header(path: Path) -> tuple[list[Expected], bool]:
    expected: list[Expected] = []
    allow_empty_fix = False
    for raw in path.read_bytes().decode("utf-8", "replace").splitlines():
        if not raw.startswith("#"):
            break
        allow_empty_fix |= raw.strip() == "# allow-empty-fix"
        match = _EXPECT.match(raw)
        if match:
            where = "" if match["path"] == "<document>" else match["path"]
            expected.append(Expected(where, int(match["line"]), match["message"], match["fix"]))
    return expected, allow_empty_fix


def test_fixture_sets_are_large_enough() -> None:
    assert len(VALID) >= 5
    assert len(INVALID) >= 25


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_loads(path: Path) -> None:
    loaded = load(path)
    assert loaded.path == str(path)
    assert loaded.spec.metadata.name
    assert loaded.locate("metadata.name") is not None


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_is_rejected_as_expected(path: Path) -> None:
    expected, allow_empty_fix = _header(path)
    assert expected, f"{path.name} has no '# expect:' lines"
    with pytest.raises(SpecError) as caught:
        load(path)
    issues = list(caught.value.issues)
    shown = "\n".join(i.format() for i in issues)
    unmatched = list(issues)
    for want in expected:
        hit = next((i for i in unmatched if want.matches(i)), None)
        assert hit is not None, f"no issue matches {want}; got:\n{shown}"
        unmatched.remove(hit)
    assert not unmatched, "unexpected issues:\n" + "\n".join(i.format() for i in unmatched)
    for issue in issues:
        assert issue.file == str(path)
        assert allow_empty_fix or issue.fix, f"issue without a fix: {issue.format()}"
        assert "Input should be" not in issue.message
        assert "\n" not in issue.message


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_issues_are_sorted_by_line(path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load(path)
    lines = [issue.line for issue in caught.value.issues]
    assert lines == sorted(lines)
