"""What the engine tells its caller while it works: plain values for a progress display or a log.

The engine never prints; it calls a :data:`Reporter` with these events, so the command line can
draw a rich progress display, a test can count applied objects (or stop the API server after the
third one), and a JSON run can stay silent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from charon.compile.model import ObjectId

__all__ = [
    "Action",
    "Change",
    "Event",
    "ObjectDone",
    "PruneOutcome",
    "Pruned",
    "Reporter",
    "StageDone",
    "StageStarted",
    "Waiting",
    "ignore",
]


class Action(StrEnum):
    created = "created"
    configured = "configured"
    unchanged = "unchanged"
    skipped = "skipped"
    failed = "failed"


class PruneOutcome(StrEnum):
    deleted = "deleted"
    would_delete = "would be deleted"
    gone = "already gone"
    protected = "kept: protected kind, needs --allow-destructive"
    not_ours = "skipped: no longer carries this platform's owner labels"
    disabled = "skipped: prune disabled by annotation"
    failed = "failed"

    @property
    def stays_in_inventory(self) -> bool:
        """Kept objects must be found again by the next prune; foreign ones are forgotten."""
        return self in (PruneOutcome.protected, PruneOutcome.failed)


@dataclass(frozen=True, slots=True)
class Change:
    id: ObjectId
    unit: str
    action: Action
    detail: str = ""
    diff: str = ""  # unified YAML diff, Secret values masked (diff and dry-run only)


@dataclass(frozen=True, slots=True)
class StageStarted:
    index: int
    name: str
    total: int


@dataclass(frozen=True, slots=True)
class ObjectDone:
    stage: int
    change: Change


@dataclass(frozen=True, slots=True)
class Waiting:
    stage: int
    ready: int
    total: int
    pending: tuple[tuple[ObjectId, str], ...]  # (id, why not ready), first few


@dataclass(frozen=True, slots=True)
class StageDone:
    index: int


@dataclass(frozen=True, slots=True)
class Pruned:
    id: ObjectId
    outcome: PruneOutcome
    detail: str = ""


Event = StageStarted | ObjectDone | Waiting | StageDone | Pruned
Reporter = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """A reporter that drops everything (library callers that only want the result)."""
