"""Pictures for the pages: small JPEG previews of recorded files, and the heatmap as a see-through overlay.

A 4K PNG is 25 MB and takes half a second to decode, so pages show previews (320 px for grids, 1280 px
for a file's page), made once and kept in memory up to a byte budget, keyed by the file's path, size and
modification time. Decoding goes through :func:`~provenance.imaging.decode_image`, with the same pixel
bound as the command line.

The overlay is the audit's ownership map (which stage last changed each pixel) in the colours of the
audit's heatmap, transparent where no stage owns a pixel, to lay over the picture on the page.
"""

from __future__ import annotations

import base64
import io
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PIL import Image

from ..audit import AuditReport
from ..audit.visuals import PALETTE
from ..errors import NotFoundError
from ..imaging import decode_image, read_file

PREVIEW_WIDTHS = (320, 1280)
OVERLAY_ALPHA = 170


def preview_jpeg(data: bytes, width: int, *, name: str) -> bytes:
    """The picture in ``data`` at most ``width`` pixels wide (never enlarged), as a JPEG."""
    image = decode_image(data, name=name)
    image.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def overlay_png(report: AuditReport) -> bytes:
    """Each pixel in the colour of the stage that last changed it, see-through; PNG at the audit's working size."""
    owners = report.ownership
    if owners is None:
        raise NotFoundError("this audit measured no shares (tampered, or no stages), so there is no heatmap")
    colours = np.zeros((*owners.shape, 4), dtype=np.uint8)
    for index in range(len(report.stages)):
        colours[owners == index] = (*PALETTE[index % len(PALETTE)], OVERLAY_ALPHA)
    buffer = io.BytesIO()
    Image.fromarray(colours, "RGBA").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def stage_colour(index: int) -> str:
    """The heatmap's colour of stage ``index`` as CSS/SVG text.

    >>> stage_colour(0)
    'rgb(66, 133, 244)'
    """
    red, green, blue = PALETTE[index % len(PALETTE)]
    return f"rgb({red}, {green}, {blue})"


def data_uri(mime_type: str, data: bytes) -> str:
    """A picture inlined in the page, for what is never stored: a dropped file's preview and overlay."""
    return f"data:{mime_type};base64,{base64.b64encode(data).decode()}"


class PictureCache:
    """Previews of recorded files in memory, least recently used dropped first past ``budget`` bytes."""

    def __init__(self, budget: int = 96 * 1024 * 1024) -> None:
        self.budget = budget
        self._previews: OrderedDict[tuple[str, int, int, int], bytes] = OrderedDict()
        self._used = 0
        self._lock = threading.Lock()

    def preview(self, path: Path, width: int) -> bytes:
        if width not in PREVIEW_WIDTHS:
            raise NotFoundError(f"previews come {' or '.join(map(str, PREVIEW_WIDTHS))} pixels wide")
        try:
            status = path.stat()
        except OSError as exc:
            raise NotFoundError(f"the recorded file {path.name} is missing; `provenance check` lists those") from exc
        key = (str(path), status.st_size, status.st_mtime_ns, width)
        with self._lock:
            if key in self._previews:
                self._previews.move_to_end(key)
                return self._previews[key]
        data = preview_jpeg(read_file(path), width, name=path.name)
        with self._lock:
            if key not in self._previews:
                self._previews[key] = data
                self._used += len(data)
            while self._used > self.budget and self._previews:
                _, dropped = self._previews.popitem(last=False)
                self._used -= len(dropped)
        return data
