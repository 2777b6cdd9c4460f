"""The last line of defence before bytes reach Git: nothing secret is written in plain text.

The compiler never puts secret values in objects and raw files are meant to be encrypted already,
but a rendered tree is pushed to a repository and lives in its history forever, so render checks
both instead of trusting them. A SOPS file must carry its ``sops:`` metadata and every value under
``data``/``stringData`` must be an ``ENC[...]`` envelope; a SealedSecret is ciphertext by
construction. Anything else in ``raw_files`` is refused, naming the file.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from charon.compile.model import K8sObject, Unit
from charon.errors import RenderError
from charon.render.yaml_emit import load

__all__ = ["check_object", "check_raw_file"]

_RAW_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$")
_SECRET_FIELDS = ("data", "stringData")


def check_object(unit: Unit, obj: K8sObject) -> None:
    """Refuse a compiled core Secret that carries values: they would land in Git unencrypted."""
    if obj.get("kind") != "Secret" or obj.get("apiVersion") != "v1":
        return
    if any(obj.get(key) for key in _SECRET_FIELDS):
        meta = obj.get("metadata", {})
        where = f"{meta.get('namespace', '')}/{meta.get('name', '?')}".lstrip("/")
        raise RenderError(
            f"unit {unit.name}: Secret {where} carries data in plain text; Charon never writes "
            "a plaintext Secret. Declare it under secrets: with source existing, external, "
            "sops or sealed instead"
        )


def _encrypted(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_encrypted(v) for v in value.values())
    if isinstance(value, list):
        return all(_encrypted(v) for v in value)
    return isinstance(value, str) and value.startswith("ENC[")


def _document_ok(doc: Any) -> str:
    """Empty when the document is safe to commit, else why not."""
    if not isinstance(doc, dict):
        return "is not a Kubernetes manifest (a YAML mapping)"
    if doc.get("kind") == "SealedSecret":
        return ""
    sops = doc.get("sops")
    if not isinstance(sops, dict):
        return (
            f"{doc.get('kind', 'document')} has no 'sops:' metadata: it is not SOPS-encrypted "
            "(encrypt it with `sops --encrypt --in-place FILE` using the tree's .sops.yaml)"
        )
    for key in _SECRET_FIELDS:
        if key in doc and not _encrypted(doc[key]):
            return f"has plaintext values under {key!r} although it carries 'sops:' metadata"
    return ""


def check_raw_file(unit: Unit, name: str, content: str) -> None:
    """Refuse a raw file that would leak a secret or escape its unit directory."""
    where = f"unit {unit.name}: raw file {name!r}"
    if not _RAW_NAME.match(name):
        raise RenderError(
            f"{where}: a raw file name is a plain '.yaml' file name (no directories, "
            "no leading dot)"
        )
    try:
        docs = load(content)
    except yaml.YAMLError as exc:
        raise RenderError(f"{where} is not valid YAML: {exc}") from exc
    if not docs:
        raise RenderError(f"{where} is empty")
    for doc in docs:
        why = _document_ok(doc)
        if why:
            raise RenderError(f"{where} {why}; refusing to write it")
