"""Recognising images made by other AI front ends from the metadata they write (DESIGN.md).

AUTOMATIC1111 writes a PNG text chunk ``parameters`` (or, in JPEG, the same text in EXIF UserComment): the
prompt, an optional ``Negative prompt:`` line, then one line of ``Key: value`` pairs. ComfyUI writes
``prompt`` and ``workflow`` (JSON); InvokeAI writes ``invokeai_metadata`` (JSON). :func:`parse_a1111` is
pure; :func:`read_generator_metadata` reads a file's bytes.

>>> parse_a1111("a harbor\\nNegative prompt: people\\nSteps: 20, Seed: 42, Model hash: 6ce0161689")["seed"]
'42'
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from PIL import Image, UnidentifiedImageError
from pydantic import Field

from .documents import Document

_EXIF_USER_COMMENT = 0x9286
_EXIF_IFD = 0x8769
# "Key: value" pairs on A1111's last line; values may be quoted and contain commas.
_PAIR = re.compile(r'\s*([\w /()-]+):\s*("(?:\\.|[^"])*"|[^,]*)(?:,|$)')


class GeneratorMetadata(Document):
    """What another tool wrote about how it generated an image."""

    generator: str = Field(description="AUTOMATIC1111, ComfyUI or InvokeAI")
    parameters: dict[str, Any] = Field(description="seed, steps, sampler, model hash, ... as the tool wrote them")


def read_generator_metadata(data: bytes) -> GeneratorMetadata | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            text = {str(k): v for k, v in getattr(image, "text", {}).items() if isinstance(v, str)}
            user_comment = _user_comment(image) if image.format == "JPEG" else None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    if "parameters" in text or user_comment:
        return GeneratorMetadata(
            generator="AUTOMATIC1111", parameters=parse_a1111(text.get("parameters") or user_comment or "")
        )
    if "prompt" in text or "workflow" in text:
        return GeneratorMetadata(generator="ComfyUI", parameters=_comfyui(text))
    if "invokeai_metadata" in text:
        return GeneratorMetadata(generator="InvokeAI", parameters=_json(text["invokeai_metadata"]))
    return None


def parse_a1111(text: str) -> dict[str, Any]:
    """The fields of an A1111 ``parameters`` text, keys in snake case (``Model hash`` -> ``model_hash``)."""
    lines = text.strip().splitlines()
    settings_line = lines.pop() if lines and _PAIR.match(lines[-1]) and "Steps:" in lines[-1] else ""
    negative_at = next((i for i, line in enumerate(lines) if line.startswith("Negative prompt:")), len(lines))
    fields: dict[str, Any] = {"prompt": "\n".join(lines[:negative_at]).strip()}
    if negative_at < len(lines):
        fields["negative_prompt"] = "\n".join(lines[negative_at:]).removeprefix("Negative prompt:").strip()
    for key, value in _PAIR.findall(settings_line):
        fields[key.strip().lower().replace(" ", "_")] = value.strip().strip('"')
    return fields


def _comfyui(text: dict[str, str]) -> dict[str, Any]:
    prompt = _json(text.get("prompt", "{}"))
    fields: dict[str, Any] = {"nodes": len(prompt) if isinstance(prompt, dict) else 0}
    for node in prompt.values() if isinstance(prompt, dict) else []:
        inputs = node.get("inputs", {}) if isinstance(node, dict) else {}
        if node.get("class_type", "").startswith("KSampler"):
            for key in ("seed", "noise_seed", "steps", "cfg", "sampler_name", "scheduler", "denoise"):
                if key in inputs and not isinstance(inputs[key], list):
                    fields[key] = inputs[key]
        if "ckpt_name" in inputs:
            fields["model"] = inputs["ckpt_name"]
    return fields


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return {"unparsed": text[:200]}


def _user_comment(image: Image.Image) -> str | None:
    raw = image.getexif().get_ifd(_EXIF_IFD).get(_EXIF_USER_COMMENT)
    if isinstance(raw, str):
        return raw or None
    if not isinstance(raw, bytes) or len(raw) < 8:
        return None
    # The first eight bytes name the character code (EXIF 2.3, 4.6.5).
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        encoding = "utf-16-be" if body[:1] == b"\x00" else "utf-16-le"
        return body.decode(encoding, errors="replace").rstrip("\x00") or None
    return body.decode("utf-8", errors="replace").rstrip("\x00") or None
