"""The platform description: its models, loader with source positions, and JSON Schema.

``load(path)`` / ``load_text(text)`` return a :class:`LoadedPlatform` or raise
:class:`charon.errors.SpecError` carrying every issue of the file at once.
"""

from charon.spec.loader import LoadedPlatform, load, load_text
from charon.spec.schema import SCHEMA_ID, json_schema, json_schema_text

__all__ = ["SCHEMA_ID", "LoadedPlatform", "json_schema", "json_schema_text", "load", "load_text"]
