"""One pydantic error → a plain-English message and a fix.

pydantic's messages describe its internals ("Input should be a valid dictionary or instance of
StorageSpec"); a platform author needs to hear what the file should say instead. Each error type
gets a small function; anything unforeseen still gets a readable sentence and a pointer to
``charon schema``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from charon.spec.hints import VALIDATORS, did_you_mean, example_for, kind_of, pattern_fix, show
from charon.spec.typewalk import Located, aliases

__all__ = ["explain"]

Explained = tuple[str, str]
_SCHEMA_FIX = "see `charon schema` for what is allowed here"

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list",
}


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _keys(annotation: Any) -> str:
    return ", ".join(aliases(annotation)) if _is_model(annotation) else ""


def _limit(metadata: tuple[Any, ...], name: str) -> Any:
    return next((getattr(m, name) for m in metadata if getattr(m, name, None) is not None), None)


def _bounds(metadata: tuple[Any, ...]) -> str:
    """ "use a whole number from 1 to 65535", from the Field(ge=..., le=...) constraints."""
    low, high = _limit(metadata, "ge"), _limit(metadata, "le")
    if low is None and (gt := _limit(metadata, "gt")) is not None:
        low = gt + 1
    if high is None and (lt := _limit(metadata, "lt")) is not None:
        high = lt - 1
    if low is not None and high is not None:
        return f"use a whole number from {low} to {high}"
    if low is not None:
        return f"use a number of at least {low}"
    return f"use a number of at most {high}" if high is not None else _SCHEMA_FIX


def _type(err: ErrorDetails, at: Located) -> Explained:
    value = err["input"]
    expected = _EXPECTED[err["type"]]
    message = f"expected {expected}, got {kind_of(value)}"
    if err["type"] in ("int_parsing", "int_from_float", "float_parsing", "bool_parsing"):
        message = f"expected {expected}, got {show(value)}"
    if expected == "text":
        return message, "put the value in quotes so that YAML reads it as text"
    if expected.startswith("true"):
        return message, "write true or false"
    if "whole number" in expected or expected == "a number":
        return message, _bounds(at.metadata) if at.metadata else "write a plain number, e.g. 8080"
    if expected == "a list":
        fix = f"write it as a list: [{value}]" if isinstance(value, str) else "write `- item` lines"
        return message, fix
    if _is_model(at.annotation):
        return message, f"write the settings as keys under it: {_keys(at.annotation)}"
    return message, "write `name: value` entries under it"


def _missing(_: ErrorDetails, at: Located) -> Explained:
    alias = at.alias
    annotation = at.annotation
    if _is_model(annotation):
        required = [k for k, f in aliases(annotation).items() if f.is_required()]
        fix = f"add `{alias}:` with " + (", ".join(required) if required else "its settings")
    elif get_origin(annotation) is dict:
        fix = f"add `{alias}:` with at least one `name:` entry under it"
    else:
        fix = f"add `{alias}: {_example(alias, annotation)}`"
    return f"required key '{alias}' is missing", fix


def _example(alias: str, annotation: Any) -> str:
    if get_origin(annotation) is Literal:
        return str(get_args(annotation)[0])
    return example_for(alias, annotation)


def _extra(_: ErrorDetails, at: Located) -> Explained:
    allowed = list(aliases(at.owner)) if at.owner else []
    guess = did_you_mean(at.alias, allowed)
    message = f"unknown key '{at.alias}'"
    if guess:
        return message, f"did you mean '{guess}'?"
    return message, "remove it; allowed keys here: " + ", ".join(allowed)


def _choices(err: ErrorDetails, at: Located) -> Explained:
    annotation = at.annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        options = [str(m.value) for m in annotation]
    elif get_origin(annotation) is Literal:
        options = [str(a) for a in get_args(annotation)]
    else:
        options = [o.strip(" '") for o in str(err.get("ctx", {}).get("expected", "")).split(",")]
    value = err["input"]
    if len(options) == 1:
        return f"must be '{options[0]}', not {show(value)}", f"write `{at.alias}: {options[0]}`"
    message = f"{show(value)} is not one of: {', '.join(options)}"
    guess = did_you_mean(value, options, cutoff=0.75) if isinstance(value, str) else None
    return message, f"did you mean '{guess}'?" if guess else f"use one of: {', '.join(options)}"


def _pattern(err: ErrorDetails, _: Located) -> Explained:
    pattern = str(err.get("ctx", {}).get("pattern", ""))
    what, fix = pattern_fix(pattern, err["input"])
    return f"{show(err['input'])} is not {what}", fix


def _length(err: ErrorDetails, at: Located) -> Explained:
    ctx = err.get("ctx", {})
    if err["type"] == "string_too_long":
        limit = ctx.get("max_length")
        return f"is longer than {limit} characters", f"shorten it to at most {limit} characters"
    limit = ctx.get("min_length")
    if at.alias == "reason":
        return (
            f"the reason is too short (at least {limit} characters)",
            "say in a sentence why this is acceptable",
        )
    if limit == 1:
        return "must not be empty", f"write a value, e.g. `{at.alias}: {_example(at.alias, None)}`"
    return f"is shorter than {limit} characters", f"write at least {limit} characters"


def _too_few(err: ErrorDetails, at: Located) -> Explained:
    limit = err.get("ctx", {}).get("min_length", 1)
    items = "item" if limit == 1 else "items"
    return (
        f"needs at least {limit} {items}",
        f"list them, e.g. `{at.alias}: {_example(at.alias, None)}`",
    )


def _bound(err: ErrorDetails, at: Located) -> Explained:
    ctx = err.get("ctx", {})
    limit = next(iter(ctx.values()), "?")
    word = "below the minimum" if err["type"].startswith("greater") else "above the maximum"
    return f"{show(err['input'])} is {word} {limit}", _bounds(at.metadata)


def _value(err: ErrorDetails, at: Located) -> Explained:
    reason = str(err.get("ctx", {}).get("error", err["msg"]))
    names = [getattr(getattr(m, "func", None), "__name__", "") for m in at.metadata]
    fix = next((VALIDATORS[n] for n in names if n in VALIDATORS), _SCHEMA_FIX)
    return f"{show(err['input'])} is not valid: {reason}", fix


def _fallback(err: ErrorDetails, _: Located) -> Explained:
    message = str(err["msg"]).replace("Input should be", "expected")
    return message[:1].lower() + message[1:], _SCHEMA_FIX


_HANDLERS: dict[str, Callable[[ErrorDetails, Located], Explained]] = {
    **dict.fromkeys(_EXPECTED, _type),
    "missing": _missing,
    "extra_forbidden": _extra,
    "enum": _choices,
    "literal_error": _choices,
    "string_pattern_mismatch": _pattern,
    "string_too_short": _length,
    "string_too_long": _length,
    "too_short": _too_few,
    "greater_than_equal": _bound,
    "greater_than": _bound,
    "less_than_equal": _bound,
    "less_than": _bound,
    "value_error": _value,
    "assertion_error": _value,
}


def explain(err: ErrorDetails, at: Located) -> Explained:
    """``(message, fix)`` for one error at its walked location."""
    message, fix = _HANDLERS.get(err["type"], _fallback)(err, at)
    return (f"the name {message}" if at.is_key else message), fix
