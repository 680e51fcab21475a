"""AI front ends' own metadata: recognising what other tools wrote, and writing A1111's for our outputs.

AUTOMATIC1111 writes a PNG text chunk ``parameters`` (or, in JPEG, the same text in EXIF UserComment): the
prompt, an optional ``Negative prompt:`` line, then one line of ``Key: value`` pairs. ComfyUI writes
``prompt`` and ``workflow`` (JSON); InvokeAI writes ``invokeai_metadata`` (JSON). :func:`parse_a1111` and
:func:`format_a1111` are pure; :func:`read_generator_metadata` reads a file's bytes. Our own AI outputs
carry the A1111 text too, so the tools artists already use can read their settings.

>>> parse_a1111("a harbor\\nNegative prompt: people\\nSteps: 20, Seed: 42, Model hash: 6ce0161689")["seed"]
'42'
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import Any

from PIL import Image, UnidentifiedImageError
from pydantic import Field

from .documents import Document
from .records import LoraRecord

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


# diffusers scheduler classes under the names AUTOMATIC1111 shows for the same samplers.
A1111_SAMPLERS = {
    "DDIMScheduler": "DDIM",
    "PNDMScheduler": "PLMS",
    "LMSDiscreteScheduler": "LMS",
    "EulerDiscreteScheduler": "Euler",
    "EulerAncestralDiscreteScheduler": "Euler a",
    "HeunDiscreteScheduler": "Heun",
    "DPMSolverMultistepScheduler": "DPM++ 2M",
    "UniPCMultistepScheduler": "UniPC",
}


def format_a1111(
    *,
    prompt: str,
    negative_prompt: str,
    steps: int,
    scheduler: str,
    guidance: float,
    seed: int,
    size: tuple[int, int],
    model_hash: str,
    model: str,
    strength: float,
    version: str,
    loras: Sequence[LoraRecord] = (),
) -> str:
    """The ``parameters`` text AUTOMATIC1111 writes for an img2img result.

    LoRAs appear as A1111 users write them, ``<lora:NAME:WEIGHT>`` after the prompt, and by hash in
    ``Lora hashes``, which is what sites such as Civitai read to link them.

    >>> text = format_a1111(prompt="harbor", negative_prompt="", steps=20, scheduler="DDIMScheduler",
    ...     guidance=7.0, seed=5, size=(512, 288), model_hash="0cdb932ad8", model="tiny", strength=0.6,
    ...     version="provenance 0.1.0")
    >>> fields = parse_a1111(text)
    >>> fields["sampler"], fields["seed"], fields["model_hash"]
    ('DDIM', '5', '0cdb932ad8')
    """
    tags = "".join(f" <lora:{lora.name}:{lora.weight:g}>" for lora in loras)
    lines = [prompt + tags]
    if negative_prompt:
        lines.append(f"Negative prompt: {negative_prompt}")
    pairs = {
        "Steps": steps,
        "Sampler": A1111_SAMPLERS.get(scheduler, scheduler),
        "CFG scale": guidance,
        "Seed": seed,
        "Size": f"{size[0]}x{size[1]}",
        "Model hash": model_hash,
        "Model": model,
        "Denoising strength": strength,
    }
    if loras:
        pairs["Lora hashes"] = ", ".join(f"{lora.name}: {lora.short_hash}" for lora in loras)
    pairs["Version"] = version
    lines.append(", ".join(f"{key}: {_quoted(value)}" for key, value in pairs.items()))
    return "\n".join(lines)


def _quoted(value: object) -> str:
    text = str(value)
    return f'"{text}"' if "," in text or ":" in text else text
