"""Waivers: a written reason in the spec that turns a finding from blocking into accepted.

A platform waiver (``waivers:``) applies everywhere, a service waiver (``services.X.waivers``) only
to findings about that service and its objects; either may be narrowed to one object. A waived
finding is kept (shown with its reason), and a waiver that names no known rule, or matches nothing,
is reported, because a silently ineffective waiver is worse than none.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from charon.policy.context import Context
from charon.policy.finding import Finding, Severity
from charon.spec.models import WaiverSpec

__all__ = ["WAIVER_RULES", "apply_waivers"]

UNKNOWN = "waiver-unknown-rule"
UNUSED = "waiver-unused"

#: Checks on the waivers themselves (not waivable): id -> (severity, summary).
WAIVER_RULES: dict[str, tuple[Severity, str]] = {
    UNKNOWN: ("error", "a waiver names a rule id that does not exist"),
    UNUSED: ("warning", "a waiver matches no finding (stale, or its object is misspelled)"),
}


@dataclass(frozen=True, slots=True)
class _Waiver:
    spec: WaiverSpec
    path: str  # "waivers[0]" or "services.grafana.waivers[0]"
    service: str  # "" for platform-wide waivers
    owner: str  # "platform/<name>" or "service/<name>"


def _collect(ctx: Context) -> list[_Waiver]:
    platform = ctx.platform
    out = [
        _Waiver(w, f"waivers[{i}]", "", f"platform/{platform.metadata.name}")
        for i, w in enumerate(platform.waivers)
    ]
    for name, service in sorted(platform.services.items()):
        out += [
            _Waiver(w, f"services.{name}.waivers[{i}]", name, f"service/{name}")
            for i, w in enumerate(service.waivers)
        ]
    return out


def _about_service(ctx: Context, finding: Finding, service: str) -> bool:
    prefix = f"services.{service}"
    return (
        finding.path == prefix
        or finding.path.startswith(prefix + ".")
        or finding.object == f"service/{service}"
        or ctx.owner_of_key(finding.object) == service
    )


def _object_matches(wanted: str, actual: str) -> bool:
    """``Kind/namespace/name`` exactly, or ``Kind/name`` for any namespace (kind case-blind)."""
    if wanted == actual:
        return True
    want, have = wanted.split("/"), actual.split("/")
    if len(want) == 2 and len(have) == 3:
        return want[0].lower() == have[0].lower() and want[1] == have[2]
    return len(want) == len(have) and want[0].lower() == have[0].lower() and want[1:] == have[1:]


def _matches(ctx: Context, waiver: _Waiver, finding: Finding) -> bool:
    if waiver.spec.rule != finding.rule:
        return False
    if waiver.service and not _about_service(ctx, finding, waiver.service):
        return False
    return waiver.spec.object is None or _object_matches(waiver.spec.object, finding.object)


def _unknown(waiver: _Waiver, known: Sequence[str]) -> Finding:
    guess = difflib.get_close_matches(waiver.spec.rule, known, n=1, cutoff=0.6)
    hint = f"did you mean '{guess[0]}'? " if guess else ""
    return Finding(
        rule=UNKNOWN,
        severity="error",
        object=waiver.owner,
        path=f"{waiver.path}.rule",
        field="",
        message=f"waiver names unknown rule '{waiver.spec.rule}'",
        fix=f"{hint}Use a rule id from `charon check --rules`.",
    )


def _unused(waiver: _Waiver) -> Finding:
    target = f" for object '{waiver.spec.object}'" if waiver.spec.object else ""
    return Finding(
        rule=UNUSED,
        severity="warning",
        object=waiver.owner,
        path=waiver.path,
        field="",
        message=f"waiver for '{waiver.spec.rule}'{target} matches no finding",
        fix="Remove the waiver, or correct its object to Kind/name or Kind/namespace/name.",
    )


def apply_waivers(
    ctx: Context, findings: list[Finding], known: Sequence[str], *, check_unused: bool = True
) -> list[Finding]:
    """Mark waived findings (service waivers before platform ones) and report bad waivers."""
    waivers = _collect(ctx)
    waivers.sort(key=lambda w: w.service == "")
    used: set[str] = set()
    out: list[Finding] = []
    for finding in findings:
        waiver = next(
            (w for w in waivers if w.spec.rule in known and _matches(ctx, w, finding)), None
        )
        if waiver is None:
            out.append(finding)
        else:
            out.append(finding.waive(waiver.spec.reason))
            used.add(waiver.path)
    for waiver in waivers:
        if waiver.spec.rule not in known:
            out.append(_unknown(waiver, known))
        elif check_unused and waiver.path not in used:
            out.append(_unused(waiver))
    return out
