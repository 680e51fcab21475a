"""The OpenAPI 3.1 description of the JSON API.

Its component schemas are the documents' own JSON Schemas, the ones committed in ``schemas/`` (a test
checks that they are equal), so a client validates the API's answers against the same contract as the
command line's JSON.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from .._version import __version__
from ..audit import AuditReport
from ..credits import CreditSheet, Lineage

_ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": {"type": "string", "description": "one line: what is wrong and what to do"},
        "status": {"type": "integer"},
    },
    "additionalProperties": False,
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema}}}}


def _errors(*codes: int) -> dict[str, Any]:
    reasons = {
        400: "a request the API cannot read",
        404: "no such production, background or asset",
        409: "the sheet has stages with nobody named (ask with allow_gaps), or a sign-off fails its check",
        413: "the file is over the upload limit",
        422: "the file is not an image the audit reads, or is over the pixel bound",
        503: "the project's database cannot be read",
    }
    return {str(code): _json("#/components/schemas/Error", reasons[code]) for code in codes}


@cache
def openapi_document() -> dict[str, Any]:
    """The description as a dict, ready for JSON."""
    handle = {"name": "handle", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "provenance viewer API",
            "version": __version__,
            "description": "Read-only. Each answer is exactly what the matching command prints with --json.",
        },
        "paths": {
            "/api/audit": {
                "post": {
                    "summary": "Audit a file: the output of `provenance audit FILE --json`",
                    "description": "The file is audited from a private temporary copy and not kept. Every verdict "
                    "answers 200; the verdict is in the body.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file"],
                                    "properties": {"file": {"type": "string", "format": "binary"}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json("#/components/schemas/AuditReport", "the audit report"),
                        **_errors(400, 413, 422, 503),
                    },
                }
            },
            "/api/productions/{handle}/credits": {
                "get": {
                    "summary": "A production's credit sheet: the output of `provenance credits HANDLE --format json`",
                    "parameters": [
                        handle,
                        {
                            "name": "background",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "only this background, PRODUCTION/CUT (--background)",
                        },
                        {
                            "name": "allow_gaps",
                            "in": "query",
                            "schema": {"type": "boolean"},
                            "description": "export even if a stage has no named person, marking it (--allow-gaps)",
                        },
                    ],
                    "responses": {
                        "200": _json("#/components/schemas/CreditSheet", "the credit sheet"),
                        **_errors(400, 404, 409, 503),
                    },
                }
            },
            "/api/assets/{id}/lineage": {
                "get": {
                    "summary": "The recorded lineage of an asset: the output of `provenance lineage ID --json`",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": _json("#/components/schemas/Lineage", "the lineage tree"),
                        **_errors(404, 503),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "AuditReport": AuditReport.model_json_schema(mode="serialization"),
                "CreditSheet": CreditSheet.model_json_schema(mode="serialization"),
                "Lineage": Lineage.model_json_schema(mode="serialization"),
                "Error": _ERROR,
            }
        },
    }
