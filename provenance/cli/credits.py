"""`provenance credits PRODUCTION`: the credit sheet, in the formats a production office uses."""

from __future__ import annotations

from pathlib import Path

import click

from ..credits import FORMATS, RENDERERS, credit_sheet
from .app import AppContext, pass_app


@click.command("credits")
@click.argument("production")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="txt", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@pass_app
def credits_command(app: AppContext, production: str, output_format: str, output: Path | None) -> None:
    """Credit sheet of PRODUCTION: every human named by role, AI use disclosed apart.

    \b
    Examples:
      provenance credits harbor
      provenance credits harbor --format csv -o harbor-credits.csv
    """
    text = RENDERERS[output_format](credit_sheet(app.project, production))
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote the {output_format} credit sheet to {output}", err=True)
    else:
        click.echo(text, nl=False)
