"""Weight files the tests make for themselves: a LoRA for the tiny model, written as trainers write them."""

from __future__ import annotations

from pathlib import Path

import torch
from diffusers import StableDiffusionImg2ImgPipeline
from peft import LoraConfig, get_peft_model_state_dict
from safetensors.torch import load_file, save_file

from provenance.engine.tiny import tiny_model_folder

# What kohya's sd-scripts put in a LoRA's header, including a long tag-frequency table.
KOHYA_METADATA = {
    "ss_output_name": "ink-wash",
    "ss_base_model_version": "sd_v1",
    "ss_network_dim": "4",
    "ss_tag_frequency": '{"backgrounds": {' + ", ".join(f'"tag{i}": {i}' for i in range(200)) + "}}",
}


def write_lora(path: Path, seed: int = 7) -> Path:
    """A rank-4 LoRA over the tiny UNet's attention, with non-zero weights so it changes pixels."""
    pipeline = StableDiffusionImg2ImgPipeline.from_pretrained(str(tiny_model_folder()))
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        pipeline.unet.add_adapter(
            LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"], init_lora_weights=False)
        )
    finally:
        torch.random.set_rng_state(state)
    layers = {f"unet.{key}": value for key, value in get_peft_model_state_dict(pipeline.unet).items()}
    save_file(layers, str(path), metadata={"format": "pt", **KOHYA_METADATA})
    return path


def write_unrelated_lora(path: Path) -> Path:
    """A LoRA-shaped file whose layers exist in no Stable Diffusion model."""
    layers = {
        "unet.no_such_block.to_q.lora_A.weight": torch.ones(4, 32),
        "unet.no_such_block.to_q.lora_B.weight": torch.ones(32, 4),
    }
    save_file(layers, str(path))
    return path


def rewrite_weights(path: Path) -> None:
    """Change every weight of a safetensors file a little, keeping its names and header metadata."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata()
    save_file({key: value + 0.01 for key, value in load_file(str(path)).items()}, str(path), metadata=metadata)
