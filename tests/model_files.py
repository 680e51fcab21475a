"""Weight files the tests make for themselves: a LoRA for the tiny model, written as trainers write them."""

from __future__ import annotations

import json
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


def write_unaddressed_lora(path: Path) -> Path:
    """LoRA layers named for no component (no ``unet.``/``text_encoder.`` prefix): diffusers skips them quietly."""
    layers = {"to_q.lora_A.weight": torch.ones(4, 32), "to_q.lora_B.weight": torch.ones(32, 4)}
    save_file(layers, str(path))
    return path


def rewrite_weights(path: Path) -> None:
    """Change every weight of a safetensors file a little, keeping its names and header metadata."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata()
    save_file({key: value + 0.01 for key, value in load_file(str(path)).items()}, str(path), metadata=metadata)


def build_tiny_sdxl(folder: Path) -> Path:
    """A random-weight SDXL img2img folder as small as the tiny SD model: two text encoders, text_time UNet."""
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLImg2ImgPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    tiny = StableDiffusionImg2ImgPipeline.from_pretrained(str(tiny_model_folder()))
    state = torch.random.get_rng_state()
    torch.manual_seed(11)
    try:
        text = {"intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2, "vocab_size": 128}
        text |= {"bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1}
        unet = UNet2DConditionModel(
            block_out_channels=(32, 64),
            layers_per_block=1,
            sample_size=64,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            attention_head_dim=(2, 4),
            use_linear_projection=True,
            addition_embed_type="text_time",
            addition_time_embed_dim=8,
            transformer_layers_per_block=(1, 2),
            # Six 8-wide time ids plus the second encoder's 32-wide pooled embedding.
            projection_class_embeddings_input_dim=6 * 8 + 32,
            # Both encoders' hidden states side by side. They differ in width, as in SDXL (768 and 1280),
            # which is how the single-file loader tells them apart.
            cross_attention_dim=32 + 48,
            norm_num_groups=8,
        )
        vae = AutoencoderKL.from_config(tiny.vae.config)
        encoder = CLIPTextModel(CLIPTextConfig(hidden_size=32, **text))
        encoder_2 = CLIPTextModelWithProjection(
            CLIPTextConfig(hidden_size=48, projection_dim=32, hidden_act="gelu", **text)
        )
    finally:
        torch.random.set_rng_state(state)
    pipeline = StableDiffusionXLImg2ImgPipeline(
        vae=vae,
        text_encoder=encoder,
        text_encoder_2=encoder_2,
        tokenizer=tiny.tokenizer,
        tokenizer_2=tiny.tokenizer,
        unet=unet,
        scheduler=EulerDiscreteScheduler.from_config(tiny.scheduler.config),
        requires_aesthetics_score=False,
        add_watermarker=False,
    )
    pipeline.save_pretrained(folder)
    return folder


# Single files in the layout of the original Stable Diffusion code (as A1111, ComfyUI and Civitai use them).
# The names follow the LDM modules: a UNet block list numbered across levels, VAE levels numbered from the
# top, and the OpenCLIP text encoder with fused attention projections.
_RESNET_NAMES = [
    ("norm1", "in_layers.0"),
    ("conv1", "in_layers.2"),
    ("time_emb_proj", "emb_layers.1"),
    ("norm2", "out_layers.0"),
    ("conv2", "out_layers.3"),
    ("conv_shortcut", "skip_connection"),
]
_UNET_NAMES = {
    "time_embedding.linear_1": "time_embed.0",
    "time_embedding.linear_2": "time_embed.2",
    "add_embedding.linear_1": "label_emb.0.0",
    "add_embedding.linear_2": "label_emb.0.2",
    "conv_in": "input_blocks.0.0",
    "conv_norm_out": "out.0",
    "conv_out": "out.2",
}


def write_single_file(folder: Path, path: Path) -> Path:
    """Write the diffusers model in ``folder`` as one ``.safetensors`` checkpoint in the original layout."""
    config = json.loads((folder / "unet" / "config.json").read_text())
    levels, per_level = len(config["block_out_channels"]), config["layers_per_block"]
    unet = load_file(str(folder / "unet" / "diffusion_pytorch_model.safetensors"))
    vae = load_file(str(folder / "vae" / "diffusion_pytorch_model.safetensors"))
    tensors = {f"model.diffusion_model.{_ldm_unet_name(k, levels, per_level, unet)}": v for k, v in unet.items()}
    for key, value in vae.items():
        name = _ldm_vae_name(key, len(json.loads((folder / "vae" / "config.json").read_text())["block_out_channels"]))
        if ".mid.attn_1." in name and value.ndim == 2:
            value = value[:, :, None, None]  # the original VAE attention uses 1x1 convolutions
        tensors[f"first_stage_model.{name}"] = value
    encoder = load_file(str(folder / "text_encoder" / "model.safetensors"))
    if (folder / "text_encoder_2").is_dir():
        tensors |= {f"conditioner.embedders.0.transformer.{_text_model(k)}": v for k, v in encoder.items()}
        encoder_2 = load_file(str(folder / "text_encoder_2" / "model.safetensors"))
        tensors |= {f"conditioner.embedders.1.model.{k}": v for k, v in _openclip(encoder_2).items()}
    else:
        tensors |= {f"cond_stage_model.transformer.{_text_model(k)}": v for k, v in encoder.items()}
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(path))
    return path


def _ldm_unet_name(key: str, levels: int, per_level: int, unet: dict[str, torch.Tensor]) -> str:
    for old, new in _UNET_NAMES.items():
        if key.startswith(old + "."):
            return new + key[len(old) :]
    parts = key.split(".")
    if parts[0] == "down_blocks":
        level, kind = int(parts[1]), parts[2]
        if kind == "downsamplers":
            return ".".join([f"input_blocks.{(level + 1) * (per_level + 1)}.0.op", *parts[5:]])
        block = 1 + level * (per_level + 1) + int(parts[3])
        return _block(f"input_blocks.{block}", kind, parts[4:])
    if parts[0] == "mid_block":
        position = 1 if parts[1] == "attentions" else 2 * int(parts[2])
        return _block(f"middle_block.{position}", parts[1], parts[3:])
    if parts[0] == "up_blocks":
        level, kind = int(parts[1]), parts[2]
        if kind == "upsamplers":
            has_attention = any(k.startswith(f"up_blocks.{level}.attentions.") for k in unet)
            block = level * (per_level + 1) + per_level
            return ".".join([f"output_blocks.{block}.{2 if has_attention else 1}", *parts[4:]])
        block = level * (per_level + 1) + int(parts[3])
        return _block(f"output_blocks.{block}", kind, parts[4:])
    raise ValueError(f"no original name for UNet weight {key}")


def _block(prefix: str, kind: str, rest: list[str]) -> str:
    if kind == "attentions":
        return ".".join([prefix + ".1" if "blocks" in prefix else prefix, *rest])
    name = ".".join(rest)
    for old, new in _RESNET_NAMES:
        if name.startswith(old + "."):
            name = new + name[len(old) :]
    return f"{prefix}.0.{name}" if "blocks" in prefix else f"{prefix}.{name}"


def _ldm_vae_name(key: str, levels: int) -> str:
    parts = key.split(".")
    side, rest = parts[0], parts[1:]
    if side not in ("encoder", "decoder"):
        return key
    if rest[0] == "conv_norm_out":
        return ".".join([side, "norm_out", *rest[1:]])
    if rest[0] in ("down_blocks", "up_blocks"):
        level = int(rest[1]) if side == "encoder" else levels - 1 - int(rest[1])
        where = "down" if side == "encoder" else "up"
        if rest[2] in ("downsamplers", "upsamplers"):
            return ".".join([side, where, str(level), "downsample" if side == "encoder" else "upsample", *rest[4:]])
        inner = ".".join(rest[4:]).replace("conv_shortcut", "nin_shortcut")
        return f"{side}.{where}.{level}.block.{rest[3]}.{inner}"
    if rest[0] == "mid_block":
        if rest[1] == "resnets":
            inner = ".".join(rest[3:]).replace("conv_shortcut", "nin_shortcut")
            return f"{side}.mid.block_{int(rest[2]) + 1}.{inner}"
        names = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out": "proj_out"}
        inner = rest[3:] if rest[3] != "to_out" else ["to_out", *rest[5:]]
        return ".".join([side, "mid", "attn_1", names[inner[0]], *inner[1:]])
    return key


def _text_model(key: str) -> str:
    # transformers 5 drops the "text_model." level from CLIPTextModel's names; checkpoints keep it.
    return key if key.startswith("text_model.") else f"text_model.{key}"


def _openclip(encoder: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    names = {
        "text_model.embeddings.token_embedding.weight": "token_embedding.weight",
        "text_model.embeddings.position_embedding.weight": "positional_embedding",
        "text_model.final_layer_norm.weight": "ln_final.weight",
        "text_model.final_layer_norm.bias": "ln_final.bias",
    }
    layer_parts = [("self_attn.out_proj", "attn.out_proj"), ("layer_norm1", "ln_1"), ("layer_norm2", "ln_2")]
    layer_parts += [("mlp.fc1", "mlp.c_fc"), ("mlp.fc2", "mlp.c_proj")]
    converted = {"text_projection": encoder["text_projection.weight"].T}
    for key, value in encoder.items():
        if key in names:
            converted[names[key]] = value
        elif key.startswith("text_model.encoder.layers."):
            layer, name = key.removeprefix("text_model.encoder.layers.").split(".", 1)
            if name.startswith("self_attn.q_proj."):
                kind = name.rsplit(".", 1)[1]
                fused = [encoder[f"text_model.encoder.layers.{layer}.self_attn.{p}_proj.{kind}"] for p in "qkv"]
                converted[f"transformer.resblocks.{layer}.attn.in_proj_{kind}"] = torch.cat(fused)
            elif not name.startswith(("self_attn.k_proj.", "self_attn.v_proj.")):
                for old, new in layer_parts:
                    name = name.replace(old, new)
                converted[f"transformer.resblocks.{layer}.{name}"] = value
    return converted
