"""Running diffusers img2img: the only module that imports torch and diffusers, and only when called."""

from __future__ import annotations

import gc
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from PIL import Image

from ..errors import ModelError
from .lora import LoraWeights
from .models import ModelSource
from .quiet import quiet_libraries

StepObserver = Callable[[int, int, int], None]
"""Called as ``observer(candidate_index, step, total_steps)`` after every denoising step."""


class ImageGenerator(Protocol):
    """The engine seam: what recording a generation needs from an engine. :func:`generate` is the real one;
    tests that are not about pixels pass a stand-in that makes deterministic pictures without a model."""

    def __call__(
        self,
        source: ModelSource,
        image: Image.Image,
        settings: GenerationSettings,
        on_step: StepObserver | None = None,
        options: RuntimeOptions | None = None,
        loras: Sequence[LoraWeights] = (),
    ) -> GenerationRun: ...


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
class RuntimeOptions:
    """How to fit a large background in memory; each changes speed, some change pixels slightly."""

    vae_tiling: bool = False
    attention_slicing: bool = False
    cpu_offload: bool = False


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
    scheduler_config: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)


def generate(
    source: ModelSource,
    image: Image.Image,
    settings: GenerationSettings,
    on_step: StepObserver | None = None,
    options: RuntimeOptions | None = None,
    loras: Sequence[LoraWeights] = (),
) -> GenerationRun:
    """Make one candidate per seed from ``image`` with the model at ``source`` and its ``loras``.

    Seeds drive a CPU generator, as diffusers recommends, so a seed means the same noise on every device.
    """
    # SD latents are 8x smaller than the picture: trim to a multiple of 8 rather than stretch it.
    width, height = image.width - image.width % 8, image.height - image.height % 8
    if width == 0 or height == 0:
        raise ModelError(f"the input is {image.width}x{image.height}; it must be at least 8x8 pixels")
    prepared = image.crop((0, 0, width, height)) if (width, height) != image.size else image

    if "torch" not in sys.modules:
        # Everything alive before the first model load (this program's modules and records) outlives the
        # generation. Frozen, it is left out of the collector's full passes, which would otherwise walk it
        # again while diffusers loads the model: ~0.2 s more per run, measured with the tiny model.
        gc.freeze()
    diffusers, torch = _libraries()
    with quiet_libraries():
        device = _device(torch)
        dtype = torch.float32 if device == "cpu" else torch.float16
        pipeline = _load(source, dtype)
        _add_loras(pipeline, loras)
    _apply(pipeline, options or RuntimeOptions(), device)
    pipeline.set_progress_bar_config(disable=True)

    candidates = []
    steps_run = 0
    for index, seed in enumerate(settings.seeds):
        step_counter = _StepCounter(index, on_step)
        try:
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
        except (MemoryError, RuntimeError) as exc:
            if isinstance(exc, RuntimeError) and not _out_of_memory(torch, exc):
                raise
            raise ModelError(
                f"out of memory generating {width}x{height} on {device}; try "
                "{option:vae_tiling}, {option:attention_slicing} or {option:cpu_offload}, or a smaller input"
            ) from exc
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
        scheduler_config=json.loads(json.dumps(dict(pipeline.scheduler.config), default=str)),
        # Plain strings: torch's version is a str subclass of torch's own, and a run travels between processes.
        versions={"diffusers": str(diffusers.__version__), "torch": str(torch.__version__)},
    )


def _out_of_memory(torch: Any, error: RuntimeError) -> bool:
    """Whether a RuntimeError from torch means that memory ran out: CUDA raises OutOfMemoryError, while the CPU
    allocator ("can't allocate memory") and MPS ("MPS backend out of memory") raise plain RuntimeErrors."""
    message = str(error)
    return isinstance(error, torch.OutOfMemoryError) or "can't allocate memory" in message or "out of memory" in message


def _libraries() -> tuple[Any, Any]:
    """diffusers and torch, imported quietly."""
    try:
        with quiet_libraries():
            import diffusers
            import torch
    except FileNotFoundError as exc:
        # torch's compiler picks its cache folder under the temporary folder as torch loads, unless
        # TORCHINDUCTOR_CACHE_DIR names one: with no usable temporary folder torch cannot load at all.
        try:
            tempfile.gettempdir()
        except FileNotFoundError:
            raise ModelError(
                f"torch cannot load: no usable temporary folder ({exc.strerror}); set TMPDIR to a writable folder"
            ) from exc
        raise
    return diffusers, torch


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


