"""The fast path writes exactly what PyYAML's C dumper writes, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from render_samples import make_platform

from charon.cli.pipeline import compile_spec, load_spec
from charon.render.fastyaml import Fallback, fast_dump
from charon.render.yaml_emit import dump, dump_c

EXAMPLES = sorted((Path(__file__).parents[3] / "examples").glob("*.yaml"))

TRICKY = [
    "plain",
    "",
    " ",
    "true",
    "True",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "~",
    "null",
    "0",
    "8080",
    "-5",
    "1.0",
    "1e3",
    ".5",
    ".inf",
    ".nan",
    "0x1F",
    "0o17",
    "1_000",
    "1:20",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "=",
    "<<",
    "...",
    "...x",
    "---",
    "-x",
    "- x",
    "x-",
    "x:",
    "a: b",
    "a:b",
    "a #b",
    "a#b",
    "#x",
    "*x",
    "&x",
    "!x",
    "|x",
    ">x",
    "%x",
    "@x",
    "x@y",
    "`x",
    "'x",
    '"x',
    "x'y",
    "[x]",
    "{x}",
    "a,b",
    "?x",
    "x?",
    "a  b",
    "a b",
    " a",
    "a ",
    "é",
    "tab\tx",
    "https://auth.example.com/oauth2/auth",
    "100.64.0.0/10",
    "::/0",
    "fd7a:115c:a1e0::/48",
    "$(POD_NAME)",
    "--login-server=http://h:8080",
    "17 3 * * *",
    "*.example.com",
    "256Mi",
    "app.kubernetes.io/managed-by",
    "x" * 200,
    "k" * 129,
    "line\nbreak",
    "a\r\nb",
]


def _same(data: object) -> None:
    assert dump(data) == dump_c(data)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_as_values_keys_and_items(text: str) -> None:
    _same({"value": text})
    _same({"list": [text, {"k": text}]})
    _same({text: 1} if text else {"x": {text: 1}})


@pytest.mark.parametrize("value", [None, True, False, 0, -1, 10**20, 1.5, [], {}, [[1]], [[]]])
def test_other_scalars_and_shapes(value: object) -> None:
    _same({"v": value, "nested": {"v": value}, "items": [value, {"v": value}]})


def test_the_fast_path_is_taken_for_ordinary_objects() -> None:
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "labels": {}}}
    assert fast_dump(obj, dump_c) == dump_c(obj)
    config = {"data": {"nginx.conf": "a\nb\n"}, "spec": {"x": [{"script": "set -e\n\nrun\n"}]}}
    assert fast_dump(config, dump_c) == dump_c(config)
    script = {"args": ["sh", "-c", "set -e\nrun\n"]}
    assert fast_dump(script, dump_c) == dump_c(script)
    with pytest.raises(Fallback):
        fast_dump({"matrix": [["a"]]}, dump_c)
    with pytest.raises(Fallback):
        fast_dump({"ratio": 0.5}, dump_c)


MULTILINE = [
    "a\nb\n",
    "a\nb",
    "a\nb\n\n\n",
    "\nleading break\n",
    "  indented first\nsecond\n",
    "trailing space \nx\n",
    "tab\tinside\n\tindented\n",
    "é unicode\n✓\n",
    "\n",
    "\n\n",
    "x\n  deeper\n    deepest\n",
    "# comment\n- item\nkey: value\n",
]


@pytest.mark.parametrize("text", MULTILINE)
def test_multiline_values_at_every_depth(text: str) -> None:
    _same({"v": text})
    _same({"a": {"b": {"c": text}}})
    _same({"items": [{"v": text, "w": "x"}, {"n": {"v": text}}]})
    _same({"items": [text]})
    _same({"a": {"items": [text, {"k": [text]}]}})


def test_every_sample_object_matches() -> None:
    for obj in make_platform().objects():
        _same(obj)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_object_of_the_bundled_examples_matches(example: Path) -> None:
    compiled = compile_spec(load_spec(example).spec)
    objects = compiled.objects()
    assert objects
    for obj in objects:
        _same(obj)


_text = st.text(
    alphabet=st.sampled_from(list("abyz09 .:-_/#*&!'\"@=+,?[]{}%|>~<\t\né")), max_size=12
) | st.sampled_from(TRICKY)
_scalar = st.none() | st.booleans() | st.integers() | _text
_tree = st.recursive(
    _scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_text, _tree, min_size=1, max_size=6))
def test_random_documents_match_the_c_dumper(doc: dict) -> None:
    _same(doc)
