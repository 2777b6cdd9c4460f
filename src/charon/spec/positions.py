"""Where each value of a platform description sits in its file.

Every message Charon prints about a spec points at a line and column, so the loader records, for
every YAML path, where the key and the value start. Paths are written the way users read them:
mapping keys joined with dots, list items as ``[i]`` (``services.grafana.storage.data.size``,
``waivers[0].reason``). Lines and columns are 1-based.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic.alias_generators import to_camel

__all__ = ["PathPart", "PositionMap", "Span", "format_path", "parent_path"]

#: A path component: a mapping key or a list index.
PathPart = str | int

#: ``(key line, key column, value line, value column)``; the key is 0, 0 where there is none
#: (the document itself and list items).
Span = tuple[int, int, int, int]

_LAST_PART = re.compile(r"(\[\d+\]|\.[^.\[]*|^[^.\[]*)$")


def format_path(parts: Iterable[PathPart]) -> str:
    """``("services", "a", "waivers", 0)`` → ``services.a.waivers[0]``."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out:
            out.append(f".{part}")
        else:
            out.append(part)
    return "".join(out)


def parent_path(path: str) -> str | None:
    """The path one level up (``a.b[2]`` → ``a.b`` → ``a`` → ``""``), or None above the root."""
    if not path:
        return None
    match = _LAST_PART.search(path)
    if match is None or match.start() == 0:
        return ""
    return path[: match.start()]


def _camel_path(path: str) -> str:
    """Policy code may speak in model attribute names (``mount_path``); the file has camelCase."""
    return ".".join(to_camel(part) if "_" in part else part for part in path.split("."))


@dataclass(frozen=True, slots=True)
class PositionMap:
    """Positions of every key and value the file spells out (defaults have none)."""

    spans: Mapping[str, Span] = field(default_factory=dict)

    def __contains__(self, path: object) -> bool:
        return path in self.spans

    def value(self, path: str) -> tuple[int, int] | None:
        """Where the value at ``path`` starts, if the file has one there."""
        span = self.spans.get(path)
        return None if span is None else (span[2], span[3])

    def point(self, path: str) -> tuple[int, int] | None:
        """Where to point for a problem with the value at ``path``.

        The value itself, unless it is a block mapping or list starting on a later line than its
        key: then the key, which is the line a reader connects with the value.
        """
        span = self.spans.get(path)
        if span is None:
            return None
        return (span[0], span[1]) if 0 < span[0] < span[2] else (span[2], span[3])

    def key(self, path: str) -> tuple[int, int] | None:
        """Where the key of ``path`` starts; the value's position for list items and the root."""
        span = self.spans.get(path)
        if span is None:
            return None
        return (span[0], span[1]) if span[0] else (span[2], span[3])

    def nearest(self, path: str) -> str | None:
        """The path itself or its nearest ancestor that the file spells out."""
        if path in self.spans:
            return path
        current: str | None = _camel_path(path) if "_" in path else path
        while current is not None:
            if current in self.spans:
                return current
            current = parent_path(current)
        return None

    def locate(self, path: str) -> tuple[int, int] | None:
        """Best position for a message about ``path``: its key if spelled out, else an ancestor's.

        A key is what a reader looks for ("line 12, ``size:``"); for the document itself and list
        items, which have no key, the value's start is used.
        """
        found = self.nearest(path)
        return None if found is None else self.key(found)
