"""`provenance asset list [PRODUCTION/CUT]`: every recorded asset with the id other commands take."""

from __future__ import annotations

import click

from ..asset_listing import AssetEntry, list_assets
from .app import AppContext, echo_table, json_option, pass_app


@click.group("asset")
def asset_group() -> None:
    """Recorded assets (the image files of every stage), by the id other commands take."""


@asset_group.command("list")
@click.argument("scope", metavar="[PRODUCTION/CUT]", required=False)
@json_option
@pass_app
def asset_list(app: AppContext, scope: str | None, as_json: bool) -> None:
    """List every recorded asset, or those of one background (or production): id, stage, candidate number,
    people, whether the file is as recorded, and its path.

    The candidate column is an AI candidate's number in its batch, as `provenance generate` printed it
    ("candidate 2: asset #3"). The file column compares each file with its row (intact, changed, missing);
    `provenance audit FILE` checks a file's signed chain in full.

    \b
    Examples:
      provenance asset list
      provenance asset list harbor/C012 --json
    """
    listing = list_assets(app.project, scope)
    if as_json:
        click.echo(listing.model_dump_json(indent=2))
        return
    echo_table(
        ["id", "background", "stage", "candidate", "people", "selected by", "file", "path"],
        [
            [
                entry.asset_id,
                entry.background,
                entry.kind,
                _candidate(entry),
                ", ".join(person.handle for person in entry.people),
                ", ".join(entry.selected_by),
                entry.file,
                entry.path,
            ]
            for entry in listing.assets
        ],
    )


def _candidate(entry: AssetEntry) -> str:
    if entry.candidate is None:
        return ""
    return f"{entry.candidate} of {entry.candidates}" if entry.candidates else str(entry.candidate)
