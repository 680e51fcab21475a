"""Reading an uploaded file from a multipart form, with the size bound applied while it arrives.

The declared length is checked before anything is read, and the bytes are counted as they come, so a
client that declares nothing (or lies) is cut off at the bound too: 413, and nothing more is read.
The form is then parsed from memory; the file is field ``file``.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message

from .audits import upload_name
from .failures import UploadTooLarge

# Room for the multipart boundaries and part headers around the file itself.
FORM_OVERHEAD = 64 * 1024


async def read_upload(request: Request, limit: int) -> tuple[str, bytes]:
    """``(name, bytes)`` of the form's ``file`` field; 413 past ``limit`` bytes, 400 for a form without one."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(400, "send the file as multipart/form-data, in the field `file`")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise UploadTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit + FORM_OVERHEAD:
            raise UploadTooLarge(limit)

    async def replay() -> Message:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=16)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, "no file in the form; send it in the multipart field `file`")
        data = await upload.read()
        name = upload_name(upload.filename)
    finally:
        await form.close()
    if len(data) > limit:
        raise UploadTooLarge(limit)
    if not data:
        raise HTTPException(400, f"{name} is empty; choose an image file")
    return name, data
