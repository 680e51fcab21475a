"""Identifying weights by content: the sha256 of every weight file of a model folder or file.

Needs no torch, so an audit or a credit sheet can fingerprint without loading a model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".ckpt", ".pt", ".pth")
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Fingerprint:
    weight_sha256: dict[str, str]
    # One digest over all the weight digests: equal fingerprints mean equal weights.
    digest: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint_weights(path: Path) -> Fingerprint:
    """Hash the weight files of a diffusers folder (or a single checkpoint file).

    >>> fingerprint_weights(Path("models/tiny")).weight_sha256  # doctest: +SKIP
    {'text_encoder/model.safetensors': '3f1c...', 'unet/diffusion_pytorch_model.safetensors': '...'}
    """
    if path.is_file():
        files = [path]
        root = path.parent
    else:
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
        root = path
    weights = {file.relative_to(root).as_posix(): sha256_file(file) for file in files}
    combined = hashlib.sha256("".join(f"{name}:{sha}\n" for name, sha in sorted(weights.items())).encode())
    return Fingerprint(weight_sha256=weights, digest=combined.hexdigest())
