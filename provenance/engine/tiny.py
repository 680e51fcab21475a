"""The embedded default model ``tiny``: a small Stable Diffusion with random weights, built locally.

There is no model hub to download from, so the default model is built from a fixed seed the first time
it is needed, saved as an ordinary diffusers folder in the user's cache, and from then on loaded through
the same ``from_pretrained`` path as a real model. Its pictures are noise-like: it exists to exercise the
whole pipeline, and every record marks it as a test model.

The sizes were measured for this: four VAE blocks so latents are 8x smaller like a real SD VAE
(~0.17 s a step at 512 px on two cores), and building and saving takes about 0.1 s.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from .cache import built_once, cache_folder
from .quiet import quiet_libraries

TINY_NAME = "tiny"
# Bump when the architecture or the seed changes, so an old cached build is not mistaken for the new one.
TINY_VERSION = "v1"
_SEED = 20230131


def tiny_model_folder() -> Path:
    """The tiny model's diffusers folder, built on first use."""
    return built_once(cache_folder() / "models" / f"{TINY_NAME}-{TINY_VERSION}", _quiet_build)


def _quiet_build(folder: Path) -> None:
    with quiet_libraries():
        _build(folder)


def _build(folder: Path) -> None:
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionImg2ImgPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    generator_state = torch.random.get_rng_state()
    torch.manual_seed(_SEED)
    try:
        unet = UNet2DConditionModel(
            block_out_channels=(32, 64),
            layers_per_block=1,
            sample_size=64,
            in_channels=4,
            out_channels=4,
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
            cross_attention_dim=32,
            attention_head_dim=4,
            norm_num_groups=8,
        )
        vae = AutoencoderKL(
            block_out_channels=[8, 8, 16, 16],
            in_channels=3,
            out_channels=3,
            down_block_types=["DownEncoderBlock2D"] * 4,
            up_block_types=["UpDecoderBlock2D"] * 4,
            latent_channels=4,
            norm_num_groups=4,
            sample_size=512,
        )
        text_encoder = CLIPTextModel(
            CLIPTextConfig(
                bos_token_id=0,
                eos_token_id=1,
                pad_token_id=1,
                hidden_size=32,
                intermediate_size=37,
                num_attention_heads=4,
                num_hidden_layers=2,
                vocab_size=128,
                layer_norm_eps=1e-5,
            )
        )
    finally:
        torch.random.set_rng_state(generator_state)

    with tempfile.TemporaryDirectory() as vocab_folder:
        tokenizer = _tokenizer(Path(vocab_folder), CLIPTokenizer)
    scheduler = DDIMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        clip_sample=False,
        set_alpha_to_one=False,
        steps_offset=1,
    )
    pipeline = StableDiffusionImg2ImgPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(folder)  # type: ignore[attr-defined]
    # Marks the folder as our test model for anyone who finds it on disk.
    (folder / "PROVENANCE_TEST_MODEL.txt").write_text(
        "Random-weight test model built by `provenance`; it is not a trained generator.\n"
    )


def _tokenizer(folder: Path, tokenizer_class):
    """A character-level CLIP tokenizer: enough to turn any prompt into ids without a download."""
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for char in string.ascii_lowercase + string.digits:
        vocab[char] = len(vocab)
        vocab[char + "</w>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    return tokenizer_class(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77)
