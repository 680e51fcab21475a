"""Reading artists' image files and describing image bytes: digests and perceptual hashes.

Every stage works on flattened RGB: a sketch drawn on a transparent layer is composited onto white paper,
which is how it would be scanned or printed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .errors import InputFileError, InvalidValueError

SUPPORTED_FORMATS = ("PNG", "JPEG", "TIFF", "WEBP", "BMP")
# The largest picture decoded, checked from the file's header before any pixel is decoded: a guard against
# decompression bombs. 150 megapixels is twice a 16K pan background; PROVENANCE_MAX_PIXELS raises it.
MAX_PIXELS = 150_000_000
MAX_PIXELS_VARIABLE = "PROVENANCE_MAX_PIXELS"
# Beside the pixels, what a file may carry: its C2PA manifest store (thumbnails, ingredients), EXIF, XMP, ICC.
METADATA_BYTES = 256 * 1024 * 1024

# Manifest thumbnails: enough for the process sheet (320 px columns) on a high-density screen. c2pa's own
# are 1024 px and cost ~50 ms a file to make, most of the time it takes to sign one.
THUMBNAIL_SIZE = 512


@dataclass(frozen=True)
class ImageFacts:
    """What the records keep about one image file."""

    sha256: str
    pixel_sha256: str
    phash: str
    dhash: str
    width: int
    height: int
    format: str


def load_image(path: Path) -> Image.Image:
    """Decode an artist's file into RGB, or fail with one line that says why.

    >>> load_image(Path("missing.png"))
    Traceback (most recent call last):
    provenance.errors.InputFileError: missing.png does not exist; check the path
    """
    return decode_image(read_file(path), name=str(path))


def read_file(path: Path) -> bytes:
    """The bytes of an input file, or one line that says why they cannot be had.

    Only a regular file is read, and only one no larger than :func:`max_file_bytes`. Both are checked on
    the open file, so a name swapped for a pipe or a device after a look at it cannot hang the read or
    stream without end, and a huge file named like a picture is refused before it fills the memory.
    """
    if not path.exists():
        raise InputFileError(f"{path} does not exist; check the path")
    if not path.is_file():
        raise InputFileError(f"{path} is not a file; give the path of an image file")
    try:
        # O_NONBLOCK: opening a pipe for reading would otherwise wait for a writer, before fstat could tell.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InputFileError(f"{path} cannot be read ({exc.strerror})") from exc
    with open(fd, "rb") as opened:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise InputFileError(f"{path} is not a file; give the path of an image file")
        bound = max_file_bytes()
        if status.st_size > bound:
            raise InputFileError(
                f"{path} is {status.st_size:,} bytes, larger than any picture within the "
                f"{max_pixels():,}-pixel bound ({bound:,} bytes); set {MAX_PIXELS_VARIABLE} higher if it is genuine"
            )
        try:
            # One byte past the bound tells a file that grew after fstat from one that is exactly that size.
            data = opened.read(bound + 1)
        except OSError as exc:
            raise InputFileError(f"{path} cannot be read ({exc.strerror})") from exc
    if len(data) > bound:
        raise InputFileError(f"{path} grew past {bound:,} bytes while it was read; audit it when it is written")
    return data


def max_file_bytes() -> int:
    """The largest input file read: room for every pixel within :func:`max_pixels` at 16 bits for each of
    four channels, uncompressed (a TIFF can be that), and :data:`METADATA_BYTES` of metadata beside them."""
    return max_pixels() * 8 + METADATA_BYTES


def max_pixels() -> int:
    """The decoding bound: ``$PROVENANCE_MAX_PIXELS`` when set, else :data:`MAX_PIXELS`."""
    value = os.environ.get(MAX_PIXELS_VARIABLE, "").strip()
    if not value:
        return MAX_PIXELS
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise InvalidValueError(f"{MAX_PIXELS_VARIABLE}={value!r} is not a whole number of pixels; e.g. 300000000")
    return int(value)


def decode_image(data: bytes, *, name: str) -> Image.Image:
    """Decode image bytes into RGB, refusing pictures over :func:`max_pixels` before decoding them."""
    bound = max_pixels()
    try:
        with _header_only(), Image.open(io.BytesIO(data)) as opened:
            fmt = opened.format or "unknown"
            if fmt not in SUPPORTED_FORMATS:
                raise InputFileError(f"{name} is a {fmt} image; export it as one of {', '.join(SUPPORTED_FORMATS)}")
            if opened.width * opened.height > bound:
                raise InputFileError(
                    f"{name} is {opened.width}x{opened.height}, over the {bound:,}-pixel bound; "
                    f"set {MAX_PIXELS_VARIABLE} higher if the picture is genuine"
                )
            opened.load()
            return _flatten(opened)
    except UnidentifiedImageError as exc:
        raise InputFileError(f"{name} is not an image file; give a PNG, JPEG, TIFF or WebP") from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InputFileError(f"{name} is damaged and cannot be decoded ({exc}); re-export it") from exc


@contextlib.contextmanager
def _header_only() -> Iterator[None]:
    """Leave the size check to :func:`decode_image`, which applies our bound (and its override) instead of
    Pillow's fixed one; Pillow's check would raise or warn at its own limit before ours is consulted.

    Pillow's other warnings are about metadata it skips (``Corrupt EXIF data``); the pixels decode all the
    same, and the warning would only add lines to stderr around our one-line answers.
    """
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image.convert("RGB")


_MIME_BY_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def mime_type_of(data: bytes) -> str | None:
    """``image/png`` or ``image/jpeg`` by the file's first bytes: the formats whose manifests we read."""
    return next((mime for magic, mime in _MIME_BY_MAGIC.items() if data.startswith(magic)), None)


def png_bytes(image: Image.Image, text: dict[str, str] | None = None) -> bytes:
    """Encode as PNG, optionally with tEXt chunks."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_itxt(key, value)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def thumbnail_jpeg(image: Image.Image) -> bytes:
    """The picture at most ``THUMBNAIL_SIZE`` px on its long side, as the JPEG a manifest embeds."""
    small = _flatten(image)
    small.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def pixel_sha256(image: Image.Image) -> str:
    """Digest of the decoded pixels: survives re-encoding and metadata changes, not any pixel change."""
    rgb = image.convert("RGB")
    digest = hashlib.sha256(f"RGB {rgb.width}x{rgb.height}\n".encode())
    digest.update(rgb.tobytes())
    return digest.hexdigest()


def describe(data: bytes, image: Image.Image) -> ImageFacts:
    """Facts about encoded bytes ``data`` whose decoded pixels are ``image``."""
    import imagehash  # only recording hashes pixels; an audit of a signed file never does

    return ImageFacts(
        sha256=hashlib.sha256(data).hexdigest(),
        pixel_sha256=pixel_sha256(image),
        phash=str(imagehash.phash(image)),
        dhash=str(imagehash.dhash(image)),
        width=image.width,
        height=image.height,
        format=_format_of(data),
    )


def _format_of(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as probe:
        return probe.format or "unknown"
