"""YAML text to plain data plus the position of every key and value.

PyYAML's constructor silently keeps the last of two equal keys and forgets where values came from,
and its C composer recurses on the C stack (a deeply nested document crashes the process). So this
module drives libyaml's event parser (``yaml.CSafeLoader``: C, iterative, fast) and builds the data
itself with an explicit stack: it keeps start marks, reports duplicate and non-text keys, supports
anchors, aliases and ``<<`` merge keys, and bounds depth and alias expansion (a "billion laughs"
document is rejected instead of eating memory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

from charon.errors import SpecError, SpecIssue
from charon.spec.positions import PositionMap, Span
from charon.spec.yamlerrors import issue_for_yaml_error
from charon.spec.yamlscalars import MERGE_TAG, bad_key, read_scalar, resolve_tag

__all__ = ["MAX_DEPTH", "MAX_NODES", "ParsedDocument", "parse_yaml"]

MAX_DEPTH = 100
MAX_NODES = 250_000

_MAP_TAGS = frozenset({None, "!", "tag:yaml.org,2002:map"})
_SEQ_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq"})
_SKIPPED = frozenset({ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentEndEvent})
_NO_KEY = object()  # a key we reported and dropped; its value is read and discarded
_MERGE_KEY = object()  # the pending key is ``<<``
_TOO_BIG = "write the platform out plainly; aliases that nest aliases multiply its size"


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """The one document of a file: plain data, positions, and the problems that did not stop us."""

    data: dict[str, Any]
    positions: PositionMap
    issues: tuple[SpecIssue, ...]


@dataclass(slots=True)
class _Frame:
    path: str
    value: dict[Any, Any] | list[Any]
    anchor: str | None
    first: int  # index of this node's own entry in the entry list
    keys: dict[str, int] = field(default_factory=dict)  # explicit key -> line, for duplicates
    key: Any = None  # pending key of a mapping (None: expecting a key)
    key_at: tuple[int, int] = (0, 0)
    #: ``<<`` sources: (value, its first entry, end entry, line/column of the ``<<``)
    merges: list[tuple[Any, int, int, tuple[int, int]]] = field(default_factory=list)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Builder:
    def __init__(self, filename: str, loader: yaml.CSafeLoader) -> None:
        self.file = filename
        self.loader = loader
        self.entries: list[tuple[str, Span]] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.open_anchors: set[str] = set()
        self.issues: list[SpecIssue] = []
        self.root: Any = None

    def issue(self, at: tuple[int, int], path: str, message: str, fix: str) -> None:
        self.issues.append(SpecIssue(self.file, at[0], at[1], path, message, fix))

    def fatal(self, at: tuple[int, int], path: str, message: str, fix: str) -> SpecError:
        self.issue(at, path, message, fix)
        return SpecError(self.issues)

    def feed(self, event: Any) -> None:
        kind = type(event)
        if kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            self._close()
            return
        mark = event.start_mark
        at = (mark.line + 1, mark.column + 1)
        stack = self.stack
        if not stack:
            path, span = "", (0, 0, *at)
        else:
            top = stack[-1]
            if type(top.value) is list:
                path, span = f"{top.path}[{len(top.value)}]", (0, 0, *at)
            elif top.key is None:
                if kind is ev.ScalarEvent:
                    self._take_key(top, event, at)
                    return
                self.issue(at, top.path, "a key must be plain text", "write the key as a name")
                if kind is ev.AliasEvent:
                    top.key = _NO_KEY
                    return
                path, span = _join(top.path, "?"), (*at, *at)  # read, then dropped with its value
            else:
                key = top.key
                part = key if type(key) is str else "<<" if key is _MERGE_KEY else "?"
                path, span = _join(top.path, part), (*top.key_at, *at)
        if kind is ev.AliasEvent:
            self._alias(event.anchor, at, path, span)
            return
        start = len(self.entries)
        self.entries.append((path, span))
        if start >= MAX_NODES:
            raise self.fatal(at, path, f"the document has more than {MAX_NODES} values", _TOO_BIG)
        if kind is ev.ScalarEvent:
            value, problem = read_scalar(self.loader, event, resolve_tag(event))
            if problem is not None:
                self.issue(at, path, *problem)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, start, start + 1)
            self._store(value, start)
            return
        self._open(event, kind is ev.MappingStartEvent, at, path, start)

    def _open(self, event: Any, mapping: bool, at: tuple[int, int], path: str, start: int) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise self.fatal(
                at, "", f"the document nests more than {MAX_DEPTH} levels deep", "flatten it"
            )
        if event.tag not in (_MAP_TAGS if mapping else _SEQ_TAGS):
            self.issue(
                at,
                path,
                f"unsupported YAML tag '{event.tag}'",
                "remove the tag; Charon reads plain mappings and lists only",
            )
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Frame(path, {} if mapping else [], event.anchor, start))

    def _take_key(self, top: _Frame, event: ev.ScalarEvent, at: tuple[int, int]) -> None:
        top.key_at = at
        tag = resolve_tag(event)
        if tag == MERGE_TAG:
            top.key = _MERGE_KEY
            return
        key, problem = read_scalar(self.loader, event, tag)
        if problem is not None or type(key) is not str:
            self.issue(at, top.path, *(problem or bad_key(event.value, key)))
            top.key = _NO_KEY
            return
        first = top.keys.get(key)
        if first is not None:
            self.issue(
                at,
                _join(top.path, key),
                f"duplicate key '{key}' (first written on line {first})",
                "keep one of them: YAML would silently use only the last",
            )
        top.keys[key] = at[0]
        top.key = key

    def _store(self, value: Any, start: int) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if type(top.value) is list:
            top.value.append(value)
            return
        key, top.key = top.key, None
        if key is None:  # that was a collection used as a key: drop the value that follows
            top.key = _NO_KEY
        elif key is _MERGE_KEY:
            top.merges.append((value, start, len(self.entries), top.key_at))
        elif key is not _NO_KEY:
            top.value[key] = value

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.merges:
            self._merge(frame)
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = (frame.value, frame.first, len(self.entries))
        self._store(frame.value, frame.first)

    def _alias(self, name: str, at: tuple[int, int], path: str, span: Span) -> None:
        if name in self.open_anchors:
            raise self.fatal(
                at, path, f"alias *{name} refers to a node that contains it", "remove the alias"
            )
        if name not in self.anchors:
            raise self.fatal(
                at, path, f"alias *{name} refers to no anchor", f"define &{name} before *{name}"
            )
        value, first, end = self.anchors[name]
        if len(self.entries) + end - first > MAX_NODES:
            raise self.fatal(at, path, f"aliases expand past {MAX_NODES} values", _TOO_BIG)
        start = len(self.entries)
        self.entries.append((path, span))
        # the aliased node's positions still point at the anchor's text: that is what to edit
        self._rehome(first + 1, end, self.entries[first][0], path)
        self._store(value, start)

    def _rehome(self, first: int, end: int, old: str, new: str) -> None:
        """Copy the entries below ``old`` in ``[first, end)`` to the same places below ``new``."""
        cut = len(old)
        for path, span in self.entries[first:end]:
            if path.startswith(old) and path[cut : cut + 1] in (".", "[", ""):
                self.entries.append((new + path[cut:], span))

    def _merge(self, frame: _Frame) -> None:
        """``<<: *base`` / ``<<: [*a, *b]``: keys written here win, then earlier sources win."""
        assert type(frame.value) is dict
        for source, first, end, at in frame.merges:
            sources = source if type(source) is list else [source]
            if not all(type(item) is dict for item in sources):
                self.issue(
                    at,
                    _join(frame.path, "<<"),
                    "'<<' must merge a mapping or a list of mappings",
                    "write `<<: *name` where &name marks a mapping",
                )
                continue
            where = self.entries[first][0]
            for index, item in enumerate(sources):
                base = f"{where}[{index}]" if type(source) is list else where
                for key, value in item.items():
                    if key not in frame.value:
                        frame.value[key] = value
                        self._rehome(first, end, _join(base, key), _join(frame.path, key))
            if len(self.entries) > MAX_NODES:
                raise self.fatal(at, frame.path, f"merges expand past {MAX_NODES} values", _TOO_BIG)


def parse_yaml(text: str, filename: str) -> ParsedDocument:
    """Parse one YAML document into a mapping; raise SpecError if that cannot be done."""
    try:
        loader = yaml.CSafeLoader(text)
    except UnicodeError as exc:
        raise SpecError([issue_for_yaml_error(exc, text, filename)]) from exc
    builder = _Builder(filename, loader)
    documents = 0
    try:
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind in _SKIPPED:
                continue
            if kind is ev.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark: Any = event.start_mark
                    raise builder.fatal(
                        (mark.line + 1, mark.column + 1),
                        "",
                        "the file holds more than one YAML document",
                        "keep one platform per file; remove the extra '---' and what follows",
                    )
            else:
                builder.feed(event)
    except (yaml.YAMLError, UnicodeError) as exc:
        raise SpecError([*builder.issues, issue_for_yaml_error(exc, text, filename)]) from exc
    finally:
        loader.dispose()
    return _finish(builder, filename)


def _finish(builder: _Builder, filename: str) -> ParsedDocument:
    root = builder.root
    if isinstance(root, dict):
        return ParsedDocument(root, PositionMap(dict(builder.entries)), tuple(builder.issues))
    if root is None:
        message, line, col = "the file holds no platform (it is empty)", 1, 1
    else:
        kind = "a list" if isinstance(root, list) else "a single value"
        message = f"the document is {kind}, not a mapping of keys"
        line, col = builder.entries[0][1][2:]
    fix = "start the file with `apiVersion: charon.dev/v1alpha1` and `kind: Platform`"
    raise SpecError([*builder.issues, SpecIssue(filename, line, col, "", message, fix)])
