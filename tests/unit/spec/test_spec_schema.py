"""The JSON Schema: shape, identity and byte-for-byte stability."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from charon.spec import SCHEMA_ID, json_schema, json_schema_text
from charon.spec.hints import PATTERNS


def test_schema_identity_and_top_level_keys() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] and schema["description"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"apiVersion", "kind", "metadata", "cluster", "vpn",
                                       "categories"}  # fmt: skip
    assert "storageClasses" in schema["$defs"]["ClusterSpec"]["properties"]
    assert "mountPath" in schema["$defs"]["StorageSpec"]["properties"]
    assert schema["properties"]["apiVersion"]["const"] == "charon.dev/v1alpha1"


def _patterns(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return found.union(*(_patterns(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_patterns(v) for v in node))
    return set()


def test_every_pattern_has_a_plain_explanation() -> None:
    assert _patterns(json_schema()) <= set(PATTERNS)


def test_schema_text_is_stable_across_processes() -> None:
    code = "from charon.spec import json_schema_text; print(json_schema_text(), end='')"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1
    (text,) = outputs
    assert text.decode("utf-8") == json_schema_text()
    assert json.loads(text) == json_schema()
