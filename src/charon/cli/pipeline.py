"""Load → compile → policy, the way every command runs it, with the spec file's positions kept.

The command line is the one place that knows where the platform file is, so it keeps the loaded
document next to the model: findings and spec issues are reported as ``file:line:col``. The
commands import this module late: ``charon version`` and ``--help`` must not pay for pydantic.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml
from pydantic import ValidationError

from charon.errors import CharonError, SpecError, SpecIssue
from charon.spec.models import Platform

if TYPE_CHECKING:
    from charon.compile.model import CompiledPlatform
    from charon.policy.finding import Finding
    from charon.policy.registry import RuleInfo

__all__ = [
    "Checked",
    "Loaded",
    "check_file",
    "compile_spec",
    "json_schema",
    "load_spec",
    "policy_rules",
]

Locate = Callable[[str], "tuple[int, int] | None"]


@dataclass(frozen=True)
class Loaded:
    """A validated platform and how to find a YAML path in its file."""

    spec: Platform
    path: Path
    locate: Locate


@dataclass(frozen=True)
class Checked:
    loaded: Loaded
    compiled: CompiledPlatform
    findings: list[Finding]


def _optional(module: str, name: str) -> Any:
    """An attribute of a module another part of Charon may not have shipped yet, else None."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None


def _fallback_load(path: Path) -> Loaded:
    """Plain YAML + pydantic, used only until ``charon.spec.load`` exists (no positions)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except OSError as exc:
        raise SpecError([SpecIssue(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise SpecError([SpecIssue(str(path), line, col, "", f"not valid YAML: {exc}")]) from exc
    try:
        spec = Platform.model_validate(data)
    except ValidationError as exc:
        issues = [
            SpecIssue(str(path), 0, 0, ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors()
        ]
        raise SpecError(issues) from exc
    return Loaded(spec, path, lambda _path: None)


def load_spec(path: Path) -> Loaded:
    """Read and validate the platform file; SpecError names every problem with its position."""
    load = _optional("charon.spec", "load")
    if load is None:
        load = _optional("charon.spec.loader", "load")
    if load is None:
        return _fallback_load(path)
    loaded = load(path)
    return Loaded(cast(Platform, loaded.spec), Path(loaded.path), loaded.locate)


def compile_spec(spec: Platform) -> CompiledPlatform:
    compile_platform = _optional("charon.compile", "compile_platform")
    if compile_platform is None:
        raise CharonError("this build of charon has no compiler yet (charon.compile)")
    return cast("CompiledPlatform", compile_platform(spec))


def _policy(name: str) -> Any:
    fn = _optional("charon.policy", name)
    return fn if fn is not None else _optional("charon.policy.registry", name)


def check_file(path: Path) -> Checked:
    """Load, compile and evaluate every policy rule (findings come back sorted)."""
    loaded = load_spec(path)
    compiled = compile_spec(loaded.spec)
    evaluate = _policy("evaluate")
    findings: list[Finding] = [] if evaluate is None else list(evaluate(loaded.spec, compiled))
    return Checked(loaded, compiled, findings)


def policy_rules() -> list[RuleInfo] | None:
    """Every registered rule, or None when the policy registry does not list them."""
    rules = _policy("rules")
    return None if rules is None else list(rules())


def json_schema() -> dict[str, Any]:
    """The platform's JSON Schema, from the spec package once it exports one."""
    export = _optional("charon.spec.schema", "json_schema")
    if export is not None:
        return cast(dict[str, Any], export())
    return Platform.model_json_schema(by_alias=True)
