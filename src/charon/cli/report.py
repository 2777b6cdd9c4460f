"""How findings, spec issues and rules look on a terminal and in JSON.

The JSON documents are an interface (CI parses them): keys are stable, sorted and only ever added
to. The table is for people: every finding names where in the platform file to look
(``file:line:col`` when the loader knows the position, else the YAML path) and how to fix it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from charon.errors import SpecError, SpecIssue

if TYPE_CHECKING:
    from charon.cli.pipeline import Loaded
    from charon.policy.finding import Finding
    from charon.policy.registry import RuleInfo

__all__ = [
    "counts",
    "dump_json",
    "findings_json",
    "print_findings",
    "print_rules",
    "rules_json",
    "spec_error_json",
    "spec_issues_json",
]

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def dump_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def where(loaded: Loaded, path: str) -> str:
    """``file:line:col`` for a YAML path, or ``file (path)`` when the position is unknown."""
    pos = loaded.locate(path) if path else None
    if pos is None:
        return f"{loaded.path} ({path})" if path else str(loaded.path)
    return f"{loaded.path}:{pos[0]}:{pos[1]}"


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    listed = list(findings)
    by = Counter(f.severity for f in listed if f.waived is None)
    return {
        "error": by["error"],
        "warning": by["warning"],
        "info": by["info"],
        "waived": sum(1 for f in listed if f.waived is not None),
        "blocking": sum(1 for f in listed if f.blocks),
    }


def findings_json(loaded: Loaded, findings: list[Finding]) -> dict[str, Any]:
    items = []
    for f in findings:
        pos = loaded.locate(f.path) if f.path else None
        items.append(
            {
                "rule": f.rule,
                "severity": f.severity,
                "object": f.object,
                "path": f.path,
                "field": f.field,
                "line": pos[0] if pos else None,
                "column": pos[1] if pos else None,
                "message": f.message,
                "fix": f.fix,
                "waived": f.waived,
            }
        )
    return {"file": str(loaded.path), "findings": items, "counts": counts(findings)}


def spec_issues_json(issues: list[SpecIssue]) -> list[dict[str, Any]]:
    return [
        {
            "file": i.file,
            "line": i.line,
            "column": i.column,
            "path": i.path,
            "message": i.message,
            "fix": i.fix,
        }
        for i in issues
    ]


def spec_error_json(file: Path, exc: SpecError) -> dict[str, Any]:
    return {
        "file": str(file),
        "ok": False,
        "exit_code": exc.exit_code,
        "counts": counts([]),
        "findings": [],
        "spec_issues": spec_issues_json(exc.issues),
    }


def rules_json(rules: list[RuleInfo]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rules]


def _summary(tally: dict[str, int]) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}" + ("" if count == 1 else "s")

    text = ", ".join(
        [n(tally["error"], "error"), n(tally["warning"], "warning"), f"{tally['info']} info"]
    )
    return text + (f" ({tally['waived']} waived)" if tally["waived"] else "")


#: Below this many columns a six-column table wraps every cell; a list reads better.
_TABLE_MIN_WIDTH = 120


def _print_list(console: Console, loaded: Loaded, findings: list[Finding]) -> None:
    for f in findings:
        head = Text(f.severity + (" (waived)" if f.waived else ""), style=_STYLE[f.severity])
        head.append(f"  {f.rule}  {f.object}", style="bold")
        console.print(head)
        console.print(f"  at {where(loaded, f.path)}")
        if f.field:
            console.print(f"  field: {f.field}")
        console.print(f"  {f.message}")
        if f.fix:
            console.print(f"  fix: {f.fix}")
        if f.waived:
            console.print(f"  waived: {f.waived}")


def _print_table(console: Console, loaded: Loaded, findings: list[Finding]) -> None:
    table = Table(show_lines=True, expand=False)
    for column in ("severity", "rule", "object", "where", "message", "fix"):
        table.add_column(column, overflow="fold")
    for f in findings:
        sev = Text(f.severity, style=_STYLE[f.severity])
        message = f.message + (f"\n(waived: {f.waived})" if f.waived else "")
        if f.waived:
            sev = Text(f"{f.severity}\n(waived)", style="dim")
        table.add_row(sev, f.rule, f.object, where(loaded, f.path), message, f.fix)
    console.print(table)


def print_findings(loaded: Loaded, findings: list[Finding], *, stderr: bool = False) -> None:
    """A table on a wide terminal, a list on a narrow one; then one summary line."""
    console = Console(stderr=stderr, highlight=False, markup=False)
    if findings and console.width >= _TABLE_MIN_WIDTH:
        _print_table(console, loaded, findings)
    elif findings:
        _print_list(console, loaded, findings)
    console.print(f"{loaded.path}: {_summary(counts(findings))}")


def print_rules(rules: list[RuleInfo]) -> None:
    table = Table()
    for column in ("rule", "family", "severity", "summary"):
        table.add_column(column, overflow="fold")
    for r in rules:
        table.add_row(r.id, r.family, Text(r.severity, style=_STYLE[r.severity]), r.summary)
    Console(highlight=False, markup=False).print(table)
