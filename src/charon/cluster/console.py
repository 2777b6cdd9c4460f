"""How cluster operations look to a person: tables and a live progress display (rich).

Kept apart from the engine, which only emits events. On a terminal the progress is a live display
(one bar per stage, the objects still pending and why); anywhere else it is one plain line per
stage and per prune, so CI logs stay readable.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from charon.cluster.engine import ApplyResult
from charon.cluster.events import (
    Action,
    Event,
    ObjectDone,
    Pruned,
    StageDone,
    StageStarted,
    Waiting,
)
from charon.cluster.plan import Plan
from charon.cluster.status import PlatformStatus

__all__ = ["ProgressDisplay", "plan_table", "result_line", "status_tables"]


def plan_table(plan: Plan) -> Table:
    table = Table(title=f"plan for {plan.platform}", show_lines=False)
    for col in ("stage", "unit", "kind", "namespace", "name", "wait"):
        table.add_column(col)
    for stage in plan.stages:
        for p in stage.objects:
            table.add_row(str(stage.index), p.unit, p.ref.kind, p.ref.namespace, p.ref.name,
                          "yes" if p.wait else "")  # fmt: skip
    for item in plan.prune:
        table.add_row("prune", "", item.ref.kind, item.ref.namespace, item.ref.name,
                      "protected" if item.protected else "", style="red")  # fmt: skip
    return table


def status_tables(status: PlatformStatus) -> list[Table]:
    tables = []
    for title, groups in (("unit", status.units), ("service", status.services)):
        table = Table(title=f"{status.platform}: {title}s")
        for col in (title, "ready", "objects", "reason"):
            table.add_column(col)
        for g in groups:
            mark = "[green]yes[/]" if g.is_ready else "[red]no[/]"
            table.add_row(g.name, mark, f"{g.ready}/{g.total}", g.reason)
        tables.append(table)
    return tables


def result_line(result: ApplyResult, *, dry_run: bool) -> str:
    verb = "would apply" if dry_run else "applied"
    counts = ", ".join(
        f"{result.count(a)} {a.value}"
        for a in (Action.created, Action.configured, Action.unchanged, Action.skipped)
    )
    pruned = sum(1 for o in result.pruned.values() if o.name in ("deleted", "would_delete"))
    extra = f"; {'would prune' if dry_run else 'pruned'} {pruned}" if result.pruned else ""
    return f"{verb} {result.plan.platform}: {counts}{extra}"


class ProgressDisplay:
    """A Reporter drawing the engine's events; use as a context manager."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.console = Console(file=stream or sys.stderr)
        self.live = self.console.is_terminal
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"), console=self.console,
        )  # fmt: skip
        self._tasks: dict[int, TaskID] = {}

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.live:
            self.progress.stop()

    def _say(self, text: str) -> None:
        (self.progress.console if self.live else self.console).print(
            text, highlight=False, soft_wrap=True
        )

    def __call__(self, event: Event) -> None:
        if isinstance(event, StageStarted):
            label = f"stage {event.index}: {event.name}"
            self._tasks[event.index] = self.progress.add_task(label, total=event.total, note="")
            if not self.live:
                self._say(f"{label} ({event.total} objects)")
        elif isinstance(event, ObjectDone):
            self.progress.advance(self._tasks[event.stage])
            change = event.change
            if change.action is Action.failed:
                self._say(f"[red]failed[/] {change.id}: {change.detail}")
        elif isinstance(event, Waiting):
            why = "; ".join(f"{oid}: {msg}" for oid, msg in event.pending[:2])
            note = f"ready {event.ready}/{event.total}" + (f" - {why}" if why else "")
            self.progress.update(self._tasks[event.stage], note=note)
        elif isinstance(event, StageDone):
            self.progress.update(self._tasks[event.index], note="done")
        elif isinstance(event, Pruned):
            detail = f": {event.detail}" if event.detail else ""
            self._say(f"prune {event.id}: {event.outcome.value}{detail}")
