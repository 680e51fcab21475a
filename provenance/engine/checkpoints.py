"""Single-file checkpoints: which architecture a file holds, read from its tensor names alone.

A1111-era checkpoints keep the original Stable Diffusion module names, and the text encoder tells the
families apart: SD 1.x has OpenAI's CLIP under ``cond_stage_model.transformer``, SD 2.x OpenCLIP under
``cond_stage_model.model``, SDXL both under ``conditioner.embedders``. Safetensors headers are read without
loading any weights; a ``.ckpt`` pickle is opened memory-mapped, with torch's safe loader.

>>> checkpoint_architecture(Path("juggernaut-xl.safetensors"))  # doctest: +SKIP
'sdxl'
"""

from __future__ import annotations

import pickle
from pathlib import Path

from safetensors import SafetensorError, safe_open

from ..errors import ModelError

SINGLE_FILE_SUFFIXES = (".safetensors", ".ckpt")
ARCHITECTURE_LABELS = {"sd": "Stable Diffusion 1.x", "sd2": "Stable Diffusion 2.x", "sdxl": "SDXL"}
_UNET = "model.diffusion_model."
_FIRST_UNET_LAYER = _UNET + "input_blocks.0.0.weight"


def checkpoint_architecture(path: Path) -> str:
    """``sd``, ``sd2`` or ``sdxl`` for a single-file Stable Diffusion checkpoint; anything else is an error."""
    if path.suffix.lower() not in SINGLE_FILE_SUFFIXES:
        raise ModelError(
            f"{path.name} is not a checkpoint: give a .safetensors or .ckpt file, or a diffusers model folder"
        )
    names, input_channels = _tensor_names(path)
    if any(".lora_" in name or name.startswith("lora_") for name in names):
        raise ModelError(f"{path.name} is a LoRA, not a checkpoint; apply it with {{option:loras}} on top of a model")
    if not any(name.startswith(_UNET) for name in names):
        raise ModelError(f"{path.name} holds no Stable Diffusion UNet; it is not an SD 1.x, 2.x or SDXL checkpoint")
    if input_channels == 9:
        raise ModelError(f"{path.name} is an inpainting checkpoint; img2img needs the regular model")
    if _has(names, "conditioner.embedders.0.transformer.") and _has(names, "conditioner.embedders.1.model."):
        return "sdxl"
    if _has(names, "conditioner.embedders.0.model."):
        raise ModelError(f"{path.name} is an SDXL refiner; give a base SDXL checkpoint")
    if _has(names, "cond_stage_model.transformer."):
        return "sd"
    if _has(names, "cond_stage_model.model."):
        return "sd2"
    raise ModelError(f"{path.name} has a UNet but no text encoder this tool knows; it cannot be loaded")


def _has(names: list[str], prefix: str) -> bool:
    return any(name.startswith(prefix) for name in names)


def _tensor_names(path: Path) -> tuple[list[str], int | None]:
    """The tensor names and the UNet's input channels (9 for inpainting models)."""
    if path.suffix.lower() == ".safetensors":
        try:
            with safe_open(str(path), framework="np") as handle:
                names = list(handle.keys())
                first = handle.get_slice(_FIRST_UNET_LAYER).get_shape() if _FIRST_UNET_LAYER in names else None
        except (SafetensorError, OSError, ValueError) as exc:
            raise ModelError(f"{path.name} is not a readable safetensors file; it may be damaged") from exc
        return names, first[1] if first else None
    import torch

    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, OSError, ValueError) as exc:
        raise ModelError(f"{path.name} is not a readable checkpoint; it may be damaged or not a model") from exc
    state = loaded.get("state_dict", loaded) if isinstance(loaded, dict) else {}
    first_tensor = state.get(_FIRST_UNET_LAYER)
    return list(state), int(first_tensor.shape[1]) if first_tensor is not None else None
