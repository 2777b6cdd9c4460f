"""Follow a pydantic error location through the Platform models.

A pydantic error says *where* (``('services', 'g', 'storage', 'd', 'backup', 'BackupSpec',
'schedule')``) but not *what is allowed there*. Walking the same location through the model classes
gives the field, its constraints and its allowed keys, which is what a useful message and fix
need, and it separates the YAML path the user wrote from pydantic's own markers (union member tags
and ``[key]`` for dict keys).
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from charon.spec.models import Platform
from charon.spec.positions import PathPart, format_path

__all__ = ["Located", "aliases", "locate_loc", "unwrap"]


@dataclass(frozen=True, slots=True)
class Located:
    """What lives at one error location."""

    parts: tuple[PathPart, ...]  # the YAML path, as written in the file
    annotation: Any  # the expected type there (Annotated and Optional removed); None if unknown
    metadata: tuple[Any, ...]  # constraints: Field(ge=...), StringConstraints, AfterValidator
    owner: type[BaseModel] | None  # the model whose key the last part is
    is_key: bool  # the error is about a mapping key (pydantic's ``[key]``)
    union_at: int | None  # len(parts) where pydantic chose a union member, if it did
    union_member: Any  # that member

    @property
    def path(self) -> str:
        return format_path(self.parts)

    @property
    def alias(self) -> str:
        """The last key of the path (what the user would write before ':')."""
        last = self.parts[-1] if self.parts else ""
        return last if isinstance(last, str) else ""


@cache
def aliases(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """YAML key → field of a model, in declaration order."""
    return {(info.alias or name): info for name, info in model.model_fields.items()}


def unwrap(annotation: Any) -> tuple[Any, tuple[Any, ...], tuple[Any, ...]]:
    """Strip ``Annotated`` and ``None`` from a type: ``(type, metadata, union members)``.

    ``union members`` is non-empty when more than one type remains (``BackupSpec | bool``): pydantic
    then tags each member's errors with the member's name.
    """
    metadata: tuple[Any, ...] = ()
    while True:
        if get_origin(annotation) is Annotated:
            base, *extra = get_args(annotation)
            for item in extra:  # ``Annotated[int, Field(ge=1)]`` keeps its bounds in the FieldInfo
                metadata += tuple(item.metadata) if isinstance(item, FieldInfo) else (item,)
            annotation = base
            continue
        if get_origin(annotation) in (Union, types.UnionType):
            members = tuple(a for a in get_args(annotation) if a is not type(None))
            if len(members) == 1:
                annotation = members[0]
                continue
            return annotation, metadata, members
        return annotation, metadata, ()


def _member_named(members: tuple[Any, ...], tag: object) -> Any:
    for member in members:
        if getattr(member, "__name__", None) == tag:
            return member
    return None


def locate_loc(loc: tuple[int | str, ...], root: type[BaseModel] = Platform) -> Located:
    """Walk ``loc`` from ``root``; unknown steps leave the type as None but keep the path."""
    current: Any = root
    metadata: tuple[Any, ...] = ()
    parts: list[PathPart] = []
    owner: type[BaseModel] | None = None
    is_key = False
    union_at: int | None = None
    member: Any = None
    for step in loc:
        current, extra, members = unwrap(current)
        metadata = metadata + extra
        if members:  # pydantic names the union member it tried before the rest of the path
            if union_at is None:
                union_at, member = len(parts), _member_named(members, step)
            current, metadata = _member_named(members, step), ()
            continue
        if step == "[key]":
            is_key = True
            args = get_args(current) if get_origin(current) is dict else ()
            current, metadata = (args[0] if args else None), ()
            continue
        parts.append(step)
        owner = None
        if isinstance(current, type) and issubclass(current, BaseModel):
            owner = current
            info = aliases(current).get(str(step))
            current = None if info is None else info.annotation
            metadata = () if info is None else tuple(info.metadata)
        elif get_origin(current) in (dict, list):
            current, metadata = get_args(current)[-1], ()
        else:
            current, metadata = None, ()
    current, extra, _ = unwrap(current)
    return Located(tuple(parts), current, metadata + extra, owner, is_key, union_at, member)
