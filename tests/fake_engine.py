"""A stand-in for the img2img engine, for tests that are about records, not pixels.

It takes the engine's place through the seam (``record_generation(..., generator=fake_generate)``) and
makes deterministic pictures in milliseconds: the input, softened and tinted, with noise drawn from the
candidate's seed, mixed by the strength as img2img mixes its noise. Like the real engine it trims the
input to a multiple of 8, reports every step to the observer, and says what ran.

>>> run = fake_generate(source, image, GenerationSettings(prompt="x", seeds=[1, 2]))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

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
    width, height = image.width - image.width % 8, image.height - image.height % 8
    base = np.asarray(image.crop((0, 0, width, height)).convert("RGB").filter(ImageFilter.GaussianBlur(1)), float)
    steps_run = max(1, int(settings.strength * settings.steps))
    candidates = []
    for index, seed in enumerate(settings.seeds):
        noise = np.random.default_rng(seed).uniform(0, 255, base.shape)
        tint = np.array([(seed * 37) % 60, (seed * 11) % 60, (seed * 23) % 60], float)
        pixels = (1 - settings.strength) * base + settings.strength * (0.5 * noise + 0.5 * (base + tint))
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
