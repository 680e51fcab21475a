"""Reading artists' files: every kind of bad file is one clear error; transparency becomes paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from provenance.errors import InputFileError, InvalidValueError
from provenance.imaging import decode_image, describe, load_image, pixel_sha256, png_bytes


def test_transparent_sketch_is_flattened_onto_white(tmp_path: Path) -> None:
    path = tmp_path / "lines.png"
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    image.putpixel((0, 0), (10, 20, 30, 255))
    image.save(path)
    loaded = load_image(path)
    assert loaded.mode == "RGB"
    assert loaded.getpixel((0, 0)) == (10, 20, 30) and loaded.getpixel((5, 5)) == (255, 255, 255)


def test_pixel_digest_ignores_metadata_but_not_pixels() -> None:
    image = Image.new("RGB", (16, 16), (1, 2, 3))
    plain, tagged = png_bytes(image), png_bytes(image, {"parameters": "steps 20"})
    assert plain != tagged
    assert describe(plain, image).pixel_sha256 == describe(tagged, image).pixel_sha256
    changed = image.copy()
    changed.putpixel((3, 3), (1, 2, 4))
    assert pixel_sha256(changed) != pixel_sha256(image)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"plain text, not a picture", "is not an image file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02", "is damaged"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        load_image(path)


def test_missing_folder_and_unsupported_format(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(InputFileError, match="is not a file"):
        load_image(tmp_path)
    gif = tmp_path / "anim.gif"
    Image.new("RGB", (4, 4)).save(gif)
    with pytest.raises(InputFileError, match="is a GIF image"):
        load_image(gif)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header and carries one tiny compressed row: a decompression bomb's shape."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_picture_over_the_bound_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = _png_header_only(40_000, 40_000)  # 1.6 gigapixels, 4.8 GB decoded
    with pytest.raises(InputFileError, match=r"40000x40000, over the 150,000,000-pixel bound; set PROVENANCE_MAX") as e:
        decode_image(bomb, name="bomb.png")
    assert "\n" not in str(e.value)
    # Between Pillow's own limit and ours, Pillow's bomb error must not escape either.
    with pytest.raises(InputFileError, match="over the"):
        decode_image(_png_header_only(13_000, 13_000), name="big.png")
    monkeypatch.setenv("PROVENANCE_MAX_PIXELS", str(2_000_000_000))
    with pytest.raises(InputFileError, match="damaged and cannot be decoded"):  # allowed now, and it is truncated
        decode_image(bomb, name="bomb.png")
    monkeypatch.setenv("PROVENANCE_MAX_PIXELS", "lots")
    with pytest.raises(InvalidValueError, match="PROVENANCE_MAX_PIXELS='lots' is not a whole number"):
        decode_image(bomb, name="bomb.png")
