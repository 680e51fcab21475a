"""Files the pages link to: previews, heatmap overlays, recorded files, credit sheets in every format, the font.

Each is found by what the page knows (an asset id, a production handle, a format name), never by a path
from the request, so nothing outside the served files can be named.
"""

from __future__ import annotations

from importlib.resources import files as package_files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..credits import FORMATS, render
from ..errors import NotFoundError
from ..store import Asset
from .pictures import overlay_png
from .served_files import recorded_file

FONTS = Path(str(package_files("provenance").joinpath("assets", "fonts")))
# The shipped Japanese font, so names render as text on a machine without Japanese fonts, and its licence,
# which the IPA Font License asks to travel with it.
SERVED_FONTS = {
    "ipaexg.ttf": ("ipaexg.ttf", "font/ttf"),
    "license.txt": ("IPA_Font_License_Agreement_v1.0.txt", "text/plain; charset=utf-8"),
}
FORMAT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
_FILE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "TIFF": "image/tiff", "WEBP": "image/webp", "BMP": "image/bmp"}
_DAY = "public, max-age=86400"


def find_asset(request: Request, asset_id: int) -> Asset:
    with request.app.state.viewer.project.store.session() as session:
        asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFoundError(f"there is no asset #{asset_id} in this project")
    return asset


def asset_preview(request: Request) -> Response:
    viewer = request.app.state.viewer
    asset = find_asset(request, request.path_params["asset_id"])
    width = request.query_params.get("w", "320")
    data = viewer.pictures.preview(recorded_file(viewer.project, asset.path), int(width) if width.isdigit() else 0)
    return Response(data, media_type="image/jpeg", headers={"cache-control": "private, max-age=60"})


def asset_heatmap(request: Request) -> Response:
    viewer = request.app.state.viewer
    report = viewer.audits.of_asset(find_asset(request, request.path_params["asset_id"]))
    return Response(overlay_png(report), media_type="image/png", headers={"cache-control": "no-store"})


def asset_file(request: Request) -> Response:
    """The recorded file itself, as a download (it carries its manifest)."""
    viewer = request.app.state.viewer
    asset = find_asset(request, request.path_params["asset_id"])
    path = recorded_file(viewer.project, asset.path)
    if not path.is_file():
        raise NotFoundError(f"the recorded file of asset #{asset.id} ({asset.path}) is missing")
    media_type = _FILE_TYPES.get(asset.format, "application/octet-stream")
    return FileResponse(path, media_type=media_type, filename=path.name, content_disposition_type="attachment")


def credits_download(request: Request) -> Response:
    """The credit sheet as ``provenance credits HANDLE --format FORMAT`` writes it (gaps refused unless
    ``?allow_gaps=1``, as with ``--allow-gaps``)."""
    handle = request.path_params["handle"]
    output_format = request.path_params["output_format"]
    if output_format not in FORMATS:
        raise NotFoundError(f"credit sheets come as {', '.join(FORMATS)}; there is no {output_format!r}")
    allow_gaps = request.query_params.get("allow_gaps", "") in ("1", "true", "yes")
    sheet = request.app.state.viewer.sheets.sheet(handle, allow_gaps=allow_gaps)
    return Response(
        render(sheet, output_format),
        media_type=FORMAT_TYPES[output_format],
        headers={"content-disposition": f'attachment; filename="{sheet.production.handle}-credits.{output_format}"'},
    )


def font(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in SERVED_FONTS:
        raise NotFoundError(f"there is no font {name!r} here")
    file_name, media_type = SERVED_FONTS[name]
    return FileResponse(FONTS / file_name, media_type=media_type, headers={"cache-control": _DAY})
