"""The rule registry: every rule registers its id, family, severity and summary here.

Rules are plain functions over a :class:`~charon.policy.context.Context` that yield
:class:`Issue` values; the registry stamps each with the rule's id and severity, applies the spec's
waivers and sorts the result, so every rule stays a few lines of "what is wrong and how to fix it".
Rule modules are imported on first use, which keeps ``charon.policy.registry`` importable from the
rule modules themselves.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from charon.compile.model import CompiledPlatform
from charon.policy.context import Context
from charon.policy.finding import Finding, Severity
from charon.policy.waivers import WAIVER_RULES, apply_waivers
from charon.spec.models import Platform

__all__ = ["FAMILIES", "Issue", "RuleFn", "RuleInfo", "evaluate", "rule", "rules"]

#: Rule modules under ``charon.policy``, one per family.
FAMILIES = (
    "auth",
    "exposure",
    "images",
    "names",
    "podsecurity",
    "references",
    "resources",
    "secrets",
    "storage",
    "vpn",
)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    family: str
    severity: Severity
    summary: str


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule reports; the registry adds the rule id and severity."""

    object: str
    path: str
    message: str
    fix: str
    field: str = ""
    severity: Severity | None = None  # only when one rule reports at two levels


RuleFn = Callable[[Context], Iterable[Issue]]

_RULES: dict[str, tuple[RuleInfo, RuleFn]] = {}


def rule(
    rule_id: str, *, family: str, severity: Severity, summary: str
) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under a stable id (ids are what waivers name: never rename)."""

    def register(fn: RuleFn) -> RuleFn:
        if rule_id in _RULES or rule_id in WAIVER_RULES:
            raise ValueError(f"policy rule {rule_id!r} registered twice")
        _RULES[rule_id] = (RuleInfo(rule_id, family, severity, summary), fn)
        return fn

    return register


def _load() -> None:
    for family in FAMILIES:
        importlib.import_module(f"charon.policy.{family}")


def rules() -> list[RuleInfo]:
    """Every rule, including the waiver checks, sorted by family then id (for ``--rules``)."""
    _load()
    infos = [info for info, _ in _RULES.values()]
    infos += [RuleInfo(i, "waivers", sev, summary) for i, (sev, summary) in WAIVER_RULES.items()]
    return sorted(infos, key=lambda r: (r.family, r.id))


def evaluate(
    platform: Platform, compiled: CompiledPlatform, *, select: Collection[str] | None = None
) -> list[Finding]:
    """Run every rule (or those in ``select``), apply waivers, return findings sorted.

    Waived findings stay in the list with their reason; waivers naming unknown rules or matching
    nothing are findings of their own, so a typo in a waiver can never silently waive nothing.
    """
    _load()
    ctx = Context(platform, compiled)
    found: dict[Finding, None] = {}
    for rule_id, (info, fn) in sorted(_RULES.items()):
        if select is not None and rule_id not in select:
            continue
        for issue in fn(ctx):
            finding = Finding(
                rule=rule_id,
                severity=issue.severity or info.severity,
                object=issue.object,
                path=issue.path,
                field=issue.field,
                message=issue.message,
                fix=issue.fix,
            )
            found[finding] = None
    known = sorted(_RULES)
    findings = apply_waivers(ctx, list(found), known, check_unused=select is None)
    if select is not None:
        findings = [f for f in findings if f.rule in select or f.rule in WAIVER_RULES]
    return sorted(findings, key=Finding.sort_key)
