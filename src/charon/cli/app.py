"""The ``charon`` commands: thin wrappers that run the pipeline and report, nothing more.

Each command imports what it needs when it runs, so ``charon version`` starts in a blink and
``charon render`` never loads rich unless it has findings to show. Exit codes: 0 ok, 1 other
errors, 2 invalid platform file, 3 unwaived policy errors, 70 internal error (a bug).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from charon import __version__
from charon.errors import PolicyError, SpecError

__all__ = ["app"]

app = typer.Typer(
    name="charon",
    help="Compile one typed platform description into a Flux GitOps tree, and check it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Output(StrEnum):
    text = "text"
    json = "json"


FileArg = Annotated[Path, typer.Argument(help="The platform description (YAML).", dir_okay=False)]
OutputOpt = Annotated[
    Output, typer.Option("--output", help="text (for people) or json (for CI and tools).")
]


@app.command()
def check(
    file: FileArg = Path("platform.yaml"),
    output: OutputOpt = Output.text,
    rules: Annotated[bool, typer.Option("--rules", help="List the policy rules and exit.")] = False,
) -> None:
    """Validate the platform file and every policy rule; each problem names file:line:col.

    Exits 0 when nothing blocks (warnings and info never do), 2 when the file is invalid and
    3 when a policy error is not waived.
    """
    from charon.cli import pipeline, report  # noqa: PLC0415 - late import

    if rules:
        listed = pipeline.policy_rules()
        if output is Output.json:
            report.dump_json({"rules": report.rules_json(listed)})
        else:
            report.print_rules(listed)
        return
    try:
        checked = pipeline.check_file(file)
    except SpecError as exc:
        if output is Output.text:
            raise
        report.dump_json(report.spec_error_json(file, exc))
        raise typer.Exit(exc.exit_code) from None
    doc = report.findings_json(checked.loaded, checked.findings)
    code = PolicyError.exit_code if doc["counts"]["blocking"] else 0
    if output is Output.json:
        report.dump_json({**doc, "ok": code == 0, "exit_code": code, "spec_issues": []})
    else:
        report.print_findings(checked.loaded, checked.findings)
    raise typer.Exit(code)


@app.command()
def render(
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Directory to write the tree to.", file_okay=False)
    ],
    file: FileArg = Path("platform.yaml"),
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace DIR even if it is not a previous charon render."),
    ] = False,
    json_summary: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON.")
    ] = False,
) -> None:
    """Compile the platform into a Flux-ready GitOps tree in DIR (deterministic, atomic).

    Refuses (exit 3) while any policy error is unwaived; a previous tree stays intact on failure.
    """
    from charon.cli import pipeline  # noqa: PLC0415 - late import
    from charon.render import render_tree  # noqa: PLC0415 - late import

    checked = pipeline.check_file(file)
    blocking = [f for f in checked.findings if f.blocks]
    if blocking:
        from charon.cli import report  # noqa: PLC0415 - rich only when there is a table

        if json_summary:
            doc = report.findings_json(checked.loaded, blocking)
            report.dump_json({**doc, "rendered": False, "exit_code": PolicyError.exit_code})
        else:
            report.print_findings(checked.loaded, blocking, stderr=True)
            typer.echo(
                f"refusing to render: {len(blocking)} unwaived policy error(s); fix them or "
                "waive them in the spec with a reason",
                err=True,
            )
        raise typer.Exit(PolicyError.exit_code)
    result = render_tree(checked.compiled, out, force=force, source_dir=file.parent)
    warnings = sum(1 for f in checked.findings if f.severity == "warning" and not f.waived)
    if json_summary:
        doc = {
            "rendered": True,
            "platform": result.platform,
            "out": str(result.out_dir),
            "units": result.units,
            "objects": result.objects,
            "files": len(result.files),
            "replaced": result.replaced,
            "warnings": warnings,
        }
        typer.echo(json.dumps(doc, indent=2, sort_keys=True))
        return
    note = f" ({warnings} warning(s): see charon check)" if warnings else ""
    typer.echo(
        f"rendered {result.platform}: {result.units} units, {result.objects} objects, "
        f"{len(result.files)} files -> {result.out_dir}{note}"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the platform description (for editor completion)."""
    from charon.cli import pipeline  # noqa: PLC0415 - late import, see the module docstring

    sys.stdout.write(json.dumps(pipeline.json_schema(), indent=2, sort_keys=True) + "\n")


@app.command()
def version() -> None:
    """Print the charon version."""
    typer.echo(f"charon {__version__}")


from charon.cli import cluster_cmds  # noqa: E402 - registers onto the app defined above

cluster_cmds.register(app)
