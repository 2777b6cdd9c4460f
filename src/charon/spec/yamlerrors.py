"""PyYAML's syntax errors as one SpecIssue each: where, what, and the usual way out.

libyaml's messages ("mapping values are not allowed here") are precise but terse; the fixes here
name the mistake that most often produces each one.
"""

from __future__ import annotations

import yaml

from charon.errors import SpecIssue

__all__ = ["issue_for_yaml_error"]

_FIXES: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed", "check the indentation, or quote a value containing ': '"),
    ("could not find expected ':'", "check the indentation, or add the missing ':' after the key"),
    ("did not find expected key", "check the indentation of this line against the one above"),
    ("did not find expected '-'", "line up the list items ('- ') under each other"),
    ("found undefined alias", "define the anchor (&name) before the alias (*name)"),
    ("did not find expected ',' or ']'", "close the list with ']' or separate items with ','"),
    ("did not find expected ',' or '}'", "close the mapping with '}' or separate items with ','"),
    ("found unexpected end of stream", "close the open quote or bracket"),
    ("found unknown escape character", "use single quotes, or escape the backslash as '\\\\'"),
    ("cannot start any token", "quote the value: '@' and '`' cannot start plain text"),
)
_TAB_FIX = "indent with spaces; YAML does not allow tabs for indentation"
_DEFAULT_FIX = "check the YAML syntax near this line: indentation, quotes and brackets"


def _line_col_of_offset(text: str, offset: int, *, in_bytes: bool) -> tuple[int, int]:
    prefix = (
        text.encode("utf-8", "replace")[:offset].decode("utf-8", "replace")
        if in_bytes
        else (text[:offset])
    )
    line = prefix.count("\n") + 1
    return line, len(prefix) - (prefix.rfind("\n") + 1) + 1


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n", line)
    if not 0 < line <= len(lines) or col < 1:
        return ""
    row = lines[line - 1]
    return row[col - 1] if col <= len(row) else ""


def issue_for_yaml_error(exc: Exception, text: str, filename: str) -> SpecIssue:
    """Turn a PyYAML (or encoding) error into an issue pointing at the offending place."""
    if isinstance(exc, UnicodeError):
        return SpecIssue(
            filename,
            0,
            0,
            "",
            "the text is not valid Unicode (it contains a lone surrogate or similar)",
            "save the file as UTF-8",
        )
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = _line_col_of_offset(text, exc.position, in_bytes=True)
        return SpecIssue(
            filename,
            line,
            col,
            "",
            f"character #x{exc.character:04x} is not allowed in YAML ({exc.reason})",
            "remove the control character or write it as an escape inside double quotes",
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or "invalid YAML").strip()
        context = f" ({exc.context.strip()})" if exc.context else ""
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        if _char_at(text, line, col) == "\t":
            problem = problem.replace("found character", "found a tab character")
            fix = _TAB_FIX
        else:
            fix = next((fix for needle, fix in _FIXES if needle in problem), _DEFAULT_FIX)
        return SpecIssue(filename, line, col, "", f"YAML syntax error: {problem}{context}", fix)
    return SpecIssue(filename, 0, 0, "", f"the YAML cannot be read: {exc}", _DEFAULT_FIX)
