"""YAML emission for the rendered tree: one fixed dialect, so the same objects give the same bytes.

The dialect is PyYAML's C dumper (libyaml) with sorted keys, block style and two cheap
customisations: multi-line strings become literal block scalars (an nginx config stays readable
and diffable in Git) and aliases are never emitted (compilers share label dicts between objects;
``&id001`` anchors in a GitOps tree would surprise every reader and some tools). ``fastyaml``
writes the same bytes faster for the plain objects that make up most of a tree.
"""

from __future__ import annotations

from typing import Any

import yaml

from charon.render.fastyaml import Fallback, fast_dump

__all__ = ["dump", "dump_c", "load"]

#: Wide enough that libyaml never folds a long plain scalar (URLs, images, args) over two lines.
_WIDTH = 1 << 16


class _Dumper(yaml.CSafeDumper):
    """The C dumper with block literals for multi-line text and no anchors."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - the signature is PyYAML's
        return True


def _represent_str(dumper: _Dumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        # libyaml falls back to a quoted scalar on its own when the text cannot be a literal
        # block (trailing spaces before a line break, control characters), so this never lies.
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> bytes:
    """One YAML document: sorted keys, block style, UTF-8, trailing newline.

    Most objects take the fast path, which writes the very bytes the C dumper would; the rest
    (multi-line text, floats, ...) go through the C dumper itself.
    """
    try:
        return fast_dump(data, dump_c)
    except Fallback:
        return dump_c(data)


def dump_c(data: Any) -> bytes:
    """The reference: PyYAML's C dumper with this module's representers and settings."""
    out: bytes = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        encoding="utf-8",
        width=_WIDTH,
    )
    return out


def load(text: str | bytes) -> list[Any]:
    """Every document of a YAML stream (used to check raw files before they are copied)."""
    return [doc for doc in yaml.load_all(text, Loader=yaml.CSafeLoader) if doc is not None]
