"""Typed JSON documents that leave the program, each with a versioned JSON Schema in ``schemas/``.

>>> class Report(Document):
...     model_config = schema_config("report.v1.json")
...     verdict: str
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

SCHEMA_BASE = "https://provenance.example/schemas/"


class Document(BaseModel):
    """A strict model: unknown fields are an error, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


def schema_config(file_name: str) -> ConfigDict:
    """Model config for a top-level document: strict, and naming its schema file."""
    return ConfigDict(
        extra="forbid",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_BASE + file_name,
        },
    )
