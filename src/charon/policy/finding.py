"""One policy finding: which rule, which object, where in the spec, and how to fix it.

Findings are values, not exceptions: ``charon check`` shows all of them at once, and a waived
finding stays in the list (with the waiver's reason) so a reader sees what was accepted and why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["SEVERITIES", "Finding", "Severity", "blocking"]

Severity = Literal["error", "warning", "info"]

#: Severities from the most to the least serious; the order findings are listed in.
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's verdict on one object or one spec field.

    ``object`` is ``Kind/namespace/name`` (``Kind/name`` when cluster-scoped) for compiled objects,
    or ``service/<name>``, ``category/<name>``, ``platform/<name>`` for spec-level findings.
    ``path`` is the YAML dotted path in the platform file (``services.grafana.auth.mode``) so the
    command line can point at a line; ``field`` is the field path inside the object, when the
    finding is about a compiled object. Messages never contain secret values.
    """

    rule: str
    severity: Severity
    object: str
    path: str
    field: str
    message: str
    fix: str
    waived: str | None = None

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        """Errors first, then by rule, object and place, so output is the same on every run."""
        return (
            SEVERITIES.index(self.severity),
            self.rule,
            self.object,
            self.path,
            self.field,
            self.message,
        )

    def waive(self, reason: str) -> Finding:
        return replace(self, waived=reason)

    @property
    def blocks(self) -> bool:
        """Only an unwaived error stops ``check``, ``render`` and ``apply``."""
        return self.severity == "error" and self.waived is None


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that make ``charon check`` exit 3."""
    return [f for f in findings if f.blocks]
