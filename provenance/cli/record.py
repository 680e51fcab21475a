"""`provenance sketch|select|revise`: recording the stages of a background (`generate` has its own module)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from .. import record
from ..vocabulary import ROLES
from .app import AppContext, echo_json, echo_recorded, json_option, pass_app

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


def _report_file(kind: str, recorded: record.RecordedFile, as_json: bool) -> None:
    if as_json:
        echo_json({"id": recorded.asset_id, "path": recorded.path})
    else:
        echo_recorded(kind, recorded)


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
