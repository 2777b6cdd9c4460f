"""``charon plan | diff | apply | prune | status``: the commands that talk to a cluster.

Thin, like the rest of the command line: load, compile and check the platform, then hand the
compiled objects to :mod:`charon.cluster.session`. Everything heavy (lightkube, rich) is imported
when a command runs. Exit codes follow the house rules (1 cluster error, 2 invalid file, 3
policy); ``charon diff`` follows ``kubectl diff``: 0 no change, 1 changes, 2 error.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from charon.errors import CharonError, PolicyError

if TYPE_CHECKING:
    from charon.cluster.session import Target
    from charon.compile.model import CompiledPlatform

__all__ = ["register"]


class Output(StrEnum):
    text = "text"
    json = "json"


# Declared here, not imported from charon.cli.app, which imports this module to register it.
FileArg = Annotated[Path, typer.Argument(help="The platform description (YAML).", dir_okay=False)]
OutputOpt = Annotated[
    Output, typer.Option("--output", help="text (for people) or json (for CI and tools).")
]
KubeconfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--kubeconfig",
        help="kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster).",
        dir_okay=False,
    ),
]
ContextOpt = Annotated[str | None, typer.Option("--context", help="kubeconfig context to use.")]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", help="Seconds each stage may take to become ready.", min=1)
]
ForceOpt = Annotated[
    bool, typer.Option("--force-conflicts", help="Take fields owned by other field managers.")
]
PruneOpt = Annotated[
    bool, typer.Option("--prune", help="Delete what the platform no longer declares.")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Plan and validate; write nothing.")]
WaitOpt = Annotated[
    bool, typer.Option("--wait/--no-wait", help="Wait for readiness after each stage.")
]
DestructiveOpt = Annotated[
    bool,
    typer.Option("--allow-destructive", help="Let prune delete PVCs, PVs, Namespaces and CRDs."),
]


def _compiled(file: Path) -> CompiledPlatform:
    """Compile, refusing (exit 3) while a policy error is unwaived, as ``render`` does."""
    from charon.cli import pipeline, report  # noqa: PLC0415 - late import

    checked = pipeline.check_file(file)
    blocking = [f for f in checked.findings if f.blocks]
    if blocking:
        report.print_findings(checked.loaded, blocking, stderr=True)
        typer.echo(f"refusing: {len(blocking)} unwaived policy error(s)", err=True)
        raise typer.Exit(PolicyError.exit_code)
    return checked.compiled


def _target(kubeconfig: Path | None, context: str | None) -> Target:
    from charon.cluster.session import Target  # noqa: PLC0415 - late import

    return Target(kubeconfig, context)


def _dump(doc: object) -> None:
    typer.echo(json.dumps(doc, indent=2, sort_keys=True))


def plan(
    file: FileArg = Path("platform.yaml"), output: OutputOpt = Output.text,
    kubeconfig: KubeconfigOpt = None, context: ContextOpt = None,
) -> None:  # fmt: skip
    """Show the ordered stages an apply would run, and what a prune would delete."""
    from charon.cluster import console, session  # noqa: PLC0415

    planned = session.plan(_target(kubeconfig, context), _compiled(file))
    if output is Output.json:
        _dump(planned.to_json())
        return
    from rich.console import Console  # noqa: PLC0415

    Console().print(console.plan_table(planned))
    for note in planned.notes:
        typer.echo(f"note: {note}")


def diff(
    file: FileArg = Path("platform.yaml"), kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None, force_conflicts: ForceOpt = False,
) -> None:  # fmt: skip
    """Server-side dry-run of every object against the live one; Secret values masked.

    Exits 0 when nothing would change, 1 when something would, 2 on error (like kubectl diff).
    """
    from charon.cluster import session  # noqa: PLC0415
    from charon.cluster.executor import ApplyOptions  # noqa: PLC0415

    try:
        compiled = _compiled(file)
        opts = ApplyOptions(dry_run=True, diff=True, force_conflicts=force_conflicts, prune=True)
        result = session.apply(_target(kubeconfig, context), compiled, opts)
    except CharonError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for change in result.changed:
        typer.echo(
            change.diff or f"{change.id}: {change.action.value} ({change.detail})\n", nl=False
        )
    for oid, outcome in result.pruned.items():
        if outcome.name == "would_delete":
            typer.echo(f"# {oid}: no longer declared; `charon apply --prune` deletes it")
    raise typer.Exit(1 if result.changed else 0)


def apply(
    file: FileArg = Path("platform.yaml"),
    *,
    output: OutputOpt = Output.text,
    kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None,
    prune: PruneOpt = False,
    allow_destructive: DestructiveOpt = False,
    force_conflicts: ForceOpt = False,
    dry_run: DryRunOpt = False,
    wait: WaitOpt = True,
    timeout: TimeoutOpt = 300.0,
) -> None:  # fmt: skip
    """Server-side apply (field manager ``charon``), stage by stage, writing only what differs."""
    from charon.cluster import console, session  # noqa: PLC0415
    from charon.cluster.executor import ApplyOptions  # noqa: PLC0415

    compiled = _compiled(file)
    opts = ApplyOptions(
        force_conflicts=force_conflicts, dry_run=dry_run, wait=wait, timeout=timeout,
        prune=prune, allow_destructive=allow_destructive,
    )  # fmt: skip
    target = _target(kubeconfig, context)
    if output is Output.json:
        result = session.apply(target, compiled, opts)
        _dump({"platform": result.plan.platform, "dryRun": dry_run,
               "changes": [{"id": c.id, "unit": c.unit, "action": c.action.value}
                           for c in result.changes],
               "pruned": {k: v.value for k, v in result.pruned.items()}})  # fmt: skip
        return
    with console.ProgressDisplay() as display:
        result = session.apply(target, compiled, opts, display)
    typer.echo(console.result_line(result, dry_run=dry_run))


def prune(
    file: FileArg = Path("platform.yaml"), kubeconfig: KubeconfigOpt = None,
    context: ContextOpt = None, allow_destructive: DestructiveOpt = False,
    dry_run: DryRunOpt = False,
) -> None:  # fmt: skip
    """Delete objects a previous apply created that the platform no longer declares."""
    from charon.cluster import console, session  # noqa: PLC0415
    from charon.cluster.executor import ApplyOptions  # noqa: PLC0415

    opts = ApplyOptions(prune=True, allow_destructive=allow_destructive, dry_run=dry_run)
    with console.ProgressDisplay() as display:
        result = session.apply(_target(kubeconfig, context), _compiled(file), opts, display,
                               prune_only=True)  # fmt: skip
    typer.echo(console.result_line(result, dry_run=dry_run))


def status(
    file: FileArg = Path("platform.yaml"), output: OutputOpt = Output.text,
    kubeconfig: KubeconfigOpt = None, context: ContextOpt = None,
) -> None:  # fmt: skip
    """Readiness per unit and per service from the live objects, with the reason when not."""
    from charon.cluster import console, session  # noqa: PLC0415

    state = session.status(_target(kubeconfig, context), _compiled(file))
    if output is Output.json:
        _dump(state.to_json())
    else:
        from rich.console import Console  # noqa: PLC0415

        for table in console.status_tables(state):
            Console().print(table)
    raise typer.Exit(0 if state.ready else 1)


def register(app: typer.Typer) -> None:
    """Add the cluster commands to the ``charon`` app (one call from charon.cli.app)."""
    for command in (plan, diff, apply, prune, status):
        app.command()(command)
