"""Errors as a person or a script reads them: an error page, or ``{"error": ..., "status": ...}`` under /api/.

A :class:`~provenance.errors.ProvenanceError` keeps its one line and gets the HTTP status that says the
same thing; anything else is a bug, logged with its traceback on the server and answered with one line
that says so. No response ever carries a traceback.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..errors import (
    CreditGapsError,
    CreditsChangedError,
    InputFileError,
    InvalidValueError,
    LockTamperedError,
    NotFoundError,
    ProjectError,
    ProvenanceError,
)

log = logging.getLogger("provenance.web")

STATUS_OF_ERROR: list[tuple[type[ProvenanceError], int]] = [
    (NotFoundError, 404),
    (InvalidValueError, 400),
    (InputFileError, 422),
    (CreditGapsError, 409),
    (CreditsChangedError, 409),
    (LockTamperedError, 409),
    (ProjectError, 503),
]


class UploadTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the file is over the upload limit of {limit:,} bytes; audit it with `provenance audit`")


def status_of(error: ProvenanceError) -> int:
    return next((status for kind, status in STATUS_OF_ERROR if isinstance(error, kind)), 400)


def error_response(request: Request, status: int, message: str) -> Response:
    """The JSON error under /api/, else the error page."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    templates = request.app.state.templates
    body = templates.get_template("error.html").render(
        status=status, reason=HTTPStatus(status).phrase, message=message, page_title=HTTPStatus(status).phrase
    )
    return HTMLResponse(body, status_code=status)


async def provenance_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProvenanceError)
    return error_response(request, status_of(exc), str(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else "there is no such page here"
    if exc.status_code == 405:
        message = "this address does not take that method"
    return error_response(request, exc.status_code, message)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request, 500, f"unexpected {type(exc).__name__}: the server log has the details; please report it"
    )


EXCEPTION_HANDLERS = {ProvenanceError: provenance_error, HTTPException: http_error, Exception: unexpected_error}
