"""Reading a PNG's embedded C2PA manifest store box by box, without c2pa (ISO/IEC 19566-5 JUMBF).

c2pa's Reader reports ``"kind": "Json"`` for a ``cawg.metadata`` assertion whether it was embedded as
JSON or as CBOR, so what a file really carries is read here from its bytes.

A JUMBF superbox (type ``jumb``) starts with a description box (``jumd``): a 16-byte type UUID whose first
four bytes name the content (``json``, ``cbor``, ``c2pa``...), a toggles byte, then, when toggle 0x02 is
set, a NUL-terminated label. The boxes after the description hold the content.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_LABEL_PRESENT = 0x02


@dataclass(frozen=True)
class Superbox:
    content_type: bytes
    label: str
    contents: list[tuple[bytes, bytes]]


def png_manifest_store(png: bytes) -> bytes:
    """The payload of the PNG's ``caBX`` chunk, where C2PA embeds the manifest store."""
    assert png.startswith(_PNG_SIGNATURE)
    position = len(_PNG_SIGNATURE)
    while position < len(png):
        length, kind = struct.unpack_from(">I4s", png, position)
        if kind == b"caBX":
            return png[position + 8 : position + 8 + length]
        position += 12 + length  # length, type, data, CRC
    raise AssertionError("no caBX chunk")


def boxes(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """``(type, payload)`` of each box in ``data``, in order."""
    position = 0
    while position + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:  # a 64-bit size follows the type
            (size,) = struct.unpack_from(">Q", data, position + 8)
            header = 16
        elif size == 0:  # the box runs to the end
            size = len(data) - position
        yield kind, data[position + header : position + size]
        position += size


def superboxes(data: bytes) -> Iterator[Superbox]:
    """Every JUMBF superbox in ``data``, nested ones included, outermost first."""
    for kind, payload in boxes(data):
        if kind != b"jumb":
            continue
        (description_type, description), *contents = boxes(payload)
        assert description_type == b"jumd"
        type_uuid, toggles = description[:16], description[16]
        label = description[17 : description.index(b"\x00", 17)].decode() if toggles & _LABEL_PRESENT else ""
        yield Superbox(content_type=type_uuid[:4], label=label, contents=contents)
        yield from superboxes(payload)
