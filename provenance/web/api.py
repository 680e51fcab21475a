"""The JSON API: each answer is byte for byte what the matching command prints.

``POST /api/audit`` (multipart field ``file``) is ``provenance audit FILE --json``, the file named as the
client named it; ``GET /api/productions/{handle}/credits`` is ``provenance credits HANDLE --format json``
(``?allow_gaps=1`` for ``--allow-gaps``, ``?background=PRODUCTION/CUT`` for ``--background``);
``GET /api/assets/{id}/lineage`` is ``provenance lineage ID --json``. ``GET /api/openapi.json`` describes
them. Errors are ``{"error": "<the one line>", "status": <code>}``.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..credits import asset_lineage, render
from .openapi import openapi_document
from .uploads import read_upload

JSON = "application/json"


async def audit(request: Request) -> Response:
    viewer = request.app.state.viewer
    name, data = await read_upload(request, viewer.max_upload_bytes)
    report = await run_in_threadpool(viewer.audits.of_upload, name, data)
    # `provenance audit --json` prints model_dump_json(indent=2) and a newline.
    return Response(report.model_dump_json(indent=2) + "\n", media_type=JSON)


def credits(request: Request) -> Response:
    query = request.query_params
    sheet = request.app.state.viewer.sheets.sheet(
        request.path_params["handle"],
        background=query.get("background") or None,
        allow_gaps=query.get("allow_gaps", "") in ("1", "true", "yes"),
    )
    return Response(render(sheet, "json"), media_type=JSON)


def lineage(request: Request) -> Response:
    project = request.app.state.viewer.project
    found = asset_lineage(project, str(request.path_params["asset_id"]))
    return Response(found.model_dump_json(indent=2) + "\n", media_type=JSON)


def openapi(request: Request) -> Response:
    return JSONResponse(openapi_document())
