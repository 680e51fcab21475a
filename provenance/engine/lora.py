"""LoRAs given with ``--lora PATH[:WEIGHT]``: parsing, and describing a file by content. Needs no torch.

A LoRA changes pixels as much as the checkpoint does, so each one is recorded with its sha256, the
hash AUTOMATIC1111 and kohya's scripts give it (:func:`addnet_hash`), the weight it was applied at, and
the metadata its trainer wrote in the safetensors header (kohya's ``ss_*`` keys: base model, training
set, resolution...). Long values such as tag frequency tables are kept as a digest so a manifest stays
small while still identifying them.

>>> parse_lora("styles/harbor.safetensors:0.8")
LoraWeights(path=PosixPath('styles/harbor.safetensors'), weight=0.8)
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from safetensors import SafetensorError, safe_open

from ..errors import InvalidValueError, ModelError
from ..records import LoraRecord
from .fingerprint import cached_sha256

# Longer metadata values (kohya's tag frequencies run to hundreds of kB) are recorded by digest only.
METADATA_VALUE_LIMIT = 1000
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class LoraWeights:
    path: Path
    weight: float = 1.0


def parse_lora(text: str) -> LoraWeights:
    """``PATH`` or ``PATH:WEIGHT``; a colon followed by something that is not a number is part of the path."""
    path, colon, weight = text.rpartition(":")
    if colon and path:
        try:
            value = float(weight)
        except ValueError:
            pass  # e.g. C:/loras/ink.safetensors
        else:
            if not math.isfinite(value):
                raise InvalidValueError(f"LoRA weight {weight!r} is not a number; write PATH:WEIGHT, e.g. {path}:0.8")
            return LoraWeights(Path(path).expanduser(), value)
    if not text:
        raise InvalidValueError("a LoRA needs a file: PATH[:WEIGHT]")
    return LoraWeights(Path(text).expanduser())


def describe_lora(lora: LoraWeights) -> LoraRecord:
    """The record of one LoRA file: checked to be safetensors, fingerprinted, its metadata read."""
    if not lora.path.is_file():
        raise ModelError(f"LoRA {lora.path} not found; give the path of a .safetensors file")
    try:
        with safe_open(str(lora.path), framework="np") as handle:
            metadata = handle.metadata() or {}
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelError(f"LoRA {lora.path} is not a safetensors file; only .safetensors LoRAs are supported") from exc
    sha256 = cached_sha256(lora.path)
    return LoraRecord(
        name=lora.path.stem,
        sha256=sha256,
        short_hash=sha256[:10],
        addnet_hash=addnet_hash(lora.path),
        weight=lora.weight,
        metadata={key: _bounded(value) for key, value in sorted(metadata.items())},
    )


def addnet_hash(path: Path) -> str:
    """The sha256 of a safetensors file's tensor data, its header left out, as kohya's sd-scripts define it.

    AUTOMATIC1111 names a safetensors LoRA by this hash (the first 12 hex digits in ``Lora hashes``), not by
    the file's sha256, so that editing the header's metadata does not change it; Civitai calls it AutoV3.
    The header is an 8-byte little-endian length followed by that many bytes of JSON.
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        header_length = int.from_bytes(handle.read(8), "little")
        handle.seek(8 + header_length)
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _bounded(value: str) -> str:
    if len(value) <= METADATA_VALUE_LIMIT:
        return value
    return f"({len(value)} characters, sha256 {hashlib.sha256(value.encode()).hexdigest()})"
