"""Validate parsed data against the Platform models; every failure becomes a SpecIssue.

Keys are accepted only as the file format spells them (camelCase aliases), never by the Python
attribute names, so ``mount_path:`` is reported as an unknown key with a camelCase suggestion.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from charon.errors import SpecIssue
from charon.spec.explain import explain
from charon.spec.hints import kind_of
from charon.spec.models import Platform
from charon.spec.positions import PathPart, PositionMap, format_path
from charon.spec.typewalk import Located, aliases, locate_loc, unwrap
from charon.spec.yamlread import ParsedDocument

__all__ = ["validate_platform"]


def validate_platform(
    doc: ParsedDocument, filename: str
) -> tuple[Platform | None, list[SpecIssue]]:
    """The validated platform, or None and one issue per problem."""
    try:
        return Platform.model_validate(doc.data, by_alias=True, by_name=False), []
    except ValidationError as exc:
        return None, _issues(exc.errors(include_url=False), doc, filename)


def _issues(errors: list[ErrorDetails], doc: ParsedDocument, filename: str) -> list[SpecIssue]:
    plain: list[tuple[ErrorDetails, Located]] = []
    unions: dict[tuple[PathPart, ...], list[tuple[ErrorDetails, Located]]] = {}
    for err in errors:
        at = locate_loc(tuple(err["loc"]))
        if at.union_at is None:
            plain.append((err, at))
        else:
            unions.setdefault(at.parts[: at.union_at], []).append((err, at))
    issues = [_issue(err, at, doc.positions, filename) for err, at in plain]
    for parts, group in unions.items():
        value = _value_at(doc.data, parts)
        chosen = [(e, a) for e, a in group if _is_model(a.union_member)]
        if isinstance(value, dict) and chosen:
            issues.extend(_issue(err, at, doc.positions, filename) for err, at in chosen)
        else:
            issues.append(_union_issue(group[0][0], parts, value, doc.positions, filename))
    return issues


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _value_at(data: Any, parts: tuple[PathPart, ...]) -> Any:
    for part in parts:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _where(positions: PositionMap, path: str, *, key: bool) -> tuple[int, int]:
    found = (positions.key if key else positions.point)(path)
    if found is None:
        found = positions.locate(path)
    return found or (0, 0)


def _issue(err: ErrorDetails, at: Located, positions: PositionMap, filename: str) -> SpecIssue:
    message, fix = explain(err, at)
    if err["type"] == "missing":
        line, column = _where(positions, format_path(at.parts[:-1]), key=True)
    else:
        key = at.is_key or err["type"] == "extra_forbidden"
        line, column = _where(positions, at.path, key=key)
    return SpecIssue(filename, line, column, at.path, message, fix)


def _describe(member: Any) -> str:
    if _is_model(member):
        return "a mapping of settings (" + ", ".join(aliases(member)) + ")"
    names = {bool: "true or false", str: "text", int: "a whole number", float: "a number"}
    return names.get(member, getattr(member, "__name__", str(member)))


def _union_issue(
    err: ErrorDetails,
    parts: tuple[PathPart, ...],
    value: Any,
    positions: PositionMap,
    filename: str,
) -> SpecIssue:
    """All members of ``BackupSpec | bool`` failed: say what each would have accepted."""
    prefix = tuple(err["loc"])[: _tag_index(err, parts)]
    _, _, members = unwrap(locate_loc(prefix).annotation)
    options = [_describe(m) for m in members] or ["another kind of value"]
    path = format_path(parts)
    line, column = _where(positions, path, key=False)
    message = f"expected {' or '.join(options)}, got {kind_of(value)}"
    return SpecIssue(filename, line, column, path, message, "write " + " or ".join(options))


def _tag_index(err: ErrorDetails, parts: tuple[PathPart, ...]) -> int:
    """Index of the union member tag in pydantic's loc (the loc has ``parts`` before it)."""
    loc = tuple(err["loc"])
    seen = 0
    for index, step in enumerate(loc):
        if seen == len(parts):
            return index
        if step != "[key]":
            seen += 1
    return len(loc)
