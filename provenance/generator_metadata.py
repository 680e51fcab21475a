"""AI front ends' own metadata in a file: recognising what other tools wrote about how they made it.

AUTOMATIC1111 writes a PNG text chunk ``parameters`` (or, in JPEG and WebP, the same text in EXIF
UserComment; read with :mod:`provenance.a1111`). ComfyUI writes ``prompt`` and ``workflow`` (JSON);
InvokeAI writes ``invokeai_metadata`` (JSON). :func:`read_generator_metadata` reads a file's bytes, which
may come from anyone: whatever they hold, it returns a bounded result or None and never raises.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import struct
import warnings
import zlib
from typing import Any

from PIL import Image
from pydantic import Field

from .a1111 import a1111_fields
from .documents import Document

_EXIF_USER_COMMENT = 0x9286
_EXIF_IFD = 0x8769

# What Pillow raises for a damaged or hostile file: bad chunks, oversized text, broken EXIF, bombs.
_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, Image.DecompressionBombError)

# Bounds on what another tool's metadata may put into a report.
_JSON_TEXT_LIMIT = 4 * 1024 * 1024  # characters of ComfyUI or InvokeAI JSON parsed
_VALUE_LIMIT = 10_000  # characters kept of one string
_KEY_LIMIT = 200  # characters kept of one key
_ITEMS_LIMIT = 200  # entries kept of one object or list
_DEPTH_LIMIT = 4  # levels of nesting kept
_REPORT_LIMIT = 100_000  # characters kept in all
_CUT = "…"


class GeneratorMetadata(Document):
    """What another tool wrote about how it generated an image."""

    generator: str = Field(description="AUTOMATIC1111, ComfyUI or InvokeAI")
    parameters: dict[str, Any] = Field(description="seed, steps, sampler, model hash, ... as the tool wrote them")


def read_generator_metadata(data: bytes) -> GeneratorMetadata | None:
    """The generator metadata in an image file's bytes, or None if there is none or the file is unreadable.

    Every size is bounded (see the limits above) and nothing in the file can make this raise.
    """
    text, user_comment = _embedded_text(data)
    if "parameters" in text:
        return _found("AUTOMATIC1111", a1111_fields(text["parameters"]))
    if user_comment is not None:
        # Cameras and editors write UserComment too; A1111's always ends with its settings line.
        fields = a1111_fields(user_comment)
        if "steps" in fields:
            return _found("AUTOMATIC1111", fields)
    if "prompt" in text or "workflow" in text:
        return _found("ComfyUI", _comfyui(text))
    if "invokeai_metadata" in text:
        metadata = _json(text["invokeai_metadata"])
        if not isinstance(metadata, dict):
            metadata = {"unparsed": text["invokeai_metadata"]}
        return _found("InvokeAI", metadata)
    return None


def _found(generator: str, fields: dict[str, Any]) -> GeneratorMetadata:
    return GeneratorMetadata(generator=generator, parameters=_BoundedCopy().of(fields))


def _embedded_text(data: bytes) -> tuple[dict[str, str], str | None]:
    """PNG text chunks by keyword, and the EXIF UserComment of a JPEG or WebP."""
    # A damaged file is answered by what is found in it; Pillow's warnings about it would only be noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _read_embedded_text(data)


def _read_embedded_text(data: bytes) -> tuple[dict[str, str], str | None]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            try:
                chunks = getattr(image, "text", {})
            except _UNREADABLE:  # .text decodes the pixels; the chunks before them were read on opening
                chunks = image.info
            text = {str(key): value for key, value in chunks.items() if isinstance(value, str)}
            user_comment = _user_comment(image) if image.format in ("JPEG", "WEBP") else None
    except _UNREADABLE:
        return {}, None
    return text, user_comment


def _user_comment(image: Image.Image) -> str | None:
    try:
        raw = image.getexif().get_ifd(_EXIF_IFD).get(_EXIF_USER_COMMENT)
    except (*_UNREADABLE, KeyError, TypeError, IndexError):
        return None
    if isinstance(raw, str):
        return raw or None
    if not isinstance(raw, bytes) or len(raw) < 8:
        return None
    # The first eight bytes name the character code (EXIF 2.3, 4.6.5); A1111 writes UNICODE, big-endian.
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        encoding = "utf-16-be" if body[:1] == b"\x00" else "utf-16-le"
    elif code.startswith(b"JIS"):
        encoding = "shift_jis"
    else:
        encoding = "utf-8"
    return body.decode(encoding, errors="replace").rstrip("\x00") or None


_SAMPLER_INPUTS = ("seed", "noise_seed", "steps", "cfg", "sampler_name", "scheduler", "denoise")


def _comfyui(text: dict[str, str]) -> dict[str, Any]:
    prompt = _json(text.get("prompt", "{}"))
    nodes = [node for node in prompt.values() if isinstance(node, dict)] if isinstance(prompt, dict) else []
    fields: dict[str, Any] = {"nodes": len(nodes)}
    if prompt is None:
        fields["unparsed"] = text["prompt"]
    for node in nodes:
        inputs = node.get("inputs")
        inputs = inputs if isinstance(inputs, dict) else {}
        class_type = node.get("class_type")
        if isinstance(class_type, str) and class_type.startswith("KSampler"):
            # A list is a link to another node's output, not a value.
            fields.update({key: inputs[key] for key in _SAMPLER_INPUTS if isinstance(inputs.get(key), _SCALARS)})
        if isinstance(inputs.get("ckpt_name"), str):
            fields["model"] = inputs["ckpt_name"]
    return fields


_SCALARS = (str, int, float)


def _json(text: str) -> Any:
    """The parsed JSON, or None when it is not JSON, too long, or nested too deep for the parser."""
    if len(text) > _JSON_TEXT_LIMIT:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


class _BoundedCopy:
    """A copy of JSON-like data small enough for a report: each string, list, object, the depth and the total."""

    def __init__(self) -> None:
        self.left = _REPORT_LIMIT

    def of(self, fields: dict[str, Any]) -> dict[str, Any]:
        copied = self._copy(fields, 0)
        assert isinstance(copied, dict)
        return copied

    def _copy(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            return self._string(value, _VALUE_LIMIT)
        if value is None or isinstance(value, (bool, int, float)):
            self.left -= len(str(value))
            return value if not isinstance(value, float) or math.isfinite(value) else str(value)  # no NaN in JSON
        if depth >= _DEPTH_LIMIT or self.left <= 0:
            return _CUT
        if isinstance(value, dict):
            entries = itertools.islice(value.items(), _ITEMS_LIMIT)
            return {self._string(str(key), _KEY_LIMIT): self._copy(item, depth + 1) for key, item in entries}
        if isinstance(value, list):
            return [self._copy(item, depth + 1) for item in value[:_ITEMS_LIMIT]]
        return self._string(repr(value), _VALUE_LIMIT)

    def _string(self, text: str, limit: int) -> str:
        kept = text[: max(0, min(limit, self.left))]
        self.left -= len(kept) + 1
        return text if kept == text else f"{kept}{_CUT} ({len(text)} characters)"
