"""A fast path that writes exactly the bytes ``yaml.CSafeDumper`` would, for the common objects.

PyYAML's representer is pure Python and builds a node graph that libyaml then walks; for the
thousands of small objects of a platform that is most of render's time (measured with
``benchmarks/compile.py`` at N = 500: about 70 % of ``charon render`` went to ``yaml.dump``; this
path emits the same bytes about 7x faster, with no fallback on that platform). Almost every object
is block mappings and sequences of short scalars, whose YAML is fully determined by a few rules, so
this module emits those directly. It is not a second dialect: a scalar is written plain only when
libyaml would (same characters allowed, same resolver deciding that it would not read back as a
bool, int, null, float or timestamp); any other string is rendered once by the real dumper and
cached (multi-line text too, then re-indented); anything unusual (floats, sequences of sequences,
keys over 128 characters) raises :class:`Fallback` so the caller dumps the object with
``CSafeDumper`` itself. Tests compare both paths byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.resolver import Resolver

__all__ = ["Fallback", "fast_dump"]

_STR_TAG = "tag:yaml.org,2002:str"
#: Characters a plain scalar of ours may hold; the first may not be a YAML indicator ('-', ':' ...).
_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./:=+@ -]*")
#: libyaml turns a simple key longer than this into an explicit ``? key`` entry.
_MAX_KEY = 128
#: Far below the dumper's line width, so libyaml never folds a scalar we write on one line.
_MAX_SCALAR = 1000

_RESOLVER = Resolver()
_plain_cache: dict[str, bool] = {}
_quoted_cache: dict[str, str] = {}
_literal_cache: dict[str, tuple[str, tuple[str, ...]]] = {}


class Fallback(Exception):
    """The object holds something only the real dumper should write."""


def _reads_back_as_str(text: str) -> bool:
    """The dumper's own test: would ``text`` written plain load as a string (not 'true', '8')?"""
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return bool(tag == _STR_TAG)


def _is_plain(text: str) -> bool:
    ok = _plain_cache.get(text)
    if ok is None:
        ok = (
            len(text) < _MAX_SCALAR
            and _PLAIN.fullmatch(text) is not None
            and ": " not in text
            and "  " not in text
            and not text.endswith((":", " "))
            and not text.startswith("...")
            and _reads_back_as_str(text)
        )
        _plain_cache[text] = ok
    return ok


def _quoted(text: str, dump_one: Callable[[Any], bytes]) -> str:
    """How the real dumper writes a one-line string that cannot be plain ('0', '*.x', '')."""
    rendered = _quoted_cache.get(text)
    if rendered is None:
        if "\n" in text or "\r" in text or len(text) >= _MAX_SCALAR:
            raise Fallback
        line = dump_one({"k": text}).decode("utf-8")
        if not line.startswith("k: ") or line.count("\n") != 1:
            raise Fallback
        rendered = _quoted_cache[text] = line[3:-1]
    return rendered


def _literal(text: str, dump_one: Callable[[Any], bytes]) -> tuple[str, tuple[str, ...]]:
    """A multi-line mapping value as the real dumper writes it: header and unindented lines.

    libyaml indents a block scalar's lines by the mapping's indent plus two and writes empty
    lines bare, so the rendering at the top level re-indents exactly to any depth. Text that
    cannot be a literal block (the dumper chose a quoted, folded scalar) falls back.
    """
    cached = _literal_cache.get(text)
    if cached is None:
        rendered = dump_one({"k": text}).decode("utf-8")
        head, _, body = rendered.partition("\n")
        if not head.startswith("k: |"):
            raise Fallback
        lines = body.split("\n")
        if lines[-1] != "" or any(line and not line.startswith("  ") for line in lines[:-1]):
            raise Fallback
        cached = _literal_cache[text] = (head[3:], tuple(line[2:] for line in lines[:-1]))
    return cached


class _Emitter:
    def __init__(self, dump_one: Callable[[Any], bytes]) -> None:
        self.dump_one = dump_one
        self.out: list[str] = []

    def scalar(self, value: Any) -> str:
        kind = type(value)
        if kind is str:
            return value if _is_plain(value) else _quoted(value, self.dump_one)
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return str(value)
        if value is None:
            return "null"
        raise Fallback

    def mapping(self, data: dict[Any, Any], indent: str, first: str | None = None) -> None:
        out = self.out
        for key in sorted(data):
            if type(key) is not str or len(key) > _MAX_KEY or not _is_plain(key):
                raise Fallback
            head = indent if first is None else first
            first = None
            value = data[key]
            kind = type(value)
            if kind is dict:
                if value:
                    out.append(f"{head}{key}:\n")
                    self.mapping(value, indent + "  ")
                else:
                    out.append(f"{head}{key}: {{}}\n")
            elif kind is list:
                if value:
                    out.append(f"{head}{key}:\n")
                    self.sequence(value, indent)  # libyaml does not indent a mapping's list
                else:
                    out.append(f"{head}{key}: []\n")
            elif kind is str and "\n" in value:
                self.literal(f"{head}{key}: ", value, indent)
            else:
                out.append(f"{head}{key}: {self.scalar(value)}\n")

    def literal(self, lead: str, text: str, indent: str) -> None:
        """A block scalar after ``lead`` (``key: `` or ``- ``); its lines go two deeper."""
        header, lines = _literal(text, self.dump_one)
        inner = indent + "  "
        self.out.append(f"{lead}{header}\n")
        self.out.extend(f"{inner}{line}\n" if line else "\n" for line in lines)

    def sequence(self, items: list[Any], indent: str) -> None:
        dash = indent + "- "
        for value in items:
            kind = type(value)
            if kind is dict:
                if value:
                    self.mapping(value, indent + "  ", first=dash)
                else:
                    self.out.append(dash + "{}\n")
            elif kind is list:
                if value:
                    raise Fallback
                self.out.append(dash + "[]\n")
            elif kind is str and "\n" in value:
                self.literal(dash, value, indent)
            else:
                self.out.append(f"{dash}{self.scalar(value)}\n")


def fast_dump(data: dict[str, Any], dump_one: Callable[[Any], bytes]) -> bytes:
    """``data`` as ``dump_one`` (the real dumper) would write it, or raise Fallback."""
    if type(data) is not dict or not data:
        raise Fallback
    emitter = _Emitter(dump_one)
    emitter.mapping(data, "")
    return "".join(emitter.out).encode("utf-8")
