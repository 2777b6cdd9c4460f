"""Plain YAML scalars to Python values, exactly as ``yaml.safe_load`` would read them.

The builder in ``yamlread`` sees libyaml events, not nodes, so it resolves implicit tags itself
(YAML 1.1 rules: ``on`` is true, ``0755`` is octal, ``2024-01-01`` is a date) and calls PyYAML's
safe constructors for anything that is not plain text. Problems come back as messages, never as
PyYAML exceptions.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml import events as ev

__all__ = ["MERGE_TAG", "STR_TAG", "Scalar", "bad_key", "read_scalar", "resolve_tag"]

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
_RESOLVERS: dict[str | None, list[tuple[str, Any]]] = yaml.SafeLoader.yaml_implicit_resolvers
_ANY_FIRST = _RESOLVERS.get(None, [])

#: ``(value, problem)``: ``problem`` is ``(message, fix)`` when the scalar could not be read as
#: its tag says; the value is then the raw text so that validation can carry on.
Scalar = tuple[Any, tuple[str, str] | None]


def resolve_tag(event: ev.ScalarEvent) -> str:
    """The tag of a scalar: explicit, or resolved from a plain scalar's text."""
    if event.tag not in (None, "!"):
        return str(event.tag)
    if event.tag == "!" or not event.implicit[0]:
        return STR_TAG
    value = event.value
    resolvers = _RESOLVERS.get(value[:1])
    if resolvers is None and not _ANY_FIRST:
        return STR_TAG  # most values: nothing but text starts with this character
    for tag, regexp in (resolvers or []) + _ANY_FIRST:
        if regexp.match(value):
            return str(tag)
    return STR_TAG


def read_scalar(loader: yaml.CSafeLoader, event: ev.ScalarEvent, tag: str) -> Scalar:
    """Construct the value of a scalar the way PyYAML's safe loader does."""
    if tag == STR_TAG:
        return event.value, None
    constructor = loader.yaml_constructors.get(tag)
    if constructor is None:
        if event.tag in (None, "!"):
            return event.value, None  # implicit oddities such as '=' stay text
        return event.value, (
            f"unsupported YAML tag '{event.tag}'",
            "remove the tag; Charon reads plain YAML values only",
        )
    node = yaml.ScalarNode(tag, event.value, None, None, event.style)
    try:
        return constructor(loader, node), None
    except Exception as exc:  # PyYAML raises assorted types for a bad !!int, !!binary, ...
        shown = event.value if len(event.value) <= 40 else event.value[:37] + "..."
        return event.value, (
            f"'{shown}' is not a valid {tag.rsplit(':', 1)[-1]} ({type(exc).__name__})",
            "remove the explicit tag or correct the value",
        )


def bad_key(text: str, key: Any) -> tuple[str, str]:
    """Message and fix for a key YAML reads as something other than text."""
    if key is None:
        return "a key is empty (null)", "write a name before the ':'"
    kind = "true/false" if isinstance(key, bool) else type(key).__name__
    what = {"int": "a number", "float": "a number", "date": "a date", "datetime": "a date"}
    return (
        f"key {text!r} is not text: YAML reads it as {what.get(kind, kind)}",
        f"quote it: '{text}'",
    )
