"""The img2img engine. Importing this package is cheap; torch and diffusers load on first generation."""

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

__all__ = [
    "Candidate",
    "Fingerprint",
    "GenerationRun",
    "GenerationSettings",
    "ImageGenerator",
    "LoraWeights",
    "ModelSource",
    "RuntimeOptions",
    "TINY_NAME",
    "StepObserver",
    "describe_lora",
    "fingerprint_weights",
    "generate",
    "parse_lora",
    "resolve_model",
    "stored_config",
]
