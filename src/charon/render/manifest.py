"""``charon-render.json``: what a rendered tree holds, for tooling and as Charon's own marker.

The manifest lists every file with its sha256 so CI can verify a committed tree is exactly what
``charon render`` produces, and its presence is how render recognises a directory it may replace.
It holds no timestamps or host names: it is part of the tree and the tree is deterministic.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from charon import __version__
from charon.compile.model import CompiledPlatform

__all__ = ["FORMAT", "MANIFEST", "build_manifest", "is_charon_tree"]

MANIFEST = "charon-render.json"
FORMAT = 1


def build_manifest(compiled: CompiledPlatform, files: dict[str, bytes]) -> bytes:
    """The manifest document for a planned tree (``files`` excludes the manifest itself)."""
    doc = {
        "format": FORMAT,
        "charon": __version__,
        "platform": compiled.platform,
        "units": [unit.name for unit in compiled.units],
        "objects": sum(len(unit.objects) for unit in compiled.units),
        "files": [
            {"path": path, "sha256": hashlib.sha256(content).hexdigest()}
            for path, content in sorted(files.items())
        ],
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def is_charon_tree(directory: Path) -> bool:
    """True when ``directory`` holds a manifest that a previous ``charon render`` wrote."""
    path = directory / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and "format" in doc and "files" in doc
