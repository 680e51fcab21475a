"""A stand-in for the img2img engine, for tests that are about records, not pixels.

It takes the engine's place through the seam (``record_generation(..., generator=fake_generate)``) and
makes deterministic pictures in milliseconds: the input, softened and tinted, with noise drawn from the
candidate's seed, mixed by the strength as img2img mixes its noise. Like the real engine it trims the
input to a multiple of 8, reports every step to the observer, and says what ran.

Two more stand-ins give pictures whose answers are known without a trained model: ``line_keeping_generate``
keeps the input's lines as img2img at strength 0.5-0.7 does on a real model (blurred, recoloured to a dusk
palette, noised), and ``noise_generate`` keeps nothing of it (pure noise).

>>> run = fake_generate(source, image, GenerationSettings(prompt="x", seeds=[1, 2]))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageFilter

from provenance.engine import (
    Candidate,
    GenerationRun,
    GenerationSettings,
    LoraWeights,
    ModelSource,
    RuntimeOptions,
    StepObserver,
)

PIPELINE = "FakeImg2ImgPipeline"


def fake_generate(
    source: ModelSource,
    image: Image.Image,
    settings: GenerationSettings,
    on_step: StepObserver | None = None,
    options: RuntimeOptions | None = None,
    loras: Sequence[LoraWeights] = (),
) -> GenerationRun:
    def softened(base: np.ndarray, seed: int) -> np.ndarray:
        base = np.asarray(Image.fromarray(base.astype(np.uint8)).filter(ImageFilter.GaussianBlur(1)), float)
        noise = np.random.default_rng(seed).uniform(0, 255, base.shape)
        tint = np.array([(seed * 37) % 60, (seed * 11) % 60, (seed * 23) % 60], float)
        return (1 - settings.strength) * base + settings.strength * (0.5 * noise + 0.5 * (base + tint))

    return _run(image, settings, on_step, softened)


def line_keeping_generate(
    source: ModelSource,
    image: Image.Image,
    settings: GenerationSettings,
    on_step: StepObserver | None = None,
    options: RuntimeOptions | None = None,
    loras: Sequence[LoraWeights] = (),
) -> GenerationRun:
    """The layout's lines kept, everything else changed: blurred by 2 px, every colour mapped to a dusk
    palette (paper to orange, ink to deep blue), and half the strength's worth of noise from the seed."""

    def recoloured(base: np.ndarray, seed: int) -> np.ndarray:
        blurred = np.asarray(Image.fromarray(base.astype(np.uint8)).filter(ImageFilter.GaussianBlur(2)), float)
        light = blurred.mean(axis=2, keepdims=True) / 255
        dusk = (1 - light) * np.array([30.0, 40.0, 110.0]) + light * np.array([235.0, 150.0, 80.0])
        noise = np.random.default_rng(seed).uniform(0, 255, base.shape)
        return (1 - settings.strength / 2) * dusk + settings.strength / 2 * noise

    return _run(image, settings, on_step, recoloured)


def noise_generate(
    source: ModelSource,
    image: Image.Image,
    settings: GenerationSettings,
    on_step: StepObserver | None = None,
    options: RuntimeOptions | None = None,
    loras: Sequence[LoraWeights] = (),
) -> GenerationRun:
    """Nothing of the input kept: uniform colour noise from the seed."""
    return _run(image, settings, on_step, lambda base, seed: np.random.default_rng(seed).uniform(0, 255, base.shape))


def _run(
    image: Image.Image,
    settings: GenerationSettings,
    on_step: StepObserver | None,
    make: Callable[[np.ndarray, int], np.ndarray],
) -> GenerationRun:
    """A run as the engine reports one: the input trimmed to a multiple of 8, every step observed."""
    width, height = image.width - image.width % 8, image.height - image.height % 8
    base = np.asarray(image.crop((0, 0, width, height)).convert("RGB"), float)
    steps_run = max(1, int(settings.strength * settings.steps))
    candidates = []
    for index, seed in enumerate(settings.seeds):
        pixels = make(base, seed)
        for step in range(1, steps_run + 1):
            if on_step is not None:
                on_step(index, step, steps_run)
        candidates.append(Candidate(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), seed))
    return GenerationRun(
        candidates=candidates,
        steps_run=steps_run,
        width=width,
        height=height,
        device="cpu",
        dtype="float32",
        pipeline=PIPELINE,
        scheduler="DDIMScheduler",
        scheduler_config={"fake": True},
        versions={"fake-engine": "1"},
    )
