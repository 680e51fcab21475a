"""The img2img engine. Importing this package is cheap; torch and diffusers load on first generation."""

from .fingerprint import Fingerprint, fingerprint_weights
from .img2img import Candidate, GenerationRun, GenerationSettings, RuntimeOptions, StepObserver, generate
from .models import ModelSource, resolve_model

__all__ = [
    "Candidate",
    "Fingerprint",
    "GenerationRun",
    "GenerationSettings",
    "ModelSource",
    "RuntimeOptions",
    "StepObserver",
    "fingerprint_weights",
    "generate",
    "resolve_model",
]
