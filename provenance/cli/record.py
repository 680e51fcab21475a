"""`provenance sketch|generate|select|revise`: recording the stages of a background."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from .. import engine, record
from ..vocabulary import ROLES
from .app import AppContext, candidate_progress, echo_json, json_option, pass_app
from .models import config_option

_role_option = click.option(
    "--role", type=click.Choice(list(ROLES), case_sensitive=False), help="Credit role code for this stage."
)
_tool_option = click.option("--tool", help="Application used, e.g. 'Clip Studio Paint 3.0'.")
_output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the signed PNG."
)
_input_file = click.argument("file", type=click.Path(path_type=Path))
_external_ai_option = click.option(
    "--external-ai",
    is_flag=True,
    help="FILE was made (wholly or in part) by an AI outside this tool: record it as AI work, so the audit "
    "counts its pixels as AI and the person as the one who brought it in.",
)


def _echo_recorded(kind: str, recorded: record.RecordedFile) -> None:
    click.echo(f"Recorded {kind}: asset #{recorded.asset_id}  {recorded.path}  (signed)")


def _report_file(kind: str, recorded: record.RecordedFile, as_json: bool) -> None:
    if as_json:
        echo_json({"id": recorded.asset_id, "path": recorded.path})
    else:
        _echo_recorded(kind, recorded)


@click.command("sketch")
@click.argument("background")
@_input_file
@click.option("--artist", required=True, help="Handle of the person who drew it.")
@_role_option
@_tool_option
@_output_option
@_external_ai_option
@json_option
@pass_app
def sketch_command(
    app: AppContext,
    background: str,
    file: Path,
    artist: str,
    role: str | None,
    tool: str | None,
    output: Path | None,
    external_ai: bool,
    as_json: bool,
) -> None:
    """Record a hand-drawn layout sketch FILE for BACKGROUND (PRODUCTION/CUT).

    Writes a signed PNG copy (default under assets/) naming the artist. A file that shows signs of AI
    (one of this project's AI candidates, another generator's metadata, a C2PA manifest declaring AI)
    is refused: a sketch is credited as a person's work.

    \b
    Examples:
      provenance sketch harbor/C012 layout.png --artist tanaka-aiko --tool "Clip Studio Paint"
      provenance sketch harbor/C013 concept.png --artist sato-ken --external-ai   # an AI picture, said so
    """
    recorded = record.record_sketch(
        app.project, background, file, artist=artist, role=role, tool=tool, output=output, external_ai=external_ai
    )
    _report_file("AI picture" if external_ai else "sketch", recorded, as_json)


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
        )
    if as_json:
        echo_json([{"id": r.asset_id, "path": r.path} for r in recorded])
    else:
        for index, item in enumerate(recorded, start=1):
            _echo_recorded(f"candidate {index}", item)


@click.command("select")
@click.argument("asset")
@click.option("--by", "by", required=True, help="Handle of the person who chose it.")
@_role_option
@json_option
@pass_app
def select_command(app: AppContext, asset: str, by: str, role: str | None, as_json: bool) -> None:
    """Record that a person picked AI candidate ASSET (id or file) to go on.

    \b
    Example:
      provenance select 3 --by yamada-hanako
    """
    selection = record.record_selection(app.project, asset, by=by, role=role)
    if as_json:
        echo_json(dataclasses.asdict(selection))
    else:
        click.echo(
            f"Recorded selection of asset #{selection.asset_id} by {by} "
            f"(over {len(selection.alternatives)} other candidates)"
        )


@click.command("revise")
@click.argument("asset")
@_input_file
@click.option("--artist", required=True, help="Handle of the person who painted over it.")
@_role_option
@_tool_option
@_output_option
@_external_ai_option
@json_option
@pass_app
def revise_command(
    app: AppContext,
    asset: str,
    file: Path,
    artist: str,
    role: str | None,
    tool: str | None,
    output: Path | None,
    external_ai: bool,
    as_json: bool,
) -> None:
    """Record FILE, a person's paint-over of ASSET (id or file), as a signed PNG.

    The pixels FILE changes are credited to the artist. AI work that ASSET already carries is expected;
    signs of AI from anywhere else (another candidate, another generator's metadata, a C2PA manifest
    declaring AI, such as a generative fill) are refused unless --external-ai records them as AI.

    \b
    Examples:
      provenance revise 3 paintover.png --artist suzuki-ren --tool Krita
      provenance revise 3 genfill.png --artist suzuki-ren --tool Photoshop --external-ai
    """
    recorded = record.record_revision(
        app.project, asset, file, artist=artist, role=role, tool=tool, output=output, external_ai=external_ai
    )
    _report_file("AI edit" if external_ai else "paint-over", recorded, as_json)
