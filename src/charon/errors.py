"""The one exception tree of Charon.

Every error Charon raises on purpose derives from :class:`CharonError`, so the command line can
turn any of them into a clear message and a meaningful exit code, and never a traceback::

    CharonError              exit 1 unless a subclass says otherwise
    ├── SpecError            exit 2; one or more SpecIssue (file, line, column, YAML path, fix)
    ├── PolicyError          exit 3; findings with rule id, object and field path
    ├── RenderError          exit 1; the tree could not be written (the old tree stays)
    ├── ClusterError         exit 1; object id plus the API's status causes
    │   ├── ConflictError    a field is owned by another field manager
    │   └── ClusterUnavailableError  retryable: unreachable, 5xx or 429; re-running converges
    ├── ToolError            exit 1; an external program (sops, age) failed or is missing
    └── AgentError           the in-pod agent
        ├── RetryableError   exit 75; try again later (connection refused, 5xx, 429)
        └── PermanentError   exit 78; waiting will not help (401/403, bad configuration)

Third-party exceptions are chained with ``raise ... from exc`` and never escape on their own.
Messages never contain secret values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AgentError",
    "CharonError",
    "ClusterError",
    "ClusterUnavailableError",
    "ConflictError",
    "PermanentError",
    "PolicyError",
    "RenderError",
    "RetryableError",
    "SpecError",
    "SpecIssue",
    "ToolError",
]


class CharonError(Exception):
    """Root of every error Charon raises on purpose."""

    exit_code: int = 1


@dataclass(frozen=True, slots=True)
class SpecIssue:
    """One problem in a platform description, pointing at the exact place in the file."""

    file: str
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    path: str  # YAML path such as ``services.grafana.storage.size``; "" for the document
    message: str
    fix: str = ""

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        at = f" {self.path}:" if self.path else ""
        text = f"{where}:{at} {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class SpecError(CharonError):
    """The platform description is invalid; carries every issue found in the file at once."""

    exit_code = 2

    def __init__(self, issues: list[SpecIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.column, i.path, i.message))
        super().__init__("\n".join(i.format() for i in self.issues))


class PolicyError(CharonError):
    """Policy findings that are not waived block rendering or applying."""

    exit_code = 3


class RenderError(CharonError):
    """The GitOps tree could not be written; the previous tree is left intact."""


@dataclass
class ClusterError(CharonError):
    """The Kubernetes API refused or failed an operation on one object."""

    object_id: str
    reason: str
    causes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        detail = "; ".join(self.causes)
        super().__init__(f"{self.object_id}: {self.reason}" + (f" ({detail})" if detail else ""))


class ConflictError(ClusterError):
    """Server-side apply found a field owned by another field manager."""


class ClusterUnavailableError(ClusterError):
    """The API server could not be reached or was overloaded; the same command can be re-run."""


class ToolError(CharonError):
    """An external program Charon drives (sops, age) failed or is not installed."""


class AgentError(CharonError):
    """An error of the in-pod lifecycle agent."""


class RetryableError(AgentError):
    """A failure that may go away by waiting: connection errors, 5xx, 429."""

    exit_code = 75  # EX_TEMPFAIL

    def __init__(self, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class PermanentError(AgentError):
    """A failure that waiting will not fix: bad credentials, bad configuration."""

    exit_code = 78  # EX_CONFIG
