"""The YAML reader: positions, duplicate and non-text keys, aliases and merges, hostile input."""

from __future__ import annotations

import pytest
import yaml

from charon.errors import SpecError
from charon.spec.yamlread import MAX_DEPTH, parse_yaml


def _issues(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_yaml(text, "t.yaml")
    return [i.format() for i in caught.value.issues]


def test_data_matches_pyyaml_for_plain_documents() -> None:
    text = (
        "a: 1\nb: [true, no, ~, 1.5, '0755', 0o17, 2024-01-02]\nc:\n  d: {e: f}\n"
        "g: !!str 12\nh: |\n  block\n  text\n"
    )
    assert parse_yaml(text, "t.yaml").data == yaml.safe_load(text)


def test_positions_of_keys_and_values_are_one_based() -> None:
    doc = parse_yaml("a: 1\nb:\n  c: [x, y]\nl:\n  - k: v\n", "t.yaml")
    assert doc.positions.spans["a"] == (1, 1, 1, 4)
    assert doc.positions.spans["b.c[1]"] == (0, 0, 3, 10)
    assert doc.positions.key("l[0].k") == (5, 5)
    assert doc.positions.value("l[0]") == (5, 5)
    assert doc.positions.point("b") == (2, 1)  # block mapping on the next line: point at the key
    assert doc.positions.point("b.c") == (3, 6)


def test_duplicate_keys_are_reported_at_the_second_one() -> None:
    doc = parse_yaml("a: 1\nb:\n  x: 1\n  x: 2\n", "t.yaml")
    (issue,) = doc.issues
    assert (issue.path, issue.line, issue.column) == ("b.x", 4, 3)
    assert "first written on line 3" in issue.message


def test_aliases_and_merge_keys_resolve_like_pyyaml() -> None:
    text = "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd: *b\nl: [&i 4, *i]\n"
    doc = parse_yaml(text, "t.yaml")
    assert doc.data == yaml.safe_load(text)
    assert doc.issues == ()
    assert doc.positions.value("c.x") == (1, 14)  # merged: points at the anchor's text
    assert doc.positions.value("c.y") == (4, 6)  # written here: wins over the merge
    assert doc.positions.value("d.y") == (1, 20)


def test_merge_of_a_list_prefers_earlier_sources() -> None:
    text = "a: &a {p: 1}\nb: &b {p: 2, q: 3}\nc: {<<: [*a, *b], r: 4}\n"
    assert parse_yaml(text, "t.yaml").data == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a: &x [1, *x]\n", "refers to a node that contains it"),
        ("a: *nope\n", "refers to no anchor"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("", "holds no platform"),
        ("# only a comment\n", "holds no platform"),
        ("- a\n", "is a list"),
        ("a: [1\n", "YAML syntax error"),
        ("a:\n\tb: 1\n", "tab character"),
        ("a: b\x07\n", "#x0007 is not allowed"),
        ("a: \ud800\n", "not valid Unicode"),
        ("a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", "nests more than"),
    ],
)
def test_unusable_documents_raise_one_clear_issue(text: str, needle: str) -> None:
    issues = _issues(text)
    assert any(needle in i for i in issues), issues


def test_very_deep_nesting_does_not_crash_the_process() -> None:
    """libyaml's composer recurses on the C stack; the event-driven reader must not."""
    depth = 60_000
    assert any("nests more than" in i for i in _issues("[" * depth + "]" * depth))


def test_billion_laughs_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    assert any("expand past" in i for i in _issues("\n".join(lines) + "\n"))


def test_non_text_keys_are_dropped_and_reported() -> None:
    doc = parse_yaml("on: 1\n8080: x\n? [a]\n: z\nok: 1\n", "t.yaml")
    assert doc.data == {"ok": 1}
    assert [i.line for i in doc.issues] == [1, 2, 3]
    assert "quote it: 'on'" in doc.issues[0].fix


def test_explicit_bad_tags_are_reported_not_raised() -> None:
    doc = parse_yaml("a: !!int zz\nb: !Ref x\nc: !!float abc\n", "t.yaml")
    assert [i.path for i in doc.issues] == ["a", "b", "c"]
