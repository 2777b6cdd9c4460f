"""The shared pre-auth key file: written atomically, readable only by the pod's user.

tailscaled reads the key from this file (``TS_AUTHKEY=file://...``) and may start at any moment,
so the file must never be seen half-written: write a private temporary file in the same
directory, fsync, then rename over the old one. The key's id (not secret) sits beside it in
``<file>.id`` so a re-run of the init container can expire the key it made before.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from charon.errors import PermanentError

__all__ = ["read_previous", "write_key"]


def write_key(path: str, key: str, key_id: str) -> None:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, key + "\n")
        _atomic_write(target.with_name(target.name + ".id"), key_id + "\n")
    except OSError as exc:
        raise PermanentError(f"CHARON_AUTHKEY_FILE: cannot write {path}: {exc.strerror}") from exc


def _atomic_write(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o600)
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def read_previous(path: str) -> tuple[str, str] | None:
    """The key and its id from an earlier run of this pod, if both are still there."""
    target = Path(path)
    try:
        key = target.read_text(encoding="utf-8").strip()
        key_id = target.with_name(target.name + ".id").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return (key, key_id) if key and key_id else None