def _device(torch: Any) -> str:
    """CUDA, else Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def _apply(pipeline: Any, options: RuntimeOptions, device: str) -> None:
    if options.vae_tiling:
        pipeline.vae.enable_tiling()
    if options.attention_slicing:
        pipeline.enable_attention_slicing()
    if options.cpu_offload and device != "cpu":
        try:
            pipeline.enable_model_cpu_offload()
        except ImportError as exc:
            raise ModelError("{option:cpu_offload} needs the accelerate package: pip install accelerate") from exc
    else:
        # Offloading moves parts to the device as they run; without it the whole pipeline goes there now.
        pipeline.to(device)


def _add_loras(pipeline: Any, loras: Sequence[LoraWeights]) -> None:
    if not loras:
        return
    names = [f"lora{index}" for index in range(len(loras))]
    for name, lora in zip(names, loras, strict=True):
        try:
            pipeline.load_lora_weights(str(lora.path), adapter_name=name)
        except (OSError, ValueError, KeyError, IndexError, RuntimeError) as exc:
            if "PEFT" in str(exc):
                raise ModelError("{option:loras} needs the peft package: pip install peft") from exc
            raise ModelError(f"LoRA {lora.path} cannot be applied to this model: {_first_sentence(exc)}") from exc
        # diffusers skips keys that fit no layer with only a log line; a LoRA that changed nothing is an error.
        if not any(name in adapters for adapters in pipeline.get_list_adapters().values()):
            raise ModelError(f"LoRA {lora.path} has no weights that fit this model; is it for another architecture?")
    pipeline.set_adapters(names, adapter_weights=[lora.weight for lora in loras])


def _check_complete(pipeline: Any, source: ModelSource) -> None:
    """A checkpoint that lacks a component's weights leaves it unfilled; say so instead of failing later."""
    unfilled = [
        name
        for name, component in pipeline.components.items()
        if hasattr(component, "parameters") and any(parameter.is_meta for parameter in component.parameters())
    ]
    if unfilled:
        raise ModelError(
            f"{source.path.name} has no weights for {', '.join(unfilled)}; the file is incomplete or does not "
            f"match the config at {source.config}"
        )


def _first_sentence(exc: BaseException) -> str:
    """The gist of a library's error: its first line, up to the first full stop (advice follows there)."""
    text = str(exc).strip()
    return text.splitlines()[0].split(". ")[0].rstrip(".") if text else type(exc).__name__


def _load(source: ModelSource, dtype: Any) -> Any:
    from diffusers import AutoPipelineForImage2Image, StableDiffusionImg2ImgPipeline, StableDiffusionXLImg2ImgPipeline
    from safetensors import SafetensorError

    sdxl = source.architecture == "sdxl"
    # SDXL pipelines otherwise stamp an invisible watermark whenever invisible-watermark is installed.
    extra = {"add_watermarker": False} if sdxl else {}
    try:
        if source.single_file:
            pipeline_class = StableDiffusionXLImg2ImgPipeline if sdxl else StableDiffusionImg2ImgPipeline
            pipeline = pipeline_class.from_single_file(
                str(source.path), config=str(source.config), torch_dtype=dtype, local_files_only=True, **extra
            )
            _check_complete(pipeline, source)
            return pipeline
        return AutoPipelineForImage2Image.from_pretrained(
            str(source.path), torch_dtype=dtype, local_files_only=True, **extra
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, SafetensorError) as exc:
        # TypeError and SafetensorError: a damaged json file or weight file inside the model folder.
        if source.single_file:
            raise ModelError(
                f"{source.path.name} does not fit the config at {source.config}: {_first_sentence(exc)}; "
                "give {option:config} with the json files of the model it was trained as"
            ) from exc
        # The built-in model lives in the user cache, built once: removing the folder has it built again.
        advice = f"; delete {source.path} and it is built again" if source.is_test_model else ""
        raise ModelError(f"the model at {source.path} cannot be loaded: {_first_sentence(exc)}{advice}") from exc
