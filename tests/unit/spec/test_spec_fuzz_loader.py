"""Property test: whatever text arrives, ``load_text`` returns a platform or raises SpecError.

Nothing else may escape (no YAMLError, ValidationError, RecursionError, KeyError, ...) and no
warning may be emitted (pytest turns warnings into errors). Settings are derandomized so CI runs
the same examples every time.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charon.errors import SpecError
from charon.spec import LoadedPlatform, load_text

VALID = Path(__file__).resolve().parents[2] / "fixtures" / "specs" / "valid"
BASES = {p.stem: p.read_text(encoding="utf-8") for p in sorted(VALID.glob("*.yaml"))}

CI = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["10Gi", "web", "0-core", "17 3 * * *", "public", "", "-", "~", "yes", "<<"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=12), st.integers(), st.booleans()), inner,
                        max_size=4),
    ),
    max_leaves=20,
)  # fmt: skip


def _check(text: str) -> None:
    try:
        result = load_text(text, "fuzz.yaml")
    except SpecError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert issue.message and issue.fix, issue
            assert issue.line >= 0 and issue.column >= 0
            assert "Input should be" not in issue.message
        return
    assert isinstance(result, LoadedPlatform)


@CI
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_arbitrary_text(text: str) -> None:
    _check(text)


@CI
@given(st.text(alphabet="ab:-[]{}&*!|>'\"#\n\t ,?<%@`.~0123456789", max_size=120))
def test_yaml_punctuation_soup(text: str) -> None:
    _check(text)


@CI
@given(values)
def test_arbitrary_yaml_data(data: Any) -> None:
    _check(yaml.safe_dump(data))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        root = root[part]
    return root


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    base = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(yaml.safe_load(BASES[base]))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        op = draw(st.sampled_from(["drop", "rename", "replace", "huge"]))
        key = path[-1]
        if op == "drop":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = parent.pop(key)
        elif op == "huge":
            parent[key] = draw(st.sampled_from(["x" * 5000, 10**40, -(10**40), 1e308, [[[[]]]]]))
        else:
            parent[key] = draw(values)
    return yaml.safe_dump(data, sort_keys=draw(st.booleans()))


@CI
@given(mutated_specs())
def test_mutated_valid_specs(text: str) -> None:
    _check(text)


@CI
@given(st.sampled_from(sorted(BASES)), st.integers(min_value=0), st.text(max_size=5))
def test_text_edits_of_valid_specs(base: str, where: int, insert: str) -> None:
    text = BASES[base]
    cut = where % (len(text) + 1)
    _check(text[:cut] + insert + text[cut:])
