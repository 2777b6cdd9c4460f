"""JSON Schema of the platform description, for editors (``# yaml-language-server: $schema=``).

Generated from the models, by YAML key (camelCase), with the models' documentation as
descriptions. The same models always give the same bytes: ``json_schema_text`` is what
``charon schema`` prints and what a repository may commit.
"""

from __future__ import annotations

import json
from typing import Any

from charon.spec.models import API_VERSION, Platform

__all__ = ["SCHEMA_ID", "json_schema", "json_schema_text"]

SCHEMA_ID = "https://charon.dev/schemas/platform-v1alpha1.json"
_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema() -> dict[str, Any]:
    """The schema as a dict (draft 2020-12)."""
    body = Platform.model_json_schema(by_alias=True, mode="validation")
    body.pop("title", None)
    body.pop("description", None)
    return {
        "$schema": _DRAFT,
        "$id": SCHEMA_ID,
        "title": f"Charon Platform ({API_VERSION})",
        "description": (
            "One typed description of a self-hosted Kubernetes platform, compiled by Charon into "
            "a Flux GitOps tree. Keys are camelCase; unknown keys are rejected."
        ),
        **body,
    }


def json_schema_text() -> str:
    """The schema as stable JSON text (two-space indent, trailing newline)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
