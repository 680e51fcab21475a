"""Running diffusers img2img: the only module that imports torch and diffusers, and only when called."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from ..errors import ModelError
from .models import ModelSource
from .quiet import quiet_libraries

StepObserver = Callable[[int, int, int], None]
"""Called as ``observer(candidate_index, step, total_steps)`` after every denoising step."""


@dataclass(frozen=True)
class GenerationSettings:
    """Everything a user chooses that changes pixels. One seed per candidate."""

    prompt: str
    seeds: list[int]
    strength: float = 0.6
    steps: int = 20
    guidance: float = 7.0
    negative_prompt: str = ""


@dataclass(frozen=True)
class Candidate:
    image: Image.Image
    seed: int


@dataclass(frozen=True)
class GenerationRun:
    """What was run, recorded with every candidate."""

    candidates: list[Candidate]
    steps_run: int
    width: int
    height: int
    device: str
    dtype: str
    pipeline: str
    scheduler: str
    versions: dict[str, str] = field(default_factory=dict)


def generate(
    source: ModelSource,
    image: Image.Image,
    settings: GenerationSettings,
    on_step: StepObserver | None = None,
) -> GenerationRun:
    """Make one candidate per seed from ``image`` with the model at ``source``.

    Seeds drive a CPU generator, as diffusers recommends, so a seed means the same noise on every device.
    """
    # SD latents are 8x smaller than the picture: trim to a multiple of 8 rather than stretch it.
    width, height = image.width - image.width % 8, image.height - image.height % 8
    if width == 0 or height == 0:
        raise ModelError(f"the input is {image.width}x{image.height}; it must be at least 8x8 pixels")
    prepared = image.crop((0, 0, width, height)) if (width, height) != image.size else image

    with quiet_libraries():
        import diffusers
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        dtype = torch.float16 if device == "cuda" else torch.float32
        pipeline = _load(source, dtype).to(device)
    pipeline.set_progress_bar_config(disable=True)

    candidates = []
    steps_run = 0
    for index, seed in enumerate(settings.seeds):
        step_counter = _StepCounter(index, on_step)
        output = pipeline(
            prompt=settings.prompt,
            negative_prompt=settings.negative_prompt or None,
            image=prepared,
            strength=settings.strength,
            num_inference_steps=settings.steps,
            guidance_scale=settings.guidance,
            generator=torch.Generator("cpu").manual_seed(seed),
            callback_on_step_end=step_counter,
        )
        candidates.append(Candidate(image=output.images[0], seed=seed))
        steps_run = step_counter.steps
    return GenerationRun(
        candidates=candidates,
        steps_run=steps_run,
        width=width,
        height=height,
        device=device,
        dtype=str(dtype).removeprefix("torch."),
        pipeline=type(pipeline).__name__,
        scheduler=type(pipeline.scheduler).__name__,
        versions={"diffusers": diffusers.__version__, "torch": torch.__version__},
    )


class _StepCounter:
    """A ``callback_on_step_end`` observer: counts the steps run and reports them."""

    def __init__(self, candidate: int, on_step: StepObserver | None) -> None:
        self.candidate = candidate
        self.on_step = on_step
        self.steps = 0

    def __call__(self, pipeline: Any, step: int, timestep: Any, callback_kwargs: dict[str, Any]) -> dict:
        self.steps = step + 1
        if self.on_step is not None:
            self.on_step(self.candidate, self.steps, int(pipeline.num_timesteps))
        return callback_kwargs


def _load(source: ModelSource, dtype: Any) -> Any:
    from diffusers import AutoPipelineForImage2Image

    try:
        return AutoPipelineForImage2Image.from_pretrained(str(source.path), torch_dtype=dtype, local_files_only=True)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"the model at {source.path} cannot be loaded: {first_line}") from None
