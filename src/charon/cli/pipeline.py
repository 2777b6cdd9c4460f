"""Load → compile → policy, the way every command runs it, with the spec file's positions kept.

The command line is the one place that knows where the platform file is, so it keeps the loaded
document next to the model: findings and spec issues are reported as ``file:line:col``. The
commands import this module late (``charon version`` and ``--help`` must not pay for pydantic),
and each function imports only the layer it uses, so ``charon schema`` and ``check --rules`` do not
load the compiler they never run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from charon.compile.model import CompiledPlatform
    from charon.policy.finding import Finding
    from charon.policy.registry import RuleInfo
    from charon.spec.models import Platform

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


def load_spec(path: Path) -> Loaded:
    """Read and validate the platform file; SpecError names every problem with its position."""
    from charon.spec import load  # noqa: PLC0415 - late import, see the module docstring

    loaded = load(path)
    return Loaded(loaded.spec, Path(loaded.path), loaded.locate)


def compile_spec(spec: Platform) -> CompiledPlatform:
    from charon.compile import compile_platform  # noqa: PLC0415 - late import

    return compile_platform(spec)


def check_file(path: Path) -> Checked:
    """Load, compile and evaluate every policy rule (findings come back sorted)."""
    from charon.policy import evaluate  # noqa: PLC0415 - late import

    loaded = load_spec(path)
    compiled = compile_spec(loaded.spec)
    return Checked(loaded, compiled, evaluate(loaded.spec, compiled))


def policy_rules() -> list[RuleInfo]:
    """Every registered rule, in the registry's order."""
    from charon.policy import rules  # noqa: PLC0415 - late import

    return list(rules())


def json_schema() -> dict[str, Any]:
    """The platform's JSON Schema (draft 2020-12), as ``charon.spec`` exports it."""
    from charon.spec import json_schema as export  # noqa: PLC0415 - late import

    return export()
