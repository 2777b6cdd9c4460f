"""Load a platform description: read, parse, validate, cross-check — or say exactly what is wrong.

This is the one place in ``spec`` that touches the file system. Everything that can go wrong with
a user's file comes back as a single SpecError carrying every issue found, sorted by line; nothing
else escapes (no OSError, no YAMLError, no pydantic ValidationError).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from charon.errors import SpecError, SpecIssue
from charon.spec.models import Platform
from charon.spec.positions import PositionMap
from charon.spec.resolve import check_references
from charon.spec.validate import validate_platform
from charon.spec.yamlread import parse_yaml

__all__ = ["LoadedPlatform", "load", "load_text"]


@dataclass(frozen=True, slots=True)
class LoadedPlatform:
    """A valid platform and where each of its values was written."""

    spec: Platform
    path: str  # the file as the user named it
    positions: PositionMap

    def locate(self, path: str) -> tuple[int, int] | None:
        """Line and column for a YAML path such as ``services.grafana.storage.data.size``.

        Paths the file does not spell out (defaults) resolve to their nearest written ancestor;
        model attribute names (``mount_path``) are accepted as well as YAML keys.
        """
        return self.positions.locate(path)


def load_text(text: str, filename: str = "<string>") -> LoadedPlatform:
    """Load a platform from YAML text; ``filename`` is only used in messages."""
    doc = parse_yaml(text, filename)
    platform, issues = validate_platform(doc, filename)
    issues = [*doc.issues, *issues]
    if platform is not None:
        issues.extend(check_references(platform, doc.positions, filename))
    if issues or platform is None:
        raise SpecError(issues)
    return LoadedPlatform(platform, filename, doc.positions)


def load(path: Path | str) -> LoadedPlatform:
    """Load a platform file (UTF-8; a byte-order mark is allowed)."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        fix = "check the path" if isinstance(exc, FileNotFoundError) else "check the file"
        raise SpecError(
            [SpecIssue(name, 0, 0, "", f"cannot read the file: {reason}", fix)]
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise SpecError(
            [
                SpecIssue(
                    name,
                    line,
                    column,
                    "",
                    f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                    "save the file as UTF-8",
                )
            ]
        ) from exc
    return load_text(text, name)
