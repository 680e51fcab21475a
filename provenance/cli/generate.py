"""`provenance generate`: AI candidates from an asset, each signed and recorded.

A module of its own that imports only click and the engine's process starter at the top: the command starts
the engine's child process before the recording stack loads (see provenance.engine.process).
"""

from __future__ import annotations

import click

from ..engine.process import engine_for_this_process
from .app import AppContext, candidate_progress, config_option, echo_json, echo_recorded, json_option, pass_app


@click.command("generate")
@click.argument("asset")
@click.option("--prompt", required=True, help="Text prompt.")
@click.option("--operator", required=True, help="Handle of the person running the generation.")
@click.option(
    "--model",
    default="tiny",
    show_default=True,
    help="`tiny`, a registered name, a diffusers folder, or a .safetensors/.ckpt checkpoint.",
)
@config_option
@click.option(
    "--lora",
    "loras",
    multiple=True,
    metavar="PATH[:WEIGHT]",
    help="A LoRA .safetensors to apply, at WEIGHT (default 1.0). Repeatable.",
)
@click.option("--seed", type=int, help="Seed of the first candidate; the next ones count up (default: random).")
@click.option("--strength", type=click.FloatRange(0, 1, min_open=True), default=0.6, show_default=True)
@click.option("--steps", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--guidance", type=click.FloatRange(0), default=7.0, show_default=True)
@click.option("--negative", "negative_prompt", default="", help="Negative prompt.")
@click.option("--candidates", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--vae-tiling", is_flag=True, help="Decode large backgrounds in tiles (less memory).")
@click.option("--attention-slicing", is_flag=True, help="Compute attention in slices (less memory, slower).")
@click.option("--cpu-offload", is_flag=True, help="Keep parts of the model on the CPU until used (needs accelerate).")
@json_option
@pass_app
def generate_command(
    app: AppContext,
    asset: str,
    prompt: str,
    operator: str,
    model: str,
    config: str | None,
    loras: tuple[str, ...],
    seed: int | None,
    strength: float,
    steps: int,
    guidance: float,
    negative_prompt: str,
    candidates: int,
    vae_tiling: bool,
    attention_slicing: bool,
    cpu_offload: bool,
    as_json: bool,
) -> None:
    """Make AI candidates from ASSET (id or file) with img2img, each signed and recorded.

    The operator is credited as Image Generation Operator; the model is recorded with the
    sha256 of its weights and every setting, never as an artist.

    \b
    Example:
      provenance generate 1 --prompt "harbor at dusk" --operator sato-ken --candidates 3 --seed 42
      provenance generate 1 --prompt "harbor" --operator sato-ken --model house-v2 --lora ink.safetensors:0.7
    """
    # The engine's process starts before anything heavy loads here: torch and diffusers load there while the
    # store, the signer and the tables load here (provenance.engine.process).
    with engine_for_this_process() as generator:
        from .. import engine, record

        with candidate_progress(candidates) as advance:
            recorded = record.record_generation(
                app.project,
                asset,
                operator=operator,
                prompt=prompt,
                model=model,
                config=config,
                seed=seed,
                strength=strength,
                steps=steps,
                guidance=guidance,
                negative_prompt=negative_prompt,
                candidates=candidates,
                on_step=advance,
                options=engine.RuntimeOptions(
                    vae_tiling=vae_tiling, attention_slicing=attention_slicing, cpu_offload=cpu_offload
                ),
                loras=[engine.parse_lora(lora) for lora in loras],
                generator=generator,
            )
    if as_json:
        echo_json([{"id": r.asset_id, "path": r.path} for r in recorded])
    else:
        for index, item in enumerate(recorded, start=1):
            echo_recorded(f"candidate {index}", item)
