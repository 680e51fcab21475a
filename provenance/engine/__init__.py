"""The img2img engine. Importing this package is cheap: its names load on first use (PEP 562), and torch
and diffusers only when a generation runs, so `generate` can start the engine's own process first
(:mod:`provenance.engine.process`) before anything heavy loads."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Public name -> the module that defines it.
_EXPORTS = {
    "Candidate": "provenance.engine.img2img",
    "GenerationRun": "provenance.engine.img2img",
    "GenerationSettings": "provenance.engine.img2img",
    "ImageGenerator": "provenance.engine.img2img",
    "RuntimeOptions": "provenance.engine.img2img",
    "StepObserver": "provenance.engine.img2img",
    "generate": "provenance.engine.img2img",
    "Fingerprint": "provenance.engine.fingerprint",
    "fingerprint_weights": "provenance.engine.fingerprint",
    "LoraWeights": "provenance.engine.lora",
    "describe_lora": "provenance.engine.lora",
    "parse_lora": "provenance.engine.lora",
    "ModelSource": "provenance.engine.models",
    "resolve_model": "provenance.engine.models",
    "stored_config": "provenance.engine.models",
    "TINY_NAME": "provenance.engine.tiny",
}

__all__ = [
    "Candidate",
    "Fingerprint",
    "GenerationRun",
    "GenerationSettings",
    "ImageGenerator",
    "LoraWeights",
    "ModelSource",
    "RuntimeOptions",
    "StepObserver",
    "TINY_NAME",
    "describe_lora",
    "fingerprint_weights",
    "generate",
    "parse_lora",
    "resolve_model",
    "stored_config",
]

if TYPE_CHECKING:
    from .fingerprint import Fingerprint, fingerprint_weights
    from .img2img import (
        Candidate,
        GenerationRun,
        GenerationSettings,
        ImageGenerator,
        RuntimeOptions,
        StepObserver,
        generate,
    )
    from .lora import LoraWeights, describe_lora, parse_lora
    from .models import ModelSource, resolve_model, stored_config
    from .tiny import TINY_NAME


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'provenance.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function; a test's monkeypatch replaces it here too
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
