"""`provenance credits PRODUCTION` and `provenance credits lock PRODUCTION`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..credits import FORMATS, credit_sheet, lock_credits, locked_changes, render, sheet_status
from ..errors import CreditsChangedError
from .app import AppContext, pass_app, write_output


class _ExportByDefault(click.Group):
    """`credits PRODUCTION ...` means `credits export PRODUCTION ...`; `credits lock ...` is the other command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["export", *args]
        return super().parse_args(ctx, args)


@click.group("credits", cls=_ExportByDefault)
def credits_group() -> None:
    """Credit sheets: every human named by role, AI use disclosed apart.

    \b
    Examples:
      provenance credits harbor
      provenance credits harbor --format csv -o harbor-credits.csv
      provenance credits harbor --background harbor/C012 --format pdf -o C012.pdf
      provenance credits lock harbor --by yamada-hanako
    """


@credits_group.command("export")
@click.argument("production")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="txt", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option("--background", help="Only this background, PRODUCTION/CUT.")
@click.option("--allow-gaps", is_flag=True, help="Export even if a stage has no named person, marking it.")
@click.option("--strict", is_flag=True, help="Fail (exit 5) if the sheet differs from the locked one.")
@pass_app
def credits_export(
    app: AppContext,
    production: str,
    output_format: str,
    output: Path | None,
    background: str | None,
    allow_gaps: bool,
    strict: bool,
) -> None:
    """Export the credit sheet of PRODUCTION (txt, md, csv, json, html or pdf).

    A stage with nobody recorded on it fails the export (exit 3) and is listed; after
    `credits lock`, any difference from the locked sheet is named on stderr, and a stored
    sign-off whose signature no longer verifies stops the export (exit 4). The PDF also prints the
    studio, the date of the export and "Locked by NAME on DATE", or that it is a draft.
    """
    sheet = credit_sheet(app.project, production, background=background, allow_gaps=allow_gaps)
    comparison = locked_changes(app.project, sheet)
    if comparison and comparison.changes:
        lock = comparison.lock
        summary = "; ".join(comparison.changes)
        message = f"differs from the sheet locked by {lock.locked_by} on {lock.locked_at:%Y-%m-%d}: {summary}"
        if strict:
            raise CreditsChangedError(f"this export {message}")
        click.echo(f"Note: this export {message}", err=True)
    # The PDF travels alone, so it says which studio exported it, when, and whether it is the signed-off sheet.
    status = sheet_status(app.project, sheet, comparison) if output_format == "pdf" else None
    data = render(sheet, output_format, status=status)
    if output:
        write_output(output, data)
        click.echo(f"Wrote the {output_format} credit sheet to {output}", err=True)
    elif output_format == "pdf" and sys.stdout.isatty():
        raise click.UsageError("a PDF is not for the terminal: give -o FILE or redirect the output")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@credits_group.command("lock")
@click.argument("production")
@click.option("--by", "by", required=True, help="Handle of the person signing off.")
@click.option("--background", help="Only this background, PRODUCTION/CUT.")
@pass_app
def credits_lock(app: AppContext, production: str, by: str, background: str | None) -> None:
    """Sign off the credit sheet as it stands: later exports name any difference.

    \b
    Example:
      provenance credits lock harbor --by yamada-hanako
    """
    locked = lock_credits(app.project, production, by=by, background=background)
    names = sum(len(role.names) for role in locked.sheet.roles)
    click.echo(f"Locked the credits of {locked.scope}: {names} names, signed with the studio key, by {by}")
