"""`provenance replay ASSET`: regenerate an AI candidate from its record and compare."""

from __future__ import annotations

import dataclasses

import click

from ..audit import replay_generation
from .app import AppContext, candidate_progress, echo_json, json_option, pass_app
from .exit_codes import ERROR, REPLAY_CODES

_VERDICT_HELP = {
    "identical": "the same pixels, on the device it was made on",
    "within-tolerance": "on another device, within SSIM and pHash tolerance",
    "differs": "the regenerated picture differs",
    "weights-changed": "a weight file changed or went missing on disk (nothing regenerated)",
}


@click.command(
    "replay",
    epilog="\b\nExit codes:\n"
    + "\n".join(f"  {REPLAY_CODES[verdict]:>2}  {verdict}: {text}" for verdict, text in _VERDICT_HELP.items())
    + f"\n  {ERROR:>2}  not an AI candidate, or its input file is missing or changed",
)
@click.argument("asset")
@json_option
@pass_app
def replay_command(app: AppContext, asset: str, as_json: bool) -> None:
    """Regenerate AI candidate ASSET (id or file) from its record: same weights, input, seed and settings.

    \b
    Examples:
      provenance replay 3
      provenance replay assets/harbor/C012/C012_ai_generate_*_c2.png --json
    """
    with candidate_progress(1, "Replaying") as advance:
        result = replay_generation(app.project, asset, on_step=advance)
    if as_json:
        echo_json(dataclasses.asdict(result) | {"matched": result.matched})
    elif result.verdict == "weights-changed":
        click.echo(f"Asset #{result.asset_id}: the model's weights changed: {', '.join(result.changed_weights)}")
    else:
        detail = (
            "" if result.verdict == "identical" else f" (SSIM {result.ssim}, pHash distance {result.phash_distance})"
        )
        click.echo(
            f"Asset #{result.asset_id}: {result.verdict}{detail}; made on {result.recorded_device}, "
            f"replayed on {result.device}"
        )
    click.get_current_context().exit(REPLAY_CODES[result.verdict])
